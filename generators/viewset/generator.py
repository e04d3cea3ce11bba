"""The ``viewset`` generator: a DRF ModelViewSet per model and the app's router in urls.py.

Data path: models.py → IR → **viewset generator** → artifacts (views.py and urls.py, or
api/views.py and api/urls.py) → merge → file or WorkspaceEdit.

Each viewset's queryset joins its FK/O2O relations (``select_related``) and prefetches its M2M
ones (``prefetch_related``); it filters with the model's FilterSet, searches its text fields,
orders by its sortable fields (default: ``Meta.ordering``, else the pk; under cursor pagination
the cursor's ordering) and paginates with the class the ``pagination`` option picks. urls.py gets
``router = DefaultRouter()``, one ``router.register("<kebab-plural>", <Model>ViewSet)`` per
model and ``urlpatterns = [path("", include(router.urls))]``.
"""

from __future__ import annotations

from typing import Any

from djgen.generators.core import naming
from djgen.generators.core.artifacts import Artifact, Definition, Import, api_package_artifact
from djgen.generators.core.config import DjgenConfig
from djgen.generators.core.context import GenerationContext, GenerationResult
from djgen.generators.core.fieldinfo import (
    BULKY_TYPES,
    cursor_ordering,
    inherited_ordering,
    kind,
    model_fields,
    owner_field,
)
from djgen.generators.core.ir import ModelIR, ModuleIR
from djgen.generators.core.render import Code, render

#: The object permission of owned models (in the app's permissions.py, written here too).
OWNER_PERMISSION = "IsOwnerOrStaffOrReadOnly"

#: Field kinds a client may order by.
_SORTABLE = {
    "auto",
    "choice",
    "boolean",
    "text",
    "slug",
    "integer",
    "number",
    "date",
    "datetime",
    "time",
    "duration",
    "uuid",
}


def _manager(model: ModelIR) -> str:
    """The model's default manager as the reader found it (``Meta.default_manager_name``, else
    the first declared or inherited one, else ``objects``); ``_default_manager`` when a base the
    reader cannot see may declare one."""
    return model.default_manager or "_default_manager"


def viewset_context(
    module: ModuleIR, model: ModelIR, config: DjgenConfig, pagination: str
) -> dict[str, Any]:
    info = model_fields(module, model)
    fields = info.data_fields
    select = [f.name for f in fields if f.relation in ("fk", "o2o")]
    prefetch = [f.name for f in fields if f.relation == "m2m"]
    related: list[list[Any]] = []
    if select:
        related.append(["select_related", select])
    if prefetch:
        related.append(["prefetch_related", prefetch])
    # email addresses are neither searched nor sorted by (personal data: no enumeration)
    search = [f.name for f in fields if kind(f) in ("text", "slug")]
    ordering_fields: list[str] = []
    pk_name = info.pk_name
    for f in fields:
        if f.name == pk_name or (f.primary_key and not info.complete):
            continue
        if kind(f) in _SORTABLE and f.internal_type not in BULKY_TYPES:
            ordering_fields.append(f.name)
    ordering_fields.insert(0, pk_name)
    ordering = inherited_ordering(module, model) or [pk_name]
    if config.pagination == "cursor":
        ordering = cursor_ordering(module, model) or ["-pk"]
    owner = owner_field(module, model, config.owner_fields)
    permissions = [Code("IsAuthenticatedOrReadOnly")]
    if owner is not None:
        permissions.append(Code(OWNER_PERMISSION))
    return {
        "owner": owner,
        "permission_classes": permissions,
        "model": model.name,
        "viewset": naming.viewset_name(model.name),
        "manager": _manager(model),
        "related": related,
        "serializer": naming.serializer_name(model.name),
        "filterset": naming.filterset_name(model.name),
        "search_fields": search,
        "ordering_fields": ordering_fields,
        "ordering": ordering,
        "pagination": pagination,
    }


def _wired(context: GenerationContext) -> bool:
    """Whether the project's settings already install DRF (then no reminder is printed)."""
    if context.project is None:
        return False
    apps = context.project.setting("INSTALLED_APPS")
    return apps is not None and "rest_framework" in (*apps.items, *apps.conditional)


class ViewSetGenerator:
    name = "viewset"

    def generate(self, context: GenerationContext) -> GenerationResult:
        module, config = context.module, context.config
        chosen = context.select()
        if not chosen:
            return GenerationResult()
        paginations: dict[str, str] = context.provided("filterset", "pagination_class", {})
        mixin: dict[str, str] | None = context.provided("caching", "viewset_mixin")
        writes: dict[str, str] | None = context.provided("cqrs", "viewset_mixin")
        relations: dict[str, dict[str, Any]] = context.provided(
            "relationships", "queryset_plan", {}
        )
        views = Artifact(
            generator=self.name,
            target=config.target("views"),
            imports=[
                Import("django_filters.rest_framework", "DjangoFilterBackend"),
                Import("rest_framework", "viewsets"),
                Import("rest_framework.filters", "OrderingFilter"),
                Import("rest_framework.filters", "SearchFilter"),
                Import("rest_framework.permissions", "IsAuthenticatedOrReadOnly"),
                Import(".permissions", OWNER_PERMISSION),
            ],
            header=f"DRF viewsets for the {module.app_label} app's models.",
        )
        permissions = Artifact(
            generator=self.name,
            target=config.target("permissions"),
            imports=[
                Import("rest_framework.permissions", "SAFE_METHODS"),
                Import("rest_framework.permissions", "BasePermission"),
            ],
            header=f"Permissions of the {module.app_label} app's API.",
        )
        urls = Artifact(
            generator=self.name,
            target=config.target("urls"),
            imports=[
                Import("django.urls", "include"),
                Import("django.urls", "path"),
                Import("rest_framework.routers", "DefaultRouter"),
            ],
            header=f"URL routes for the {module.app_label} app's API.",
        )
        urls.definitions.append(
            Definition(
                name="router",
                code=render("viewset/router.py.j2", config.template_dir),
                kind="assign",
                before=("urlpatterns",),
            )
        )
        for model in chosen:
            values = viewset_context(module, model, config, paginations[model.name])
            # relationships: joins and prefetches from what the serializer reads
            planned = relations.get(model.name)
            if planned is not None:
                values["related"] = []
                if planned["select_related"]:
                    values["related"].append(["select_related", planned["select_related"]])
                if planned["prefetch"]:
                    values["related"].append(
                        ["prefetch_related", [Code(f"*{planned['prefetch']}")]]
                    )
                    views.imports.append(Import(planned["module"], planned["prefetch"]))
                # a through row linking owned objects: writes need their owner (or staff)
                if planned.get("related_owner_fields"):
                    values["permission_classes"].append(Code(planned["permission"]))
                    values["related_owner_fields"] = planned["related_owner_fields"]
                    views.imports.append(Import(".permissions", planned["permission"]))
            values["bases"] = ["viewsets.ModelViewSet"]
            if mixin is not None:
                values["bases"].insert(0, mixin["class"])
                views.imports.append(Import(mixin["module"], mixin["class"]))
            # cqrs: creates, updates and deletes dispatch commands (the mixin sets the owner)
            values["commands"] = writes is not None
            if writes is not None:
                values["bases"].insert(len(values["bases"]) - 1, writes["class"])
                views.imports.append(Import(writes["module"], writes["class"]))
            if values["owner"] is not None and not permissions.definitions:
                permissions.definitions.append(
                    Definition(
                        name=OWNER_PERMISSION,
                        code=render("viewset/owner_permission.py.j2", config.template_dir),
                    )
                )
            views.imports += [
                Import(config.models_module, model.name),
                Import(".filters", values["filterset"]),
                Import(".pagination", values["pagination"]),
                Import(".serializers", values["serializer"]),
            ]
            views.definitions.append(
                Definition(
                    name=values["viewset"],
                    code=render("viewset/model.py.j2", config.template_dir, **values),
                    model=model.name,
                )
            )
            prefix = naming.plural_kebab(model.name)
            urls.imports.append(Import(".views", values["viewset"]))
            urls.definitions.append(
                Definition(
                    name="router.register",
                    key=prefix,
                    kind="call",
                    code=render(
                        "viewset/register.py.j2",
                        config.template_dir,
                        prefix=prefix,
                        viewset=values["viewset"],
                    ),
                    after=("router", "router.register"),
                    before=("urlpatterns",),
                    model=model.name,
                )
            )
        urls.definitions.append(
            Definition(
                name="urlpatterns",
                code=render("viewset/urlpatterns.py.j2", config.template_dir),
                kind="assign",
                after=("router", "router.register"),
            )
        )
        urls_module = "api.urls" if config.layout == "api" else "urls"
        if "api-settings" not in context.running and not _wired(context):
            urls.notes.append(
                "Route the API and install its apps with `djgen generate api-settings "
                f'{module.app_label}`, or by hand: path("api/", include('
                f'"{context.app.module}.{urls_module}")) in the project\'s urls.py and '
                '"rest_framework", "django_filters" in INSTALLED_APPS'
            )
        artifacts = [views, urls]
        if permissions.definitions:
            artifacts.insert(0, permissions)
        if config.layout == "api":
            artifacts.insert(0, api_package_artifact(self.name, module.app_label))
        return GenerationResult(
            artifacts=artifacts,
            provides={
                "viewset_class": {m.name: naming.viewset_name(m.name) for m in chosen},
                "router_prefix": {m.name: naming.plural_kebab(m.name) for m in chosen},
                "urls_module": urls_module,
            },
        )


GENERATOR = ViewSetGenerator()
