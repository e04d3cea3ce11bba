"""The language server's settings: typed, defaulted, validated.

Data path: editor settings (``initializationOptions``, ``workspace/configuration`` section
``djgen``) → **ServerOptions** (this module) → which diagnostics, quick fixes, lenses and hovers
the server offers for models.py → IR → generators → WorkspaceEdit.

Raw settings are JSON objects with camelCase keys. ``parse_options`` layers them over a base
(defaults, or a less specific layer) and never raises: a bad value keeps the base value and
comes back as a readable problem the server logs for the user.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from djgen.generators.core.config import LAYOUTS

from .catalog import (
    MIGRATION,
    default_generators,
    default_severities,
    generator_names,
    severity_kinds,
)

Severity = Literal["off", "hint", "information", "warning"]
SEVERITIES: tuple[str, ...] = ("off", "hint", "information", "warning")

__all__ = ["LAYOUTS", "MIGRATION", "SEVERITIES", "ServerOptions", "parse_options"]


@dataclass(frozen=True)
class ServerOptions:
    """Everything the editor can configure, with its default."""

    #: Wait this long after the last edit before analysing a document.
    diagnostics_delay_ms: int = 300
    #: Generators the server offers (diagnostics, quick fixes, lenses, hovers, generateAll).
    generators: tuple[str, ...] = field(default_factory=default_generators)
    #: Per diagnostic kind ("serializer", …, "migration"): off / hint / information / warning.
    severities: Mapping[str, str] = field(default_factory=default_severities)
    #: Show a code lens above each model.
    code_lens: bool = True
    #: Where generated code goes ("flat": serializers.py, … next to models.py; "api": an
    #: ``api/`` package), or None for the project's ``[tool.djgen]`` choice.
    layout: str | None = None
    #: Compare models with migrations/ and report unmigrated changes (static: no user code
    #: runs; running Django's own makemigrations stays a separate opt-in).
    migration_check: bool = True
    #: Compare the generated code (serializers, filters, views, admin, consumers, cache) with
    #: the models and report what went stale (issue 16's drift diagnostics and quick fixes).
    drift_check: bool = True

    def severity(self, kind: str) -> str:
        return self.severities.get(kind, "off")


#: JSON key → (dataclass field, checker). A checker returns the typed value or raises ValueError
#: with a message that finishes the sentence "… must be …".
def _check_delay(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("a whole number of milliseconds ≥ 0")
    return value


def _check_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _check_generators(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"a list of generator names ({', '.join(generator_names())})")
    unknown = [v for v in value if v not in generator_names()]
    if unknown:
        raise ValueError(
            f"a list of generator names; unknown: {', '.join(unknown)} "
            f"(known: {', '.join(generator_names())})"
        )
    return tuple(dict.fromkeys(value))


def _check_layout(value: Any) -> str | None:
    if value is None:
        return None
    if value not in LAYOUTS:
        raise ValueError(f"one of {', '.join(repr(v) for v in LAYOUTS)}")
    return value


_CHECKERS = {
    "diagnosticsDelayMs": ("diagnostics_delay_ms", _check_delay),
    "generators": ("generators", _check_generators),
    "codeLens": ("code_lens", _check_bool),
    "layout": ("layout", _check_layout),
    "migrationCheck": ("migration_check", _check_bool),
    "driftCheck": ("drift_check", _check_bool),
}


def parse_options(
    raw: Any, base: ServerOptions | None = None, *, where: str = "settings"
) -> tuple[ServerOptions, list[str]]:
    """Layer the JSON object ``raw`` over ``base`` (default: the defaults).

    Returns the options and the problems found, each a full sentence naming ``where`` the bad
    value came from. Unknown keys are problems too (usually a typo), but harmless.
    """
    options = base or ServerOptions()
    problems: list[str] = []
    if raw is None:
        return options, problems
    if not isinstance(raw, Mapping):
        return options, [f"djgen {where} must be a JSON object, got {type(raw).__name__}."]
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "severities":
            severities, more = _parse_severities(value, options.severities, where)
            changes["severities"] = severities
            problems.extend(more)
            continue
        if key not in _CHECKERS:
            problems.append(f"djgen {where}: unknown setting {key!r} (ignored).")
            continue
        name, checker = _CHECKERS[key]
        try:
            changes[name] = checker(value)
        except ValueError as exc:
            problems.append(f"djgen {where}: {key} must be {exc}; got {value!r} (ignored).")
    return dataclasses.replace(options, **changes), problems


def _parse_severities(
    value: Any, base: Mapping[str, str], where: str
) -> tuple[dict[str, str], list[str]]:
    merged = dict(base)
    if not isinstance(value, Mapping):
        return merged, [
            f"djgen {where}: severities must be an object like "
            f'{{"serializer": "warning"}}; got {value!r} (ignored).'
        ]
    problems = []
    kinds = severity_kinds()
    for kind, level in value.items():
        if kind not in kinds:
            problems.append(
                f"djgen {where}: severities.{kind} is not a diagnostic kind "
                f"(known: {', '.join(kinds)}) (ignored)."
            )
        elif level not in SEVERITIES:
            problems.append(
                f"djgen {where}: severities.{kind} must be one of {', '.join(SEVERITIES)}; "
                f"got {level!r} (ignored)."
            )
        else:
            merged[kind] = level
    return merged, problems
