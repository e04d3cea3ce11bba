"""The ``serializer`` generator: a DRF ModelSerializer per concrete model.

Data path: models.py → IR → **serializer generator** → artifacts (serializers.py or
api/serializers.py) → merge → file or WorkspaceEdit.

Each serializer lists its fields explicitly: the pk and automatic fields (auto pks, ``auto_now``,
``auto_now_add``, ``editable=False``, M2M with a ``through`` model) are read-only, FK/O2O/M2M
stay writable primary-key fields, choice fields get a ``<field>_display`` label, and with
``nested_serializers`` FK/O2O targets in the same module get a read-only ``<field>_detail``.
Multi-table children list their parents' fields; proxies list their concrete model's. Reviewed
defaults: the owner (set from the request) and privileged flags (``is_staff``, ``is_approved``,
``is_published``, …; ``[tool.djgen.serializer] writable``) are read-only; secrets (passwords,
tokens, keys) never appear and email addresses only when ``expose`` names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from djgen.generators.core import naming
from djgen.generators.core.artifacts import Artifact, Definition, Import, api_package_artifact
from djgen.generators.core.context import GenerationContext, GenerationResult
from djgen.generators.core.fieldinfo import (
    ModelFields,
    has_through,
    is_auto_timestamp,
    is_editable,
    is_personal,
    is_privileged_flag,
    kind,
    model_fields,
    owner_field,
    same_module_target,
)
from djgen.generators.core.ir import FieldIR, ModelIR, ModuleIR
from djgen.generators.core.render import py, render


def _pk_read_only(f: FieldIR) -> bool:
    """An automatic pk, or one with a default, is set by the server; a natural key is not."""
    return kind(f) == "auto" or f.has_kwarg("default") or f.has_kwarg("db_default")


def _read_only(f: FieldIR, pk: FieldIR | None) -> bool:
    if pk is not None and f.name == pk.name:
        return _pk_read_only(f)
    return (
        kind(f) == "auto"
        or is_auto_timestamp(f)
        or not is_editable(f)
        or f.parent_link
        or has_through(f)
    )


def nesting_edges(module: ModuleIR, models: Sequence[ModelIR]) -> dict[str, list[tuple[str, str]]]:
    """``{model: [(field, target)]}`` for FK/O2O fields nested as ``<field>_detail``: targets in
    the same module, not the model itself, and no edge that would close a cycle."""
    reaches: dict[str, set[str]] = {m.name: set() for m in module.models}

    def reachable(start: str, goal: str) -> bool:
        stack, seen = [start], set()
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node in seen:
                continue
            seen.add(node)
            stack.extend(reaches.get(node, ()))
        return False

    edges: dict[str, list[tuple[str, str]]] = {}
    for model in module.concrete_models:
        info = model_fields(module, model)
        for f in info.data_fields:
            if f.relation not in ("fk", "o2o"):
                continue
            target = same_module_target(module, f)
            if target is None or not target.concrete or target.name == model.name:
                continue
            if reachable(target.name, model.name):
                continue  # a cycle: leave this one as a plain primary key
            reaches[model.name].add(target.name)
            edges.setdefault(model.name, []).append((f.name, target.name))
    wanted = {m.name for m in models}
    return {name: value for name, value in edges.items() if name in wanted or not wanted}


def _order_nested(models: list[ModelIR], edges: dict[str, list[tuple[str, str]]]) -> list[ModelIR]:
    """Models with nested targets first (depth-first, keeping module order otherwise)."""
    by_name = {m.name: m for m in models}
    ordered: list[ModelIR] = []
    placed: set[str] = set()

    def place(model: ModelIR) -> None:
        if model.name in placed:
            return
        placed.add(model.name)
        for _, target in edges.get(model.name, []):
            if target in by_name:
                place(by_name[target])
        ordered.append(model)

    for model in models:
        place(model)
    return ordered


def serializer_context(
    module: ModuleIR,
    model: ModelIR,
    info: ModelFields,
    nested: list[tuple[str, str]],
    owner: str | None = None,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The template context for one model's serializer (``owner``: the field the viewset sets
    from the request, so it is read-only here; ``options``: ``[tool.djgen.serializer]``)."""
    options = options or {}
    expose = set(options.get("expose", ()))
    writable = set(options.get("writable", ()))
    name = naming.serializer_name(model.name)
    if not info.complete:
        return {
            "model": model.name,
            "serializer": name,
            "declared": [],
            "fields": "__all__",
            "read_only_fields": [],
        }
    existing = {f.name for f in info.fields}
    nested_by_field = dict(nested)
    declared: list[dict[str, Any]] = []
    fields: list[str] = []
    read_only: list[str] = []
    pk = info.pk
    ordered = list(info.data_fields)
    if pk is not None:
        # The pk first (a child's ``id`` stands for its ``<parent>_ptr``), then Django's order.
        ordered = [f for f in ordered if f.name != pk.name]
        fields.append(pk.name)
        if _read_only(pk, pk):
            read_only.append(pk.name)
    for f in ordered:
        qualified = f"{model.name}.{f.name}"
        if is_personal(f) and qualified not in expose:
            continue  # an email address is not public unless configured
        fields.append(f.name)
        flag = is_privileged_flag(f) and qualified not in writable
        if _read_only(f, pk) or f.name == owner or flag:
            read_only.append(f.name)
        if kind(f) == "choice" and f"{f.name}_display" not in existing:
            extra = f"{f.name}_display"
            declared.append(
                {
                    "name": extra,
                    "call": "serializers.CharField",
                    "args": [f"source={py(f'get_{f.name}_display')}", "read_only=True"],
                }
            )
            fields.append(extra)
        target = nested_by_field.get(f.name)
        if target is not None and f"{f.name}_detail" not in existing:
            extra = f"{f.name}_detail"
            declared.append(
                {
                    "name": extra,
                    "call": naming.serializer_name(target),
                    "args": [f"source={py(f.name)}", "read_only=True"],
                }
            )
            fields.append(extra)
    return {
        "model": model.name,
        "serializer": name,
        "declared": declared,
        "fields": fields,
        "read_only_fields": read_only,
    }


def _nest_planned(values: dict[str, Any], planned: Any) -> None:
    """Point each planned ``<fk>_detail`` at the serializer the plan nests there (the
    target's flat serializer: ``(field, target, serializer)`` edges)."""
    serializers = {edge[0]: edge[2] for edge in planned if len(edge) > 2}
    for declared in values["declared"]:
        name = declared["name"].removesuffix("_detail")
        if declared["name"].endswith("_detail") and name in serializers:
            declared["call"] = serializers[name]


class SerializerGenerator:
    name = "serializer"

    def generate(self, context: GenerationContext) -> GenerationResult:
        module, config = context.module, context.config
        context_options = context.options()
        chosen = context.select()
        if not chosen:
            return GenerationResult()
        edges: dict[str, list[tuple[str, str]]] = {}
        # the relationships generator's plan, when it runs: nested reads, lists and rows
        plan: dict[str, Any] | None = context.provided("relationships", "serializer_plan")
        if plan is not None:
            return self._planned(context, chosen, plan)
        if config.nested_serializers:
            edges = nesting_edges(module, module.concrete_models)
            chosen = _with_nested_targets(module, chosen, edges)
            chosen = _order_nested(chosen, edges)
        nested_by: dict[str, list[str]] = {}
        for source, pairs in edges.items():
            for _, target in pairs:
                nested_by.setdefault(target, []).append(naming.serializer_name(source))
        artifact = Artifact(
            generator=self.name,
            target=config.target("serializers"),
            imports=[Import("rest_framework", "serializers")],
            header=f"DRF serializers for the {module.app_label} app's models.",
        )
        for model in chosen:
            info = model_fields(module, model)
            owner = owner_field(module, model, config.owner_fields)
            values = serializer_context(
                module, model, info, edges.get(model.name, []), owner, context_options
            )
            code = render("serializer/model.py.j2", config.template_dir, **values)
            artifact.imports.append(Import(config.models_module, model.name))
            artifact.definitions.append(
                Definition(
                    name=values["serializer"],
                    code=code,
                    kind="class",
                    model=model.name,
                    before=tuple(nested_by.get(model.name, ())),
                )
            )
        artifacts = [artifact]
        if config.layout == "api":
            artifacts.insert(0, api_package_artifact(self.name, module.app_label))
        return GenerationResult(
            artifacts=artifacts,
            provides={
                "serializer_class": {
                    m.name: naming.serializer_name(m.name) for m in module.concrete_models
                },
                "serializers_module": ".serializers",
            },
        )

    def _planned(
        self, context: GenerationContext, chosen: list[ModelIR], plan: dict[str, Any]
    ) -> GenerationResult:
        """The serializers as the relationships generator planned them: ``<fk>_detail`` per
        planned edge, read-only lists, and the row serializers those lists nest."""
        module, config = context.module, context.config
        options = context.options()
        uses: dict[str, list[str]] = plan["uses"]
        rows = {row["serializer"]: row for row in plan["rows"]}
        wanted = [naming.serializer_name(m.name) for m in chosen]
        wanted += [
            name for name, row in rows.items() if row["listed_on"] in {m.name for m in chosen}
        ]
        needed, stack = set(wanted), list(wanted)
        while stack:
            for used in uses.get(stack.pop(), ()):
                if used not in needed:
                    needed.add(used)
                    stack.append(used)
        classes: dict[str, tuple[ModelIR, dict[str, Any]]] = {}
        for model in module.concrete_models:
            name = naming.serializer_name(model.name)
            if name not in needed:
                continue
            info = model_fields(module, model)
            owner = owner_field(module, model, config.owner_fields)
            planned = plan["details"].get(model.name, ())
            details = [(edge[0], edge[1]) for edge in planned]
            values = serializer_context(module, model, info, details, owner, options)
            _nest_planned(values, planned)
            for extra in plan["lists"].get(model.name, ()):
                if values["fields"] != "__all__" and extra["name"] not in values["fields"]:
                    values["declared"].append(extra)
                    values["fields"].append(extra["name"])
            classes[name] = (model, values)
        for name, row in rows.items():
            model = module.model(row["model"])
            if name not in needed or model is None:
                continue
            info = model_fields(module, model)
            owner = owner_field(module, model, config.owner_fields)
            details = [(edge[0], edge[1]) for edge in row["details"]]
            values = serializer_context(module, model, info, details, owner, options)
            _nest_planned(values, row["details"])
            gone = set(row["exclude"])
            gone |= {f"{n}_{suffix}" for n in row["exclude"] for suffix in ("display", "detail")}
            values["serializer"] = name
            values["declared"] = [d for d in values["declared"] if d["name"] not in gone]
            if values["fields"] != "__all__":
                values["fields"] = [f for f in values["fields"] if f not in gone]
            values["read_only_fields"] = [f for f in values["read_only_fields"] if f not in gone]
            classes[name] = (model, values)
        users: dict[str, list[str]] = {}
        for user, used in uses.items():
            for name in used:
                users.setdefault(name, []).append(user)
        artifact = Artifact(
            generator=self.name,
            target=config.target("serializers"),
            imports=[Import("rest_framework", "serializers")],
            header=f"DRF serializers for the {module.app_label} app's models.",
        )
        placed: set[str] = set()

        def place(name: str) -> None:
            if name in placed or name not in classes:
                return
            placed.add(name)
            for used in uses.get(name, ()):
                place(used)
            model, values = classes[name]
            code = render("serializer/model.py.j2", config.template_dir, **values)
            import_ = Import(config.models_module, model.name)
            if import_ not in artifact.imports:
                artifact.imports.append(import_)
            artifact.definitions.append(
                Definition(
                    name=name,
                    code=code,
                    kind="class",
                    model=model.name,
                    before=tuple(sorted(users.get(name, ()))),
                )
            )

        for name in classes:
            place(name)
        artifacts = [artifact]
        if config.layout == "api":
            artifacts.insert(0, api_package_artifact(self.name, module.app_label))
        return GenerationResult(
            artifacts=artifacts,
            provides={
                "serializer_class": {
                    m.name: naming.serializer_name(m.name) for m in module.concrete_models
                },
                "serializers_module": ".serializers",
            },
        )


def _with_nested_targets(
    module: ModuleIR, chosen: list[ModelIR], edges: dict[str, list[tuple[str, str]]]
) -> list[ModelIR]:
    """``chosen`` plus every model their nested serializers need, in module order."""
    names = {m.name for m in chosen}
    stack = list(names)
    while stack:
        for _, target in edges.get(stack.pop(), []):
            if target not in names:
                names.add(target)
                stack.append(target)
    return [m for m in module.concrete_models if m.name in names]


GENERATOR = SerializerGenerator()
