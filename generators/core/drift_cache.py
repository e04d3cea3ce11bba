"""Drift of the cache's dependency table: ``DEPENDENCIES`` and ``M2M_THROUGH`` in cache.py.

Data path: models.py → IR → the caching generator (run through the pipeline: the table it writes
now) → **this module** (``ast``: the table cache.py holds, compared with the models and with the
generated one) → ``DriftItem``s → ``core.drift_fix`` (LibCST: one dict entry or tuple element at
a time) → file text or WorkspaceEdit.

- A model that no longer exists (an entry's key, an element) and a ``Model.field.through`` whose
  many-to-many field is gone are errors: cache.py fails at import. A through whose field was
  renamed (same field class, see ``core.drift``'s history) is offered as a rename.
- What the generator lists now for an entry and the entry lacks (a relation added: the API
  reads another model, so its writes must invalidate) is information; so is a model with no
  entry. Elements the user added that still exist are theirs (over-invalidating is safe).

Imports no generator: the caching generator runs through ``pipeline.run_generators``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from djgen.generators.core.config import DjgenConfig
from djgen.generators.core.ir import ModelIR, ModuleIR

if TYPE_CHECKING:
    from djgen.generators.core.drift import DriftItem, History

TABLE = "DEPENDENCIES"
THROUGHS = "M2M_THROUGH"
CACHE_NAMES = (TABLE, THROUGHS)
CACHE_FILE = "cache.py"

Span = tuple[int, int, int, int]


@dataclass(frozen=True)
class Ref:
    """One element: ``Book`` or ``Book.authors.through`` (its text and span)."""

    text: str
    span: Span

    @property
    def model(self) -> str:
        return self.text.split(".", 1)[0]

    @property
    def field(self) -> str | None:
        parts = self.text.split(".")
        return parts[1] if len(parts) == 3 and parts[2] == "through" else None


@dataclass(frozen=True)
class Entry:
    key: str
    key_span: Span
    refs: tuple[Ref, ...]
    #: The value's span (missing elements are reported there).
    span: Span


@dataclass(frozen=True)
class CacheFacts:
    entries: tuple[Entry, ...]
    throughs: tuple[Ref, ...] | None
    throughs_span: Span | None
    #: Names ``from .models import`` binds.
    models_imported: frozenset[str]


def _span(node: ast.AST, lines: list[str]) -> Span:
    from djgen.generators.core.drift import _char_col

    line = node.lineno  # type: ignore[attr-defined]
    end = node.end_lineno or line  # type: ignore[attr-defined]
    return (
        line,
        _char_col(lines, line, node.col_offset),  # type: ignore[attr-defined]
        end,
        _char_col(lines, end, node.end_col_offset or 0),  # type: ignore[attr-defined]
    )


def _ignored(lines: list[str], start: int, line: int) -> bool:
    from djgen.generators.core.drift import _ignored as ignored

    return ignored(lines, start, line)


def _ref(node: ast.expr, lines: list[str]) -> Ref | None:
    from djgen.generators.core.drift import _dotted

    text = _dotted(node)
    return Ref(text, _span(node, lines)) if text else None


def _refs(node: ast.expr, lines: list[str]) -> tuple[Ref, ...] | None:
    if not isinstance(node, (ast.Tuple, ast.List)):
        return None
    refs = [_ref(e, lines) for e in node.elts]
    if any(r is None for r in refs):
        return None  # computed: the user's own
    return tuple(r for r in refs if r is not None)


_FACTS: dict[str, CacheFacts | None] = {}


def cache_facts(text: str) -> CacheFacts | None:
    """The dependency table of a cache.py text (None: it has none djgen can relate to)."""
    if text in _FACTS:
        return _FACTS[text]
    try:
        tree = ast.parse(text.removeprefix("\ufeff"))
    except (SyntaxError, ValueError):
        tree = None
    facts = None
    if tree is not None:
        lines = text.splitlines()
        entries: list[Entry] = []
        throughs: tuple[Ref, ...] | None = None
        throughs_span = None
        found = False
        imported: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module == "models":
                imported.update(a.asname or a.name for a in node.names)
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            target = node.targets[0]
            name = target.id if isinstance(target, ast.Name) else ""
            if _ignored(lines, node.lineno, node.lineno):
                continue  # ``# djgen: ignore`` above it: the user's
            if name == TABLE and isinstance(node.value, ast.Dict):
                found = True
                for key, value in zip(node.value.keys, node.value.values, strict=True):
                    refs = _refs(value, lines)
                    if not isinstance(key, ast.Name) or refs is None:
                        continue
                    entries.append(Entry(key.id, _span(key, lines), refs, _span(value, lines)))
            elif name == THROUGHS:
                throughs = _refs(node.value, lines)
                throughs_span = _span(node.value, lines)
        if found or throughs is not None:
            facts = CacheFacts(tuple(entries), throughs, throughs_span, frozenset(imported))
    if len(_FACTS) > 16:
        _FACTS.pop(next(iter(_FACTS)))
    _FACTS[text] = facts
    return facts


# -- what the caching generator writes now (memoised per model shapes) --------------------------

_GENERATED: dict[tuple[object, ...], CacheFacts | None] = {}


def generated(module: ModuleIR, app: Path, config: DjgenConfig) -> CacheFacts | None:
    """The table the caching generator writes for the module now."""
    from djgen.generators.core.pipeline import _model_key, build_context, run_generators

    concrete = [m.name for m in module.models if m.concrete]
    if not concrete:
        return None
    key = (
        str(app),
        repr(config),
        tuple((m.name, _model_key(m)) for m in module.models),
    )
    if key not in _GENERATED:
        context = build_context(module, config, app, concrete[:1])
        code = []
        for result in run_generators(context, ["caching"]).values():
            for artifact in result.artifacts:
                for definition in artifact.definitions:
                    if definition.name in CACHE_NAMES:
                        code.append(definition.code)
        if len(_GENERATED) > 16:
            _GENERATED.clear()
        _GENERATED[key] = cache_facts("\n".join(code)) if code else None
    return _GENERATED[key]


# -- the comparison -------------------------------------------------------------------------------


def _through_ok(module: ModuleIR, ref: Ref) -> bool:
    model = module.model(ref.model)
    return model is not None and any(f.name == ref.field and f.is_m2m for f in model.fields)


def _renamed_through(model: ModelIR | None, ref: Ref, history: History) -> str | None:
    """``Book.authors.through`` → ``Book.writers.through`` when authors looks renamed to
    writers (the history had authors, writers is new and of the same class)."""
    if model is None or ref.field is None:
        return None
    old = history.had(model.name, ref.field)
    if old is None:
        return None
    for f in model.fields:
        if (
            f.is_m2m
            and f.field_class == old
            and f.name not in history.fields.get(model.name, {})
            and history.gained(model.name, f.name, f.field_class)
        ):
            return f"{model.name}.{f.name}.through"
    return None


def compare(
    facts: CacheFacts,
    module: ModuleIR,
    path: Path,
    history: History,
    wanted: CacheFacts | None,
    item: Callable[..., DriftItem],
) -> list[DriftItem]:
    """The stale, renamed and missing places of cache.py's table (``item`` builds a
    ``DriftItem``: this module does not import ``core.drift`` at module level)."""
    models = {m.name for m in module.models}
    gone = {
        name
        for name in {e.key for e in facts.entries}
        | {r.model for e in facts.entries for r in e.refs}
        | {r.model for r in facts.throughs or ()}
        if name not in models and name in facts.models_imported
    }
    items: list[DriftItem] = []

    def check(definition: str, option: str, refs: tuple[Ref, ...], owner: str) -> None:
        label = f"{definition}[{option}]" if option else definition
        for ref in refs:
            if ref.model in gone:
                items.append(
                    item(
                        "stale",
                        "error",
                        path,
                        definition,
                        option,
                        owner,
                        ref.text,
                        f"{label} lists {ref.text}, but {ref.model} no longer exists",
                        ref.span,
                    )
                )
            elif ref.field is not None and not _through_ok(module, ref):
                new = _renamed_through(module.model(ref.model), ref, history)
                if new is not None:
                    items.append(
                        item(
                            "rename",
                            "error",
                            path,
                            definition,
                            option,
                            ref.model,
                            ref.text,
                            f"{label} lists {ref.text}, but {ref.model} no longer has "
                            f"{ref.field}; renamed to {new.split('.')[1]}?",
                            ref.span,
                            new_name=new,
                        )
                    )
                else:
                    items.append(
                        item(
                            "stale",
                            "error",
                            path,
                            definition,
                            option,
                            ref.model,
                            ref.text,
                            f"{label} lists {ref.text}, but {ref.model} no longer has {ref.field}",
                            ref.span,
                        )
                    )

    want = {e.key: e for e in wanted.entries} if wanted else {}
    for entry in facts.entries:
        if entry.key in gone:
            items.append(
                item(
                    "deleted",
                    "error",
                    path,
                    TABLE,
                    entry.key,
                    entry.key,
                    entry.key,
                    f"{TABLE} has an entry for {entry.key}, which no longer exists",
                    entry.key_span,
                )
            )
            continue
        check(TABLE, entry.key, entry.refs, entry.key)
        generated_entry = want.get(entry.key)
        if generated_entry is not None:
            present = {r.text for r in entry.refs}
            renamed = {i.new_name for i in items if i.kind == "rename" and i.option == entry.key}
            for ref in generated_entry.refs:
                if ref.text not in present and ref.text not in renamed:
                    items.append(
                        item(
                            "missing",
                            "information",
                            path,
                            TABLE,
                            entry.key,
                            entry.key,
                            ref.text,
                            f"{TABLE}[{entry.key}] does not list {ref.text}, which "
                            f"{entry.key}'s API now reads",
                            entry.span,
                        )
                    )
    if facts.throughs is not None:
        check(THROUGHS, "", facts.throughs, "")
        if wanted is not None and wanted.throughs is not None and facts.throughs_span:
            present = {r.text for r in facts.throughs}
            renamed = {i.new_name for i in items if i.kind == "rename" and i.option == ""}
            for ref in wanted.throughs:
                if ref.text not in present and ref.text not in renamed:
                    items.append(
                        item(
                            "missing",
                            "information",
                            path,
                            THROUGHS,
                            "",
                            ref.model,
                            ref.text,
                            f"{THROUGHS} does not list {ref.text}, added to {ref.model}",
                            facts.throughs_span,
                        )
                    )
    if wanted is not None and facts.entries:
        keys = {e.key for e in facts.entries}
        for entry in wanted.entries:
            if entry.key not in keys and entry.key in models:
                code = f"{entry.key}: ({', '.join(r.text for r in entry.refs)},)"
                items.append(
                    item(
                        "missing",
                        "information",
                        path,
                        TABLE,
                        entry.key,
                        entry.key,
                        entry.key,
                        f"{TABLE} has no entry for {entry.key}, whose API is cached",
                        facts.entries[-1].span,
                        code=code,
                    )
                )
    return items
