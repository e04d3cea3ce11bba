"""The ``admin`` generator: a registered ModelAdmin per model.

Data path: models.py → IR → **admin generator** → artifact (admin.py, in the app folder for both
layouts, where Django's autodiscovery looks) → merge → file or WorkspaceEdit.

``list_display``: the pk and the first short, non-M2M fields (M2M would fail admin check E109);
``list_filter``: booleans, choices, dates and FKs (not to the user model or the model itself, which
can be big); ``search_fields``: text fields; ``raw_id_fields``: FKs to the user model or to self,
and M2M without a ``through`` model; ``date_hierarchy`` when the model has exactly one date or
datetime field.
"""

from __future__ import annotations

from typing import Any

from djgen.generators.core import naming
from djgen.generators.core.artifacts import Artifact, Definition, Import
from djgen.generators.core.context import GenerationContext, GenerationResult
from djgen.generators.core.fieldinfo import (
    BULKY_TYPES,
    has_through,
    is_editable,
    kind,
    model_fields,
    points_to_self,
    points_to_user,
)
from djgen.generators.core.ir import ModelIR, ModuleIR
from djgen.generators.core.render import render

#: Most columns ``list_display`` gets (the pk included).
MAX_LIST_DISPLAY = 7


def admin_context(module: ModuleIR, model: ModelIR) -> dict[str, Any]:
    info = model_fields(module, model)
    fields = info.data_fields
    pk_name = info.pk_name
    big = {
        f.name
        for f in fields
        if f.relation and (points_to_user(module, f) or points_to_self(model, f))
    }
    list_display = [pk_name]
    list_filter: list[str] = []
    search_fields: list[str] = []
    raw_id_fields: list[str] = []
    dates: list[str] = []
    for f in fields:
        if f.name == pk_name or f.primary_key:
            continue
        family = kind(f)
        if (
            family != "m2m"
            and f.internal_type not in BULKY_TYPES
            and family not in ("unfilterable", "other")
            and len(list_display) < MAX_LIST_DISPLAY
        ):
            list_display.append(f.name)
        if family in ("boolean", "choice", "date", "datetime") or (
            family in ("fk", "o2o") and f.name not in big
        ):
            list_filter.append(f.name)
        if family in ("text", "slug", "email"):
            search_fields.append(f.name)
        if (family in ("fk", "o2o") and f.name in big) or (family == "m2m" and not has_through(f)):
            raw_id_fields.append(f.name)
        if family in ("date", "datetime"):
            dates.append(f.name)
    by_name = {f.name: f for f in fields}
    # the changelist joins the FKs it shows instead of one query per row and column
    select_related = (
        [n for n in list_display if kind(by_name[n]) in ("fk", "o2o")] if fields else []
    )
    slugs = [f for f in fields if kind(f) == "slug" and is_editable(f)]
    source = next(
        (
            by_name[n]
            for n in ("title", "name", "headline", "label")
            if n in by_name and kind(by_name[n]) == "text"
        ),
        None,
    )
    prepopulated = {s.name: (source.name,) for s in slugs} if source is not None else {}
    return {
        "model": model.name,
        "admin": naming.admin_name(model.name),
        "list_display": list_display,
        "list_select_related": select_related,
        "prepopulated_fields": prepopulated,
        "list_filter": list_filter,
        "search_fields": search_fields,
        "raw_id_fields": raw_id_fields,
        "date_hierarchy": dates[0] if len(dates) == 1 else None,
    }


class AdminGenerator:
    name = "admin"

    def generate(self, context: GenerationContext) -> GenerationResult:
        module, config = context.module, context.config
        chosen = context.select()
        if not chosen:
            return GenerationResult()
        artifact = Artifact(
            generator=self.name,
            target="admin.py",
            imports=[Import("django.contrib", "admin")],
            header=f"Django admin for the {module.app_label} app's models.",
        )
        for model in chosen:
            context = admin_context(module, model)
            artifact.imports.append(Import(".models", model.name))
            artifact.definitions.append(
                Definition(
                    name=context["admin"],
                    code=render("admin/model.py.j2", config.template_dir, **context),
                    model=model.name,
                    # a registration the user wrote already counts: a second one would raise
                    # AlreadyRegistered when admin.py is imported
                    aliases=(
                        f"admin.site.register[{model.name}]",
                        f"admin.register[{model.name}]",
                    ),
                )
            )
        return GenerationResult(artifacts=[artifact])


GENERATOR = AdminGenerator()
