"""Relation actions on models.py: add a missing ``on_delete`` or ``related_name``, and convert an
implicit ManyToManyField into an explicit through model with the migration that keeps its rows.

Data path: models.py buffer → analysis (IR: which relation fields lack what) → **relations**
(this feature: error diagnostics on a ForeignKey / OneToOneField without ``on_delete`` and on
reverse names that clash, the actions on the field's lines) → ``codeAction/resolve``
(``core.relation_fixes``: LibCST edits of the buffer; ``migrations.through``: the
``SeparateDatabaseAndState`` migration) → WorkspaceEdit.

Kinds: ``quickfix.djgen.onDelete`` (with its error diagnostic), ``quickfix.djgen.relatedName``
(with the error diagnostic of a reverse name Django's checks refuse, fields.E302-E305),
``refactor.rewrite.djgen.relatedName`` and ``refactor.rewrite.djgen.throughModel`` (no
diagnostic: a relation without related_name is valid Django, and nagging about it on every
field would be noise).

Registered through the server's extension points (``diagnostic_providers``,
``action_providers``, ``resolve_hooks``); it imports no other feature.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from lsprotocol import types

from djgen.generators.core import relation_fixes as fixes
from djgen.generators.core.ir import FieldIR, ModelIR
from djgen.generators.core.pipeline import FileChange

from ..analysis import Analysis
from ..core import DjgenLanguageServer
from ..documents import Snapshot, is_models_path, span_range, uri_to_path
from ..edits import build_workspace_edit

SOURCE = "djgen"
#: The diagnostic of a ForeignKey / OneToOneField without on_delete (Django: TypeError).
ON_DELETE_CODE = "djgen.relation-on-delete"
ON_DELETE_KIND = "quickfix.djgen.onDelete"
#: The diagnostic of reverse names Django's checks refuse (fields.E302-E305).
CLASH_CODE = "djgen.relation-clash"
CLASH_KIND = "quickfix.djgen.relatedName"
RELATED_NAME_KIND = "refactor.rewrite.djgen.relatedName"
THROUGH_KIND = "refactor.rewrite.djgen.throughModel"
#: The choice marked preferred (what "auto fix" applies): refusing the delete loses no rows.
PREFERRED_ON_DELETE = "PROTECT"


def _wanted(kind: str, only: list[str] | None) -> bool:
    return not only or any(kind == o or kind.startswith(f"{o}.") for o in only)


def _fields(analysis: Analysis) -> list[tuple[ModelIR, FieldIR]]:
    return [
        (model, f)
        for model in analysis.module.models
        if not model.abstract and (model.path is None or Path(model.path) == analysis.path)
        for f in model.fields
        if f.span is not None and fixes.is_django_relation(f)
    ]


def _first_line_range(analysis: Analysis, f: FieldIR) -> types.Range:
    span = f.span
    assert span is not None
    if span.end_line == span.line:
        return span_range(analysis.lines, span.line, span.col, span.end_line, span.end_col)
    text = analysis.lines[span.line - 1] if span.line - 1 < len(analysis.lines) else ""
    return span_range(analysis.lines, span.line, span.col, span.line, len(text.rstrip("\r\n")))


# -- diagnostics ---------------------------------------------------------------------------------


def _diagnostics(analysis: Analysis) -> list[types.Diagnostic]:
    if not analysis.module.ok or analysis.syntax_error is not None:
        return []
    out = []
    spans = {(model.name, f.name): f for model, f in _fields(analysis)}
    by_field: dict[tuple[str, str], list[fixes.Clash]] = {}
    for clash in fixes.clashes(analysis.module):
        by_field.setdefault((clash.model, clash.field), []).append(clash)
    for key, found in by_field.items():
        if key not in spans:
            continue
        checks = ", ".join(dict.fromkeys(c.check for c in found))
        out.append(
            types.Diagnostic(
                range=_first_line_range(analysis, spans[key]),
                message="; ".join(dict.fromkeys(c.message for c in found))
                + f" (Django's system check refuses it: {checks}); set a related_name.",
                severity=types.DiagnosticSeverity.Error,
                code=CLASH_CODE,
                source=SOURCE,
                data={"model": key[0], "field": key[1], "uri": analysis.uri},
            )
        )
    for model, f in _fields(analysis):
        if not fixes.lacks_on_delete(f):
            continue
        out.append(
            types.Diagnostic(
                range=_first_line_range(analysis, f),
                message=(
                    f"{model.name}.{f.name}: {f.field_class} needs on_delete "
                    "(Django raises TypeError when it imports the models)."
                ),
                severity=types.DiagnosticSeverity.Error,
                code=ON_DELETE_CODE,
                source=SOURCE,
                data={"model": model.name, "field": f.name, "uri": analysis.uri},
            )
        )
    return out


# -- code actions ----------------------------------------------------------------------------------


def _on_lines(f: FieldIR, rng: types.Range) -> bool:
    span = f.span
    assert span is not None
    return span.line - 1 <= rng.end.line and rng.start.line <= span.end_line - 1


def _matching(
    params: types.CodeActionParams, code: str, model: ModelIR, f: FieldIR
) -> list[types.Diagnostic]:
    """The context's diagnostics with ``code`` about this field."""
    return [
        d
        for d in params.context.diagnostics
        if d.code == code
        and isinstance(d.data, dict)
        and (d.data.get("model"), d.data.get("field")) == (model.name, f.name)
    ]


def _action(title: str, kind: str, data: dict[str, Any], **extra: Any) -> types.CodeAction:
    return types.CodeAction(title=title, kind=kind, data={"relation": data}, **extra)


async def _actions(
    ls: DjgenLanguageServer, params: types.CodeActionParams, only: list[str] | None
) -> list[types.CodeAction]:
    uri = params.text_document.uri
    path = uri_to_path(uri)
    if path is None or not is_models_path(path):
        return []
    analysis = await ls.analysis_for(uri)
    if analysis is None or not analysis.module.ok or analysis.syntax_error is not None:
        return []
    actions: list[types.CodeAction] = []
    for model, f in _fields(analysis):
        if not _on_lines(f, params.range):
            continue
        base = {"uri": uri, "model": model.name, "field": f.name}
        if fixes.lacks_on_delete(f) and _wanted(ON_DELETE_KIND, only):
            matching = _matching(params, ON_DELETE_CODE, model, f)
            for choice in fixes.ON_DELETE_CHOICES:
                extra = " (and null=True)" if choice == "SET_NULL" else ""
                actions.append(
                    _action(
                        f"Add on_delete=models.{choice}{extra} to {model.name}.{f.name}",
                        ON_DELETE_KIND,
                        {**base, "action": "on_delete", "choice": choice},
                        diagnostics=matching or None,
                        is_preferred=True if choice == PREFERRED_ON_DELETE else None,
                    )
                )
        clashing = _matching(params, CLASH_CODE, model, f)
        if clashing and f.inherited_from is None and _wanted(CLASH_KIND, only):
            name = fixes.related_name_for(analysis.module, model, f)
            verb = "Set" if "related_name" in f.kwargs else "Add"
            actions.append(
                _action(
                    f'{verb} related_name="{name}" on {model.name}.{f.name}',
                    CLASH_KIND,
                    {**base, "action": "related_name", "name": name},
                    diagnostics=clashing,
                    is_preferred=True,
                )
            )
        elif fixes.lacks_related_name(model, f) and _wanted(RELATED_NAME_KIND, only):
            name = fixes.related_name_for(analysis.module, model, f)
            actions.append(
                _action(
                    f'Add related_name="{name}" to {model.name}.{f.name}',
                    RELATED_NAME_KIND,
                    {**base, "action": "related_name", "name": name},
                )
            )
        if (
            fixes.is_implicit_m2m(f)
            and ls.edit_support.create_files
            and _wanted(THROUGH_KIND, only)
        ):
            try:
                plan = fixes.through_plan(analysis.module, model, f)
            except fixes.RelationFixError:
                continue  # the reason is logged if the user asks anyway (never offered here)
            actions.append(
                _action(
                    f"Convert {model.name}.{f.name} to an explicit through model ({plan.name})",
                    THROUGH_KIND,
                    {**base, "action": "through", "name": plan.name},
                )
            )
    if not ls.resolve_edits:
        for action in actions:
            await _resolve(ls, action)
    return actions


# -- resolve ---------------------------------------------------------------------------------------


def _models_change(ls: DjgenLanguageServer, uri: str) -> tuple[Path, str] | None:
    path = uri_to_path(uri)
    doc = ls.workspace.text_documents.get(uri)
    if path is None or doc is None:
        return None
    return path, doc.source


def _compute(
    analysis: Analysis, snapshot: Snapshot, path: Path, text: str, data: dict[str, Any]
) -> list[FileChange]:
    """The file changes of one relation action (on the worker: LibCST and the migration)."""
    model, field, action = data["model"], data["field"], data["action"]
    if action == "on_delete":
        return [FileChange(path, text, fixes.add_on_delete(text, model, field, data["choice"]))]
    if action == "related_name":
        return [FileChange(path, text, fixes.add_related_name(text, model, field, data["name"]))]
    if action != "through":
        raise fixes.RelationFixError(f"unknown relation action {action!r}")
    from djgen.generators.migrations.through import through_migration

    new, plan = fixes.convert_to_through(text, analysis.module, model, field)

    def read_text(candidate: Path) -> str | None:
        if Path(candidate) == path:
            return new
        return snapshot.read_text(candidate)

    changes = [FileChange(path, text, new)]
    migration = through_migration(
        analysis.app_dir, model=model, field=field, through=plan.name, read_text=read_text
    )
    if migration is not None:
        relative, migration_text = migration
        target = analysis.app_dir / relative
        changes.append(FileChange(target, snapshot.read_text(target), migration_text))
    return changes


async def _resolve(ls: DjgenLanguageServer, action: types.CodeAction) -> bool:
    data = action.data.get("relation") if isinstance(action.data, dict) else None
    if not isinstance(data, dict):
        return False
    uri = data.get("uri")
    found = _models_change(ls, uri) if isinstance(uri, str) else None
    analysis = await ls.analysis_for(uri) if found is not None else None
    if found is None or analysis is None or not analysis.module.ok:
        ls.log_warning(f"djgen: {uri} is no longer open; cannot compute {action.title!r}.")
        return True
    path, text = found
    snapshot = Snapshot.of(ls.workspace)
    try:
        changes = await ls.run_serial(
            functools.partial(_compute, analysis, snapshot, path, text, data)
        )
    except Exception as exc:  # RelationFixError, MigrationsError: said, never half-applied
        ls.log_warning(f"djgen: {action.title!r} not possible: {exc}")
        return True
    changes = [c for c in changes if c.changed]
    if changes:
        action.edit = build_workspace_edit(changes, ls.edit_support, snapshot)
    return True


def register(server: DjgenLanguageServer) -> None:
    server.diagnostic_providers.append(_diagnostics)
    server.action_providers.append(_actions)
    server.resolve_hooks.append(_resolve)
