"""Where ``djgen generate`` spends its time: read, each generator, each merge, timed in-process.

Place in the data path: each stage of it, separately — models.py → IR (``read_app``) → each
generator's ``generate`` → artifacts → ``merge`` per target file. ``cli_bench.py`` runs this in a
subprocess with a time limit beside the end-to-end ``djgen generate all --write``; one JSON line
is printed (and flushed) per finished stage, so a stage that runs out of time still leaves the
stages before it on record.

Run: ``python bench/stage_times.py APP_DIR [NAMES]`` (NAMES default ``all``).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def emit(stage: str, ms: float, **extra: object) -> None:
    print(json.dumps({"stage": stage, "ms": round(ms, 2), **extra}), flush=True)


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print("usage: stage_times.py APP_DIR [NAMES]", file=sys.stderr)
        return 2
    app_dir = Path(argv[0])
    names = argv[1] if len(argv) > 1 else "all"

    start = time.perf_counter()
    import gc
    from dataclasses import replace

    from djgen.generators.cli import BATCH_GC_THRESHOLD
    from djgen.generators.core.config import load_config
    from djgen.generators.core.pipeline import build_context
    from djgen.generators.core.registry import get_generator, resolve
    from djgen.generators.merge import merge
    from djgen.generators.reader import read_app

    emit("import djgen", (time.perf_counter() - start) * 1000)
    gc.set_threshold(BATCH_GC_THRESHOLD, *gc.get_threshold()[1:])  # as the CLI runs

    start = time.perf_counter()
    module = read_app(app_dir)
    emit(
        "read_app (models.py → IR)", (time.perf_counter() - start) * 1000, models=len(module.models)
    )
    config = load_config(app_dir)

    # Each generator's artifacts are merged right after it runs, and the migration generator
    # (the slowest on large apps) goes last, so a time limit cuts off as little as possible.
    order = sorted(resolve(names), key=lambda name: name == "migration")
    texts: dict[str, str | None] = {}
    context = build_context(module, config, app_dir)
    outputs: dict[str, dict[str, object]] = {}
    for name in order:
        start = time.perf_counter()
        result = get_generator(name).generate(replace(context, outputs=outputs, generator=name))
        outputs[name] = result.provides
        made = result.artifacts
        emit(f"generate: {name}", (time.perf_counter() - start) * 1000, artifacts=len(made))
        for artifact in made:
            if artifact.content is not None:
                continue
            path = app_dir / artifact.target
            if artifact.target not in texts:
                texts[artifact.target] = path.read_text("utf-8") if path.exists() else None
            start = time.perf_counter()
            merged = merge(texts[artifact.target], artifact)
            texts[artifact.target] = merged.text
            emit(
                f"merge: {artifact.generator} → {artifact.target}",
                (time.perf_counter() - start) * 1000,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
