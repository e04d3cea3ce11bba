"""Static migrations beside Django's own ``makemigrations``, side by side in one run.

Data path: a generated project (``bench/models_gen.py``: N models, deterministic) → ``djgen
makemigrations`` and ``python manage.py makemigrations`` as the user runs them (subprocesses,
same interpreter) → times (wall and CPU), speed-ups, and whether both wrote the same file or
gave the same verdict. A measurement, not a test: nothing here passes or fails.

Rows, in one run:

* the initial migration of the ``--models`` app (default 300) by both, and the two files
  compared byte for byte (apart from the header line);
* the initial migration of the ``--large`` app (default 1,000) by djgen alone (Django's
  one-fold-per-pass optimizer does not finish there in minutes); ``--large-django`` adds
  Django's run, bounded by ``--django-timeout``;
* the verdict (``makemigrations APP --check``) on the up-to-date ``--models`` app: djgen with
  its verdict cache (the repeat case: nothing changed since the last check), djgen without it
  (``--no-cache``: one full static analysis), and Django's ``--check --dry-run``;
* the verdict after one field is added (a cache miss), both.

    .venv/bin/python bench/migrations_bench.py [--models 300] [--large 1000] [--repeat 5]

The machine may be loaded: read the ratios (measured alternately in the same run), and the CPU
columns (user + system time of the child process), rather than the absolute times.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from models_gen import APP_LABEL, write_project  # noqa: E402

DJGEN = str(Path(sys.executable).with_name("djgen"))


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child
    code: int | None  # None: timed out
    stdout: str
    stderr: str


def run(argv: list[str], cwd: Path, timeout: float = 3600.0, **env: str) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    environment = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **env)
    try:
        proc = subprocess.run(
            argv, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout
        )
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = None, str(exc.stdout or ""), str(exc.stderr or "")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, code, out, err)


def median(runs: list[Run]) -> Run:
    ordered = sorted(runs, key=lambda r: r.wall)
    mid = ordered[len(ordered) // 2]
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        mid.code,
        mid.stdout,
        mid.stderr,
    )


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


def row(label: str, mine: Run, theirs: Run | None, verdict: str, same: str = "") -> None:
    """One line; the shape ``bench/cli_bench.py`` parses: label, djgen ms, django ms, xN (wall),
    verdict ..., cpu xN (user + system), (same|DIFFERENT)."""
    if theirs is None:
        print(f"{label:<56} djgen {fmt(mine.wall)}  cpu {fmt(mine.cpu)}  {verdict}")
        return
    if theirs.code is None:
        print(
            f"{label:<56} djgen {fmt(mine.wall)}  django timed out after {theirs.wall:.0f} s"
            f"  {verdict}"
        )
        return
    print(
        f"{label:<56} djgen {fmt(mine.wall)}  django {fmt(theirs.wall)}  "
        f"x{theirs.wall / mine.wall:6.1f}  verdict {verdict}  "
        f"cpu x{theirs.cpu / max(mine.cpu, 1e-6):.1f} ({same})"
    )


def body(text: str) -> str:
    """A migration file without its header line."""
    return text.split("\n", 1)[1] if "\n" in text else text


def initial_migrations(root: Path, models: int, *, django: bool, timeout: float) -> None:
    """Both write the initial migration of an app without one (each in its own copy)."""
    mine_root = root / f"djgen-{models}"
    write_project(mine_root, models)
    mine = run([DJGEN, "makemigrations", APP_LABEL], mine_root)
    mine_file = mine_root / APP_LABEL / "migrations" / "0001_initial.py"
    label = f"initial migration, {models} models"
    if not django:
        wrote = "file written" if mine.code == 0 and mine_file.exists() else "FAILED"
        row(label, mine, None, f"({wrote}; Django not run at this size)")
        return
    theirs_root = root / f"django-{models}"
    write_project(theirs_root, models)
    theirs = run(
        [sys.executable, "manage.py", "makemigrations", APP_LABEL, "-v", "0"],
        theirs_root,
        timeout=timeout,
    )
    theirs_file = theirs_root / APP_LABEL / "migrations" / "0001_initial.py"
    if theirs.code is None or not theirs_file.exists() or not mine_file.exists():
        row(label, mine, theirs, "no file to compare", "DIFFERENT")
    elif body(mine_file.read_text()) == body(theirs_file.read_text()):
        row(label, mine, theirs, f"files byte-equal ({mine_file.stat().st_size} bytes)", "same")
    else:
        row(label, mine, theirs, "files differ", "DIFFERENT")


def verdicts(root: Path, models: int, repeat: int, timeout: float) -> None:
    """``--check`` on the up-to-date app (djgen with and without its cache, Django), then
    after one field is added."""
    project = root / f"verdict-{models}"
    app = write_project(project, models)
    made = run([sys.executable, "manage.py", "makemigrations", APP_LABEL, "-v", "0"], project)
    if made.code != 0:
        print(f"verdict, {models} models: Django could not write the initial migration")
        print(made.stderr[-2000:])
        return
    check = [DJGEN, "makemigrations", APP_LABEL, "--check"]
    django_check = [
        sys.executable, "manage.py", "makemigrations", APP_LABEL, "--check", "--dry-run",
        "--noinput",
    ]  # fmt: skip

    def said(r: Run) -> str:
        return {0: "clean", 1: "changes", None: "timeout"}.get(r.code, f"exit {r.code}")

    def compare(label: str, mine: Run, theirs: Run) -> None:
        same = "same" if said(mine) == said(theirs) else "DIFFERENT"
        row(label, mine, theirs, f"djgen={said(mine):<7} django={said(theirs):<7}", same)

    shutil.rmtree(project / ".djgen-cache", ignore_errors=True)
    first = run(check, project)  # analyses and stores the answer
    hits, colds, djangos = [], [], []
    for i in range(repeat):  # alternate, so load spikes hit both sides alike
        hits.append(run(check, project))
        colds.append(run([*check, "--no-cache"], project))
        if i < max(1, repeat // 2):
            djangos.append(run(django_check, project, timeout=timeout))
    theirs = median(djangos)
    compare(f"verdict --check, {models} models up to date (cached)", median(hits), theirs)
    compare(f"verdict --check, {models} models up to date (no cache)", median(colds), theirs)
    compare(f"verdict --check, {models} models (first run, stores)", first, theirs)

    models_py = app / "models.py"
    source = models_py.read_text(encoding="utf-8")
    marker = "(models.Model):\n"
    at = source.index(marker) + len(marker)
    models_py.write_text(
        source[:at] + "    bench_extra = models.IntegerField(null=True)\n" + source[at:],
        encoding="utf-8",
    )
    mine = run(check, project)  # a miss: models.py changed
    theirs = run(django_check, project, timeout=timeout)
    compare(f"verdict --check, {models} models, one field added", mine, theirs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=300, help="the app compared with Django")
    parser.add_argument("--large", type=int, default=1000, help="the app djgen does alone")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--large-django", action="store_true", help="run Django on the large app too"
    )
    parser.add_argument("--django-timeout", type=float, default=900.0, help="seconds")
    parser.add_argument("--skip-initial", action="store_true", help="only the verdict rows")
    args = parser.parse_args(argv)
    print(f"djgen vs Django {_django_version()}, python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="djgen-migbench-") as tmp:
        root = Path(tmp)
        if not args.skip_initial:
            initial_migrations(root, args.models, django=True, timeout=args.django_timeout)
            if args.large and args.large != args.models:
                initial_migrations(
                    root, args.large, django=args.large_django, timeout=args.django_timeout
                )
        verdicts(root, args.models, max(1, args.repeat), args.django_timeout)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


def _django_version() -> str:
    try:
        import django

        return django.get_version()
    except ImportError:
        return "(not installed)"


if __name__ == "__main__":
    raise SystemExit(main())
