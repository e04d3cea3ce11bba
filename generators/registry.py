"""The generator registry: names, lazy loading, and ordering by requirements.

Data path: models.py → IR → **registry** (picks the generator) → generator → artifacts → merge →
file or WorkspaceEdit.

``GENERATOR_NAMES`` is the project-wide contract. Each name maps to ``"module:attribute"``, a
``Generator`` object loaded with importlib only when asked for, so importing the registry is cheap
and a generator whose module is not written yet is simply not available. A generator module
defines one object with ``name``, ``description``, ``requires`` (generators whose output its code
imports), ``targets`` (files it writes) and ``generate(module, config, models=None)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from djgen.generators.artifacts import Artifact
    from djgen.generators.config import DjgenConfig
    from djgen.generators.ir import ModuleIR

GENERATOR_NAMES: tuple[str, ...] = (
    "serializer",
    "filterset",
    "viewset",
    "admin",
    "relationships",
    "migration",
    "tests",
    "jwt",
    "caching",
    "api-settings",
    "cqrs",
    "eventsourcing",
    "websocket",
)

#: Where each generator lives. Add a line here when a generator module lands; names without a
#: line, or whose module/attribute does not exist yet, are not available.
GENERATOR_PATHS: dict[str, str] = {
    "serializer": "djgen.generators.serializer:GENERATOR",
    "filterset": "djgen.generators.filterset:GENERATOR",
    "viewset": "djgen.generators.viewset:GENERATOR",
    "admin": "djgen.generators.admin:GENERATOR",
    "migration": "djgen.generators.migrations.generator:GENERATOR",
}


class Generator(Protocol):
    """What the registry hands out (each generator module defines one)."""

    name: str
    description: str
    requires: tuple[str, ...]
    targets: tuple[str, ...]

    def generate(
        self, module: ModuleIR, config: DjgenConfig, models: Sequence[str] | None = None
    ) -> list[Artifact]: ...


class UnknownGenerator(LookupError):
    """A generator name that is not in the contract, or not implemented yet."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown generator"


_LOADED: dict[str, Generator | None] = {}


def _load(name: str) -> Generator | None:
    """The generator object for ``name``, or None when its module or attribute does not exist.

    Errors inside an existing generator module propagate: a broken generator should be loud."""
    if name in _LOADED:
        return _LOADED[name]
    path = GENERATOR_PATHS.get(name)
    generator: Generator | None = None
    if path is not None:
        module_name, _, attr = path.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # Only "this module does not exist yet" means unavailable; a missing dependency
            # inside an existing module is a real error.
            missing = exc.name or ""
            if not (module_name == missing or module_name.startswith(missing + ".")):
                raise
            module = None
        if module is not None:
            generator = getattr(module, attr, None)
            if generator is None and isinstance(getattr(module, "Generator", None), type):
                generator = module.Generator()
    _LOADED[name] = generator
    return generator


def available() -> list[str]:
    """Names of implemented generators, in ``GENERATOR_NAMES`` order."""
    return [name for name in GENERATOR_NAMES if _load(name) is not None]


def get_generator(name: str) -> Generator:
    """The generator called ``name``; ``UnknownGenerator`` (listing valid names) otherwise."""
    if name not in GENERATOR_NAMES:
        raise UnknownGenerator(
            f"unknown generator {name!r}; valid generators: {', '.join(GENERATOR_NAMES)}"
        )
    generator = _load(name)
    if generator is None:
        raise UnknownGenerator(
            f"generator {name!r} is not implemented yet; available: {', '.join(available())}"
        )
    return generator


def resolve(names: str | Iterable[str]) -> list[str]:
    """Expand ``"all"`` (and comma-separated strings), add requirements, keep contract order.

    ``resolve(["viewset"])`` → ``["serializer", "filterset", "viewset"]``."""
    if isinstance(names, str):
        names = [part.strip() for part in names.split(",") if part.strip()]
    wanted: set[str] = set()
    pending: list[str] = []
    for name in names:
        if name == "all":
            pending.extend(available())
        else:
            get_generator(name)  # raises UnknownGenerator with the valid names
            pending.append(name)
    while pending:
        name = pending.pop()
        if name in wanted:
            continue
        wanted.add(name)
        pending.extend(get_generator(name).requires)
    return [name for name in GENERATOR_NAMES if name in wanted]
