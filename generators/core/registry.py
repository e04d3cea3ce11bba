"""The generator registry: discovery, lookup, and ordering by requirements.

Data path: models.py → IR → **registry** (which generators exist, in which order) → generator →
artifacts → merge → file or WorkspaceEdit.

Built-in generators are found by walking ``djgen.generators``: every sub-package with a
``descriptor.py`` defining ``DESCRIPTOR`` is one. Third-party generators register a
``Descriptor`` (or an object with a ``descriptor`` attribute) under the entry-point group
``djgen.generators``. Nothing here imports a generator's code: ``Descriptor.load`` does that on
first use, so listing generators stays cheap.

``GENERATOR_NAMES`` is the product's contract: the built-in names in the order people see them.
"""

from __future__ import annotations

import functools
import heapq
import importlib
import importlib.util
import warnings
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from djgen.generators.core.descriptors import Descriptor

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

ENTRY_POINT_GROUP = "djgen.generators"
_PACKAGE = "djgen.generators"
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


class UnknownGenerator(LookupError):
    """A generator name that is not in the contract, or not implemented yet."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown generator"


class RequirementCycle(UnknownGenerator):
    """Generators that require each other in a circle."""


def _builtin() -> list[Descriptor]:
    found: list[Descriptor] = []
    for folder in sorted(_PACKAGE_DIR.iterdir()):
        if not (folder / "descriptor.py").is_file() or not (folder / "__init__.py").is_file():
            continue
        module = importlib.import_module(f"{_PACKAGE}.{folder.name}.descriptor")
        descriptor = getattr(module, "DESCRIPTOR", None)
        if not isinstance(descriptor, Descriptor):
            continue  # not a generator package
        templates = folder / "templates"
        test_templates = folder / "test_templates"
        order = (
            GENERATOR_NAMES.index(descriptor.name) if descriptor.name in GENERATOR_NAMES else 500
        )
        found.append(
            _with(
                descriptor,
                template_dir=templates if templates.is_dir() else None,
                test_template_dir=test_templates if test_templates.is_dir() else None,
                order=order,
            )
        )
    return found


def _with(descriptor: Descriptor, **changes: object) -> Descriptor:
    from dataclasses import replace

    return replace(descriptor, **changes)  # type: ignore[arg-type]


def _third_party() -> list[Descriptor]:
    found: list[Descriptor] = []
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
        except Exception as exc:  # a broken plugin must not break djgen
            warnings.warn(
                f"djgen: generator entry point {entry.name!r} failed to load: {exc}", stacklevel=2
            )
            continue
        descriptor = (
            loaded if isinstance(loaded, Descriptor) else getattr(loaded, "descriptor", None)
        )
        if not isinstance(descriptor, Descriptor):
            warnings.warn(
                f"djgen: generator entry point {entry.name!r} is not a djgen Descriptor",
                stacklevel=2,
            )
            continue
        dist = getattr(entry, "dist", None)
        origin = dist.name if dist is not None else entry.value
        template_dir = descriptor.template_dir
        if template_dir is None:
            package = descriptor.entry.partition(":")[0].rpartition(".")[0]
            template_dir = _package_templates(package)
        test_template_dir = descriptor.test_template_dir
        if test_template_dir is None:
            package = descriptor.entry.partition(":")[0].rpartition(".")[0]
            test_template_dir = _package_templates(package, "test_templates")
        found.append(
            _with(
                descriptor,
                origin=origin,
                template_dir=template_dir,
                test_template_dir=test_template_dir,
            )
        )
    return found


def _package_templates(package: str, folder: str = "templates") -> Path | None:
    if not package:
        return None
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / folder
        if candidate.is_dir():
            return candidate
    return None


@functools.lru_cache(maxsize=1)
def descriptors() -> dict[str, Descriptor]:
    """Every available generator's descriptor by name, in listing order (built-ins in contract
    order, then third-party ones by name). A third-party name that clashes with a built-in is
    ignored with a warning."""
    out: dict[str, Descriptor] = {}
    for descriptor in sorted(_builtin(), key=lambda d: (d.order, d.name)):
        out[descriptor.name] = descriptor
    for descriptor in sorted(_third_party(), key=lambda d: d.name):
        if descriptor.name in out:
            warnings.warn(
                f"djgen: generator {descriptor.name!r} from {descriptor.origin} clashes with "
                "an existing one and is ignored",
                stacklevel=2,
            )
            continue
        out[descriptor.name] = descriptor
    return out


def reload() -> None:
    """Forget what was discovered (after installing a plugin in the same process)."""
    descriptors.cache_clear()
    _load.cache_clear()


def known_names() -> tuple[str, ...]:
    """Names settings may mention: the contract's and every discovered generator's."""
    extra = tuple(name for name in descriptors() if name not in GENERATOR_NAMES)
    return GENERATOR_NAMES + extra


def available() -> list[str]:
    """Names of implemented generators, in listing order."""
    return list(descriptors())


def describe(name: str) -> Descriptor:
    """The descriptor called ``name``; ``UnknownGenerator`` (listing valid names) otherwise."""
    found = descriptors().get(name)
    if found is not None:
        return found
    if name in GENERATOR_NAMES:
        raise UnknownGenerator(
            f"generator {name!r} is not implemented yet; available: {', '.join(available())}"
        )
    raise UnknownGenerator(
        f"unknown generator {name!r}; valid generators: {', '.join(known_names())}"
    )


@functools.cache
def _load(name: str) -> object:
    descriptor = describe(name)
    try:
        return descriptor.load()
    except (ImportError, AttributeError) as exc:
        raise UnknownGenerator(
            f"generator {name!r} ({descriptor.origin}) cannot be loaded from "
            f"{descriptor.entry}: {exc}"
        ) from exc


def get_generator(name: str):
    """The generating object of ``name`` (imported on first use)."""
    return _load(name)


def resolve(names: str | Iterable[str]) -> list[str]:
    """Expand ``"all"`` (and comma-separated strings), add requirements, and order the result
    so every generator comes after what it requires (and after its ``after`` names that are
    selected); ties keep listing order. A cycle is a ``RequirementCycle`` naming it.

    ``resolve(["viewset"])`` → ``["serializer", "filterset", "viewset"]``."""
    if isinstance(names, str):
        names = [part.strip() for part in names.split(",") if part.strip()]
    wanted: set[str] = set()
    pending: list[str] = []
    for name in names:
        if name == "all":
            pending.extend(available())
        else:
            describe(name)
            pending.append(name)
    while pending:
        name = pending.pop()
        if name in wanted:
            continue
        wanted.add(name)
        for required in describe(name).requires:
            describe(required)
            pending.append(required)
    return _order(wanted)


def _order(wanted: set[str]) -> list[str]:
    rank = {name: i for i, name in enumerate(descriptors())}
    before: dict[str, set[str]] = {name: set() for name in wanted}
    # "*" in ``after``: after every other selected generator that does not say "*" itself
    last = {name for name in wanted if "*" in describe(name).after}
    for name in wanted:
        descriptor = describe(name)
        before[name] |= {r for r in (*descriptor.requires, *descriptor.after) if r in wanted}
        if name in last:
            before[name] |= wanted - last
    ready = [(rank[n], n) for n, deps in before.items() if not deps]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        _, name = heapq.heappop(ready)
        ordered.append(name)
        for other, deps in before.items():
            if name in deps:
                deps.discard(name)
                if not deps:
                    heapq.heappush(ready, (rank[other], other))
    if len(ordered) != len(wanted):
        stuck = sorted(n for n, deps in before.items() if deps)
        raise RequirementCycle(
            f"generators require each other in a cycle: {' -> '.join(_cycle(stuck))}"
        )
    return ordered


def _cycle(stuck: list[str]) -> list[str]:
    """One cycle among ``stuck`` names, closed (``a -> b -> a``)."""
    start = stuck[0]
    path = [start]
    seen = {start}
    here = start
    while True:
        descriptor = describe(here)
        nxt = next(n for n in (*descriptor.requires, *descriptor.after) if n in stuck and n != here)
        if nxt in seen:
            return [*path[path.index(nxt) :], nxt]
        path.append(nxt)
        seen.add(nxt)
        here = nxt
