"""``djgen makemigrations APP_DIR [--check] [--dry-run] [--default FIELD=VALUE] [--name NAME]``.

Data path: app folder → ``api.detect`` (one analysis) → ``api.migration_file`` → **cli** (this
module: prints Django-style lines, writes the file) → terminal and ``migrations/``.

Exit codes as Django's: 0 done (or nothing to do), 1 with ``--check`` when changes are missing,
2 bad input or a question Django would ask (a one-off default), 3 when the static reading cannot
decide (the reasons are printed; run Django's own ``makemigrations`` then).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path

from djgen.generators.core.paths import app_dir_of

EXIT_OK, EXIT_CHANGES, EXIT_USAGE, EXIT_UNDECIDABLE = 0, 1, 2, 3
CACHE_FOLDER = ".djgen-cache"  # verdict_cache.CACHE_DIR (not imported: the parser is built often)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_dir", metavar="APP_DIR", help="the app folder (or its models.py)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when model changes are missing from migrations (writes nothing)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be written, write nothing"
    )
    parser.add_argument(
        "--default",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="one-off default for a new non-null field (a Python expression), repeatable",
    )
    parser.add_argument("--name", "-n", help="use this migration name (after the number)")
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="with --dry-run, print the whole file"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="with --check, analyse even when nothing changed since the last check "
        f"(the answer is kept in the project's {CACHE_FOLDER}/)",
    )


def _defaults(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"--default wants FIELD=VALUE, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def _command(app_dir: Path) -> list[str]:
    """The cache's name for ``makemigrations APP --check`` (the only form it answers)."""
    return ["makemigrations", os.path.abspath(app_dir), "--check"]


def fast_check(argv: list[str]) -> int | None:
    """``makemigrations APP_DIR --check`` answered from the verdict cache, before the full
    command line is even parsed; None when it cannot be (other options, or a miss)."""
    if len(argv) != 2 or "--check" not in argv:
        return None
    (path,) = [a for a in argv if a != "--check"]
    if path.startswith("-"):
        return None
    from djgen.generators.migrations import verdict_cache

    answer = verdict_cache.lookup(app_dir_of(path), _command(app_dir_of(path)))
    if answer is None:
        return None
    sys.stdout.write(answer.stdout)
    sys.stderr.write(answer.stderr)
    return answer.code


def run(args: argparse.Namespace) -> int:
    """The command; ``--check`` alone goes through the verdict cache (``verdict_cache``)."""
    app_dir = app_dir_of(args.app_dir)
    cacheable = (
        args.check
        and not (args.dry_run or args.default or args.name or args.verbose or args.no_cache)
        and app_dir.is_dir()
    )
    if not cacheable:
        return _run(args)
    from djgen.generators.migrations import verdict_cache

    command = _command(app_dir)
    answer = verdict_cache.lookup(app_dir, command)
    if answer is not None:
        sys.stdout.write(answer.stdout)
        sys.stderr.write(answer.stderr)
        return answer.code
    out, err = io.StringIO(), io.StringIO()
    with verdict_cache.recording() as inputs, _tee(out, err):
        code = _run(args)
    verdict_cache.store(
        app_dir, command, inputs, verdict_cache.Answer(out.getvalue(), err.getvalue(), code)
    )
    return code


class _Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextlib.contextmanager
def _tee(out: io.StringIO, err: io.StringIO):
    """Print as usual, and keep a copy of what was printed."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Tee(saved[0], out), _Tee(saved[1], err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _run(args: argparse.Namespace) -> int:
    from djgen.generators.migrations.api import (
        MigrationsError,
        NeedsDefault,
        detect,
        migration_file,
    )

    def err(message: str) -> None:
        print(f"djgen: error: {message}", file=sys.stderr)

    try:
        defaults = _defaults(args.default)
    except ValueError as exc:
        err(str(exc))
        return EXIT_USAGE
    app_dir = app_dir_of(args.app_dir)
    if not app_dir.is_dir():
        err(f"{args.app_dir} is not an app folder")
        return EXIT_USAGE
    try:
        verdict = detect(app_dir, defaults=defaults)
    except MigrationsError as exc:
        err(str(exc))
        return EXIT_USAGE
    if verdict.undecidable:
        print(f"djgen cannot decide statically for app '{verdict.app_label}':", file=sys.stderr)
        for reason in verdict.undecidable:
            print(f"  {reason}", file=sys.stderr)
        print("  (run Django's own: python manage.py makemigrations --check)", file=sys.stderr)
        return EXIT_UNDECIDABLE
    if not verdict.changed:
        print(f"No changes detected in app '{verdict.app_label}'")
        return EXIT_OK
    if args.check and not args.dry_run:
        _print_plan(verdict, None)
        return EXIT_CHANGES
    try:
        made = migration_file(verdict, name=args.name)  # the analysis above, not a second one
    except NeedsDefault as exc:
        err(str(exc))
        return EXIT_USAGE
    except MigrationsError as exc:
        err(str(exc))
        return EXIT_USAGE
    if made is None:  # pragma: no cover - detect said changed
        print(f"No changes detected in app '{verdict.app_label}'")
        return EXIT_OK
    relative, text = made
    _print_plan(verdict, relative)
    if args.dry_run:
        if args.verbose:
            print(f"Full migrations file '{Path(relative).name}':")
            print(text)
        return EXIT_CHANGES if args.check else EXIT_OK
    target = app_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    init = target.parent / "__init__.py"
    if not init.exists():
        init.write_text("", encoding="utf-8")
    if target.exists():
        err(f"{target} already exists; not overwriting it")
        return EXIT_USAGE
    target.write_text(text, encoding="utf-8")
    _run_formatters(target)
    return EXIT_OK


def _run_formatters(path: Path) -> None:
    """Like Django's ``makemigrations``: format the new file with ``black`` when it is on PATH
    (so the file matches what Django would have written in the same environment)."""
    import shutil
    import subprocess

    black = shutil.which("black")
    if not black:
        return
    try:
        subprocess.run([black, "--fast", "--", str(path)], capture_output=True, check=False)
    except OSError as exc:
        print(f"djgen: warning: black failed to start: {exc}", file=sys.stderr)


def _print_plan(verdict, relative: str | None) -> None:
    print(f"Migrations for '{verdict.app_label}':")
    if relative:
        print(f"  {verdict.app_label}/{relative}")
    for line in verdict.descriptions:
        print(f"    {line}")
