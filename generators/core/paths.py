"""Paths: the app folder of a path, the folders never walked, paths and diffs as people read them.

Data path: a path the user gave (models.py, models/, an app, a project) → **paths** (this module)
→ the reader, the pipeline, the CLI and the server, which all ask these questions the same way.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from pathlib import Path

#: Folders never searched for apps or models (environments, caches, VCS data, installed code).
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "env",
        "node_modules",
        "site-packages",
        "__pycache__",
        "build",
        "dist",
    }
)


def app_dir_of(path: str | Path) -> Path:
    """The app folder for ``app/models.py``, a module of ``app/models/``, the ``app/models``
    folder, or the app folder itself (the files need not exist yet: editors ask about buffers)."""
    p = Path(path)
    if p.suffix == ".py" or p.is_file():
        folder = p.parent
        in_package = folder.name == "models" and (
            (folder / "__init__.py").is_file() or p.name != "models.py"
        )
        return folder.parent if in_package else folder
    if p.name == "models" and (p / "__init__.py").is_file():
        return p.parent
    return p


def walk(root: str | Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    """``os.walk`` in sorted order, skipping ``SKIP_DIRS`` and hidden folders (prune ``dirs``
    in place to skip more)."""
    for top, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        yield Path(top), dirs, sorted(files)


def relative(path: str | Path, start: str | Path | None = None) -> str:
    """``path`` relative to ``start`` (default: the current folder) when that is shorter to read,
    for messages; the path as given otherwise."""
    try:
        return os.path.relpath(path, start)
    except ValueError:  # another drive (Windows)
        return str(path)


def project_relative(path: str | Path) -> str:
    """``path`` relative to the nearest folder above it holding manage.py (diff headers)."""
    p = Path(path)
    for folder in p.parents:
        if (folder / "manage.py").is_file():
            return p.relative_to(folder).as_posix()
    return p.as_posix().lstrip("/")


def unified_diff(old: str | None, new: str, name: str) -> str:
    """A ``git diff``-style diff of one file (``old`` None: a new file, against /dev/null);
    every line ends with a newline, so diffs concatenate."""
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile="/dev/null" if old is None else f"a/{name}",
        tofile=f"b/{name}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
