"""Generator descriptors: everything the front ends know about a generator, as data.

Data path: models.py → IR → registry (**descriptors**, this module, say which generators exist
and what they need) → generator → artifacts → merge → file or WorkspaceEdit.

A generator is one package, ``generators/<name>/``: ``descriptor.py`` defines ``DESCRIPTOR`` (cheap
to import: no jinja2, no libcst), ``generator.py`` the object that generates, ``templates/`` its
jinja2 templates (and, for the tests generator, test templates). The CLI (``djgen list``, option
validation), the language server (diagnostics, code actions, lenses, hovers, watched files) and
the VS Code extension (its settings schema is generated from ``djgen list --json``) all read
descriptors, so adding a generator touches no other file.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from djgen.generators.core.context import GenerationContext, GenerationResult

Scope = Literal["app", "project"]
Severity = Literal["off", "hint", "information", "warning"]
SEVERITIES: tuple[str, ...] = ("off", "hint", "information", "warning")
OptionType = Literal["bool", "int", "str", "choice", "list"]


@dataclass(frozen=True)
class DiagnosticSpec:
    """How the editor reports that a model lacks this generator's code, and offers it."""

    #: What the generator writes, finishing "Book has no …" ("DRF serializer").
    what: str
    #: The phrase in action titles: "Generate <title> for Book" ("serializer").
    title: str
    #: The severity when the user configured none ("off": offered as an action only).
    severity: Severity = "information"
    #: The diagnostic code; default ``djgen.missing-<name>``.
    code: str | None = None
    #: One sentence for hovers and the extension's settings ("Writes a ModelSerializer …").
    hover: str = ""
    #: Whether the editor offers it without the user enabling it.
    default_enabled: bool = True
    #: "missing": a model lacks the definitions the generator would write (checked from what
    #: the target files define); "migrations": models differ from the migration files.
    check: Literal["missing", "migrations"] = "missing"


@dataclass(frozen=True)
class OptionSpec:
    """One option under ``[tool.djgen.<generator>]``: its type, default and meaning."""

    name: str
    type: OptionType
    default: Any
    description: str
    choices: tuple[str, ...] = ()

    def check(self, generator: str, raw: Any) -> Any:
        """The typed value, or ``ValueError`` with a one-line message naming the option."""
        where = f"[tool.djgen.{generator}] {self.name}"
        if self.type == "bool":
            if not isinstance(raw, bool):
                raise ValueError(f"{where} must be true or false, not {raw!r}")
        elif self.type == "int":
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise ValueError(f"{where} must be a whole number, not {raw!r}")
        elif self.type == "str":
            if not isinstance(raw, str):
                raise ValueError(f"{where} must be a string, not {raw!r}")
        elif self.type == "choice":
            if raw not in self.choices:
                valid = ", ".join(map(repr, self.choices))
                raise ValueError(f"{where} must be one of {valid}, not {raw!r}")
        elif self.type == "list":
            if isinstance(raw, str):
                raw = [part.strip() for part in raw.split(",") if part.strip()]
            if not isinstance(raw, (list, tuple)) or not all(isinstance(i, str) for i in raw):
                raise ValueError(f"{where} must be a list of strings, not {raw!r}")
            raw = tuple(raw)
        return raw

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "default": list(self.default) if isinstance(self.default, tuple) else self.default,
            "description": self.description,
        }
        if self.choices:
            out["choices"] = list(self.choices)
        return out


@dataclass(frozen=True)
class Descriptor:
    """A generator's contract with the rest of djgen (see the module docstring)."""

    name: str
    description: str
    #: ``"module:attribute"`` of the object with ``generate(context)``, imported on first use.
    entry: str
    #: Generators whose outputs this one needs (ordered before it; added when it is asked for).
    requires: tuple[str, ...] = ()
    #: Generators that, when they run too, must run before this one (no dependency otherwise);
    #: ``"*"``: after every other selected generator (that does not say ``"*"`` itself).
    after: tuple[str, ...] = ()
    #: "app": writes into one app; "project": also into the project's settings, urls, asgi, ….
    scope: Scope = "app"
    #: The files it writes, for people and previews: ``{app}/serializers.py``,
    #: ``{project}/settings.py`` (``{project}``: the settings package).
    targets: tuple[str, ...] = ()
    #: File names (``serializers.py``) or folder names ending in ``/`` (``migrations/``) whose
    #: change makes the editor re-check this generator's diagnostics.
    watches: tuple[str, ...] = ()
    #: The editor's diagnostic and actions; None: offered only by ``generate`` and generateAll.
    diagnostic: DiagnosticSpec | None = None
    #: Options under ``[tool.djgen.<name>]`` (and the editor's ``djgen.options.<name>``).
    options: tuple[OptionSpec, ...] = ()
    #: Keys this generator puts in the context for generators that require it.
    provides: tuple[str, ...] = ()
    #: Its jinja2 templates (``<package>/templates``), set by the registry for built-ins.
    template_dir: Path | None = None
    #: Its test templates (``<package>/test_templates``), rendered by the ``tests`` generator
    #: into tests of the code this generator wrote; set by the registry like ``template_dir``.
    test_template_dir: Path | None = None
    #: Where it came from: "builtin" or the distribution that registered the entry point.
    origin: str = "builtin"
    #: Position in the product's contract order (built-ins), for listing and tie-breaks.
    order: int = 1000

    @property
    def code(self) -> str:
        if self.diagnostic is not None and self.diagnostic.code:
            return self.diagnostic.code
        return f"djgen.missing-{self.name}"

    @property
    def quickfix_kind(self) -> str:
        return f"quickfix.djgen.{self.name}"

    def option(self, name: str) -> OptionSpec | None:
        return next((o for o in self.options if o.name == name), None)

    def option_defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}

    def check_options(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """``[tool.djgen.<name>]`` validated; ``ValueError`` names the bad key."""
        if not isinstance(raw, Mapping):
            raise ValueError(f"[tool.djgen.{self.name}] must be a table, not {raw!r}")
        out: dict[str, Any] = {}
        for key, value in raw.items():
            spec = self.option(key)
            if spec is None:
                valid = ", ".join(o.name for o in self.options) or "none"
                raise ValueError(
                    f"[tool.djgen.{self.name}]: unknown option {key!r}; valid options: {valid}"
                )
            out[key] = spec.check(self.name, value)
        return out

    def load(self) -> GeneratorObject:
        """The generating object (imported on first use)."""
        module_name, _, attr = self.entry.partition(":")
        module = importlib.import_module(module_name)
        generator = getattr(module, attr or "GENERATOR")
        if isinstance(generator, type):
            generator = generator()
        return generator

    def json(self) -> dict[str, Any]:
        """What ``djgen list --json`` prints for this generator."""
        diagnostic = None
        if self.diagnostic is not None:
            diagnostic = {
                "code": self.code,
                "what": self.diagnostic.what,
                "title": self.diagnostic.title,
                "severity": self.diagnostic.severity,
                "hover": self.diagnostic.hover,
                "defaultEnabled": self.diagnostic.default_enabled,
                "quickfixKind": self.quickfix_kind,
                "check": self.diagnostic.check,
            }
        return {
            "name": self.name,
            "description": self.description,
            "requires": list(self.requires),
            "after": list(self.after),
            "scope": self.scope,
            "targets": list(self.targets),
            "watches": list(self.watches),
            "diagnostic": diagnostic,
            "options": [o.json() for o in self.options],
            "provides": list(self.provides),
            "origin": self.origin,
        }


class GeneratorObject:
    """What ``Descriptor.entry`` names: an object with ``generate(context)``.

    A base class for readability; any object with a ``generate`` method of this shape will do."""

    def generate(self, context: GenerationContext) -> GenerationResult:  # pragma: no cover
        raise NotImplementedError
