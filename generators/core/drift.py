"""Drift: generated definitions that no longer match the models they were generated for.

Data path: models.py → IR → generators (run through the pipeline; their ``Definition.code`` is
parsed with ``ast`` to learn the lists they would write now) → **drift** (this module compares
those lists with the same definitions in the target files, read with ``ast``) → diagnostics in
the editor, lines of ``djgen check``, and fixes (``fix_text``: LibCST, one list element or option
at a time, every other byte kept).

What is compared, per definition that exists in a target file (with djgen's marker or not):
serializer ``Meta.fields`` / ``Meta.read_only_fields`` / ``Meta.exclude`` and declared fields'
``source=`` (``publisher.name``, ``get_status_display``), filterset ``Meta.fields`` /
``Meta.exclude`` and declared filters (``field_name=`` paths), admin ``list_display`` /
``list_filter`` / ``search_fields`` / ``raw_id_fields`` / ``list_select_related`` / ``exclude`` /
``date_hierarchy``, viewset ``search_fields`` / ``ordering_fields`` / ``ordering`` /
``owner_field`` and the queryset's ``select_related`` / ``prefetch_related``, consumers'
``model`` / ``owner_field`` / ``private_when`` and their routes in routing.py, and the cache
table in cache.py (``core.drift_cache``).

- Names in an exclude list are never "missing", and a renamed excluded field stays excluded
  (dropping it would expose it). A stale ``private_when`` field is reported but not fixed:
  djgen does not drop a privacy rule.

- A name the model no longer has is an error (the code fails at import or at request time).
- A field the generator would list now, missing from a list that otherwise follows the
  generator's pattern (every model field it lists is one the generator lists, but for as many
  as the new names displace from a capped list), is information.
- A removed name and an added field of the same field class (known from the editor's previous
  reading of the model, or from the migration history, which is what Django's autodetector would
  ask about as a rename) is offered as a rename.
- A definition for a model that no longer exists is an error; the fix removes it (its
  ``router.register`` call and the imports only it used with it).
- Lists djgen cannot relate to the model (``fields = "__all__"``, computed values, names of which
  none is or was a field) are left alone, and so is a definition with a ``# djgen: ignore``
  comment above it or on its ``class`` line.

This module imports no generator: it runs them through ``pipeline.run_generators``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from djgen.generators.core.config import DjgenConfig, load_config
from djgen.generators.core.ir import ModelIR, ModuleIR
from djgen.generators.core.paths import app_dir_of

ReadText = Callable[[Path], "str | None"]

#: The generators whose definitions hold lists drift compares.
DRIFT_GENERATORS = ("serializer", "filterset", "viewset", "admin", "websocket", "caching")
#: Of those, the ones whose definitions are per-model classes (caching's are module-level: its
#: ``DEPENDENCIES`` is compared by ``core.drift_refs``).
CLASS_GENERATORS = ("serializer", "filterset", "viewset", "admin", "websocket")

IGNORE = "# djgen: ignore"

#: Class-level options (attribute name → how its elements name fields).
_CLASS_OPTIONS = (
    "list_display",
    "list_filter",
    "search_fields",
    "raw_id_fields",
    "list_select_related",
    "ordering_fields",
    "autocomplete_fields",
    "exclude",
    "ordering",
)
_META_OPTIONS = ("fields", "read_only_fields", "exclude")
#: Options whose names exclude fields: a field the model gained is never "missing" there, and a
#: renamed field stays excluded (dropping it would expose it).
EXCLUDES = ("exclude", "Meta.exclude")
#: Class-level options holding one field name (a consumer's owner FK).
_SCALAR_OPTIONS = ("owner_field", "date_hierarchy")
#: A consumer's ``private_when = (("status", "draft"), ...)``: the first string of each pair.
PRIVATE = "private_when"
#: Declared fields reading a model attribute (``x = serializers.CharField(source="...")``).
SOURCE = "source"
_QUERYSET_CALLS = ("select_related", "prefetch_related")
#: The option that holds declared filters (class-body ``x = filters.XFilter(...)``).
DECLARED = "filters"

Severity = Literal["error", "information"]
Kind = Literal["stale", "missing", "rename", "deleted"]


# --------------------------------------------------------------------------------------------
# Reading lists out of class definitions (ast)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Element:
    """One string in a list: its value and where it is (1-based lines, 0-based char columns)."""

    value: str
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass
class ListOption:
    """A list option of a class: ``Meta.fields``, ``search_fields``, ``select_related``, …"""

    name: str
    elements: list[Element]
    line: int
    col: int
    end_line: int
    end_col: int
    #: Declared filters: value → the statement's source (generated code only); declared
    #: serializer fields (``SOURCE``): attribute → the statement's source.
    sources: dict[str, str] = field(default_factory=dict)
    #: ``SOURCE``: the declared attribute of each element (parallel to ``elements``).
    attrs: list[str] = field(default_factory=list)
    #: One string, not a list (``owner_field``): removing it removes the statement.
    scalar: bool = False

    @property
    def values(self) -> list[str]:
        return [e.value for e in self.elements]


@dataclass
class ClassFacts:
    name: str
    line: int
    col: int
    end_col: int
    end_line: int
    options: dict[str, ListOption]
    #: Names the class body binds (declared fields, methods): valid in its own lists.
    declared: set[str]
    #: The model the class is for, when it says so (``Meta.model``, ``queryset``, register).
    model: str | None
    ignored: bool
    #: The first line of the statement (decorators included), for removal.
    start_line: int = 0
    #: Declared filters: attribute → the field it filters on.
    filter_attrs: dict[str, str] = field(default_factory=dict)


def _char_col(lines: list[str], line: int, byte_col: int) -> int:
    if 0 < line <= len(lines):
        return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "replace"))
    return byte_col


def _element(node: ast.expr, lines: list[str]) -> Element | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return Element(
            node.value,
            node.lineno,
            _char_col(lines, node.lineno, node.col_offset),
            node.end_lineno or node.lineno,
            _char_col(lines, node.end_lineno or node.lineno, node.end_col_offset or 0),
        )
    return None


def _list_option(name: str, node: ast.expr, lines: list[str]) -> ListOption | None:
    if not isinstance(node, (ast.Tuple, ast.List)):
        return None  # "__all__", a computed value: not a list djgen can relate to
    elements = [_element(e, lines) for e in node.elts]
    if any(e is None for e in elements):
        return None
    return _option(name, node, [e for e in elements if e is not None], lines)


def _option(name: str, node: ast.AST, elements: list[Element], lines: list[str]) -> ListOption:
    line, end = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
    return ListOption(
        name,
        elements,
        line,
        _char_col(lines, line, node.col_offset),  # type: ignore[attr-defined]
        end,
        _char_col(lines, end, node.end_col_offset or 0),  # type: ignore[attr-defined]
    )


def _assigned(statement: ast.stmt) -> tuple[list[str], ast.expr | None]:
    if isinstance(statement, ast.Assign):
        return [t.id for t in statement.targets if isinstance(t, ast.Name)], statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return [statement.target.id], statement.value
    return [], None


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _queryset_calls(node: ast.expr) -> tuple[str | None, list[ast.Call]]:
    """``Book.objects.select_related("a").prefetch_related("b")`` → ("Book", [calls])."""
    calls: list[ast.Call] = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        calls.append(node)
        node = node.func.value
    dotted = _dotted(node)
    model = dotted.split(".")[0] if dotted.endswith(".objects") else None
    return model, calls


def _source_of(node: ast.expr | None) -> ast.expr | None:
    """The ``source="..."`` string of a declared field (``serializers.CharField(source=...)``);
    None for anything else (a declared filter, a nested serializer without ``source``)."""
    if not isinstance(node, ast.Call) or _is_filter_call(node):
        return None
    for keyword in node.keywords:
        if keyword.arg == "source" and isinstance(keyword.value, ast.Constant):
            return keyword.value if isinstance(keyword.value.value, str) else None
    return None


def _private_option(node: ast.expr, lines: list[str]) -> ListOption | None:
    """``(("status", "draft"), ...)`` → the field names (the first string of each pair)."""
    if not isinstance(node, (ast.Tuple, ast.List)):
        return None
    elements = []
    for pair in node.elts:
        if not isinstance(pair, (ast.Tuple, ast.List)) or not pair.elts:
            return None
        element = _element(pair.elts[0], lines)
        if element is None:
            return None
        elements.append(element)
    return _option(PRIVATE, node, elements, lines)


def _is_filter_call(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Call) and _dotted(node.func).endswith("Filter")


def _filter_field(call: ast.Call, default: str) -> str:
    for keyword in call.keywords:
        if keyword.arg == "field_name" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return default


def class_facts(node: ast.ClassDef, lines: list[str], source: str | None = None) -> ClassFacts:
    options: dict[str, ListOption] = {}
    declared: set[str] = set()
    model: str | None = None
    filters: list[Element] = []
    sources: dict[str, str] = {}
    filter_attrs: dict[str, str] = {}
    sourced: list[Element] = []
    sourced_attrs: list[str] = []
    sourced_code: dict[str, str] = {}
    for decorator in node.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and _dotted(decorator.func).endswith("register")
            and decorator.args
            and isinstance(decorator.args[0], ast.Name)
        ):
            model = decorator.args[0].id
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            declared.add(statement.name)
            continue
        if isinstance(statement, ast.ClassDef):
            declared.add(statement.name)
            if statement.name == "Meta":
                for inner in statement.body:
                    names, value = _assigned(inner)
                    for name in names:
                        if name == "model" and isinstance(value, ast.Name):
                            model = value.id
                        if name in _META_OPTIONS and value is not None:
                            option = _list_option(f"Meta.{name}", value, lines)
                            if option is not None:
                                options[option.name] = option
            continue
        names, value = _assigned(statement)
        for name in names:
            declared.add(name)
            if name == "model" and isinstance(value, ast.Name):
                model = model or value.id  # a consumer's ``model = Book``
            elif name in _SCALAR_OPTIONS and (element := _element(value, lines)) is not None:
                scalar = _option(name, value, [element], lines)  # type: ignore[arg-type]
                scalar.scalar = True
                options[name] = scalar
            elif name == PRIVATE and value is not None:
                private = _private_option(value, lines)
                if private is not None:
                    options[PRIVATE] = private
            elif (read := _source_of(value)) is not None:
                element = _element(read, lines)
                if element is not None and element.value != "*":
                    sourced.append(element)
                    sourced_attrs.append(name)
                    if source is not None:
                        segment = ast.get_source_segment(source, statement)
                        if segment:
                            sourced_code[name] = segment
            if name in _CLASS_OPTIONS and value is not None:
                option = _list_option(name, value, lines)
                if option is not None:
                    options[name] = option
            elif name == "queryset" and value is not None:
                owner, calls = _queryset_calls(value)
                model = model or owner
                for call in calls:
                    attr = call.func.attr  # type: ignore[attr-defined]
                    if attr in _QUERYSET_CALLS and not call.keywords:
                        elements = [_element(a, lines) for a in call.args]
                        if elements and all(e is not None for e in elements):
                            options[attr] = _option(
                                attr, call, [e for e in elements if e is not None], lines
                            )
            elif _is_filter_call(value):
                assert isinstance(value, ast.Call)
                target = statement.targets[0] if isinstance(statement, ast.Assign) else None
                if isinstance(target, ast.Name):
                    filter_attrs[name] = _filter_field(value, name)
                    filters.append(
                        Element(
                            _filter_field(value, name),
                            target.lineno,
                            _char_col(lines, target.lineno, target.col_offset),
                            target.end_lineno or target.lineno,
                            _char_col(lines, target.lineno, target.end_col_offset or 0),
                        )
                    )
                    if source is not None:
                        segment = ast.get_source_segment(source, statement)
                        if segment:
                            sources[_filter_field(value, name)] = segment
    if filters:
        options[DECLARED] = ListOption(
            DECLARED, filters, node.lineno, node.col_offset, node.lineno, node.col_offset, sources
        )
    if sourced:
        options[SOURCE] = ListOption(
            SOURCE,
            sourced,
            node.lineno,
            node.col_offset,
            node.lineno,
            node.col_offset,
            sourced_code,
            sourced_attrs,
        )
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    name_line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
    col = name_line.find(node.name, name_line.find("class") + 5)
    return ClassFacts(
        name=node.name,
        line=node.lineno,
        col=max(col, 0),
        end_line=node.lineno,
        end_col=max(col, 0) + len(node.name),
        options=options,
        declared=declared,
        model=model,
        ignored=_ignored(lines, start, node.lineno),
        start_line=start,
        filter_attrs=filter_attrs,
    )


def _ignored(lines: list[str], start: int, class_line: int) -> bool:
    """A ``# djgen: ignore`` comment in the comment block above, or on the ``class`` line."""
    if 0 < class_line <= len(lines) and IGNORE in lines[class_line - 1]:
        return True
    index = start - 2
    while index >= 0 and lines[index].strip().startswith("#"):
        if lines[index].strip().startswith(IGNORE):
            return True
        index -= 1
    return False


@dataclass
class FileFacts:
    classes: dict[str, ClassFacts]
    #: name → (module, line) for ``from <module> import name`` statements.
    imports: dict[str, str]
    #: ``router.register(...)`` calls: (line, col, end_col, names used in the call).
    registers: list[tuple[int, int, int, set[str]]]
    lines: list[str]
    #: Elements of module-level ``*urlpatterns`` lists (routing.py's ``path(...)`` calls):
    #: (line, col, end_line, end_col, names and attributes used in the element).
    routes: list[tuple[int, int, int, int, set[str]]] = field(default_factory=list)


_FILES: dict[str, FileFacts | None] = {}


def file_facts(text: str) -> FileFacts | None:
    """The classes, imports and register calls of a target file; None when it does not parse.
    Memoised by text (the editor asks about the same target files on every change)."""
    if text in _FILES:
        return _FILES[text]
    try:
        tree = ast.parse(text.removeprefix("\ufeff"))
    except (SyntaxError, ValueError):
        facts = None
    else:
        lines = text.splitlines()
        classes: dict[str, ClassFacts] = {}
        imports: dict[str, str] = {}
        registers: list[tuple[int, int, int, set[str]]] = []
        routes: list[tuple[int, int, int, int, set[str]]] = []
        for node in tree.body:
            names, value = _assigned(node)
            if any(n.endswith("urlpatterns") for n in names) and isinstance(value, ast.List):
                for element in value.elts:
                    used = {n.id for n in ast.walk(element) if isinstance(n, ast.Name)} | {
                        n.attr for n in ast.walk(element) if isinstance(n, ast.Attribute)
                    }
                    end = element.end_lineno or element.lineno
                    routes.append(
                        (
                            element.lineno,
                            _char_col(lines, element.lineno, element.col_offset),
                            end,
                            _char_col(lines, end, element.end_col_offset or 0),
                            used,
                        )
                    )
            if isinstance(node, ast.ClassDef):
                classes[node.name] = class_facts(node, lines)
            elif isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                for alias in node.names:
                    imports[alias.asname or alias.name] = module
            elif (
                isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Call)
                and _dotted(node.value.func).endswith(".register")
            ):
                used = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
                line = node.lineno
                registers.append(
                    (
                        line,
                        _char_col(lines, line, node.col_offset),
                        _char_col(lines, line, node.end_col_offset or 0)
                        if node.end_lineno == line
                        else len(lines[line - 1]),
                        used,
                    )
                )
        facts = FileFacts(classes, imports, registers, lines, routes)
    if len(_FILES) > 64:
        _FILES.pop(next(iter(_FILES)))
    _FILES[text] = facts
    return facts


# --------------------------------------------------------------------------------------------
# What the generators would write now (run through the pipeline, cached per model shape)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """One generated class: its target file, name, model and lists."""

    generator: str
    target: str
    name: str
    model: str
    options: dict[str, ListOption]


_EXPECTED: dict[tuple[object, ...], list[Expected]] = {}


def _shape_key(model: ModelIR) -> tuple[object, ...]:
    from djgen.generators.core.pipeline import _model_key

    return _model_key(model)


def expected(
    module: ModuleIR, app_dir: Path, names: Iterable[str], config: DjgenConfig
) -> dict[str, list[Expected]]:
    """model → the classes the generators would write for it now (parsed from their code)."""
    from djgen.generators.core.pipeline import build_context, run_generators, target_path

    names = tuple(n for n in CLASS_GENERATORS if n in set(names))
    concrete = [m for m in module.models if m.concrete]
    fingerprint = repr(config)
    keys = {m.name: (names, str(app_dir), m.name, _shape_key(m), fingerprint) for m in concrete}
    missing = [m for m, key in keys.items() if key not in _EXPECTED]
    if missing and names:
        missing = _from_status(missing, keys, names, str(app_dir), fingerprint)
    if missing and names:
        found: dict[str, list[Expected]] = {m: [] for m in missing}
        context = build_context(module, config, app_dir, missing)
        for generator, result in run_generators(context, names).items():
            if generator not in names:
                continue
            for artifact in result.artifacts:
                target = str(target_path(artifact, context))
                for definition in artifact.definitions:
                    if definition.kind != "class" or definition.model not in found:
                        continue
                    facts = _code_facts(definition.code)
                    if facts is None:
                        continue
                    found[definition.model].append(
                        Expected(generator, target, definition.name, definition.model, facts)
                    )
        if len(_EXPECTED) > 50_000:
            _EXPECTED.clear()
        for m in missing:
            _EXPECTED[keys[m]] = found[m]
    return {m: _EXPECTED.get(key, []) for m, key in keys.items()}


def _from_status(
    missing: list[str],
    keys: dict[str, tuple[object, ...]],
    names: tuple[str, ...],
    app: str,
    fingerprint: str,
) -> list[str]:
    """Fill ``_EXPECTED`` from the code ``pipeline.status`` already generated for the same
    model shapes (the editor asks for both on every change); the models still missing."""
    from djgen.generators.core.pipeline import DEFINITIONS

    still = []
    for m in missing:
        shape = keys[m][3]
        per = [DEFINITIONS.get((name, app, m, shape, fingerprint)) for name in names]
        if any(p is None for p in per):
            still.append(m)
            continue
        found = []
        for name, definitions in zip(names, per, strict=True):
            for target, definition in definitions or ():
                if definition.kind != "class":
                    continue
                facts = _code_facts(definition.code)
                if facts is not None:
                    found.append(Expected(name, target, definition.name, m, facts))
        _EXPECTED[keys[m]] = found
    return still


_CODE_FACTS: dict[str, dict[str, ListOption] | None] = {}


def _code_facts(code: str) -> dict[str, ListOption] | None:
    if code not in _CODE_FACTS:
        if len(_CODE_FACTS) > 50_000:
            _CODE_FACTS.clear()
        _CODE_FACTS[code] = _code_facts_uncached(code)
    return _CODE_FACTS[code]


def _code_facts_uncached(code: str) -> dict[str, ListOption] | None:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef)), None)
    if node is None:
        return None
    return class_facts(node, code.splitlines(), code).options


# --------------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------------


@dataclass
class DriftItem:
    """One stale place."""

    kind: Kind
    severity: Severity
    path: Path  # the target file
    definition: str  # BookSerializer
    option: str  # Meta.fields, search_fields, select_related, filters, "" (deleted)
    model: str
    name: str  # the stale or missing name (deleted: the model)
    message: str
    #: Where in the target file (1-based line, 0-based char columns).
    span: tuple[int, int, int, int]
    new_name: str | None = None
    #: The field in models.py the item is about (its span), when it still exists.
    field_span: tuple[int, int, int, int] | None = None
    #: Declared filter to insert (missing filters): the generated statement.
    code: str | None = None
    #: For missing names: the name it goes after in the list (None: first).
    after: str | None = None
    #: For missing names: every name before it in the generated list, nearest first (the fix
    #: puts it after the first one present, so several missing names keep the generated order).
    anchors: tuple[str, ...] = ()
    #: ``SOURCE`` items: the declared attribute (removed with its list elements).
    attr: str | None = None
    #: False when djgen refuses to guess the fix (a stale privacy rule): reported only.
    fixable: bool = True

    def key(self) -> str:
        return "|".join(
            (
                self.kind,
                str(self.path),
                self.definition,
                self.option,
                self.name,
                self.new_name or "",
            )
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": str(self.path),
            "definition": self.definition,
            "option": self.option,
            "model": self.model,
            "name": self.name,
            "new_name": self.new_name,
            "code": self.code,
            "after": self.after,
            "attr": self.attr,
            "fixable": self.fixable,
            "anchors": list(self.anchors),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DriftItem:
        return cls(
            kind=data["kind"],
            severity="error",
            path=Path(data["path"]),
            definition=data["definition"],
            option=data["option"],
            model=data["model"],
            name=data["name"],
            message="",
            span=(0, 0, 0, 0),
            new_name=data.get("new_name"),
            code=data.get("code"),
            after=data.get("after"),
            attr=data.get("attr"),
            fixable=data.get("fixable", True),
            anchors=tuple(data.get("anchors") or ()),
        )


def _label(definition: str, option: str) -> str:
    return definition if option == DECLARED else f"{definition}.{option}"


def _base(option: str, value: str) -> str:
    """The model attribute a list element names: ``-title`` → title, ``^name`` → name,
    ``publisher__name`` → publisher."""
    value = value.lstrip("-^=@$")
    return value.split("__", 1)[0]


_REVERSE: dict[int, tuple[ModuleIR, dict[str, frozenset[str]]]] = {}


def _reverse_names(module: ModuleIR) -> dict[str, frozenset[str]]:
    """model name → the names other models' relations give it (``related_name`` or
    ``<model>_set``, and the query name); one pass over the module, memoised per IR object."""
    known = _REVERSE.get(id(module))
    if known is not None and known[0] is module:
        return known[1]
    out: dict[str, set[str]] = {}
    prefix = f"{module.app_label}."
    for other in module.models:
        for f in other.fields:
            target = f.related_model
            if not target:
                continue
            name = other.name if target == "self" else target.removeprefix(prefix)
            if "." in name:
                continue
            names = out.setdefault(name, set())
            if f.related_name:
                names.add(f.related_name.rstrip("+"))
            names.add(f"{other.name.lower()}_set")
            names.add(other.name.lower())
    frozen = {name: frozenset(names) for name, names in out.items()}
    if len(_REVERSE) > 64:
        _REVERSE.clear()
    _REVERSE[id(module)] = (module, frozen)
    return frozen


def _model_names(model: ModelIR, module: ModuleIR) -> set[str]:
    """Every name a list may use for the model: fields, attnames, pk, methods, reverse
    relations."""
    names = {"pk", "__str__", *model.methods}
    for f in model.fields:
        names.add(f.name)
        if f.is_relation and not f.is_m2m:
            names.add(f.attname)
    return names | _reverse_names(module).get(model.name, _NONE)


@dataclass
class History:
    """What the fields of each model were before: model → field → field class."""

    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    #: model → field → the keyword names it was written with (to pick a rename's partner).
    keywords: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    #: Each source on its own (the migration history, the editor's first reading).
    sources: list[dict[str, dict[str, str]]] = field(default_factory=list)

    def had(self, model: str, name: str) -> str | None:
        return self.fields.get(model, {}).get(name)

    def models(self) -> set[str]:
        return set(self.fields)

    def gained(self, model: str, name: str, field_class: str) -> bool:
        """Whether a field is new (or of a new class) to the model: some source knew the model
        but not the field as it is now; with no source for the model, every field counts."""
        known = [source[model] for source in self.sources if model in source]
        return not known or any(k.get(name) != field_class for k in known)

    def add(
        self, fields: dict[str, dict[str, str]], keywords: dict[str, dict[str, frozenset[str]]]
    ):
        self.sources.append(fields)
        for model, known in fields.items():
            mine = self.fields.setdefault(model, {})
            words = self.keywords.setdefault(model, {})
            for name, cls in known.items():
                mine.setdefault(name, cls)
                words.setdefault(name, keywords.get(model, {}).get(name, frozenset()))


_MIGRATED: dict[tuple[object, ...], tuple[dict, dict]] = {}


def _migrated(app_dir: Path, app_label: str, read_text: ReadText | None) -> tuple[dict, dict]:
    """Field classes and keywords of the migration history's state (cached by the migration
    files' texts: the editor asks on every change)."""
    folder = app_dir / "migrations"
    files = sorted(folder.glob("*.py")) if folder.is_dir() else []
    texts = []
    for path in files:
        text = read_text(path) if read_text else None
        if text is None:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                text = ""
        texts.append((path.name, hash(text)))
    key = (str(app_dir), app_label, tuple(texts))
    if key not in _MIGRATED:
        fields: dict[str, dict[str, str]] = {}
        keywords: dict[str, dict[str, frozenset[str]]] = {}
        try:
            from djgen.generators.migrations.loader import read_history

            state = read_history(folder, app_label, read_text=read_text).state()
            for ms in state.app_models(app_label):
                fields[ms.name] = {n: f.class_name for n, f in ms.fields.items()}
                keywords[ms.name] = {n: frozenset(f.kwargs) for n, f in ms.fields.items()}
        except Exception:  # no or broken migrations: no history (the migration check says why)
            pass
        if len(_MIGRATED) > 64:
            _MIGRATED.clear()
        _MIGRATED[key] = (fields, keywords)
    return _MIGRATED[key]


_HISTORIES: dict[tuple[object, ...], tuple[tuple[ModuleIR | None, ...], History]] = {}


def history_of(
    app_dir: Path, module: ModuleIR, read_text: ReadText | None, *baselines: ModuleIR | None
) -> History:
    """Earlier field classes: the migration history's state, then the editor's baselines
    (memoised per migration state and baseline objects)."""
    fields, keywords = _migrated(app_dir, module.app_label, read_text)
    key = (id(fields), *(id(b) for b in baselines))
    known = _HISTORIES.get(key)
    if known is not None and all(a is b for a, b in zip(known[0], baselines, strict=True)):
        return known[1]
    history = History()
    if fields:
        history.add(fields, keywords)
    for baseline in baselines:
        if baseline is None or not baseline.ok:
            continue
        history.add(
            {m.name: {f.name: f.field_class for f in m.fields} for m in baseline.models},
            {m.name: {f.name: frozenset(f.kwargs) for f in m.fields} for m in baseline.models},
        )
    if len(_HISTORIES) > 64:
        _HISTORIES.clear()
    _HISTORIES[key] = (tuple(baselines), history)
    return history


def _span(e: Element | ListOption | ClassFacts) -> tuple[int, int, int, int]:
    return (e.line, e.col, e.end_line, e.end_col)


def _field_span(model: ModelIR | None, name: str) -> tuple[int, int, int, int] | None:
    if model is None:
        return None
    f = model.field(name)
    span = f.span if f is not None and f.span is not None else model.name_span
    if span is None:
        return None
    return (span.line, span.col, span.end_line, span.end_col)


def compare(
    current: ClassFacts,
    wanted: Expected,
    model: ModelIR,
    module: ModuleIR,
    path: Path,
    history: History,
) -> list[DriftItem]:
    """The drift of one existing class against what its generator writes now."""
    if current.ignored:
        return []
    names = _model_names(model, module)
    broken_filters = {a for a, f in current.filter_attrs.items() if _base(DECLARED, f) not in names}
    valid = names | (current.declared - broken_filters)
    fields = {f.name for f in model.fields} | {
        f.attname for f in model.fields if f.is_relation and not f.is_m2m
    }
    formerly = set(history.fields.get(model.name, {}))
    items: list[DriftItem] = []
    sourced = current.options.get(SOURCE)
    if sourced is not None:
        items.extend(_compare_sources(current, sourced, model, names, path, history))
    reads = {i.new_name or i.name for i in items if i.kind == "rename"} | {
        e.value for e in (sourced.elements if sourced else ())
    }
    generated_sources = wanted.options.get(SOURCE)
    generated_reads = (
        dict(zip(generated_sources.attrs, generated_sources.values, strict=True))
        if generated_sources
        else {}
    )
    for name, option in current.options.items():
        if name == SOURCE:
            continue
        generated = wanted.options.get(name)
        allowed = valid | set(generated.values if generated else ())
        values = option.values
        bases = [_base(name, v) for v in values]
        related = any(b in allowed or b in formerly for b in bases)
        if not related:
            continue  # nothing in it is or was a field: the user's own list
        stale = [(e, b) for e, b in zip(option.elements, bases, strict=True) if b not in allowed]
        missing: list[str] = []
        if generated is not None and name not in EXCLUDES and not option.scalar:
            present = set(values)
            listed_fields = {b for b in bases if b in fields}
            candidates = [v for v in generated.values if v not in present]
            # the list follows the generator's pattern when every model field it lists is one
            # the generator lists, but for as many as the new names displace (a capped list)
            extra = listed_fields - {_base(name, v) for v in generated.values}
            candidates = [
                v
                for v in candidates
                if (f := model.field(_base(name, v))) is None
                or history.gained(model.name, f.name, f.field_class)
            ]
            # a declared field of the generated class (``status_display``) is missing only
            # when no declared field of this one reads the same attribute
            candidates = [
                v
                for v in candidates
                if v not in generated_reads
                or v in current.declared
                or generated_reads[v] not in reads
            ]
            if len(extra) <= len(candidates):
                missing = candidates
        pool = missing or _gained(model, history, set(bases))
        label = _label(current.name, name)
        renamed: set[str] = set()
        for element, base in stale:
            old_class = history.had(model.name, base)
            partner = None
            if old_class is not None:
                partner = _partner(model, name, base, old_class, pool, renamed, history)
            if partner is not None:
                renamed.add(partner)
                new_base = _base(name, partner)
                items.append(
                    DriftItem(
                        "rename",
                        "error",
                        path,
                        current.name,
                        name,
                        model.name,
                        element.value,
                        f"{label} {'lists' if name == DECLARED else _verb(name, option)} "
                        f"{element.value}, which {model.name} no longer has; "
                        f"renamed to {new_base}?",
                        _span(element),
                        new_name=_with_base(element.value, base, new_base),
                        field_span=_field_span(model, new_base),
                    )
                )
                continue
            items.append(
                DriftItem(
                    "stale",
                    "error",
                    path,
                    current.name,
                    name,
                    model.name,
                    element.value,
                    f"{label} {_verb(name, option)} {element.value}, which {model.name} "
                    f"no longer has"
                    + (
                        "; djgen does not drop a privacy rule: edit it (and "
                        "[tool.djgen.websocket] private_when)"
                        if name == PRIVATE
                        else ""
                    ),
                    _span(element),
                    field_span=_field_span(model, ""),
                    fixable=name != PRIVATE,
                )
            )
        renamed_bases = {_base(name, v) for v in renamed}
        for value in missing:
            if value in renamed or _base(name, value) in renamed_bases:
                continue
            order = generated.values if generated else []
            before = [v for v in order[: order.index(value)] if v in set(values)]
            what = "declare a filter for" if name == DECLARED else "list"
            where = "" if name in ("Meta.fields", DECLARED) else f" in {name}"
            code = generated.sources.get(value) if generated else None
            if name == "Meta.fields" and value in generated_reads and generated_sources:
                code = generated_sources.sources.get(value)  # declared with its element
            items.append(
                DriftItem(
                    "missing",
                    "information",
                    path,
                    current.name,
                    name,
                    model.name,
                    value,
                    f"{current.name} does not {what} {value}{where}, added to {model.name}",
                    _span(option),
                    field_span=_field_span(model, _base(name, value))
                    or _field_span(model, _source_field(generated_reads.get(value, ""))),
                    code=code,
                    after=before[-1] if before else None,
                    anchors=tuple(reversed(order[: order.index(value)])),
                )
            )
    return items


def _verb(name: str, option: ListOption) -> str:
    if name == DECLARED:
        return "filters on"
    if option.scalar:
        return "is"
    if name in EXCLUDES:
        return "excludes"
    return "lists"


def _with_base(value: str, base: str, new_base: str) -> str:
    """``-title`` with base title → ``-headline``; ``publisher__name`` → ``press__name``."""
    prefix = value[: len(value) - len(value.lstrip("-^=@$"))]
    rest = value[len(prefix) + len(base) :]
    return f"{prefix}{new_base}{rest}"


def _gained(model: ModelIR, history: History, present: set[str]) -> list[str]:
    """The model's fields that are new to it (rename partners for lists that do not follow the
    generator's pattern: excludes, a consumer's owner field, the user's own lists)."""
    return [
        f.name
        for f in model.fields
        if f.name not in present and history.gained(model.name, f.name, f.field_class)
    ]


_DISPLAY = re.compile(r"get_(\w+)_display")


def _source_field(value: str) -> str:
    """The model field a ``source`` reads: ``publisher.name`` → publisher,
    ``get_status_display`` → status."""
    head = value.split(".", 1)[0]
    match = _DISPLAY.fullmatch(head)
    return match.group(1) if match else head


def _renamed_source(value: str, new: str) -> str:
    head, dot, rest = value.partition(".")
    head = f"get_{new}_display" if _DISPLAY.fullmatch(head) else new
    return f"{head}{dot}{rest}"


def _compare_sources(
    current: ClassFacts,
    option: ListOption,
    model: ModelIR,
    names: set[str],
    path: Path,
    history: History,
) -> list[DriftItem]:
    """Declared fields whose ``source`` reads an attribute the model no longer has (only a
    field it had, or its ``get_<field>_display``: any other name may be the user's)."""
    displays = {f"get_{f.name}_display" for f in model.fields if f.choices is not None}
    formerly = history.fields.get(model.name, {})
    items: list[DriftItem] = []
    taken: set[str] = set()
    for element, attr in zip(option.elements, option.attrs, strict=True):
        head = element.value.split(".", 1)[0]
        old = _source_field(element.value)
        if head in names or head in displays:
            continue
        if head == old and old not in formerly:
            continue  # not a field the history knows: it may be the user's attribute
        label = f"{current.name}.{attr}"
        pool = _gained(model, history, set())
        if head != old:  # get_<field>_display: only a field with choices has one
            pool = [n for n in pool if (f := model.field(n)) is not None and f.choices is not None]
        partner = None
        if old in formerly:
            partner = _partner(model, SOURCE, old, formerly[old], pool, taken, history)
        if partner is not None:
            taken.add(partner)
            items.append(
                DriftItem(
                    "rename",
                    "error",
                    path,
                    current.name,
                    SOURCE,
                    model.name,
                    element.value,
                    f"{label} reads {element.value}, which {model.name} no longer has; "
                    f"renamed to {partner}?",
                    _span(element),
                    new_name=_renamed_source(element.value, partner),
                    field_span=_field_span(model, partner),
                    attr=attr,
                )
            )
            continue
        items.append(
            DriftItem(
                "stale",
                "error",
                path,
                current.name,
                SOURCE,
                model.name,
                element.value,
                f"{label} reads {element.value}, which {model.name} no longer has",
                _span(element),
                field_span=_field_span(model, ""),
                attr=attr,
            )
        )
    return items


_COMPARED: dict[tuple[object, ...], tuple[tuple[object, ...], list[DriftItem]]] = {}
_NONE: frozenset[str] = frozenset()


def _compared(
    current: ClassFacts,
    wanted: Expected,
    model: ModelIR,
    module: ModuleIR,
    path: Path,
    history: History,
    reverse: dict[str, frozenset[str]],
) -> list[DriftItem]:
    """``compare``, memoised on the objects it reads: the incremental reader hands back the same
    ModelIR for an unchanged model, target-file facts are cached by text, expectations by model
    shape, so an edit to one model compares only that model again."""
    objects = (current, wanted, model, history)
    key = (id(current), id(wanted), id(model), id(history), reverse.get(model.name, _NONE))
    known = _COMPARED.get(key)
    if known is not None:
        seen = known[0]
        if seen[0] is current and seen[1] is wanted and seen[2] is model and seen[3] is history:
            return known[1]
    found = compare(current, wanted, model, module, path, history)
    if len(_COMPARED) > 20_000:
        _COMPARED.clear()
    _COMPARED[key] = (objects, found)
    return found


def _partner(
    model: ModelIR,
    option: str,
    old: str,
    old_class: str,
    missing: list[str],
    taken: set[str],
    history: History,
) -> str | None:
    """The added field a removed one was most likely renamed to: the same field class (what
    Django's autodetector asks about), then the most keywords in common, then the closest name."""
    import difflib

    formerly = history.fields.get(model.name, {})
    before = history.keywords.get(model.name, {}).get(old, frozenset())
    best: tuple[float, float, str] | None = None
    for value in missing:
        base = _base(option, value)
        f = model.field(base)
        if value in taken or base in formerly or f is None or f.field_class != old_class:
            continue
        now = frozenset(f.kwargs)
        union = before | now
        common = len(before & now) / len(union) if union else 1.0
        score = (common, difflib.SequenceMatcher(None, old, base).ratio(), value)
        if best is None or score[:2] > best[:2]:
            best = score
    return best[2] if best else None


def _deleted(facts: FileFacts, module: ModuleIR, path: Path, history: History) -> list[DriftItem]:
    """Classes (and router registrations) for models that no longer exist."""
    models = {m.name for m in module.models}
    choices = {c.name for c in module.choices}
    items: list[DriftItem] = []
    gone: set[str] = set()
    for cls in facts.classes.values():
        model = cls.model
        if cls.ignored or model is None or model in models or model in choices:
            continue
        source = facts.imports.get(model, "")
        if not source.endswith("models") or not source.startswith("."):
            continue
        gone.add(cls.name)
        items.append(
            DriftItem(
                "deleted",
                "error",
                path,
                cls.name,
                "",
                model,
                model,
                f"{cls.name} is for {model}, which no longer exists",
                _span(cls),
            )
        )
    return items


def _deleted_registrations(
    facts: FileFacts, path: Path, removed: Mapping[str, str]
) -> list[DriftItem]:
    items = []
    for line, col, end_col, used in facts.registers:
        for name in sorted(used & set(removed)):
            items.append(
                DriftItem(
                    "deleted",
                    "error",
                    path,
                    name,
                    "register",
                    removed[name],
                    removed[name],
                    f"the router registers {name}, whose model {removed[name]} no longer exists",
                    (line, col, line, end_col),
                )
            )
    for line, col, end_line, end_col, used in facts.routes:
        for name in sorted(used & set(removed)):
            items.append(
                DriftItem(
                    "deleted",
                    "error",
                    path,
                    name,
                    "route",
                    removed[name],
                    removed[name],
                    f"a route uses {name}, whose model {removed[name]} no longer exists",
                    (line, col, end_line, end_col),
                )
            )
    return items


@dataclass
class DriftReport:
    items: list[DriftItem]
    #: The target files read (path → text), for fixing and for ranges.
    texts: dict[Path, str]

    def by_path(self) -> dict[Path, list[DriftItem]]:
        out: dict[Path, list[DriftItem]] = {}
        for item in self.items:
            out.setdefault(item.path, []).append(item)
        return out


def analyse(
    module: ModuleIR,
    app_dir: str | Path,
    names: Iterable[str] = DRIFT_GENERATORS,
    *,
    config: DjgenConfig | None = None,
    read_text: ReadText | None = None,
    baseline: ModuleIR | None = None,
    history: History | None = None,
) -> DriftReport:
    """Every stale place of the app's generated definitions (``ast`` only; cached)."""
    from djgen.generators.core.pipeline import read_disk

    app = app_dir_of(app_dir)
    read = read_text or read_disk
    if config is None:
        config = load_config(app)
    names = [n for n in names if n in DRIFT_GENERATORS]
    if not module.ok or not names:
        return DriftReport([], {})
    wanted = expected(module, app, names, config)
    if history is None:
        history = history_of(app, module, read_text, baseline)
    texts: dict[Path, str] = {}
    parsed: dict[str, tuple[Path, FileFacts | None]] = {}

    def facts_of(target: str | Path) -> tuple[Path, FileFacts | None]:
        key = str(target)
        if key not in parsed:
            p = Path(target)
            text = read(p)
            parsed[key] = (p, file_facts(text) if text else None)
            if text is not None:
                texts[p] = text
        return parsed[key]

    reverse = _reverse_names(module)
    items: list[DriftItem] = []
    for model in module.models:
        for want in wanted.get(model.name, []):
            path, facts = facts_of(want.target)
            if facts is None or want.name not in facts.classes:
                continue
            current = facts.classes[want.name]
            if current.model not in (None, model.name):
                continue  # the same name for another model: not this definition
            items.extend(_compared(current, want, model, module, path, history, reverse))
    # deleted models: every target file the generators write
    targets = _targets(module, app, names, config)
    removed: dict[str, str] = {}
    for target in targets:
        _, facts = facts_of(target)
        if facts is None:
            continue
        found = _deleted(facts, module, target, history)
        items.extend(found)
        removed.update({i.definition: i.model for i in found})
    if removed:
        for target in targets:
            _, facts = facts_of(target)
            if facts is not None:
                items.extend(_deleted_registrations(facts, target, removed))
    if "caching" in names:
        items.extend(_cache_drift(module, app, config, targets, read, texts, history))
    return DriftReport(items, texts)


def _cache_drift(
    module: ModuleIR,
    app: Path,
    config: DjgenConfig,
    targets: list[Path],
    read: ReadText,
    texts: dict[Path, str],
    history: History,
) -> list[DriftItem]:
    """cache.py's ``DEPENDENCIES`` / ``M2M_THROUGH`` (``core.drift_cache``)."""
    from djgen.generators.core import drift_cache

    items: list[DriftItem] = []
    for target in targets:
        if target.name != drift_cache.CACHE_FILE:
            continue
        text = texts.get(target)
        if text is None:
            text = read(target)
            if text is None:
                continue
            texts[target] = text
        facts = drift_cache.cache_facts(text)
        if facts is None:
            continue
        wanted = drift_cache.generated(module, app, config)
        items.extend(drift_cache.compare(facts, module, target, history, wanted, DriftItem))
    return items


_TARGETS: dict[tuple[object, ...], list[Path]] = {}


def _targets(module: ModuleIR, app: Path, names: list[str], config: DjgenConfig) -> list[Path]:
    """The files the generators write for the app (serializers.py, …, urls.py)."""
    from djgen.generators.core.pipeline import build_context, run_generators, target_path

    key = (str(app), tuple(names), repr(config))
    if key not in _TARGETS:
        concrete = [m.name for m in module.models if m.concrete]
        out: list[Path] = []
        if concrete:
            context = build_context(module, config, app, concrete[:1])
            for result in run_generators(context, names).values():
                for artifact in result.artifacts:
                    if artifact.content is None and artifact.root == "app":
                        path = target_path(artifact, context)
                        if path not in out:
                            out.append(path)
        else:
            layout = getattr(config, "layout", "flat")
            base = app / "api" if layout == "api" else app
            out = [base / f for f in ("serializers.py", "filters.py", "views.py", "urls.py")]
            out.append(app / "admin.py")
        if out:
            _TARGETS[key] = out
        return out
    return _TARGETS[key]


# --------------------------------------------------------------------------------------------
# Fixes (LibCST, computed only when asked for)
# --------------------------------------------------------------------------------------------


def fix_text(text: str, items: Iterable[DriftItem]) -> str:
    """``text`` with the given items (all of this file) fixed; every other byte kept."""
    from djgen.generators.core.drift_fix import apply

    return apply(text, list(items))


@dataclass
class FixedFile:
    path: Path
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def created(self) -> bool:
        return False


def fixes(report: DriftReport, keys: Iterable[str] | None = None) -> list[FixedFile]:
    """The fixed text of each file with drift (``keys``: only those items)."""
    wanted = set(keys) if keys is not None else None
    out = []
    for path, items in report.by_path().items():
        chosen = [i for i in items if wanted is None or i.key() in wanted]
        if not chosen or path not in report.texts:
            continue
        old = report.texts[path]
        out.append(FixedFile(path, old, fix_text(old, chosen)))
    return out
