"""The ``filterset`` generator: a django-filter FilterSet per model, plus pagination classes.

Data path: models.py → IR → **filterset generator** → artifacts (filters.py and pagination.py, or
api/filters.py and api/pagination.py) → merge → file or WorkspaceEdit.

Lookups fit each field type: ``icontains`` for text, ranges for numbers (``RangeFilter``), dates
(``DateFromToRangeFilter``) and datetimes (``IsoDateTimeFromToRangeFilter``), exact matches for
FK/O2O, M2M, booleans, choices, slugs and UUIDs (listed in ``Meta.fields`` so django-filter builds
the right filter, e.g. a ChoiceFilter with the model's choices). JSON, file, binary and unknown
third-party fields are skipped, and so are email addresses (personal data: no enumeration).

pagination.py holds three shared classes — ``StandardPageNumberPagination`` (``?page=`` and
``?page_size=``), ``StandardLimitOffsetPagination`` (``?limit=&offset=``) and
``StandardCursorPagination`` (ordering ``-pk``) — and, when ``pagination = "cursor"``, a
``<Model>CursorPagination`` for each model with an ``auto_now_add`` datetime, ordered by it with
``-pk`` as the tiebreak.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from djgen.generators.core import naming
from djgen.generators.core.artifacts import Artifact, Definition, Import, api_package_artifact
from djgen.generators.core.config import DjgenConfig
from djgen.generators.core.context import GenerationContext, GenerationResult
from djgen.generators.core.fieldinfo import cursor_ordering, kind, model_fields
from djgen.generators.core.ir import ModelIR, ModuleIR
from djgen.generators.core.render import py, render

PAGE_NUMBER_PAGINATION = "StandardPageNumberPagination"
LIMIT_OFFSET_PAGINATION = "StandardLimitOffsetPagination"
CURSOR_PAGINATION = "StandardCursorPagination"
MAX_PAGE_SIZE = 100

#: Declared filter class (in ``django_filters.rest_framework``) and arguments per field kind.
_DECLARED = {
    "text": ("CharFilter", [f"lookup_expr={py('icontains')}"]),
    "integer": ("RangeFilter", []),
    "number": ("RangeFilter", []),
    "date": ("DateFromToRangeFilter", []),
    "datetime": ("IsoDateTimeFromToRangeFilter", []),
}
#: Field kinds filtered by exact match through ``Meta.fields``.
_EXACT = {"fk", "o2o", "m2m", "boolean", "choice", "uuid", "slug"}


def filterset_context(module: ModuleIR, model: ModelIR) -> dict[str, Any]:
    info = model_fields(module, model)
    declared: list[dict[str, Any]] = []
    fields: list[str] = []
    for f in info.data_fields:
        if f.primary_key:
            continue
        family = kind(f)
        if family in _DECLARED:
            call, args = _DECLARED[family]
            declared.append({"name": f.name, "call": f"filters.{call}", "args": list(args)})
            fields.append(f.name)
        elif family in _EXACT:
            fields.append(f.name)
    return {
        "model": model.name,
        "filterset": naming.filterset_name(model.name),
        "declared": declared,
        "fields": fields,
    }


def pagination_class(module: ModuleIR, model: ModelIR, config: DjgenConfig) -> str:
    """The pagination class a model's viewset uses under ``config``."""
    if config.pagination == "limit_offset":
        return LIMIT_OFFSET_PAGINATION
    if config.pagination == "cursor":
        if cursor_ordering(module, model):
            return naming.cursor_pagination_name(model.name)
        return CURSOR_PAGINATION
    return PAGE_NUMBER_PAGINATION


def pagination_artifact(
    generator: str, module: ModuleIR, config: DjgenConfig, chosen: Sequence[ModelIR]
) -> Artifact:
    artifact = Artifact(
        generator=generator,
        target=config.target("pagination"),
        imports=[
            Import("rest_framework.pagination", "CursorPagination"),
            Import("rest_framework.pagination", "LimitOffsetPagination"),
            Import("rest_framework.pagination", "PageNumberPagination"),
        ],
        header=f"Pagination classes for the {module.app_label} app's API.",
    )
    sizes = {"page_size": config.page_size, "max_page_size": max(MAX_PAGE_SIZE, config.page_size)}
    shared = [
        ("filterset/page_pagination.py.j2", {"name": PAGE_NUMBER_PAGINATION, **sizes}),
        ("filterset/limit_offset_pagination.py.j2", {"name": LIMIT_OFFSET_PAGINATION, **sizes}),
        (
            "filterset/cursor_pagination.py.j2",
            {
                "name": CURSOR_PAGINATION,
                "base": "CursorPagination",
                **sizes,
                "ordering": ["-pk"],
            },
        ),
    ]
    for template, context in shared:
        artifact.definitions.append(
            Definition(name=context["name"], code=render(template, config.template_dir, **context))
        )
    if config.pagination == "cursor":
        for model in chosen:
            ordering = cursor_ordering(module, model)
            if ordering is None:
                continue
            name = naming.cursor_pagination_name(model.name)
            code = render(
                "filterset/cursor_pagination.py.j2",
                config.template_dir,
                name=name,
                base=CURSOR_PAGINATION,
                page_size=None,
                max_page_size=None,
                ordering=ordering,
            )
            artifact.definitions.append(Definition(name=name, code=code, model=model.name))
    return artifact


class FilterSetGenerator:
    name = "filterset"

    def generate(self, context: GenerationContext) -> GenerationResult:
        module, config = context.module, context.config
        chosen = context.select()
        if not chosen:
            return GenerationResult()
        filters_artifact = Artifact(
            generator=self.name,
            target=config.target("filters"),
            imports=[Import("django_filters", "rest_framework", "filters")],
            header=f"django-filter FilterSets for the {module.app_label} app's API.",
        )
        for model in chosen:
            context = filterset_context(module, model)
            code = render("filterset/model.py.j2", config.template_dir, **context)
            filters_artifact.imports.append(Import(config.models_module, model.name))
            filters_artifact.definitions.append(
                Definition(name=context["filterset"], code=code, model=model.name)
            )
        artifacts = [filters_artifact, pagination_artifact(self.name, module, config, chosen)]
        if config.layout == "api":
            artifacts.insert(0, api_package_artifact(self.name, module.app_label))
        return GenerationResult(
            artifacts=artifacts,
            provides={
                "filterset_class": {
                    m.name: naming.filterset_name(m.name) for m in module.concrete_models
                },
                "pagination_class": {
                    m.name: pagination_class(module, m, config) for m in module.concrete_models
                },
                "filters_module": ".filters",
                "pagination_module": ".pagination",
            },
        )


GENERATOR = FilterSetGenerator()
