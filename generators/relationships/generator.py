"""The ``relationships`` generator: the relation plan of an app's API.

Data path: models.py → IR → **relationships generator** (this module) → relation plan (provided
to the serializer generator, which writes the nested fields and row serializers, and to the
viewset generator, which writes the querysets) and artifacts (``relations.py``: each model's
prefetches) → merge → file or WorkspaceEdit.

What the plan says, per model:

- **forward FK / one-to-one** to a model of the app: written by primary key, read also as a
  read-only ``<field>_detail`` nested serializer (``[tool.djgen.relationships] nested =
  ["Post.category=pk"]`` keeps one a plain pk);
- **one level deep**: a nested object is read flat, its own relations as pks: the model's own
  serializer when it nests and lists nothing, else a ``<Model>FlatSerializer``. Nothing is
  transitive, so no cycle can arise and a payload grows only with the rows it lists;
- **explicit many-to-many through models** (``through=`` a model of the app): both sides list the
  through rows, nested and read-only (``<Through>In<Model>Serializer``: the row without the
  foreign key back to the side it is listed on, nesting the other side flat); the through model
  keeps its own viewset and route, like every model. When it has a foreign key to an owned
  model, its writes need that object's owner or staff: ``IsRelatedOwnerOrStaffOrReadOnly`` (in
  permissions.py) with the view's ``related_owner_fields = ("post__author",)``;
- **reverse accessors** named in ``reverse = ["Category.posts", "Tag.posts=pk"]``: read-only
  lists of flat rows (``<Related>In<Model>Serializer``) or of primary keys;
- **queries**: ``select_related`` of every nested FK chain (``category``, ``post__category``) and
  ``prefetch_related`` of every list the serializer reads — many-to-many pks, reverse and through
  lists as ``Prefetch("memberships", queryset=Membership.objects.select_related("tag"))`` — one
  flat tuple per model in ``relations.py`` (``POST_PREFETCH``), so a list or detail response runs
  the same number of queries whatever the number of rows. The owner FK is read as its pk (no
  join) and stays read-only: the viewset sets it from the request.

The serializer and viewset generators read the plan (the viewset also the permission) through
``context.provided("relationships", ...)``; without this generator in the run they keep their
own behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from djgen.generators.core import naming
from djgen.generators.core.artifacts import Artifact, Definition, Import
from djgen.generators.core.config import ConfigError
from djgen.generators.core.context import GenerationContext, GenerationResult
from djgen.generators.core.fieldinfo import (
    has_through,
    model_fields,
    owner_field,
    same_module_target,
)
from djgen.generators.core.ir import FieldIR, ModelIR, ModuleIR
from djgen.generators.core.render import LINE_LENGTH, py, pycall

NAME = "relationships"
MODES = ("nested", "pk")


@dataclass
class ListField:
    """A read-only list on a serializer: the rows of ``related`` whose ``back`` points here."""

    name: str  # the accessor (``memberships``, ``membership_set``)
    related: str  # the listed model
    back: str  # its field pointing back at the model the list is on
    back_kind: str  # "fk", "o2o" or "m2m"
    mode: str  # "nested" or "pk"
    row: str | None = None  # the row serializer (nested mode)
    through: bool = False  # the rows of an explicit many-to-many through model


@dataclass
class SerializerSpec:
    """What one serializer class reads: its model, nested FKs, many-to-many pks and lists."""

    name: str
    model: str
    #: (FK/one-to-one field, target model, the flat serializer nested) read as
    #: ``<field>_detail``.
    details: list[tuple[str, str, str]] = field(default_factory=list)
    #: Many-to-many fields read as lists of pks.
    m2m: list[str] = field(default_factory=list)
    lists: list[ListField] = field(default_factory=list)
    #: Fields left out (a row serializer's FK back to the model it is listed on).
    exclude: list[str] = field(default_factory=list)
    #: For a row serializer: the model whose serializer lists it.
    listed_on: str | None = None
    #: "model" (the model's own serializer), "row" (a listed row) or "flat" (a nested object:
    #: its own relations as pks only).
    kind: str = "model"
    #: For a row: whether it is a many-to-many through row (which nests the other side).
    through: bool = False


@dataclass
class PrefetchSpec:
    """One element of a model's prefetch tuple: a lookup, with a queryset when it joins."""

    lookup: str
    model: str | None = None
    manager: str = "objects"
    selects: list[str] = field(default_factory=list)


def _accessor(related: ModelIR, f: FieldIR) -> str | None:
    """The reverse accessor Django gives ``related.f`` on its target; None when hidden."""
    name = f.related_name or related.meta.default_related_name
    if name:
        name = (
            name.replace("%(class)s", related.name.lower())
            .replace("%(model_name)s", related.name.lower())
            .replace("%(app_label)s", related.app_label.lower())
        )
        return None if name.endswith("+") else name
    return related.name.lower() if f.relation == "o2o" else f"{related.name.lower()}_set"


def _split_rule(option: str, rule: Any) -> tuple[str, str, str | None]:
    where = f"[tool.djgen.relationships] {option}: {rule!r}"
    text = str(rule)
    path, _, mode = text.partition("=")
    model, _, name = path.strip().partition(".")
    if not model or not name or "." in name:
        raise ConfigError(f'{where} must look like "Model.field=nested" or "Model.field=pk"')
    mode = mode.strip() or None
    if "=" in text and mode not in MODES:
        raise ConfigError(f"{where}: the mode must be one of 'nested', 'pk', not {mode!r}")
    return model.strip(), name.strip(), mode


class Planner:
    """Builds every serializer's spec for one module, cycle-free, from the options."""

    def __init__(self, module: ModuleIR, options: dict[str, Any], owners: dict[str, str]) -> None:
        self.module = module
        self.models = {m.name: m for m in module.concrete_models}
        self.fields = {name: model_fields(module, m) for name, m in self.models.items()}
        #: Indexes built once (each is a pass over the module's fields), so that planning an
        #: app is linear in its size: every model's data fields, the module's relations by the
        #: model they point to, and its many-to-many fields with an explicit through model.
        self.data = {name: fields.data_fields for name, fields in self.fields.items()}
        self.reverse_index = self._reverse_index()
        self.throughs = self._through_fields()
        self.specs: dict[str, SerializerSpec] = {}
        self.uses: dict[str, set[str]] = {}
        self.notes: list[str] = []
        self.owners = owners
        self.modes = self._nested_modes(options.get("nested", ()))
        self.reverse = self._reverse_rules(options.get("reverse", ()))
        self.through_lists = bool(options.get("through_lists", True))

    # -- options -------------------------------------------------------------------------

    def _model(self, option: str, rule: str, name: str) -> ModelIR:
        model = self.models.get(name)
        if model is None:
            raise ConfigError(
                f"[tool.djgen.relationships] {option}: {rule!r}: no model {name} in "
                f"{self.module.app_label} (models: {', '.join(self.models) or 'none'})"
            )
        return model

    def _nested_modes(self, rules: tuple[str, ...]) -> dict[str, str]:
        modes: dict[str, str] = {}
        for rule in rules:
            model_name, name, mode = _split_rule("nested", rule)
            model = self._model("nested", rule, model_name)
            f = next((f for f in self.data[model.name] if f.name == name), None)
            if f is None or f.relation not in ("fk", "o2o"):
                raise ConfigError(
                    f"[tool.djgen.relationships] nested: {rule!r}: {model_name}.{name} is not "
                    "a foreign key or one-to-one field"
                )
            modes[f"{model_name}.{name}"] = mode or "nested"
        return modes

    def _reverse_rules(self, rules: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
        """``{model: [(accessor, mode)]}``; every accessor checked against the models."""
        out: dict[str, list[tuple[str, str]]] = {}
        for rule in rules:
            model_name, accessor, mode = _split_rule("reverse", rule)
            model = self._model("reverse", rule, model_name)
            found = self._reverse_relation(model, accessor)
            where = f"[tool.djgen.relationships] reverse: {rule!r}"
            if found is None:
                known = ", ".join(a for a, _, _ in self._reverse_relations(model)) or "none"
                raise ConfigError(
                    f"{where}: {model_name} has no reverse accessor {accessor!r} in "
                    f"{self.module.app_label} (accessors: {known})"
                )
            if found[2].relation == "o2o":
                raise ConfigError(
                    f"{where}: {model_name}.{accessor} is a reverse one-to-one (one object, "
                    "not a list); read it from the other side's <field>_detail instead"
                )
            out.setdefault(model_name, []).append((accessor, mode or "nested"))
        return out

    def _reverse_index(self) -> dict[str, list[tuple[str, ModelIR, FieldIR]]]:
        """Target model name → (accessor, related model, its field) of every relation in the
        module to it, in module and field order."""
        index: dict[str, list[tuple[str, ModelIR, FieldIR]]] = {}
        for related in self.module.concrete_models:
            if related.proxy:
                continue
            for f in related.fields:
                if not f.is_relation or f.parent_link:
                    continue
                target = same_module_target(self.module, f)
                if target is None:
                    continue
                accessor = _accessor(related, f)
                if accessor is not None:
                    index.setdefault(target.name, []).append((accessor, related, f))
        return index

    def _through_fields(self) -> list[tuple[str, ModelIR, str | None]]:
        """(declaring model, through model, target model name) of every many-to-many field with
        an explicit through model of the module, in module and field order."""
        found: list[tuple[str, ModelIR, str | None]] = []
        for other in self.module.concrete_models:
            for f in self.data[other.name]:
                if not (f.is_m2m and has_through(f) and f.through):
                    continue
                through = self.module.model(f.through.rpartition(".")[2])
                if through is None:
                    continue
                target = same_module_target(self.module, f)
                found.append((other.name, through, getattr(target, "name", None)))
        return found

    def _reverse_relations(self, model: ModelIR) -> list[tuple[str, ModelIR, FieldIR]]:
        """(accessor, related model, its field) of every relation in the module to ``model``."""
        return list(self.reverse_index.get(model.name, ()))

    def _reverse_relation(
        self, model: ModelIR, accessor: str
    ) -> tuple[str, ModelIR, FieldIR] | None:
        return next((r for r in self._reverse_relations(model) if r[0] == accessor), None)

    # -- the serializer graph ------------------------------------------------------------

    def _reaches(self, start: str, goal: str) -> bool:
        stack, seen = [start], set()
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node in seen:
                continue
            seen.add(node)
            stack.extend(self.uses.get(node, ()))
        return False

    def _use(self, user: str, used: str) -> bool:
        """Record that serializer ``user`` nests ``used``; False when that closes a cycle."""
        if user == used or self._reaches(used, user):
            return False
        self.uses.setdefault(user, set()).add(used)
        return True

    def _m2m(self, spec: SerializerSpec) -> None:
        spec.m2m = [
            f.name
            for f in self.data[spec.model]
            if f.relation == "m2m" and f.name not in spec.exclude
        ]

    def _detail_targets(self, spec: SerializerSpec) -> list[tuple[str, str]]:
        """(field, target model) of every FK / one-to-one of ``spec`` read nested."""
        model = self.models[spec.model]
        out: list[tuple[str, str]] = []
        for f in self.data[spec.model]:
            if f.name in spec.exclude or f.relation not in ("fk", "o2o"):
                continue
            target = same_module_target(self.module, f)
            if target is None or not target.concrete or target.name == model.name:
                continue
            if self.modes.get(f"{spec.model}.{f.name}", "nested") != "nested":
                continue
            if naming.serializer_name(target.name) not in self.specs:
                continue
            out.append((f.name, target.name))
        return out

    def _flat(self, model: str, pending: dict[str, list[tuple[str, str]]]) -> str:
        """The serializer a nested ``model`` is read with: its relations as pks only. The
        model's own serializer when it nests and lists nothing, else ``<Model>FlatSerializer``."""
        own = self.specs[naming.serializer_name(model)]
        if not pending.get(own.name) and not own.lists:
            return own.name
        name = f"{model}FlatSerializer"
        if name not in self.specs:
            self.specs[name] = SerializerSpec(name=name, model=model, kind="flat")
            self._m2m(self.specs[name])
        return name

    def _row(self, listed_on: str, related: str, back: str, accessor: str, through: bool) -> str:
        name = f"{related}In{listed_on}Serializer"
        if name in self.specs:
            camel = "".join(part.capitalize() for part in accessor.split("_"))
            name = f"{related}In{listed_on}{camel}Serializer"
        self.specs[name] = SerializerSpec(
            name=name,
            model=related,
            exclude=[back],
            listed_on=listed_on,
            kind="row",
            through=through,
        )
        return name

    def plan(self) -> dict[str, SerializerSpec]:
        complete = [m for m in self.module.concrete_models if self.fields[m.name].complete]
        for model in complete:
            name = naming.serializer_name(model.name)
            self.specs[name] = SerializerSpec(name=name, model=model.name)
        # 1. forward FK / one-to-one nesting of the models' own serializers
        pending: dict[str, list[tuple[str, str]]] = {}
        for model in complete:
            spec = self.specs[naming.serializer_name(model.name)]
            pending[spec.name] = self._detail_targets(spec)
        # 2. lists: through rows on both sides, then the configured reverse accessors
        rows: list[SerializerSpec] = []
        for model in complete:
            spec = self.specs[naming.serializer_name(model.name)]
            wanted = list(self._through_lists(model)) if self.through_lists else []
            wanted += [(a, m, False) for a, m in self.reverse.get(model.name, [])]
            for accessor, mode, through in wanted:
                if any(item.name == accessor for item in spec.lists):
                    continue
                found = self._reverse_relation(model, accessor)
                if found is None:
                    continue
                _, related, back = found
                if related.name not in self.models or not self.fields[related.name].complete:
                    continue
                item = ListField(
                    name=accessor,
                    related=related.name,
                    back=back.name,
                    back_kind=back.relation or "fk",
                    mode=mode,
                    through=through,
                )
                if mode == "nested":
                    item.row = self._row(model.name, related.name, back.name, accessor, through)
                    self._use(spec.name, item.row)
                    rows.append(self.specs[item.row])
                spec.lists.append(item)
        # 3. one level deep: a through row nests the other side, other rows nest nothing
        for row in rows:
            pending[row.name] = self._detail_targets(row) if row.through else []
        # 4. every nested object is read flat (its own relations as pks): nothing transitive
        for name, targets in pending.items():
            spec = self.specs[name]
            for field_name, target in targets:
                nested = self._flat(target, pending)
                if self._use(spec.name, nested):
                    spec.details.append((field_name, target, nested))
        for spec in list(self.specs.values()):
            if spec.kind != "flat":
                self._m2m(spec)
        return self.specs

    def _through_lists(self, model: ModelIR):
        """(accessor, "nested", True) for each explicit through model joining ``model``."""
        seen: set[str] = set()
        for other, through, target in self.throughs:
            if through.name in seen or model.name not in (other, target):
                continue
            for accessor, related, _ in self._reverse_relations(model):
                if related.name == through.name:
                    seen.add(through.name)
                    yield accessor, "nested", True


def _walk(
    specs: dict[str, SerializerSpec],
    managers: dict[str, str],
    spec: SerializerSpec,
    lookup_prefix: str,
    select_prefix: str,
    selects: list[str],
    prefetches: list[PrefetchSpec],
) -> None:
    """Collect what ``spec`` reads: joins into ``selects`` (relative to the queryset being
    built), lists into the flat ``prefetches`` (parents before children)."""
    for name, _target, nested in spec.details:
        selects.append(select_prefix + name)
        _walk(
            specs,
            managers,
            specs[nested],
            f"{lookup_prefix}{name}__",
            f"{select_prefix}{name}__",
            selects,
            prefetches,
        )
    for name in spec.m2m:
        prefetches.append(PrefetchSpec(lookup_prefix + name))
    for item in spec.lists:
        lookup = lookup_prefix + item.name
        if item.mode != "nested" or item.row is None:
            prefetches.append(PrefetchSpec(lookup))
            continue
        entry = PrefetchSpec(lookup, item.related, managers.get(item.related, "objects"))
        prefetches.append(entry)
        _walk(specs, managers, specs[item.row], lookup + "__", "", entry.selects, prefetches)


def queries(
    specs: dict[str, SerializerSpec], managers: dict[str, str], model: str
) -> tuple[list[str], list[PrefetchSpec]]:
    """(select_related paths, prefetches) of ``model``'s serializer."""
    selects: list[str] = []
    prefetches: list[PrefetchSpec] = []
    _walk(specs, managers, specs[naming.serializer_name(model)], "", "", selects, prefetches)
    unique: dict[str, PrefetchSpec] = {}
    for entry in prefetches:
        known = unique.get(entry.lookup)
        if known is None or (known.model is None and entry.model is not None):
            unique[entry.lookup] = entry
    for entry in unique.values():
        entry.selects = list(dict.fromkeys(entry.selects))
    return list(dict.fromkeys(selects)), list(unique.values())


def _fits(*parts: str | int) -> bool:
    return sum(p if isinstance(p, int) else len(p) for p in parts) <= LINE_LENGTH


def prefetch_source(entry: PrefetchSpec, indent: int = 4) -> str:
    """One element of a prefetch tuple at ``indent``, laid out as ruff formats it."""
    if entry.model is None or not entry.selects:
        return py(entry.lookup)
    head = f"{entry.model}.{entry.manager}.select_related"
    selects = [py(s) for s in entry.selects]
    queryset = f"{head}({', '.join(selects)})"
    args = [py(entry.lookup), f"queryset={queryset}"]
    text = "Prefetch" + pycall(args, indent, "Prefetch", ",")
    lines = text.split("\n")
    if _fits(indent, lines[0], ",") and all(_fits(line) for line in lines[1:]):
        return text
    inner = indent + 4
    split = f"queryset={head}" + pycall(selects, inner, f"queryset={head}", ",")
    pad = " " * inner
    return f"Prefetch(\n{pad}{py(entry.lookup)},\n{pad}{split},\n{' ' * indent})"


def prefetch_constant(model: str) -> str:
    return f"{naming.snake_case(model).upper()}_PREFETCH"


def prefetch_assignment(model: str, entries: list[PrefetchSpec]) -> str:
    name = prefetch_constant(model)
    one_line = [prefetch_source(e, 0) for e in entries]
    flat = ", ".join(one_line) + ("," if len(one_line) == 1 else "")
    if all("\n" not in e for e in one_line) and _fits(f"{name} = ({flat})"):
        return f"{name} = ({flat})\n"
    body = "".join(f"    {prefetch_source(e, 4)},\n" for e in entries)
    return f"{name} = (\n{body})\n"


def _declared(spec: SerializerSpec) -> list[dict[str, Any]]:
    """The serializer template's declared fields for ``spec``'s lists."""
    out: list[dict[str, Any]] = []
    for item in spec.lists:
        if item.mode == "nested" and item.row is not None:
            call, args = item.row, ["many=True", "read_only=True"]
        else:
            call, args = "serializers.PrimaryKeyRelatedField", ["many=True", "read_only=True"]
        out.append({"name": item.name, "call": call, "args": args})
    return out


def _reads(
    specs: dict[str, SerializerSpec],
    module: ModuleIR,
    model: str,
    memo: dict[str, list[str]] | None = None,
) -> list[str]:
    """Every model (and many-to-many table, ``Model.field.through``) ``model``'s responses
    read, for cache invalidation. ``memo`` keeps what each serializer reads itself across the
    calls of one plan (the same row and flat serializers are reached from many models)."""
    memo = {} if memo is None else memo
    out: list[str] = [model]
    stack = [naming.serializer_name(model)]
    seen: set[str] = set()
    while stack:
        name = stack.pop()
        if name in seen or name not in specs:
            continue
        seen.add(name)
        spec = specs[name]
        own = memo.get(name)
        if own is None:
            own = memo[name] = _spec_reads(spec, module)
        out += own
        for _, _target, nested in spec.details:
            stack.append(nested)
        for item in spec.lists:
            if item.row is not None:
                stack.append(item.row)
    return list(dict.fromkeys(out))


def _spec_reads(spec: SerializerSpec, module: ModuleIR) -> list[str]:
    """What one serializer reads itself: its model, its many-to-many targets and tables, and
    the models (and tables) of its lists, in that order."""
    out: list[str] = [spec.model]
    owner = module.model(spec.model)
    for f in model_fields(module, owner).data_fields if owner is not None else ():
        if f.name in spec.m2m:
            target = same_module_target(module, f)
            if target is not None:
                out.append(target.name)
            declaring = _declaring(module, owner, f.name)
            out.append(f"{declaring}.{f.name}.through")
    for item in spec.lists:
        out.append(item.related)
        related = module.model(item.related)
        if item.back_kind == "m2m" and related is not None:
            out.append(f"{_declaring(module, related, item.back)}.{item.back}.through")
    return out


def _declaring(module: ModuleIR, model: ModelIR, name: str) -> str:
    current: ModelIR | None = model
    seen: set[str] = set()
    while current is not None and current.name not in seen:
        if any(f.name == name for f in current.fields):
            return current.name
        seen.add(current.name)
        label = current.mti_parent or (current.proxy_for if current.proxy else None)
        current = module.model(label.rpartition(".")[2]) if label else None
    return model.name


#: The object permission of through rows that link owned objects (in permissions.py).
RELATED_OWNER_PERMISSION = "IsRelatedOwnerOrStaffOrReadOnly"

RELATED_OWNER_PERMISSION_CODE = '''class IsRelatedOwnerOrStaffOrReadOnly(BasePermission):
    """Anyone may read; a write to a row that links owned objects (a many-to-many through row)
    needs the user to own each of them, or to be staff. The view names them in
    ``related_owner_fields`` as ``"<fk>__<owner field>"`` (``"post__author"``: the row's post
    must be the user's). Checked on the posted pk (create, update) and on the stored row
    (update, delete). A pk that does not exist is left to the serializer (a 400)."""

    message = "Only the owner of the related object or staff may change this row."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_staff or not isinstance(request.data, Mapping):
            return True
        model = view.get_queryset().model
        for path in view.related_owner_fields:
            name, _, owner = path.partition("__")
            value = request.data.get(name)
            if value is None:
                continue
            field = model._meta.get_field(name)
            related = field.related_model
            owner_column = related._meta.get_field(owner).attname
            lookup = {field.target_field.name: value}
            try:
                rows = related._default_manager.filter(**lookup)
                owners = list(rows.values_list(owner_column, flat=True)[:1])
            except (TypeError, ValueError, ValidationError):
                continue  # not a pk: the serializer answers 400
            if owners and owners[0] != user.pk:
                return False
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_staff:
            return True
        for path in view.related_owner_fields:
            name, _, owner = path.partition("__")
            related = getattr(obj, name, None)
            if related is None:
                continue
            if getattr(related, related._meta.get_field(owner).attname) != user.pk:
                return False
        return True
'''


def related_owner_fields(module: ModuleIR, owners: dict[str, str]) -> dict[str, list[str]]:
    """``{through model: ["post__author", ...]}``: the FKs of each explicit many-to-many
    through model to an owned model of the app, with that model's owner field."""
    out: dict[str, list[str]] = {}
    for model in module.concrete_models:
        for f in model_fields(module, model).data_fields:
            if not (f.is_m2m and has_through(f) and f.through):
                continue
            through = module.model(f.through.rpartition(".")[2])
            if through is None or through.name in out:
                continue
            paths = []
            for fk in model_fields(module, through).data_fields:
                if fk.relation not in ("fk", "o2o"):
                    continue
                target = same_module_target(module, fk)
                if target is not None and target.name in owners:
                    paths.append(f"{fk.name}__{owners[target.name]}")
            if paths:
                out[through.name] = paths
    return out


class RelationshipsGenerator:
    name = NAME

    def generate(self, context: GenerationContext) -> GenerationResult:
        module, config = context.module, context.config
        chosen = context.select()
        if not chosen:
            return GenerationResult()
        owners = {
            m.name: owner
            for m in module.concrete_models
            if (owner := owner_field(module, m, config.owner_fields)) is not None
        }
        planner = Planner(module, context.options(), owners)
        specs = planner.plan()
        managers = {m.name: m.default_manager or "_default_manager" for m in module.models}
        target = "api/relations.py" if config.layout == "api" else "relations.py"
        artifact = Artifact(
            generator=self.name,
            target=target,
            header=(
                f"What the {module.app_label} app's serializers read, prefetched: one tuple "
                "per model for its viewset's prefetch_related (written by djgen)."
            ),
        )
        guarded = related_owner_fields(module, owners)
        permissions = Artifact(
            generator=self.name,
            target=config.target("permissions"),
            imports=[
                Import("collections.abc", "Mapping"),
                Import("django.core.exceptions", "ValidationError"),
                Import("rest_framework.permissions", "SAFE_METHODS"),
                Import("rest_framework.permissions", "BasePermission"),
            ],
            header=f"Permissions of the {module.app_label} app's API.",
        )
        queryset_plan: dict[str, dict[str, Any]] = {}
        tests: dict[str, dict[str, Any]] = {}
        wanted = {m.name for m in chosen}
        for model in module.concrete_models:
            if naming.serializer_name(model.name) not in specs:
                continue
            selects, prefetches = queries(specs, managers, model.name)
            constant = prefetch_constant(model.name) if prefetches else None
            queryset_plan[model.name] = {
                "select_related": selects,
                "prefetch": constant,
                "module": ".relations",
            }
            if model.name in guarded:
                queryset_plan[model.name]["related_owner_fields"] = guarded[model.name]
                queryset_plan[model.name]["permission"] = RELATED_OWNER_PERMISSION
                if model.name in wanted and not permissions.definitions:
                    permissions.definitions.append(
                        Definition(
                            name=RELATED_OWNER_PERMISSION,
                            code=RELATED_OWNER_PERMISSION_CODE,
                        )
                    )
            spec = specs[naming.serializer_name(model.name)]
            if model.name in wanted and (selects or prefetches):
                tests[model.name] = _test_facts(module, spec, specs)
            if constant is None or model.name not in wanted:
                continue
            if any(e.model is not None and e.selects for e in prefetches):
                artifact.imports.append(Import("django.db.models", "Prefetch"))
            for entry in prefetches:
                if entry.model is not None and entry.selects:
                    artifact.imports.append(Import(config.models_module, entry.model))
            artifact.definitions.append(
                Definition(
                    name=constant,
                    code=prefetch_assignment(model.name, prefetches),
                    kind="assign",
                    model=model.name,
                )
            )
        serializer_plan = {
            "details": {s.model: s.details for s in specs.values() if s.kind == "model"},
            "lists": {
                s.model: _declared(s) for s in specs.values() if s.kind == "model" and s.lists
            },
            "rows": [
                {
                    "serializer": s.name,
                    "model": s.model,
                    "listed_on": s.listed_on,
                    "exclude": list(s.exclude),
                    "details": s.details,
                }
                for s in specs.values()
                if s.kind != "model"
            ],
            "uses": {user: sorted(used) for user, used in planner.uses.items()},
        }
        consumers = [name for name in ("serializer", "viewset") if name not in context.running]
        if consumers and artifact.definitions:
            artifact.notes.append(
                f"the relation plan reaches {' and '.join(consumers)} code only when they run "
                f"with it: djgen generate relationships,serializer,viewset {module.app_label} "
                "--write (--force replaces the definitions djgen wrote before)"
            )
        artifacts = [artifact] if artifact.definitions else []
        if permissions.definitions:
            artifacts.append(permissions)
        memo: dict[str, list[str]] = {}  # what each serializer reads itself
        return GenerationResult(
            artifacts=artifacts,
            provides={
                "serializer_plan": serializer_plan,
                "queryset_plan": queryset_plan,
                "reads": {
                    m.name: _reads(specs, module, m.name, memo)
                    for m in module.concrete_models
                    if naming.serializer_name(m.name) in specs
                },
                "tests": tests,
            },
        )


def _test_facts(
    module: ModuleIR, spec: SerializerSpec, specs: dict[str, SerializerSpec]
) -> dict[str, Any]:
    """What the generated query-count tests need for one model: its nested fields, and how to
    add a row to each list (``make_membership(post=obj)``)."""
    details = []
    for name, target, _nested in spec.details:
        target_model = module.model(target)
        pk = model_fields(module, target_model).pk_name if target_model is not None else "id"
        details.append({"field": name, "pk": pk})
    lists = []
    for item in spec.lists:
        related = module.model(item.related)
        back = None
        if related is not None:
            back = next(
                (f for f in model_fields(module, related).fields if f.name == item.back), None
            )
        if back is None or (back.is_m2m and has_through(back)):
            add = None
        elif back.is_m2m:
            add = "[obj]"
        else:
            add = "obj"
        lists.append(
            {
                "name": item.name,
                "mode": item.mode,
                "maker": f"make_{naming.snake_case(item.related)}",
                "back": item.back,
                "add": add,
            }
        )
    del specs
    m2m = []
    owner = module.model(spec.model)
    for f in model_fields(module, owner).data_fields if owner is not None else ():
        target = same_module_target(module, f) if f.name in spec.m2m else None
        if target is not None and target.concrete and not has_through(f):
            m2m.append({"name": f.name, "maker": f"make_{naming.snake_case(target.name)}"})
    return {"details": details, "lists": lists, "m2m": m2m}


GENERATOR = RelationshipsGenerator()
