"""The ``djgen inspect --json`` schema: model IR → plain JSON-ready dicts.

Data path: models.py → reader → IR → **JSON** (this module; a stable, documented shape for tools
and tests).

Schema (version 1), one object per models module:
``{"schema": 1, "app_label", "path", "module", "models": [model], "choices": [choices],
"problems": [problem], "error": str | null}``; a model is
``{"name", "label", "abstract", "proxy", "managed", "bases": [source], "model_bases": [label],
"mti_parent", "proxy_for", "swapped" ("app.Model" the swappable setting swaps it for, else
null), "line", "end_line", "fields": [field], "meta": {option: value},
"choices": [choices], "managers": [name], "default_manager": name, "problems": [problem]}``;
a field is
``{"name", "type", "internal_type", "class_path", "related_model", "relation", "kwargs": {…},
"expr_kwargs": [name], "args": [source], "primary_key", "auto_created", "parent_link",
"inherited_from", "on_delete", "related_name", "related_query_name", "through", "known",
"editable", "line"}``.
``fields`` lists what Django's ``_meta.local_fields + local_many_to_many`` lists (the implicit pk
and parent links included, fields of abstract bases included, GenericForeignKey left out).
``editable`` is Django's ``field.editable``: as passed, else the class's default (False for a
BinaryField, a GeneratedField, and a date with ``auto_now``/``auto_now_add``).
``line`` is where the declaring class (see ``inherited_from``) has it; null for implicit fields.
``kwargs`` values are JSON literals when the argument is a literal, else its source text; the
names of the latter are in ``expr_kwargs``. ``meta`` values follow the same rule.
"""

from __future__ import annotations

from typing import Any

from djgen.generators.core.fieldinfo import is_auto_timestamp, is_editable
from djgen.generators.core.ir import ChoicesIR, FieldIR, ModelIR, ModuleIR, Problem

SCHEMA_VERSION = 1


def problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "message": problem.message,
        "severity": problem.severity,
        "model": problem.model,
        "line": problem.span.line if problem.span else None,
    }


def choices_json(choices: ChoicesIR) -> dict[str, Any]:
    return {
        "name": choices.name,
        "kind": choices.kind,
        "owner": choices.owner,
        "members": [
            {"name": m.name, "value": _plain(m.value), "label": m.label} for m in choices.members
        ],
    }


def _plain(value: Any) -> Any:
    from djgen.generators.core.ir import NOT_LITERAL, Value

    if value is NOT_LITERAL:
        return None
    return Value("", value).to_json()


def field_json(f: FieldIR) -> dict[str, Any]:
    return {
        "name": f.name,
        "type": f.field_class,
        "internal_type": f.internal_type,
        "class_path": f.class_path,
        "related_model": f.related_model,
        "relation": f.relation,
        "kwargs": {k: v.to_json() for k, v in f.kwargs.items()},
        "expr_kwargs": [k for k, v in f.kwargs.items() if not v.is_literal],
        "args": [a.source for a in f.args],
        "primary_key": f.primary_key,
        "auto_created": f.auto_created,
        "parent_link": f.parent_link,
        "inherited_from": f.inherited_from,
        "on_delete": f.on_delete,
        "related_name": f.related_name,
        "related_query_name": f.related_query_name,
        "through": f.through,
        "known": f.known,
        "editable": is_editable(f) and not is_auto_timestamp(f),
        "line": f.span.line if f.span else None,
    }


def model_json(m: ModelIR) -> dict[str, Any]:
    return {
        "name": m.name,
        "label": m.label,
        "abstract": m.abstract,
        "proxy": m.proxy,
        "managed": m.meta.managed,
        "bases": m.bases,
        "model_bases": m.model_bases,
        "mti_parent": m.mti_parent,
        "proxy_for": m.proxy_for,
        "swapped": m.meta.swapped,
        "path": m.path,
        "line": m.span.line if m.span else None,
        "end_line": m.span.end_line if m.span else None,
        "fields": [field_json(f) for f in m.fields],
        "meta": m.meta.to_json(),
        "choices": [choices_json(c) for c in m.choices],
        "managers": m.managers,
        "default_manager": m.default_manager,
        "problems": [problem_json(p) for p in m.problems],
    }


def module_json(ir: ModuleIR) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "app_label": ir.app_label,
        "path": ir.path,
        "module": ir.module,
        "models": [model_json(m) for m in ir.models],
        "choices": [choices_json(c) for c in ir.choices],
        "problems": [problem_json(p) for p in ir.problems],
        "error": ir.syntax_error.message if ir.syntax_error else None,
    }
