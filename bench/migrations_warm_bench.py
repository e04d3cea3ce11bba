"""The language server's migration verdict per edit, warm and cold, beside Django's
``makemigrations --check`` on the same text.

Data path: a generated project (``bench/models_gen.py``, default 300 models) with its initial
migration → a series of edits of models.py as a user makes them → for each edit, in this
process, the server's path (``server.analysis``: the incremental read of the buffer, then
``check_migrations``, which asks ``detect(per_model_only=True, warm=True)``) and the same
verdict without the warm state (``detect(per_model_only=True)`` on the same IR: what the server
did before), then Django's ``python manage.py makemigrations APP --check --dry-run --noinput``
(a subprocess) on the file written to disk. A measurement, not a test: nothing passes or fails,
but every row says whether the warm verdict equals the cold one and Django's (changes or clean).

    .venv/bin/python bench/migrations_warm_bench.py [--models 300] [--edits 8] [--no-django]

Ratios are taken edit by edit (the machine may be loaded): Django's time over the warm verdict,
over the warm verdict plus the incremental read (what an edit costs the server in all), and the
cold verdict over the warm one; the last line compares CPU time (this process's for djgen, the
child's user + system for Django), which a loaded machine disturbs less.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from models_gen import APP_LABEL, model_names, write_project  # noqa: E402


def _edits(text: str, names: list[str]) -> list[tuple[str, str]]:
    """(what, new text) for each edit, cumulative, each on a different model."""
    out: list[tuple[str, str]] = []

    def after_class(source: str, name: str, line: str) -> str:
        head = source.index(f"\nclass {name}(")
        at = source.index("\n", head + 1) + 1
        return source[:at] + line + source[at:]

    current = text
    picks = [names[len(names) * k // 8] for k in range(8)]
    steps = [
        ("add a field", lambda s: after_class(s, picks[0], "    bench_a = models.IntegerField(null=True)\n")),  # noqa: E501
        ("add a field, another model", lambda s: after_class(s, picks[1], "    bench_b = models.CharField(max_length=9, blank=True)\n")),  # noqa: E501
        ("alter that field", lambda s: s.replace("bench_b = models.CharField(max_length=9", "bench_b = models.CharField(max_length=12")),  # noqa: E501
        ("add Meta.verbose_name", lambda s: after_class(s, picks[2], "    class Meta:\n        verbose_name = 'bench'\n\n")),  # noqa: E501
        ("rename a field", lambda s: s.replace("bench_a = ", "bench_a2 = ")),
        ("add a model with an FK", lambda s: s + f"\n\nclass BenchNew(models.Model):\n    ref = models.ForeignKey({picks[3]!r}, on_delete=models.CASCADE, related_name='bench_new')\n"),  # noqa: E501
        ("remove the added field", lambda s: s.replace("    bench_a2 = models.IntegerField(null=True)\n", "")),  # noqa: E501
        ("edit a comment only", lambda s: after_class(s, picks[4], "    # reviewed\n")),
    ]  # fmt: skip
    for what, edit in steps:
        current = edit(current)
        out.append((what, current))
    return out


def _django(project: Path) -> tuple[float, float, str]:
    argv = [
        sys.executable, "manage.py", "makemigrations", APP_LABEL, "--check", "--dry-run",
        "--noinput",
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        argv, cwd=project, capture_output=True, text=True, env=dict(os.environ), check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    said = {0: "clean", 1: "changes"}.get(proc.returncode, f"exit {proc.returncode}")
    return wall, cpu, said


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=300)
    parser.add_argument("--edits", type=int, default=8)
    parser.add_argument("--no-django", action="store_true")
    args = parser.parse_args(argv)

    from djgen.generators.migrations.api import detect, make_migration, warm_memo
    from djgen.server.analysis import Analysis, AnalysisCache, check_migrations
    from djgen.server.documents import Snapshot

    root = Path(tempfile.mkdtemp(prefix="djgen-warm-bench-"))
    project = root / "project"
    app = write_project(project, args.models)
    made = make_migration(app)  # djgen's initial migration is Django's, byte for byte
    assert made is not None
    (app / made[0]).write_text(made[1], encoding="utf-8")
    path = (app / "models.py").resolve()
    uri = path.as_uri()
    cache = AnalysisCache()
    text = path.read_text(encoding="utf-8")
    names = model_names(args.models)

    print(f"migration verdict per edit, {args.models} models, in the server's process")
    print(
        f"{'edit':<30} {'read':>8} {'warm':>8} {'cold':>8} {'django':>9}  "
        f"{'dj/warm':>8} {'dj/(read+warm)':>14} {'cold/warm':>9}  verdicts"
    )
    rows: list[tuple[float, float, float, float | None, float, float, float | None]] = []
    edits = [("open (memo empty)", text), *_edits(text, names)[: args.edits]]
    for version, (what, source) in enumerate(edits, start=1):
        path.write_text(source, encoding="utf-8")
        snapshot = Snapshot({path: (source, version)})
        start = time.perf_counter()
        parsed, _ok = cache.parse(uri, version, source, path)
        read = time.perf_counter() - start
        analysis = Analysis(uri, version, path, app, parsed.module, parsed.lines)
        start, cpu = time.perf_counter(), time.process_time()
        check_migrations(analysis, snapshot)
        warm, warm_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        cold_verdict = detect(
            app, module=parsed.module, read_text=snapshot.read_text, per_model_only=True
        )
        cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
        same = analysis.migration == {m: c for m, c in cold_verdict.per_model.items() if c}
        mine = "changes" if analysis.migration else "clean"
        django, django_cpu, said = (None, None, "-") if args.no_django else _django(project)
        ratios = (
            f"{django / warm:7.1f}x {django / (read + warm):13.1f}x"
            if django is not None
            else f"{'-':>8} {'-':>14}"
        )
        print(
            f"{what:<30} {read * 1e3:6.1f}ms {warm * 1e3:6.1f}ms {cold * 1e3:6.1f}ms "
            f"{(django or 0) * 1e3:7.1f}ms {ratios} {cold / warm:8.1f}x  "
            f"djgen={mine} warm{'=' if same else '!='}cold django={said}"
        )
        if version > 1:
            rows.append((read, warm, cold, django, warm_cpu, cold_cpu, django_cpu))
    memo = warm_memo(app)
    print(f"memo: {memo.hits} model states reused, {memo.misses} built")
    if rows:
        warm_m = statistics.median(r[1] for r in rows)
        read_m = statistics.median(r[0] for r in rows)
        cold_m = statistics.median(r[2] for r in rows)
        line = (
            f"median per edit: read {read_m * 1e3:.1f} ms, warm {warm_m * 1e3:.1f} ms, "
            f"cold {cold_m * 1e3:.1f} ms (cold/warm x{cold_m / warm_m:.1f})"
        )
        djangos = [r[3] for r in rows if r[3] is not None]
        if djangos:
            dj = statistics.median(djangos)
            line += (
                f", django {dj * 1e3:.1f} ms: x{dj / warm_m:.1f} the warm verdict, "
                f"x{dj / (warm_m + read_m):.1f} read + verdict"
            )
        print(line)
        warm_c = statistics.median(r[4] for r in rows)
        cold_c = statistics.median(r[5] for r in rows)
        line = (
            f"median CPU per edit: warm {warm_c * 1e3:.1f} ms, cold {cold_c * 1e3:.1f} ms "
            f"(x{cold_c / warm_c:.1f})"
        )
        django_cpus = [r[6] for r in rows if r[6] is not None]
        if django_cpus:
            dj_c = statistics.median(django_cpus)
            line += f", django {dj_c * 1e3:.1f} ms (x{dj_c / warm_c:.1f} the warm verdict)"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
