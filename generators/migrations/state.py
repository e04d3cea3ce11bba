"""Project state for static migrations: what the models look like at one point of the history.

Data path: migrations/*.py (``loader``) or model IR (``current``) → **state** (this module) →
``autodetector`` → operations → ``writer`` → migration file.

Values are kept as Python *source text* in the form Django's migration writer would write them
(``Code``), together with the import lines that text needs. Two values are compared through
``canon``: the parsed expression with equivalent spellings (``models.X`` and
``django.db.models.X``, quote styles, the swappable ``settings.AUTH_USER_MODEL``) made equal.
"""

from __future__ import annotations

import ast
import copy
import functools
from dataclasses import dataclass, field
from typing import Any

from djgen.generators.reader.names import dotted_name

#: Module aliases that name the same thing in migration files.
_PATH_ALIASES = {
    "models": "django.db.models",
    "django.db.models.deletion": "django.db.models",
    "django.db.models.fields": "django.db.models",
    "django.db.models.fields.related": "django.db.models",
    "django.db.models.fields.files": "django.db.models",
    "django.db.models.fields.json": "django.db.models",
    "django.db.models.query_utils": "django.db.models",
    "django.db.models.expressions": "django.db.models",
    "django.db.models.functions": "django.db.models.functions",
    "django.contrib.auth.models": "django.contrib.auth.models",
}


#: Names Django's writer imports with ``from X import Y`` (spelled both ways in files).
_SHORT_NAMES = {"decimal.Decimal": "Decimal"}


@dataclass(frozen=True)
class Code:
    """A Python expression as source text, and the import lines it needs."""

    text: str
    imports: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return f"Code({self.text!r})"


def literal(value: Any) -> Code:
    """A ``Code`` for a plain Python literal, written the way Django's serializer writes it."""
    from djgen.generators.migrations.serialize import serialize

    return serialize(value)


def normalize_path(path: str) -> str:
    """``models.CharField`` or ``django.db.models.fields.CharField`` → canonical path."""
    if "." not in path:
        return path
    module, name = path.rsplit(".", 1)
    return f"{_PATH_ALIASES.get(module, module)}.{name}"


class _Canon(ast.NodeTransformer):
    def __init__(self, swappable: dict[str, str]):
        self.swappable = swappable

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        dotted = dotted_name(node)
        if dotted is None:
            return self.generic_visit(node)
        if dotted.startswith("settings.") and dotted[9:] in self.swappable:
            return ast.Constant(self.swappable[dotted[9:]].lower())
        path = normalize_path(dotted)
        return ast.Name(id=_SHORT_NAMES.get(path, path), ctx=ast.Load())


def canon(code: Code | str | None, swappable: dict[str, str] | None = None) -> str:
    """A comparison key for an expression: equal keys mean Django would see equal values."""
    if code is None:
        return "<none>"
    text = code.text if isinstance(code, Code) else code
    return _canon(text, tuple(sorted((swappable or {}).items())))


@functools.lru_cache(maxsize=65536)
def _canon(text: str, swappable_items: tuple[tuple[str, str], ...]) -> str:
    swappable = dict(swappable_items)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return text
    tree = _Canon(swappable or {}).visit(tree)
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


@dataclass
class FieldState:
    """One field as a migration writes it: ``models.CharField(max_length=100)``."""

    name: str
    path: str  # normalised: django.db.models.CharField, myapp.fields.Money
    args: list[Code] = field(default_factory=list)
    kwargs: dict[str, Code] = field(default_factory=dict)

    @property
    def class_name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def is_relation(self) -> bool:
        return "to" in self.kwargs

    @property
    def many_to_many(self) -> bool:
        return self.class_name == "ManyToManyField"

    def kw_literal(self, name: str, default: Any = None) -> Any:
        value = self.kwargs.get(name)
        if value is None:
            return default
        ok, result = literal_of(value.text)
        return result if ok else default

    def related_label(self, app_label: str, swappable: dict[str, str] | None = None) -> str | None:
        """``app.model`` (lowercase) that this relation points at, or None."""
        to = self.kwargs.get("to")
        if to is None:
            return None
        return _related_label(to.text, app_label, tuple(sorted((swappable or {}).items())))

    def key(self, swappable: dict[str, str] | None = None) -> tuple[Any, ...]:
        """What Django's ``deep_deconstruct`` compares."""
        return (
            normalize_path(self.path),
            tuple(canon(a, swappable) for a in self.args),
            tuple(sorted((k, canon(v, swappable)) for k, v in self.kwargs.items())),
        )


@dataclass
class ModelState:
    """One model: fields in order, Meta options (as ``Code``), bases, managers."""

    app_label: str
    name: str
    fields: dict[str, FieldState] = field(default_factory=dict)
    #: Meta options as written in migrations; ``indexes`` and ``constraints`` are lists of Code,
    #: ``unique_together`` / ``index_together`` are sets of tuples of field names.
    options: dict[str, Any] = field(default_factory=dict)
    bases: list[Code] = field(default_factory=lambda: [Code("models.Model")])
    managers: list[tuple[str, Code]] = field(default_factory=list)

    @property
    def name_lower(self) -> str:
        return self.name.lower()

    @property
    def key(self) -> tuple[str, str]:
        return (self.app_label, self.name_lower)

    @property
    def indexes(self) -> list[Code]:
        return self.options.setdefault("indexes", [])

    @property
    def constraints(self) -> list[Code]:
        return self.options.setdefault("constraints", [])

    @property
    def proxy(self) -> bool:
        return bool(_option_literal(self.options.get("proxy"), False))

    @property
    def managed(self) -> bool:
        return bool(_option_literal(self.options.get("managed"), True))

    def clone(self) -> ModelState:
        return copy.deepcopy(self)

    def base_labels(self) -> list[str]:
        """Model bases written as ``'app.model'`` strings (MTI parents, proxy targets)."""
        out = []
        for base in self.bases:
            try:
                value = ast.literal_eval(base.text)
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, str) and "." in value:
                app, model = value.split(".", 1)
                out.append(f"{app}.{model.lower()}")
        return out


@functools.lru_cache(maxsize=65536)
def _related_label(
    text: str, app_label: str, swappable_items: tuple[tuple[str, str], ...]
) -> str | None:
    text = text.strip()
    if text.startswith("settings."):
        target = dict(swappable_items).get(text[9:])
        return target.lower() if target else None
    ok, value = literal_of(text)
    if not ok or not isinstance(value, str):
        return None
    if "." not in value:
        return f"{app_label}.{value.lower()}"
    app, model = value.split(".", 1)
    return f"{app}.{model.lower()}"


@functools.lru_cache(maxsize=65536)
def literal_of(text: str) -> tuple[bool, Any]:
    """(True, value) when ``text`` is a Python literal, else (False, None). Cached: callers
    must not mutate the value."""
    try:
        return True, ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


def _option_literal(value: Any, default: Any) -> Any:
    if value is None:
        return default
    if isinstance(value, Code):
        try:
            return ast.literal_eval(value.text)
        except (ValueError, SyntaxError):
            return default
    return value


def option_literal(value: Any, default: Any = None) -> Any:
    """An option's Python value when it is a literal (Code or plain value)."""
    return _option_literal(value, default)


@dataclass
class ProjectState:
    """Every model of every app the history or the models module mentions."""

    models: dict[tuple[str, str], ModelState] = field(default_factory=dict)

    def add(self, model: ModelState) -> None:
        self.models[model.key] = model

    def get(self, app_label: str, name: str) -> ModelState | None:
        return self.models.get((app_label, name.lower()))

    def app_models(self, app_label: str) -> list[ModelState]:
        return [m for (app, _), m in self.models.items() if app == app_label]

    def clone(self) -> ProjectState:
        return ProjectState(models={k: m.clone() for k, m in self.models.items()})
