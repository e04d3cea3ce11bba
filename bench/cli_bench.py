"""CLI batch timings: ``djgen generate all`` on 1,000 models, and the static migration verdict
beside ``manage.py makemigrations --check --dry-run`` on the same project.

Place in the data path: the batch end — models.py → IR → every available generator → artifacts
→ libcst merge → files written (``--write``), in a fresh copy of a generated project each time;
then Django's own ``manage.py check`` on the result, so a fast but broken output cannot pass.

The migration part delegates to ``bench/migrations_bench.py`` when that script exists (it is the
migrations work's own benchmark); otherwise it times ``djgen makemigrations APP --check`` and
Django's ``makemigrations --check --dry-run`` on the same projects in three states (no
migrations, migrated, one field added) and compares their verdicts (exit codes).

The API generators alone (serializer, filterset, viewset, admin: the issue-17 target of under
2 s at 1,000 models) are timed beside a baseline commit (``--baseline REV``, default
``HEAD``: the committed code, so uncommitted speed work shows as before/after), interleaved run
by run on fresh copies of the same project, with ``djgen list`` the same way; both must write
the same files.

Run: ``python bench/cli_bench.py [--quick] [--models 1000] [--baseline REV] [--json-out DIR]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
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
    load_at_end,
    machine,
    machine_line,
    table,
    venv_bin,
    write_json,
)
from models_gen import APP_LABEL, write_project

from djgen.generators.core.registry import available

DJGEN = venv_bin("djgen")
MIGRATIONS_BENCH = BENCH_DIR / "migrations_bench.py"
STAGE_TIMES = BENCH_DIR / "stage_times.py"


@dataclass
class Run:
    """One command's wall time and exit code."""

    ms: float
    #: None when the command ran out of time (it was killed).
    code: int | None
    tail: str = ""
    stdout: str = ""

    @property
    def timed_out(self) -> bool:
        return self.code is None


def _text(value: str | bytes | None) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value or ""


def timed(argv: list[str], cwd: Path, timeout: float = 900.0) -> Run:
    """Run a command to the end (or kill it after ``timeout`` s); its wall time and exit code."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        ms = (time.perf_counter() - start) * 1000
        return Run(ms, None, f"timed out after {timeout:.0f} s", _text(exc.stdout))
    ms = (time.perf_counter() - start) * 1000
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return Run(ms, proc.returncode, lines[-1][:300] if lines else "", proc.stdout)


@dataclass
class GenerateResult:
    models: int
    lines: int
    fresh: Series = field(default_factory=lambda: Series("generate all --write (fresh)"))
    rerun: Series = field(default_factory=lambda: Series("generate all --write (re-run)"))
    #: The same without the migration generator (one fresh run), to tell the costs apart.
    without_migration: Series = field(
        default_factory=lambda: Series("generate all but migration --write (fresh)")
    )
    written_lines: int = 0
    #: ``stage_times.py`` lines: {"stage": ..., "ms": ...}.
    stages: list[dict[str, Any]] = field(default_factory=list)
    django_check: str = ""
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "models": self.models,
            "models_py_lines": self.lines,
            "fresh": self.fresh.to_json(),
            "rerun": self.rerun.to_json(),
            "without_migration": self.without_migration.to_json(),
            "generated_lines": self.written_lines,
            "stages": self.stages,
            "django_check": self.django_check,
            "notes": self.notes,
        }


def bench_generate(work: Path, models: int, repeats: int, timeout: float) -> GenerateResult:
    """``djgen generate all --write`` on fresh copies (fewer repeats once a run takes over a
    minute), a re-run on the result, Django's check of the result, and the stage breakdown."""
    template = work / "template"
    app = write_project(template, models)
    byte_compile(REPO / "generators", REPO / "server")
    result = GenerateResult(models, (app / "models.py").read_text().count("\n"))
    last: Path | None = None
    for i in range(repeats):
        copy = work / f"gen{i}"
        shutil.copytree(template, copy)
        argv = [DJGEN, "generate", "all", str(copy / APP_LABEL), "--write"]
        run = timed(argv, cwd=copy, timeout=timeout)
        if run.code != 0:
            result.notes.append(
                f"generate all: {run.tail}"
                if run.timed_out
                else f"generate all exited {run.code}: {run.tail}"
            )
            break
        result.fresh.add(run.ms)
        last = copy
        if run.ms > 60_000:
            result.notes.append("one fresh run only: it took over a minute")
            break
    if last is not None:
        if result.fresh.p50 < 60_000:
            argv = [DJGEN, "generate", "all", str(last / APP_LABEL), "--write"]
            run = timed(argv, cwd=last, timeout=timeout)
            if run.code == 0:
                result.rerun.add(run.ms)
            else:
                result.notes.append(f"re-run: {run.tail}")
        result.written_lines = sum(
            p.read_text(encoding="utf-8").count("\n")
            for p in (last / APP_LABEL).rglob("*.py")
            if p.name not in ("models.py", "apps.py", "__init__.py")
        )
        check = timed([sys.executable, "manage.py", "check"], cwd=last, timeout=timeout)
        result.django_check = "passes" if check.code == 0 else f"FAILS: {check.tail}"
    others = [n for n in available() if n != "migration"]
    if "migration" in available() and others:
        copy = work / "nomigration"
        shutil.copytree(template, copy)
        argv = [DJGEN, "generate", ",".join(others), str(copy / APP_LABEL), "--write"]
        run = timed(argv, cwd=copy, timeout=timeout)
        if run.code == 0:
            result.without_migration.add(run.ms)
        else:
            result.notes.append(f"generate all but migration: {run.tail}")
    copy = work / "stages"
    shutil.copytree(template, copy)
    stages = timed(
        [sys.executable, str(STAGE_TIMES), str(copy / APP_LABEL), "all"], cwd=copy, timeout=timeout
    )
    for line in stages.stdout.splitlines():
        with contextlib.suppress(ValueError):
            result.stages.append(json.loads(line))
    if stages.code != 0:
        done = result.stages[-1]["stage"] if result.stages else "the start"
        result.notes.append(f"stage breakdown: {stages.tail} (in the stage after {done})")
    return result


# -- the API generators beside a baseline commit ------------------------------------------------

API_GENERATORS = "serializer,filterset,viewset,admin"
REPO = BENCH_DIR.parent


def baseline_root(work: Path, rev: str) -> Path | None:
    """A folder to put first on ``sys.path`` so ``import djgen`` is the code of commit ``rev``
    (``git archive`` of generators/ and server/); None when git cannot give it."""
    src = work / "baseline-src"
    src.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev, "generators", "server"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
    root = work / "baseline-pkg"
    (root / "djgen").mkdir(parents=True)
    (root / "djgen" / "__init__.py").write_text("", encoding="utf-8")
    for name in ("generators", "server"):
        (root / "djgen" / name).symlink_to(src / name)
    return root


def byte_compile(*roots: Path) -> None:
    """Compile djgen's own modules under ``roots`` to ``__pycache__``, as ``pip install`` leaves
    an installed package; the timed runs write no bytecode (``PYTHONDONTWRITEBYTECODE``), so
    without this every run of a tree that was never imported with bytecode on (a fresh
    checkout, a machine that sets the variable) would compile djgen from source first."""
    for root in roots:
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(root)],
            capture_output=True,
            check=False,
        )


def _djgen_argv(root: Path | None, *args: str) -> list[str]:
    """``djgen ARGS`` run from the installed code (root None) or from ``root``; both sides are
    started the same way (``python -c``), so the comparison holds no launcher difference."""
    first = "" if root is None else f"sys.path.insert(0, {str(root)!r}); "
    code = f"import sys; {first}from djgen.generators.cli import main; sys.exit(main())"
    return [sys.executable, "-c", code, *args]


def _tree(app: Path) -> dict[str, str]:
    return {
        str(p.relative_to(app)): p.read_text(encoding="utf-8")
        for p in sorted(app.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


@dataclass
class SideBySide:
    """The API generators and ``djgen list``, this tree beside the baseline, interleaved."""

    baseline: str
    models: int
    generate: dict[str, Series] = field(default_factory=dict)
    listing: dict[str, Series] = field(default_factory=dict)
    same_output: bool | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "models": self.models,
            "generate": {k: v.to_json() for k, v in self.generate.items()},
            "list": {k: v.to_json() for k, v in self.listing.items()},
            "same_output": self.same_output,
            "notes": self.notes,
        }


def bench_api_side_by_side(
    work: Path, models: int, repeats: int, timeout: float, rev: str
) -> SideBySide:
    result = SideBySide(rev, models)
    template = work / "api-template"
    write_project(template, models)
    root = baseline_root(work, rev)
    if root is None:
        result.notes.append(f"no baseline: git archive {rev} failed")
    sides: dict[str, Path | None] = {"this tree": None}
    byte_compile(REPO / "generators", REPO / "server")
    if root is not None:
        sides[f"baseline {rev}"] = root
        byte_compile(work / "baseline-src")
    outputs: dict[str, dict[str, str]] = {}
    for name in sides:
        result.generate[name] = Series(name)
        result.listing[name] = Series(name)
    for i in range(repeats):
        for name, side in sides.items():
            copy = work / f"api-{i}-{len(outputs)}-{name.split()[0]}"
            shutil.copytree(template, copy)
            argv = _djgen_argv(side, "generate", API_GENERATORS, str(copy / APP_LABEL), "--write")
            run = timed(argv, cwd=copy, timeout=timeout)
            if run.code != 0:
                result.notes.append(f"{name}: generate exited {run.code}: {run.tail}")
                continue
            result.generate[name].add(run.ms)
            outputs.setdefault(name, _tree(copy / APP_LABEL))
            shutil.rmtree(copy)
            run = timed(_djgen_argv(side, "list"), cwd=work, timeout=timeout)
            if run.code == 0:
                result.listing[name].add(run.ms)
    if len(outputs) == 2:
        first, second = outputs.values()
        result.same_output = first == second
    return result


def render_side_by_side(side: SideBySide) -> str:
    names = list(side.generate)
    out = [
        f"API generators ({API_GENERATORS}) on {side.models} models, `--write`, fresh copies, "
        f"this tree beside {side.baseline} (interleaved; djgen's own modules byte-compiled"
        " first, as an install leaves them):",
        "",
    ]
    rows = []
    for label, series_of in (("generate --write", side.generate), ("djgen list", side.listing)):
        here = series_of.get(names[0])
        base = series_of.get(names[1]) if len(names) > 1 else None
        ratio = (
            f"{base.p50 / here.p50:.2f}x faster"
            if here and base and here.samples and base.samples and here.p50
            else "—"
        )
        rows.append(
            [
                label,
                f"{fmt_ms(here.p50)} / {fmt_ms(here.p95)}" if here and here.samples else "—",
                f"{fmt_ms(base.p50)} / {fmt_ms(base.p95)}" if base and base.samples else "—",
                ratio,
            ]
        )
    headers = ["run", "this tree p50 / p95 ms", f"{side.baseline} p50 / p95 ms", "ratio"]
    out.append(table(headers, rows))
    if side.same_output is not None:
        out.append(
            "\nBoth wrote the same files."
            if side.same_output
            else "\nThe two wrote DIFFERENT files."
        )
    out.extend(f"note: {n}" for n in side.notes)
    return "\n".join(out)


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
    for series in (gen.fresh, gen.rerun, gen.without_migration):
        rows.append([series.name, len(series.samples), fmt_ms(series.p50), fmt_ms(series.p95)])
    out.append(table(["run", "n", "p50 ms", "p95 ms"], rows))
    out.append(
        f"\nGenerated {gen.written_lines} lines; Django's `manage.py check` on the result: "
        f"{gen.django_check or 'not run'}."
    )
    if gen.stages:
        out += ["", "Where the time goes (in-process, one run; `bench/stage_times.py`):", ""]
        out.append(table(["stage", "ms"], [[st["stage"], fmt_ms(st["ms"])] for st in gen.stages]))
    out.extend(f"note: {n}" for n in gen.notes)
    out += ["", "Migration verdict: djgen (static) beside makemigrations --check --dry-run:", ""]
    if not migrations.get("rows") and migrations.get("source", "").startswith("skipped"):
        out.append(migrations["source"])
        return "\n".join(out)
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
    elif gen.notes:
        verdicts.append(
            {
                "target": f"djgen generate all for {gen.models} models: ≤ 2 s",
                "measured": None,
                "holds": False if gen.models == 1000 else None,
                "detail": gen.notes[0],
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
        "--timeout", type=float, default=120, help="seconds before a generate run is stopped"
    )
    parser.add_argument(
        "--migration-sizes", default="300", help="model counts for the migration verdict comparison"
    )
    parser.add_argument("--migration-repeats", type=int, default=3)
    parser.add_argument(
        "--baseline", default="HEAD", help="commit the API generators are timed beside"
    )
    parser.add_argument("--api-repeats", type=int, default=5)
    parser.add_argument("--no-api", action="store_true", help="skip the side-by-side part")
    parser.add_argument(
        "--api-only", action="store_true", help="only the side-by-side part (no generate all)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    parser.add_argument("--no-migrations", action="store_true", help="skip the verdict part")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.models, args.repeats, args.api_repeats = min(args.models, 50), 1, 1
        args.migration_sizes, args.migration_repeats = "20", 1
    info = machine()
    print(f"machine: {machine_line(info)}", flush=True)
    sizes = [int(s) for s in args.migration_sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="djgen-cli-bench-") as tmp:
        work = Path(tmp)
        side = None
        if not args.no_api:
            print(f"API generators: {args.models} models x {args.api_repeats}", flush=True)
            side = bench_api_side_by_side(
                work, args.models, args.api_repeats, args.timeout, args.baseline
            )
            print(render_side_by_side(side), flush=True)
        if args.api_only:
            return 0
        print(f"generate all: {args.models} models x {args.repeats}", flush=True)
        gen = bench_generate(work, args.models, args.repeats, args.timeout)
        print(f"migration verdicts: {sizes} models x {args.migration_repeats}", flush=True)
        if args.no_migrations:
            migrations: dict[str, Any] = {"source": "skipped (--no-migrations)", "rows": []}
        else:
            migrations = bench_migrations(work, sizes, args.migration_repeats)
    print()
    if side is not None:
        print(render_side_by_side(side))
        print()
    print(render(gen, migrations))
    verdicts = targets_verdict(gen, migrations)
    here = side.generate.get("this tree") if side is not None else None
    if here is not None and here.samples:
        verdicts.insert(
            0,
            {
                "target": f"djgen generate {API_GENERATORS} for {side.models} models: < 2 s",
                "measured": here.p50,
                "holds": here.p50 < 2000 if side.models == 1000 else None,
                "detail": f"p50 {here.p50 / 1000:.2f} s",
            },
        )
    if verdicts:
        print()
        rows = [
            [v["target"], v["detail"], {True: "holds", False: "MISSED", None: "—"}[v["holds"]]]
            for v in verdicts
        ]
        print(table(["target (issue 6)", "measured", "verdict"], rows))
    print()
    print(load_at_end(info))
    if not args.no_json:
        path = write_json(
            "cli",
            {
                "machine": info,
                "generate": gen.to_json(),
                "api_side_by_side": side.to_json() if side is not None else None,
                "migrations": migrations,
                "targets": verdicts,
            },
            args.json_out,
        )
        print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
