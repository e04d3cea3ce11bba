"""CLI batch timings: ``djgen generate all`` on 1,000 models, and the static migration verdict
beside ``manage.py makemigrations --check --dry-run`` on the same project.

Place in the data path: the batch end — models.py → IR → every available generator → artifacts
→ libcst merge → files written (``--write``), in a fresh copy of a generated project each time;
then Django's own ``manage.py check`` on the result, so a fast but broken output cannot pass.

The migration part delegates to ``bench/migrations_bench.py`` when that script exists (it is the
migrations work's own benchmark); otherwise it times ``djgen makemigrations APP --check`` and
Django's ``makemigrations --check --dry-run`` on the same projects in three states (no
migrations, migrated, one field added) and compares their verdicts (exit codes).

Run: ``python bench/cli_bench.py [--quick] [--models 1000] [--json-out DIR]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH_DIR,
    Series,
    fmt_ms,
    machine,
    machine_line,
    table,
    venv_bin,
    write_json,
)
from models_gen import APP_LABEL, write_project

DJGEN = venv_bin("djgen")
MIGRATIONS_BENCH = BENCH_DIR / "migrations_bench.py"


@dataclass
class Run:
    """One command's wall time and exit code."""

    ms: float
    code: int
    tail: str = ""


def timed(argv: list[str], cwd: Path, timeout: float = 900.0) -> Run:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    proc = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    ms = (time.perf_counter() - start) * 1000
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return Run(ms, proc.returncode, lines[-1][:300] if lines else "")


@dataclass
class GenerateResult:
    models: int
    lines: int
    fresh: Series = field(default_factory=lambda: Series("generate all --write (fresh)"))
    rerun: Series = field(default_factory=lambda: Series("generate all --write (re-run)"))
    written_lines: int = 0
    django_check: str = ""
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "models": self.models,
            "models_py_lines": self.lines,
            "fresh": self.fresh.to_json(),
            "rerun": self.rerun.to_json(),
            "generated_lines": self.written_lines,
            "django_check": self.django_check,
            "notes": self.notes,
        }


def bench_generate(work: Path, models: int, repeats: int) -> GenerateResult:
    template = work / "template"
    app = write_project(template, models)
    result = GenerateResult(models, (app / "models.py").read_text().count("\n"))
    last: Path | None = None
    for i in range(repeats):
        copy = work / f"gen{i}"
        shutil.copytree(template, copy)
        run = timed([DJGEN, "generate", "all", str(copy / APP_LABEL), "--write"], cwd=copy)
        if run.code != 0:
            result.notes.append(f"generate all exited {run.code}: {run.tail}")
            return result
        result.fresh.add(run.ms)
        last = copy
    assert last is not None
    run = timed([DJGEN, "generate", "all", str(last / APP_LABEL), "--write"], cwd=last)
    if run.code == 0:
        result.rerun.add(run.ms)
    else:
        result.notes.append(f"re-run exited {run.code}: {run.tail}")
    result.written_lines = sum(
        p.read_text(encoding="utf-8").count("\n")
        for p in (last / APP_LABEL).glob("*.py")
        if p.name not in ("models.py", "apps.py", "__init__.py")
    )
    check = timed([sys.executable, "manage.py", "check"], cwd=last)
    result.django_check = "passes" if check.code == 0 else f"FAILS: {check.tail}"
    return result


# -- migrations ---------------------------------------------------------------------------------

ADDED_FIELD = "    bench_added = models.IntegerField(default=0)\n"


def _add_field(models_py: Path) -> None:
    """Add one field to the first concrete model (after its ``name`` field)."""
    text = models_py.read_text(encoding="utf-8")
    marker = "    name = models.CharField("
    at = text.index(marker)
    end = text.index("\n", at) + 1
    models_py.write_text(text[:end] + ADDED_FIELD + text[end:], encoding="utf-8")


def bench_migrations_fallback(work: Path, sizes: list[int], repeats: int) -> dict[str, Any]:
    """djgen makemigrations --check beside Django's, in three states of the same project."""
    rows: list[dict[str, Any]] = []
    for size in sizes:
        root = work / f"mig{size}"
        app = write_project(root, size)
        migrate = [sys.executable, "manage.py", "makemigrations", APP_LABEL, "-v", "0"]
        states = [
            ("no migrations", None),  # nothing in migrations/ yet
            ("migrated", partial(timed, migrate, root)),  # Django writes the initial migration
            ("field added", partial(_add_field, app / "models.py")),  # then a model changes
        ]
        for state, prepare in states:
            if prepare is not None:
                prepared = prepare()
                if isinstance(prepared, Run) and prepared.code != 0:
                    rows.append({"models": size, "state": state, "error": prepared.tail})
                    break
            ours, django = Series("djgen"), Series("django")
            our_codes, django_codes = set(), set()
            tail = ""
            for _ in range(repeats):
                run = timed([DJGEN, "makemigrations", str(app), "--check"], cwd=root)
                our_codes.add(run.code)
                tail = run.tail
                if run.code in (0, 1):
                    ours.add(run.ms)
                run = timed(
                    [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
                    cwd=root,
                )
                django_codes.add(run.code)
                django.add(run.ms)
            available = bool(ours.samples)
            rows.append(
                {
                    "models": size,
                    "state": state,
                    "djgen": ours.to_json() if available else None,
                    "djgen_exit": sorted(our_codes),
                    "djgen_unavailable": None if available else tail,
                    "django": django.to_json(),
                    "django_exit": sorted(django_codes),
                    "same_verdict": available and our_codes == django_codes,
                    "speedup": django.p50 / ours.p50 if available and ours.p50 else None,
                }
            )
    return {"source": "cli_bench fallback (djgen makemigrations --check)", "rows": rows}


_MIGRATION_LINE = re.compile(
    r"^(?P<label>.+?)\s+djgen\s+(?P<djgen>[\d.]+) ms\s+django\s+(?P<django>[\d.]+) ms\s+"
    r"x\s*(?P<speedup>[\d.]+)\s+verdict .*\((?P<same>\w+)\)\s*$"
)


def parse_migrations_bench(output: str) -> list[dict[str, Any]]:
    """The rows ``migrations_bench.py`` prints: label, both times, speed-up, same verdict."""
    rows = []
    for line in output.splitlines():
        match = _MIGRATION_LINE.match(line.strip())
        if match:
            rows.append(
                {
                    "label": match["label"].strip(),
                    "djgen_ms": float(match["djgen"]),
                    "django_ms": float(match["django"]),
                    "speedup": float(match["speedup"]),
                    "same_verdict": match["same"] == "same",
                }
            )
    return rows


def bench_migrations(work: Path, sizes: list[int], repeats: int) -> Any:
    """``bench/migrations_bench.py`` (the migrations work's own benchmark) when it exists, with
    ``repeats`` and the largest of ``sizes``; else the fallback above."""
    if MIGRATIONS_BENCH.exists():
        argv = [sys.executable, str(MIGRATIONS_BENCH), "--repeat", str(repeats)]
        if sizes:
            argv += ["--models", str(max(sizes))]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=1800, check=False)
        return {
            "source": "bench/migrations_bench.py",
            "argv": argv[1:],
            "exit": proc.returncode,
            "output": proc.stdout[-6000:],
            "stderr": proc.stderr[-2000:],
            "parsed": parse_migrations_bench(proc.stdout),
        }
    return bench_migrations_fallback(work, sizes, repeats)


# -- output -------------------------------------------------------------------------------------


def render(gen: GenerateResult, migrations: dict[str, Any]) -> str:
    out = [f"djgen generate all --write, {gen.models} models ({gen.lines} lines of models.py):", ""]
    rows = []
    for series in (gen.fresh, gen.rerun):
        rows.append([series.name, len(series.samples), fmt_ms(series.p50), fmt_ms(series.p95)])
    out.append(table(["run", "n", "p50 ms", "p95 ms"], rows))
    out.append(
        f"\nGenerated {gen.written_lines} lines; Django's `manage.py check` on the result: "
        f"{gen.django_check or 'not run'}."
    )
    out.extend(f"note: {n}" for n in gen.notes)
    out += ["", "Migration verdict: djgen (static) beside makemigrations --check --dry-run:", ""]
    if migrations.get("source") == "bench/migrations_bench.py":
        out.append(migrations["output"].rstrip() or f"(no output; exit {migrations['exit']})")
        if migrations["exit"]:
            out.append(f"migrations_bench.py exited {migrations['exit']}: {migrations['stderr']}")
        return "\n".join(out)
    rows = []
    for row in migrations["rows"]:
        if "error" in row:
            rows.append([row["models"], row["state"], "—", "—", "—", f"error: {row['error']}"])
            continue
        ours = row["djgen"]
        django = row["django"]
        rows.append(
            [
                row["models"],
                row["state"],
                f"{fmt_ms(ours['p50_ms'])} (exit {row['djgen_exit']})" if ours else "unavailable",
                f"{fmt_ms(django['p50_ms'])} (exit {row['django_exit']})",
                f"{row['speedup']:.1f}x" if row["speedup"] else "—",
                "same" if row["same_verdict"] else ("—" if not ours else "DIFFERENT"),
            ]
        )
    out.append(
        table(["models", "state", "djgen p50 ms", "django p50 ms", "speed-up", "verdict"], rows)
    )
    unavailable = {r["djgen_unavailable"] for r in migrations["rows"] if r.get("djgen_unavailable")}
    for reason in unavailable:
        out.append(f"djgen makemigrations --check unavailable: {reason}")
    return "\n".join(out)


def targets_verdict(gen: GenerateResult, migrations: dict[str, Any]) -> list[dict[str, Any]]:
    verdicts = []
    if gen.fresh.samples:
        verdicts.append(
            {
                "target": f"djgen generate all for {gen.models} models: ≤ 2 s",
                "measured": gen.fresh.p50,
                "holds": (gen.fresh.p50 <= 2000 and gen.django_check == "passes")
                if gen.models == 1000
                else None,
                "detail": f"p50 {gen.fresh.p50 / 1000:.2f} s; Django check {gen.django_check}",
            }
        )
    parsed = migrations.get("parsed")
    if parsed:
        slowest = min(parsed, key=lambda r: r["speedup"])
        same = all(r["same_verdict"] for r in parsed)
        verdicts.append(
            {
                "target": "static migration verdict ≥ 20x faster than makemigrations, same verdict",
                "measured": slowest["speedup"],
                "holds": slowest["speedup"] >= 20 and same,
                "detail": f"lowest speed-up {slowest['speedup']:.1f}x ({slowest['label']}); "
                + ("verdicts all the same" if same else "verdicts DIFFER"),
            }
        )
    rows = [r for r in migrations.get("rows", []) if r.get("djgen")]
    if rows:
        slowest = min(rows, key=lambda r: r["speedup"] or 0)
        same = all(r["same_verdict"] for r in rows)
        verdicts.append(
            {
                "target": "static migration verdict ≥ 20x faster than makemigrations, same verdict",
                "measured": slowest["speedup"],
                "holds": bool(slowest["speedup"] and slowest["speedup"] >= 20 and same),
                "detail": f"lowest speed-up {slowest['speedup']:.1f}x; verdicts "
                + ("all the same" if same else "DIFFER"),
            }
        )
    elif migrations.get("rows"):
        verdicts.append(
            {
                "target": "static migration verdict ≥ 20x faster than makemigrations, same verdict",
                "measured": None,
                "holds": None,
                "detail": "djgen makemigrations --check not available in this build",
            }
        )
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="djgen CLI batch benchmark")
    parser.add_argument("--models", type=int, default=1000, help="models for generate all")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--migration-sizes", default="300", help="model counts for the migration verdict comparison"
    )
    parser.add_argument("--migration-repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    parser.add_argument("--no-migrations", action="store_true", help="skip the verdict part")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.models, args.repeats = min(args.models, 50), 1
        args.migration_sizes, args.migration_repeats = "20", 1
    info = machine()
    print(f"machine: {machine_line(info)}", flush=True)
    sizes = [int(s) for s in args.migration_sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="djgen-cli-bench-") as tmp:
        work = Path(tmp)
        print(f"generate all: {args.models} models x {args.repeats}", flush=True)
        gen = bench_generate(work, args.models, args.repeats)
        print(f"migration verdicts: {sizes} models x {args.migration_repeats}", flush=True)
        if args.no_migrations:
            migrations: dict[str, Any] = {"source": "skipped (--no-migrations)", "rows": []}
        else:
            migrations = bench_migrations(work, sizes, args.migration_repeats)
    print()
    print(render(gen, migrations))
    verdicts = targets_verdict(gen, migrations)
    if verdicts:
        print()
        rows = [
            [v["target"], v["detail"], {True: "holds", False: "MISSED", None: "—"}[v["holds"]]]
            for v in verdicts
        ]
        print(table(["target (issue 6)", "measured", "verdict"], rows))
    if not args.no_json:
        path = write_json(
            "cli",
            {
                "machine": info,
                "generate": gen.to_json(),
                "migrations": migrations,
                "targets": verdicts,
            },
            args.json_out,
        )
        print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
