"""The server's view of the generator descriptors: every table the features need, derived.

Data path: descriptors (``djgen.generators.core.registry``) → **catalog** (this module) → the
server's options, diagnostics, code actions, lenses, hovers and watched files → the editor.

Nothing here is written per generator: a generator that ships a descriptor with a
``DiagnosticSpec`` gets a diagnostic, a quick fix, a code-lens entry, a severity setting and its
files watched, with no edit to the server.
"""

from __future__ import annotations

import functools

from djgen.generators.core.descriptors import Descriptor
from djgen.generators.core.registry import descriptors, known_names

#: The migration diagnostic's generator (its check compares models with migrations/).
MIGRATION = "migration"

#: Files whose change can change any diagnostic, whatever the generators.
_ALWAYS_WATCHED = ("pyproject.toml", "settings.py", "settings/", "apps.py", "urls.py", "asgi.py")


def _diagnosed() -> list[Descriptor]:
    return [d for d in descriptors().values() if d.diagnostic is not None]


def missing_kinds() -> tuple[str, ...]:
    """Generators whose absence from a model is a diagnostic with a quick fix, in order."""
    return tuple(
        d.name for d in _diagnosed() if d.diagnostic is not None and d.diagnostic.check == "missing"
    )


def default_generators() -> tuple[str, ...]:
    """What the server offers when the user chose nothing."""
    return tuple(
        d.name
        for d in _diagnosed()
        if d.diagnostic is not None
        and d.diagnostic.check == "missing"
        and d.diagnostic.default_enabled
    )


def severity_kinds() -> tuple[str, ...]:
    """Keys of the ``severities`` setting: every generator with a diagnostic."""
    return tuple(d.name for d in _diagnosed())


def default_severities() -> dict[str, str]:
    return {d.name: d.diagnostic.severity for d in _diagnosed() if d.diagnostic is not None}


def project_generators() -> tuple[str, ...]:
    """Generators that wire the project (scope "project"): offered on settings.py and urls.py."""
    return tuple(d.name for d in _diagnosed() if d.scope == "project")


def generator_names() -> tuple[str, ...]:
    """Names settings and commands may use."""
    return known_names()


def what(name: str) -> str:
    """ "DRF serializer", for "Book has no DRF serializer."."""
    descriptor = descriptors().get(name)
    if descriptor is None or descriptor.diagnostic is None:
        return f"{name} code"
    return descriptor.diagnostic.what


def title(name: str) -> str:
    """The phrase in "Generate <title> for Book"."""
    descriptor = descriptors().get(name)
    if descriptor is None or descriptor.diagnostic is None:
        return name
    return descriptor.diagnostic.title


def code(name: str) -> str:
    descriptor = descriptors().get(name)
    return descriptor.code if descriptor is not None else f"djgen.missing-{name}"


@functools.lru_cache(maxsize=1)
def watched() -> tuple[frozenset[str], frozenset[str]]:
    """(file names, folder names) whose change can change diagnostics."""
    files: set[str] = set()
    folders: set[str] = set()
    for entry in (*_ALWAYS_WATCHED, *(w for d in descriptors().values() for w in d.watches)):
        if entry.endswith("/"):
            folders.add(entry.rstrip("/"))
        else:
            files.add(entry)
    return frozenset(files), frozenset(folders)


def watched_globs() -> tuple[str, ...]:
    """Glob patterns for ``workspace/didChangeWatchedFiles`` registration."""
    files, folders = watched()
    globs = [f"**/{{{','.join(sorted(files))}}}"] if files else []
    if folders:
        globs.append(f"**/{{{','.join(sorted(folders))}}}/*.py")
    return tuple(globs)
