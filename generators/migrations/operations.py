"""Migration operations as plain data: how each changes a project state, how Django describes
and names it, and how two of them fold into one (Django's optimizer rules).

Data path: ``loader`` (replayed from files) / ``autodetector`` (computed) → **operations** (this
module) → ``optimizer`` → ``writer``.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from typing import Any, ClassVar

from djgen.generators.migrations.state import (
    Code,
    FieldState,
    ModelState,
    ProjectState,
    literal_of,
    option_literal,
)

ALTER_OPTION_KEYS = [
    "base_manager_name",
    "default_manager_name",
    "default_related_name",
    "get_latest_by",
    "managed",
    "ordering",
    "permissions",
    "default_permissions",
    "select_on_save",
    "verbose_name",
    "verbose_name_plural",
]


#: ``models.Manager()`` as a migration may spell it (Django's CreateModel leaves it out).
_DEFAULT_MANAGER = frozenset(
    {"models.Manager()", "django.db.models.Manager()", "django.db.models.manager.Manager()"}
)


def code_kwarg(code: Code, name: str) -> Any:
    """The literal value of keyword ``name`` in a call expression (an index's ``name=``)."""
    return _code_kwarg(code.text, name)


@functools.lru_cache(maxsize=16384)
def _code_kwarg(text: str, name: str) -> Any:
    code = Code(text)
    try:
        node = ast.parse(code.text.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Call):
        return None
    for kw in node.keywords:
        if kw.arg == name:
            try:
                return ast.literal_eval(kw.value)
            except ValueError:
                return None
    return None


@dataclass
class Context:
    """What reduce/references need beyond the operations: the app and primary key names."""

    app_label: str
    pk_names: dict[str, str] = field(default_factory=dict)  # "app.model" → pk field name

    def pk_name(self, label: str) -> str:
        return self.pk_names.get(label, "id")


def _resolve(label: str, app_label: str) -> str:
    if "." in label:
        app, model = label.split(".", 1)
        return f"{app}.{model.lower()}"
    return f"{app_label}.{label.lower()}"


def field_references(
    model_label: str, fs: FieldState, ref_label: str, ctx: Context, ref_field: str | None = None
) -> bool:
    """Whether field ``fs`` (on ``model_label``) points at ``ref_label`` (and its ``ref_field``)."""
    target = fs.related_label(ctx.app_label)
    if "to" in fs.kwargs and target is None:
        target = "?"
    hit = target == ref_label
    through = fs.kw_literal("through")
    through_hit = isinstance(through, str) and _resolve(through, ctx.app_label) == ref_label
    if ref_field is None:
        return hit or through_hit
    if hit:
        # Django's ``field_references``: without ``to_field`` (``to_fields == [None]``) the
        # relation may reference any field of the target, as the optimizer passes no field.
        to_field = fs.kw_literal("to_field")
        if to_field is None or to_field == ref_field:
            return True
    if through_hit:
        through_fields = fs.kw_literal("through_fields")
        if not through_fields or ref_field in through_fields:
            return True
    return False


class Operation:
    """Base: conservative answers, like Django's ``Operation``."""

    kind: ClassVar[str] = "Operation"
    #: Constructor argument names in signature order (the writer keeps this order).
    signature: ClassVar[tuple[str, ...]] = ()
    expand: ClassVar[tuple[str, ...]] = ()
    elidable: bool = False

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        pass

    def describe(self) -> str:
        return self.kind

    @property
    def fragment(self) -> str | None:
        return None

    def write_args(self) -> dict[str, Any]:
        """Keyword arguments the writer prints (absent = left at its default)."""
        return {}

    def references_model(self, name: str, ctx: Context) -> bool:
        return True

    def references_field(self, model_name: str, name: str, ctx: Context) -> bool:
        return self.references_model(model_name, ctx)

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        if self.elidable:
            return [other]
        if other.elidable:
            return [self]
        return False

    # The model this operation is about (lowercase), when there is one.
    @property
    def model_lower(self) -> str | None:
        return None


# ----------------------------------------------------------------------------- model operations


class ModelOperation(Operation):
    name: str

    @functools.cached_property
    def name_lower(self) -> str:  # operations are never changed in place (``_with`` copies)
        return self.name.lower()

    @property
    def model_lower(self) -> str | None:
        return self.name_lower

    def references_model(self, name: str, ctx: Context) -> bool:
        return name.lower() == self.name_lower

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        return super().reduce(other, ctx) or not other.references_model(self.name, ctx)


@dataclass(eq=False)
class CreateModel(ModelOperation):
    name: str
    fields: list[tuple[str, FieldState]]
    options: dict[str, Any] = field(default_factory=dict)
    bases: list[Code] = field(default_factory=lambda: [Code("models.Model")])
    managers: list[tuple[str, Code]] = field(default_factory=list)

    kind = "CreateModel"
    signature = ("name", "fields", "options", "bases", "managers")
    expand = ("fields", "options", "managers")

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        opts = {
            k: list(v) if isinstance(v, list) else set(v) if isinstance(v, set) else v
            for k, v in self.options.items()
        }
        opts.setdefault("indexes", [])
        opts.setdefault("constraints", [])
        state.add(
            ModelState(
                app_label,
                self.name,
                {
                    n: FieldState(f.name, f.path, list(f.args), dict(f.kwargs))
                    for n, f in self.fields
                },
                opts,
                list(self.bases),
                list(self.managers),
            )
        )

    def describe(self) -> str:
        proxy = "proxy " if option_literal(self.options.get("proxy"), False) else ""
        return f"Create {proxy}model {self.name}"

    @property
    def fragment(self) -> str | None:
        return self.name_lower

    def write_args(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "fields": self.fields}
        if self.options:
            out["options"] = self.options
        if self.bases and [b.text for b in self.bases] != ["models.Model"]:
            out["bases"] = tuple(self.bases)
        if self.managers and not (
            len(self.managers) == 1
            and self.managers[0][0] == "objects"
            and self.managers[0][1].text in _DEFAULT_MANAGER
        ):
            out["managers"] = self.managers
        return out

    def references_model(self, name: str, ctx: Context) -> bool:
        name_lower = name.lower()
        if name_lower == self.name_lower:
            return True
        return f"{ctx.app_label}.{name_lower}" in self._field_targets(ctx)

    def _field_targets(self, ctx: Context) -> set[str]:
        """Models the fields point at (relations and through models), computed once."""
        cached = getattr(self, "_targets", None)
        if cached is not None and cached[0] == ctx.app_label:
            return cached[1]
        targets: set[str] = set()
        for base in self.bases:
            ok, value = literal_of(base.text)
            if ok and isinstance(value, str):
                targets.add(_resolve(value, ctx.app_label))
        for _, f in self.fields:
            target = f.related_label(ctx.app_label)
            if "to" in f.kwargs and target is None:
                target = "?"
            if target is not None:
                targets.add(target)
            through = f.kw_literal("through")
            if isinstance(through, str):
                targets.add(_resolve(through, ctx.app_label))
        self._targets = (ctx.app_label, targets)
        return targets

    def _with(self, **changes: Any) -> CreateModel:
        args = {
            "name": self.name,
            "fields": self.fields,
            "options": self.options,
            "bases": self.bases,
            "managers": self.managers,
        }
        args.update(changes)
        return CreateModel(**args)

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        same = other.model_lower == self.name_lower
        if not same and not isinstance(other, RenameModel):
            # every folding rule below is about this model (the optimizer asks this of all
            # pairs, so the common "unrelated operation" answer comes first)
            return super().reduce(other, ctx)
        if (
            isinstance(other, DeleteModel)
            and same
            and not option_literal(self.options.get("proxy"), False)
        ):
            return []
        if isinstance(other, RenameModel) and self.name_lower == other.old_name.lower():
            return [self._with(name=other.new_name)]
        if isinstance(other, AlterModelOptions) and same:
            options = {**self.options, **other.options}
            for key in ALTER_OPTION_KEYS:
                if key not in other.options:
                    options.pop(key, None)
            return [self._with(options=options)]
        if isinstance(other, AlterModelManagers) and same:
            return [self._with(managers=other.managers)]
        if isinstance(other, AlterModelTable) and same:
            return [self._with(options={**self.options, "db_table": other.table})]
        if isinstance(other, AlterModelTableComment) and same:
            return [self._with(options={**self.options, "db_table_comment": other.table_comment})]
        if isinstance(other, AlterTogether) and same:
            return [self._with(options={**self.options, other.option_name: other.value})]
        if isinstance(other, AlterOrderWithRespectTo) and same:
            return [
                self._with(
                    options={**self.options, "order_with_respect_to": other.order_with_respect_to}
                )
            ]
        if isinstance(other, FieldOperation) and same:
            if isinstance(other, AddField):
                return [self._with(fields=[*self.fields, (other.name, other.field)])]
            if isinstance(other, AlterField):
                return [
                    self._with(
                        fields=[(n, other.field if n == other.name else v) for n, v in self.fields]
                    )
                ]
            if isinstance(other, RemoveField):
                options = dict(self.options)
                for option_name in ("unique_together", "index_together"):
                    option = options.pop(option_name, None)
                    if option:
                        option = {
                            t
                            for t in (
                                tuple(f for f in fields if f != other.name_lower)
                                for fields in option
                            )
                            if t
                        }
                        if option:
                            options[option_name] = option
                if options.get("order_with_respect_to") == other.name_lower:
                    del options["order_with_respect_to"]
                return [
                    self._with(
                        fields=[(n, v) for n, v in self.fields if n.lower() != other.name_lower],
                        options=options,
                    )
                ]
            if isinstance(other, RenameField):
                options = dict(self.options)
                for option_name in ("unique_together", "index_together"):
                    option = options.get(option_name)
                    if option:
                        options[option_name] = {
                            tuple(other.new_name if f == other.old_name else f for f in fields)
                            for fields in option
                        }
                if options.get("order_with_respect_to") == other.old_name:
                    options["order_with_respect_to"] = other.new_name
                return [
                    self._with(
                        fields=[
                            (other.new_name if n == other.old_name else n, v)
                            for n, v in self.fields
                        ],
                        options=options,
                    )
                ]
        if isinstance(other, (AddIndex, AddConstraint)) and same:
            key = other.option_name
            return [
                self._with(options={**self.options, key: [*self.options.get(key, []), other.code]})
            ]
        if isinstance(other, (RemoveIndex, RemoveConstraint)) and same:
            key = other.option_name
            kept = [c for c in self.options.get(key, []) if code_kwarg(c, "name") != other.name]
            return [self._with(options={**self.options, key: kept})]
        return super().reduce(other, ctx)


@dataclass(eq=False)
class DeleteModel(ModelOperation):
    name: str
    kind = "DeleteModel"
    signature = ("name",)

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        state.models.pop((app_label, self.name_lower), None)

    def describe(self) -> str:
        return f"Delete model {self.name}"

    @property
    def fragment(self) -> str | None:
        return f"delete_{self.name_lower}"

    def write_args(self) -> dict[str, Any]:
        return {"name": self.name}

    def references_model(self, name: str, ctx: Context) -> bool:
        return True


@dataclass(eq=False)
class RenameModel(ModelOperation):
    old_name: str
    new_name: str
    kind = "RenameModel"
    signature = ("old_name", "new_name")

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.old_name

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.models.pop((app_label, self.old_name.lower()), None)
        if model is None:
            return
        model.name = self.new_name
        state.add(model)
        old = f"{app_label}.{self.old_name.lower()}"
        for other in state.models.values():
            for fs in other.fields.values():
                if fs.related_label(other.app_label) == old:
                    fs.kwargs["to"] = Code(repr(f"{app_label}.{self.new_name.lower()}"))

    def describe(self) -> str:
        return f"Rename model {self.old_name} to {self.new_name}"

    @property
    def fragment(self) -> str | None:
        return f"rename_{self.old_name.lower()}_{self.new_name.lower()}"

    def write_args(self) -> dict[str, Any]:
        return {"old_name": self.old_name, "new_name": self.new_name}

    def references_model(self, name: str, ctx: Context) -> bool:
        return name.lower() in (self.old_name.lower(), self.new_name.lower())

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        if isinstance(other, RenameModel) and self.new_name.lower() == other.old_name.lower():
            return [RenameModel(self.old_name, other.new_name)]
        # as Django: whether ``other`` can pass is asked about the new name
        return Operation.reduce(self, other, ctx) or not other.references_model(self.new_name, ctx)


class ModelOptionOperation(ModelOperation):
    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        if (
            isinstance(other, (type(self), DeleteModel))
            and other.model_lower == self.name_lower
            and (not isinstance(other, AlterTogether) or other.option_name == self.option_name)  # type: ignore[attr-defined]
        ):
            return [other]
        return super().reduce(other, ctx)


@dataclass(eq=False)
class AlterModelTable(ModelOptionOperation):
    name: str
    table: Any  # Code or None
    kind = "AlterModelTable"
    signature = ("name", "table")

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.name)
        if model is not None:
            model.options["db_table"] = self.table

    def describe(self) -> str:
        table = option_literal(self.table)
        return f"Rename table for {self.name} to {table if table is not None else '(default)'}"

    @property
    def fragment(self) -> str | None:
        return f"alter_{self.name_lower}_table"

    def write_args(self) -> dict[str, Any]:
        return {"name": self.name, "table": self.table}


@dataclass(eq=False)
class AlterModelTableComment(ModelOptionOperation):
    name: str
    table_comment: Any
    kind = "AlterModelTableComment"
    signature = ("name", "table_comment")

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.name)
        if model is not None:
            model.options["db_table_comment"] = self.table_comment

    def describe(self) -> str:
        return f"Alter {self.name} table comment"

    @property
    def fragment(self) -> str | None:
        return f"alter_{self.name_lower}_table_comment"

    def write_args(self) -> dict[str, Any]:
        return {"name": self.name, "table_comment": self.table_comment}


@dataclass(eq=False)
class AlterTogether(ModelOptionOperation):
    name: str
    value: set[tuple[str, ...]] | None
    option_name: str = "unique_together"
    kind = "AlterUniqueTogether"

    @property
    def signature(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("name", self.option_name)

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.name)
        if model is not None:
            model.options[self.option_name] = set(self.value or ())

    def describe(self) -> str:
        return f"Alter {self.option_name} for {self.name} ({len(self.value or ())} constraint(s))"

    @property
    def fragment(self) -> str | None:
        return f"alter_{self.name_lower}_{self.option_name}"

    def write_args(self) -> dict[str, Any]:
        return {"name": self.name, self.option_name: self.value}

    def references_field(self, model_name: str, name: str, ctx: Context) -> bool:
        return self.references_model(model_name, ctx) and (
            not self.value or any(name in fields for fields in self.value)
        )

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        result = super().reduce(other, ctx)
        if (
            result is False
            and isinstance(other, AlterTogether)
            and other.option_name != self.option_name
        ):
            return True  # Django's ``can_reduce_through``: unique_ and index_together pass
        return result


def AlterUniqueTogether(name: str, unique_together: Any) -> AlterTogether:
    value = set(unique_together) if unique_together else unique_together
    return AlterTogether(name, value, "unique_together")


def AlterIndexTogether(name: str, index_together: Any) -> AlterTogether:
    value = set(index_together) if index_together else index_together
    op = AlterTogether(name, value, "index_together")
    op.kind = "AlterIndexTogether"  # type: ignore[misc]
    return op


@dataclass(eq=False)
class AlterOrderWithRespectTo(ModelOptionOperation):
    name: str
    order_with_respect_to: str | None
    kind = "AlterOrderWithRespectTo"
    signature = ("name", "order_with_respect_to")

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.name)
        if model is not None:
            if self.order_with_respect_to:
                model.options["order_with_respect_to"] = self.order_with_respect_to
            else:
                model.options.pop("order_with_respect_to", None)

    def describe(self) -> str:
        return f"Set order_with_respect_to on {self.name} to {self.order_with_respect_to}"

    @property
    def fragment(self) -> str | None:
        return f"alter_{self.name_lower}_order_with_respect_to"

    def write_args(self) -> dict[str, Any]:
        return {"name": self.name, "order_with_respect_to": self.order_with_respect_to}

    def references_field(self, model_name: str, name: str, ctx: Context) -> bool:
        return self.references_model(model_name, ctx) and (
            self.order_with_respect_to is None or name == self.order_with_respect_to
        )


@dataclass(eq=False)
class AlterModelOptions(ModelOptionOperation):
    name: str
    options: dict[str, Any]
    kind = "AlterModelOptions"
    signature = ("name", "options")

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.name)
        if model is None:
            return
        model.options.update(self.options)
        for key in ALTER_OPTION_KEYS:
            if key not in self.options:
                model.options.pop(key, None)

    def describe(self) -> str:
        return f"Change Meta options on {self.name}"

    @property
    def fragment(self) -> str | None:
        return f"alter_{self.name_lower}_options"

    def write_args(self) -> dict[str, Any]:
        return {"name": self.name, "options": self.options}


@dataclass(eq=False)
class AlterModelManagers(ModelOptionOperation):
    name: str
    managers: list[tuple[str, Code]]
    kind = "AlterModelManagers"
    signature = ("name", "managers")
    expand = ("managers",)

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.name)
        if model is not None:
            model.managers = list(self.managers)

    def describe(self) -> str:
        return f"Change managers on {self.name}"

    @property
    def fragment(self) -> str | None:
        return f"alter_{self.name_lower}_managers"

    def write_args(self) -> dict[str, Any]:
        return {"name": self.name, "managers": self.managers}


# ----------------------------------------------------------------------------- field operations


class FieldOperation(Operation):
    model_name: str
    name: str
    field: FieldState | None = None

    @functools.cached_property
    def model_lower(self) -> str | None:  # operations are never changed in place
        return self.model_name.lower()

    @functools.cached_property
    def name_lower(self) -> str:
        return self.name.lower()

    def is_same_field(self, other: Operation) -> bool:
        return (
            isinstance(other, FieldOperation)
            and other.model_lower == self.model_lower
            and other.name_lower == self.name_lower
        )

    def references_model(self, name: str, ctx: Context) -> bool:
        name_lower = name.lower()
        if name_lower == self.model_lower:
            return True
        if self.field is None:
            return False
        memo = self.__dict__.setdefault("_references", {})
        key = (ctx.app_label, name_lower)
        if key not in memo:
            memo[key] = field_references(
                f"{ctx.app_label}.{self.model_lower}",
                self.field,
                f"{ctx.app_label}.{name_lower}",
                ctx,
            )
        return memo[key]

    def references_field(self, model_name: str, name: str, ctx: Context) -> bool:
        if model_name.lower() == self.model_lower:
            if name == self.name:
                return True
            if self.field is not None and "from_fields" in self.field.kwargs:
                from_fields = self.field.kw_literal("from_fields")
                if not isinstance(from_fields, (list, tuple)) or name in from_fields:
                    return True
        if self.field is None:
            return False
        return field_references(
            f"{ctx.app_label}.{self.model_lower}",
            self.field,
            f"{ctx.app_label}.{model_name.lower()}",
            ctx,
            name,
        )

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        return super().reduce(other, ctx) or not other.references_field(
            self.model_name, self.name, ctx
        )


class _SetsField(FieldOperation):
    """AddField and AlterField: both put ``field`` on the model (without its default when
    ``preserve_default`` is off) and write the same arguments."""

    field: FieldState  # type: ignore[assignment]
    preserve_default: bool

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.model_name)
        if model is None:
            return
        fs = FieldState(self.name, self.field.path, list(self.field.args), dict(self.field.kwargs))
        if not self.preserve_default:
            fs.kwargs.pop("default", None)
        model.fields[self.name] = fs

    def write_args(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model_name": self.model_name,
            "name": self.name,
            "field": self.field,
        }
        if not self.preserve_default:
            out["preserve_default"] = False
        return out


@dataclass(eq=False)
class AddField(_SetsField):
    model_name: str
    name: str
    field: FieldState  # type: ignore[assignment]
    preserve_default: bool = True
    kind = "AddField"
    signature = ("model_name", "name", "field", "preserve_default")

    def describe(self) -> str:
        return f"Add field {self.name} to {self.model_name}"

    @property
    def fragment(self) -> str | None:
        return f"{self.model_lower}_{self.name_lower}"

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        if self.is_same_field(other):
            if isinstance(other, AlterField):
                return [AddField(self.model_name, other.name, other.field)]
            if isinstance(other, RemoveField):
                return []
            if isinstance(other, RenameField):
                return [AddField(self.model_name, other.new_name, self.field)]
        return super().reduce(other, ctx)


@dataclass(eq=False)
class RemoveField(FieldOperation):
    model_name: str
    name: str
    kind = "RemoveField"
    signature = ("model_name", "name")

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.model_name)
        if model is not None:
            model.fields.pop(self.name, None)
            for option_name in ("unique_together", "index_together"):
                option = model.options.get(option_name)
                if option:
                    model.options[option_name] = {
                        t
                        for t in (tuple(f for f in fs if f != self.name_lower) for fs in option)
                        if t
                    }

    def describe(self) -> str:
        return f"Remove field {self.name} from {self.model_name}"

    @property
    def fragment(self) -> str | None:
        return f"remove_{self.model_lower}_{self.name_lower}"

    def write_args(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "name": self.name}

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        if isinstance(other, DeleteModel) and other.name_lower == self.model_lower:
            return [other]
        return super().reduce(other, ctx)


@dataclass(eq=False)
class AlterField(_SetsField):
    model_name: str
    name: str
    field: FieldState  # type: ignore[assignment]
    preserve_default: bool = True
    kind = "AlterField"
    signature = ("model_name", "name", "field", "preserve_default")

    def describe(self) -> str:
        return f"Alter field {self.name} on {self.model_name}"

    @property
    def fragment(self) -> str | None:
        return f"alter_{self.model_lower}_{self.name_lower}"

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        if isinstance(other, (AlterField, RemoveField)) and self.is_same_field(other):
            return [other]
        if (
            isinstance(other, RenameField)
            and self.is_same_field(other)
            and "db_column" not in self.field.kwargs
        ):
            return [other, AlterField(self.model_name, other.new_name, self.field)]
        return super().reduce(other, ctx)


@dataclass(eq=False)
class RenameField(FieldOperation):
    model_name: str
    old_name: str
    new_name: str
    kind = "RenameField"
    signature = ("model_name", "old_name", "new_name")

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.old_name

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.model_name)
        if model is None or self.old_name not in model.fields:
            return
        model.fields = {
            (self.new_name if n == self.old_name else n): f for n, f in model.fields.items()
        }
        model.fields[self.new_name].name = self.new_name
        for option_name in ("unique_together", "index_together"):
            option = model.options.get(option_name)
            if option:
                model.options[option_name] = {
                    tuple(self.new_name if f == self.old_name else f for f in fields)
                    for fields in option
                }
        if model.options.get("order_with_respect_to") == self.old_name:
            model.options["order_with_respect_to"] = self.new_name

    def describe(self) -> str:
        return f"Rename field {self.old_name} on {self.model_name} to {self.new_name}"

    @property
    def fragment(self) -> str | None:
        return f"rename_{self.old_name.lower()}_{self.model_lower}_{self.new_name.lower()}"

    def write_args(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "old_name": self.old_name, "new_name": self.new_name}

    def references_field(self, model_name: str, name: str, ctx: Context) -> bool:
        return self.references_model(model_name, ctx) and name.lower() in (
            self.old_name.lower(),
            self.new_name.lower(),
        )

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        if (
            isinstance(other, RenameField)
            and other.model_lower == self.model_lower
            and self.new_name.lower() == other.old_name.lower()
        ):
            return [RenameField(self.model_name, self.old_name, other.new_name)]
        return Operation.reduce(self, other, ctx) or not (
            other.references_field(self.model_name, self.old_name, ctx)
            or other.references_field(self.model_name, self.new_name, ctx)
        )


# ------------------------------------------------------------------- indexes and constraints


class IndexOperation(Operation):
    model_name: str
    option_name: ClassVar[str] = "indexes"

    @property
    def model_lower(self) -> str | None:
        return self.model_name.lower()


@dataclass(eq=False)
class AddIndex(IndexOperation):
    model_name: str
    code: Code
    kind = "AddIndex"
    signature = ("model_name", "index")

    @property
    def name(self) -> str:
        return code_kwarg(self.code, "name") or ""

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.model_name)
        if model is not None:
            model.indexes.append(self.code)

    def describe(self) -> str:
        fields = code_kwarg(self.code, "fields")
        if fields:
            return (
                f"Create index {self.name} on field(s) {', '.join(fields)} "
                f"of model {self.model_name}"
            )
        return f"Create index {self.name} on model {self.model_name}"

    @property
    def fragment(self) -> str | None:
        return f"{self.model_lower}_{self.name.lower()}"

    def write_args(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "index": self.code}

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        if isinstance(other, RemoveIndex) and other.name == self.name:
            return []
        if isinstance(other, RenameIndex) and other.old_name == self.name:
            renamed = Code(
                self.code.text.replace(repr(self.name), repr(other.new_name)), self.code.imports
            )
            return [AddIndex(self.model_name, renamed)]
        return super().reduce(other, ctx)


class _RemoveByName(IndexOperation):
    """RemoveIndex and RemoveConstraint: drop the named entry of ``option_name``."""

    name: str

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.model_name)
        if model is not None:
            kept = [
                c
                for c in model.options.get(self.option_name, [])
                if code_kwarg(c, "name") != self.name
            ]
            model.options[self.option_name] = kept

    @property
    def fragment(self) -> str | None:
        return f"remove_{self.model_lower}_{self.name.lower()}"

    def write_args(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "name": self.name}


@dataclass(eq=False)
class RemoveIndex(_RemoveByName):
    model_name: str
    name: str
    kind = "RemoveIndex"
    signature = ("model_name", "name")

    def describe(self) -> str:
        return f"Remove index {self.name} from {self.model_name}"


@dataclass(eq=False)
class RenameIndex(IndexOperation):
    model_name: str
    new_name: str
    old_name: str | None = None
    old_fields: tuple[str, ...] | None = None
    kind = "RenameIndex"
    signature = ("model_name", "new_name", "old_name", "old_fields")

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.model_name)
        if model is None:
            return
        if self.old_fields:
            fields = tuple(self.old_fields)
            model.options["index_together"] = {
                t for t in model.options.get("index_together", set()) if tuple(t) != fields
            }
            listed = ", ".join(repr(f) for f in fields)
            model.indexes.append(
                Code(
                    f"models.Index(fields=[{listed}], name={self.new_name!r})",
                    frozenset({"from django.db import models"}),
                )
            )
            return
        renamed = []
        for c in model.indexes:
            if code_kwarg(c, "name") == self.old_name:
                c = Code(
                    c.text.replace(repr(self.old_name), repr(self.new_name)),
                    c.imports,
                )
            renamed.append(c)
        model.options["indexes"] = renamed

    def describe(self) -> str:
        if self.old_name:
            return f"Rename index {self.old_name} on {self.model_name} to {self.new_name}"
        return f"Rename unnamed index for {self.old_fields} on {self.model_name} to {self.new_name}"

    @property
    def fragment(self) -> str | None:
        if self.old_name:
            return f"rename_{self.old_name.lower()}_{self.new_name.lower()}"
        return (
            f"rename_{self.model_lower}_{'_'.join(self.old_fields or ())}_{self.new_name.lower()}"
        )

    def write_args(self) -> dict[str, Any]:
        out: dict[str, Any] = {"model_name": self.model_name, "new_name": self.new_name}
        if self.old_name:
            out["old_name"] = self.old_name
        else:
            out["old_fields"] = self.old_fields
        return out

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        if (
            isinstance(other, RenameIndex)
            and other.model_lower == self.model_lower
            and other.old_name
            and self.new_name.lower() == other.old_name.lower()
        ):
            return [RenameIndex(self.model_name, other.new_name, self.old_name, self.old_fields)]
        return super().reduce(other, ctx)


@dataclass(eq=False)
class AddConstraint(IndexOperation):
    model_name: str
    code: Code
    kind = "AddConstraint"
    signature = ("model_name", "constraint")
    option_name = "constraints"

    @property
    def name(self) -> str:
        return code_kwarg(self.code, "name") or ""

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.model_name)
        if model is not None:
            model.constraints.append(self.code)

    def describe(self) -> str:
        return f"Create constraint {self.name} on model {self.model_name}"

    @property
    def fragment(self) -> str | None:
        return f"{self.model_lower}_{self.name.lower()}"

    def write_args(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "constraint": self.code}

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        if (
            isinstance(other, (RemoveConstraint, AlterConstraint))
            and other.model_lower == self.model_lower
            and other.name == self.name
        ):
            return (
                []
                if isinstance(other, RemoveConstraint)
                else [AddConstraint(self.model_name, other.code)]
            )
        return super().reduce(other, ctx)


@dataclass(eq=False)
class RemoveConstraint(_RemoveByName):
    model_name: str
    name: str
    kind = "RemoveConstraint"
    signature = ("model_name", "name")
    option_name = "constraints"

    def describe(self) -> str:
        return f"Remove constraint {self.name} from model {self.model_name}"


@dataclass(eq=False)
class AlterConstraint(IndexOperation):
    model_name: str
    name: str
    code: Code
    kind = "AlterConstraint"
    signature = ("model_name", "name", "constraint")
    option_name = "constraints"

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        model = state.get(app_label, self.model_name)
        if model is not None:
            model.options["constraints"] = [
                self.code if code_kwarg(c, "name") == self.name else c for c in model.constraints
            ]

    def describe(self) -> str:
        return f"Alter constraint {self.name} on {self.model_name}"

    @property
    def fragment(self) -> str | None:
        return f"alter_{self.model_lower}_{self.name.lower()}"

    def write_args(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "name": self.name, "constraint": self.code}

    def reduce(self, other: Operation, ctx: Context) -> list[Operation] | bool:
        if (
            isinstance(other, (AlterConstraint, RemoveConstraint))
            and other.model_lower == self.model_lower
            and other.name == self.name
        ):
            return [other]
        return super().reduce(other, ctx)


# ----------------------------------------------------------------------------- special


@dataclass(eq=False)
class StateOnly(Operation):
    """RunPython / RunSQL / unknown operations: no effect on the state."""

    kind_name: str = "RunPython"
    kind = "RunPython"

    def describe(self) -> str:
        return self.kind_name


@dataclass(eq=False)
class SeparateDatabaseAndState(Operation):
    """State operations applied to the project state only; ``database_operations`` (written,
    never replayed: they do not change the state) run on the database instead."""

    state_operations: list[Operation] = field(default_factory=list)
    database_operations: list[Operation] = field(default_factory=list)
    kind = "SeparateDatabaseAndState"
    signature = ("database_operations", "state_operations")
    expand = ("database_operations", "state_operations")

    def state_forwards(self, state: ProjectState, app_label: str) -> None:
        for op in self.state_operations:
            op.state_forwards(state, app_label)

    def describe(self) -> str:
        return "Custom state/database change combination"

    def write_args(self) -> dict[str, Any]:
        """Like Django's ``deconstruct``: an empty list is left out."""
        out: dict[str, Any] = {}
        if self.database_operations:
            out["database_operations"] = self.database_operations
        if self.state_operations:
            out["state_operations"] = self.state_operations
        return out
