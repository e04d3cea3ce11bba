"""The opt-in fallback: ask Django itself, ``manage.py makemigrations APP --check --dry-run``,
in the project's own interpreter, for apps where the static reading cannot decide.

Data path: app folder → **django_check** (this module: the command, run in a subprocess, and
its answer parsed) → the same kind of verdict the language server shows.

Nothing here imports Django or the project; the subprocess does. ``command()`` gives the argv and
folder so a front end can run it asynchronously with progress; ``run()`` runs it and waits.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from djgen.generators.reader.project import find_project_root, read_app_info


class DjangoCheckError(ValueError):
    """The command cannot be built (no manage.py above the app)."""


@dataclass
class DjangoCommand:
    argv: list[str]
    cwd: Path
    app_label: str


@dataclass
class DjangoCheck:
    """Django's own answer for one app."""

    app_label: str
    returncode: int
    changed: bool
    #: Django's lines ("+ Add field isbn to book"), without indentation.
    lines: list[str] = field(default_factory=list)
    output: str = ""
    #: Set when Django failed (import error, bad settings): the last lines of its stderr.
    error: str | None = None


def project_python(root: Path) -> str:
    """The project's interpreter: a virtualenv in the project (.venv, venv, env), else ours."""
    for name in (".venv", "venv", "env"):
        for candidate in (root / name / "bin" / "python", root / name / "Scripts" / "python.exe"):
            if candidate.is_file():
                return str(candidate)
    return sys.executable


def command(app_dir: str | Path, *, python: str | None = None) -> DjangoCommand:
    app = Path(app_dir)
    if app.is_file():
        app = app.parent
    root = find_project_root(app)
    if root is None:
        raise DjangoCheckError(f"no manage.py in {app} or the folders above it")
    label = read_app_info(app).label
    argv = [
        python or project_python(root),
        str(root / "manage.py"),
        "makemigrations",
        label,
        "--check",
        "--dry-run",
        "--noinput",
    ]
    return DjangoCommand(argv, root, label)


def parse(app_label: str, returncode: int, stdout: str, stderr: str) -> DjangoCheck:
    """Django's exit codes: 0 clean, 1 changes (or a crash: no "Migrations for" then), 3 a
    question it could not ask in non-interactive mode (changes too)."""
    lines = [
        line.strip()
        for line in stdout.splitlines()
        if line.startswith("    ") and line.strip()[:1] in "+-~ps?"
    ]
    changed = returncode == 3 or (returncode == 1 and "Migrations for" in stdout)
    error = None
    if not changed and returncode != 0:
        tail = [line for line in stderr.strip().splitlines() if line.strip()][-5:]
        error = "\n".join(tail) or f"exit status {returncode}"
    return DjangoCheck(app_label, returncode, changed, lines, stdout + stderr, error)


def run(app_dir: str | Path, *, python: str | None = None, timeout: float = 120.0) -> DjangoCheck:
    """Run Django's check and wait for it."""
    cmd = command(app_dir, python=python)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    try:
        proc = subprocess.run(
            cmd.argv,
            cwd=cmd.cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return DjangoCheck(cmd.app_label, -1, False, error=f"timed out after {timeout:.0f} s")
    except OSError as exc:
        return DjangoCheck(cmd.app_label, -1, False, error=f"cannot run {cmd.argv[0]}: {exc}")
    return parse(cmd.app_label, proc.returncode, proc.stdout, proc.stderr)
