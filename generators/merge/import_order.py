"""Merge engine, import order: isort's sections and ruff's sort keys, without LibCST.

Data path: models.py → IR → generator → artifacts → **merge** (this module says where an import
goes and how it is written; ``imports`` edits parsed files, ``text`` writes new files) → file
or WorkspaceEdit.

Kept free of LibCST so that writing a new file (and deciding which project modules are
first-party) imports nothing heavy.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
from collections.abc import Iterable, Iterator, Sequence

from djgen.generators.core.artifacts import Import

#: Relative modules resolve against this package: ``.models`` → ``…_r1__.models``.
_SENTINEL_PARTS = ("__djgen_r3__", "__djgen_r2__", "__djgen_r1__")
_SENTINEL_PACKAGE = ".".join(_SENTINEL_PARTS)

#: Wrap an import statement longer than this (ruff's and black's default line length).
LINE_LENGTH = 88

_STDLIB = frozenset(sys.stdlib_module_names)
#: Packages a relative import of the user's app can never mean.
_FRAMEWORKS = frozenset(
    {"django", "rest_framework", "django_filters", "rest_framework_simplejwt", "channels"}
)


#: Top-level modules of the project being generated into (its packages beside manage.py):
#: isort's first-party section, as ruff finds it from the project root (``src = ["."]``).
_FIRST_PARTY: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "djgen_first_party", default=frozenset()
)


@contextlib.contextmanager
def first_party(modules: Iterable[str]) -> Iterator[None]:
    """Merge imports with ``modules`` in the first-party section (between third-party and
    relative imports) while the block runs."""
    token = _FIRST_PARTY.set(frozenset(modules))
    try:
        yield
    finally:
        _FIRST_PARTY.reset(token)


def import_section(module: str) -> int:
    """isort section: 0 ``__future__``, 1 stdlib, 2 third party, 3 first party (the project's
    own packages, see ``first_party``), 4 relative (local folder)."""
    if module.startswith("."):
        return 4
    top = module.split(".")[0]
    if top == "__future__":
        return 0
    if top in _STDLIB:
        return 1
    return 3 if top in _FIRST_PARTY.get() else 2


def _member_key(name: str) -> tuple[int, str, str]:
    """ruff's order-by-type: CONSTANTS, then Classes, then everything else."""
    if len(name) > 1 and name.isupper():
        rank = 0
    elif name[:1].isupper():
        rank = 1
    else:
        rank = 2
    return (rank, name.lower(), name)


def _statement_key(module: str, is_from: bool) -> tuple[int, int, str]:
    """Sort key inside a section: ``import x`` first, then ``from``; ``..`` before ``.``."""
    dots = len(module) - len(module.lstrip("."))
    return (int(is_from), -dots, module.lstrip(".").lower())


def _unresolve(module: str) -> str:
    """Undo the sentinel resolution: ``<sentinel package>.models`` → ``.models``."""
    for dots in (1, 2, 3):
        base = ".".join(_SENTINEL_PARTS[: len(_SENTINEL_PARTS) - dots + 1])
        if module == base:
            return "." * dots
        if module.startswith(base + "."):
            return "." * dots + module[len(base) + 1 :]
    return module


def render_import(module: str, names: Sequence[tuple[str, str | None]], *, exploded: bool) -> str:
    """``from module import a, b as c``, wrapped one name per line when asked or too long."""
    members = [name if alias is None else f"{name} as {alias}" for name, alias in names]
    line = f"from {module} import " + ", ".join(members)
    if not exploded and len(line) <= LINE_LENGTH:
        return line
    return f"from {module} import (\n" + "".join(f"    {m},\n" for m in members) + ")"


def normalise_import(item: Import) -> Import:
    """``import .models`` is not Python: read it as ``from . import models``."""
    if item.name is not None or not item.module.startswith("."):
        return item
    package, _, name = item.module.rpartition(".")
    return Import(package if package.strip(".") else package + ".", name, item.alias)
