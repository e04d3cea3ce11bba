"""The project interpreter's installed packages, found without running it.

Data path: models.py → **reader** (this module says where installed packages' sources are, so
third-party field classes, managers and abstract bases are read like project modules) → IR.

Where the project's interpreter lives, in order: a ``.venv``/``venv``/``env`` folder with a
``pyvenv.cfg`` next to manage.py (or in a parent folder up to the repository top), the
``VIRTUAL_ENV`` environment variable, and as a fallback the interpreter djgen runs in. Nothing
is executed: ``lib/python3.X/site-packages`` (``Lib/site-packages`` on Windows) is listed.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from functools import lru_cache
from pathlib import Path

_VENV_NAMES = (".venv", "venv", "env", ".env")
_UP = 4


def _venv_site_packages(venv: Path) -> list[Path]:
    out: list[Path] = []
    for lib in ("lib", "lib64"):
        base = venv / lib
        if base.is_dir():
            out.extend(sorted(p for p in base.glob("python3*/site-packages") if p.is_dir()))
    win = venv / "Lib" / "site-packages"
    if win.is_dir():
        out.append(win)
    return out


def _is_venv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file()


@lru_cache(maxsize=64)
def _search_path(start: str | None, virtual_env: str | None) -> tuple[Path, ...]:
    dirs: list[Path] = []
    if start:
        here = Path(start)
        for _ in range(_UP):
            for name in _VENV_NAMES:
                venv = here / name
                if _is_venv(venv):
                    dirs.extend(_venv_site_packages(venv))
            if dirs or here.parent == here or (here / ".git").exists():
                break
            here = here.parent
    if not dirs and virtual_env and _is_venv(Path(virtual_env)):
        dirs.extend(_venv_site_packages(Path(virtual_env)))
    if not dirs:
        paths = sysconfig.get_paths()
        for key in ("purelib", "platlib"):
            value = paths.get(key)
            if value and Path(value).is_dir() and Path(value) not in dirs:
                dirs.append(Path(value))
        for entry in sys.path:  # editable installs and user site-packages of this interpreter
            p = Path(entry) if entry else None
            if p and p.name == "site-packages" and p.is_dir() and p not in dirs:
                dirs.append(p)
    seen: list[Path] = []
    for d in dirs:
        if d not in seen:
            seen.append(d)
    return tuple(seen)


def site_packages(project_root: Path | None) -> tuple[Path, ...]:
    """The site-packages folders of the project's interpreter (see the module docstring)."""
    start = str(project_root.resolve()) if project_root is not None else None
    return _search_path(start, os.environ.get("VIRTUAL_ENV"))


def find_installed_module(dotted: str, dirs: tuple[Path, ...]) -> Path | None:
    """The source file of an installed module (``module.py`` or ``package/__init__.py``)."""
    if not dotted:
        return None
    parts = dotted.split(".")
    for d in dirs:
        base = d.joinpath(*parts)
        candidate = base.with_suffix(".py")
        if candidate.is_file():
            return candidate
        init = base / "__init__.py"
        if init.is_file():
            return init
    return None


def installed_root(file: Path, dirs: tuple[Path, ...]) -> Path | None:
    """The site-packages folder ``file`` is in, if any."""
    resolved = file.resolve()
    for d in dirs:
        try:
            resolved.relative_to(d.resolve())
        except ValueError:
            continue
        return d
    return None
