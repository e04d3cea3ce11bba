"""Relation fixes on models.py: add a missing ``related_name`` or ``on_delete``, and turn an
implicit ManyToManyField into an explicit through model.

Data path: models.py → IR (``ast``: which relation fields lack what, the names already taken on
the target) → **relation fixes** (this module: LibCST, one call argument or one class at a time)
→ models.py text → WorkspaceEdit (the editor's relation actions). The through conversion's
migration is written by ``djgen.generators.migrations.through``.

Every node that is not edited keeps its bytes: an argument is added with the separator style of
its neighbours (one line, or one argument per line with a trailing comma) and the new class is
inserted after the last model it names, with the module's indentation.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from djgen.generators.core.ir import FieldIR, ModelIR, ModuleIR
from djgen.generators.core.naming import pluralize, words

#: Django's relation classes these fixes understand (library fields such as TaggableManager
#: build their own through models and are left alone).
RELATION_CLASSES = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})
#: ``on_delete`` choices offered, in the order shown; SET_NULL also needs ``null=True``.
ON_DELETE_CHOICES = ("CASCADE", "PROTECT", "SET_NULL")
#: ManyToManyField arguments the through conversion cannot carry over to a through model
#: without changing the table (the user decides those by hand).
_UNCONVERTIBLE = ("db_constraint", "db_tablespace", "through_fields", "swappable")
#: The longest table name every backend Django ships keeps untruncated except Oracle (30):
#: PostgreSQL's limit; Django shortens longer auto-created M2M table names per backend.
_MAX_TABLE_NAME = 63


class RelationFixError(ValueError):
    """The fix cannot be made (the field changed, or the conversion would lose the table)."""


# -- what is missing (IR only, cheap) -----------------------------------------------------------


def is_django_relation(f: FieldIR) -> bool:
    return f.relation is not None and f.internal_type in RELATION_CLASSES and f.known


def lacks_on_delete(f: FieldIR) -> bool:
    """A ForeignKey / OneToOneField without ``on_delete``: Django raises TypeError at import."""
    return (
        is_django_relation(f)
        and f.relation in ("fk", "o2o")
        and "on_delete" not in f.kwargs
        and not f.auto_created
        and f.inherited_from is None
    )


def lacks_related_name(model: ModelIR, f: FieldIR) -> bool:
    """A relation with no ``related_name`` of its own nor ``Meta.default_related_name``."""
    return (
        is_django_relation(f)
        and "related_name" not in f.kwargs
        and not model.meta.default_related_name
        and not f.auto_created
        and not f.parent_link
        and f.inherited_from is None
        and f.related_model is not None
    )


def is_implicit_m2m(f: FieldIR) -> bool:
    """A ManyToManyField whose join table Django creates (no ``through``)."""
    return (
        is_django_relation(f)
        and f.relation == "m2m"
        and "through" not in f.kwargs
        and f.inherited_from is None
        and f.related_model is not None
    )


def _model_by_label(module: ModuleIR, label: str | None) -> ModelIR | None:
    for model in module.models:
        if model.label == label or (label and model.label.lower() == label.lower()):
            return model
    return None


def _formatted(value: str, model: ModelIR) -> str:
    return value.replace("%(class)s", model.name.lower()).replace(
        "%(app_label)s", model.app_label.lower()
    )


@dataclass(frozen=True)
class Reverse:
    """What a relation puts on its target, as Django's ``_check_clashes`` sees it."""

    model: ModelIR
    field: FieldIR
    target: str  # the target's label, lower case
    hidden: bool  # related_name ending in "+", or a symmetrical relation to self
    accessor: str | None  # ``remote_field.accessor_name`` ("post_set"); None when symmetrical
    query: str  # ``related_query_name()`` ("post")


def reverse_of(model: ModelIR, f: FieldIR) -> Reverse | None:
    if not f.is_relation or f.related_model is None:
        return None
    target = f.related_model.lower()
    symmetrical = (
        f.relation == "m2m" and target == model.label.lower() and f.kwarg("symmetrical", True)
    )
    related = f.related_name or model.meta.default_related_name
    related = _formatted(related, model) if related else None
    name = model.name.lower()
    if symmetrical:
        accessor = None
    elif related:
        accessor = related
    else:
        accessor = name if f.relation == "o2o" else f"{name}_set"
    query = f.related_query_name or related or name
    hidden = symmetrical or bool(related and related.endswith("+"))
    return Reverse(model, f, target, hidden, accessor, query)


def _reverses(module: ModuleIR) -> list[Reverse]:
    out = []
    for model in module.models:
        if model.abstract or model.proxy:
            continue  # a proxy's fields are its concrete model's
        for f in model.fields:
            found = reverse_of(model, f)
            if found is not None:
                out.append(found)
    return out


def taken_names(module: ModuleIR, target_label: str, skip: FieldIR | None = None) -> set[str]:
    """Names already used on the target: its own fields and the reverse accessors and query
    names other relations in this module give it (as far as this module knows)."""
    taken: set[str] = set()
    target = _model_by_label(module, target_label)
    if target is not None:
        taken |= {f.name for f in target.fields} | {f.attname for f in target.fields}
    for other in _reverses(module):
        if other.field is skip or other.target != target_label.lower():
            continue
        if other.accessor and not other.hidden:
            taken.add(other.accessor)
        if not other.hidden:
            taken.add(other.query)
    return taken


@dataclass(frozen=True)
class Clash:
    """A reverse name Django's system checks refuse (fields.E302-E305), on ``model.field``."""

    model: str
    field: str
    check: str
    message: str


def clashes(module: ModuleIR) -> list[Clash]:
    """Django's accessor and reverse query name checks, for what this module shows: the
    target's fields when the target is in it, the reverse names of its own relations.
    (Indexed by target and name: linear in the relations, as it runs on every analysis.)"""
    reverses = _reverses(module)
    fields_of = {
        m.label.lower(): {f.name for f in m.fields} for m in module.models if not m.abstract
    }
    #: target → accessor → the relations that put it there (Django's ``related_objects``:
    #: hidden ForeignKeys are not in it, hidden ManyToManyFields are)
    accessors: dict[str, dict[str, list[Reverse]]] = {}
    for other in reverses:
        if other.accessor and not (other.hidden and other.field.relation != "m2m"):
            accessors.setdefault(other.target, {}).setdefault(other.accessor, []).append(other)
    out: list[Clash] = []
    for mine in reverses:
        if mine.field.inherited_from is not None or mine.field.auto_created:
            continue
        where = f"{mine.model.name}.{mine.field.name}"
        target_name = (mine.field.related_model or "").rpartition(".")[2]
        names = fields_of.get(mine.target, set())
        if not mine.hidden and mine.accessor in names:
            out.append(
                Clash(
                    mine.model.name,
                    mine.field.name,
                    "fields.E302",
                    f"{where}: reverse accessor '{target_name}.{mine.accessor}' clashes "
                    f"with the field {target_name}.{mine.accessor}",
                )
            )
        if mine.query in names:
            out.append(
                Clash(
                    mine.model.name,
                    mine.field.name,
                    "fields.E303",
                    f"{where}: reverse query name '{mine.query}' clashes with the field "
                    f"{target_name}.{mine.query}",
                )
            )
        on_target = accessors.get(mine.target, {})
        if not mine.hidden and mine.accessor:
            for other in on_target.get(mine.accessor, []):
                if other.field is not mine.field:
                    out.append(
                        Clash(
                            mine.model.name,
                            mine.field.name,
                            "fields.E304",
                            f"{where}: reverse accessor '{target_name}.{mine.accessor}' "
                            f"clashes with the reverse accessor of "
                            f"{other.model.name}.{other.field.name}",
                        )
                    )
        for other in on_target.get(mine.query, []):
            if other.field is not mine.field:
                out.append(
                    Clash(
                        mine.model.name,
                        mine.field.name,
                        "fields.E305",
                        f"{where}: reverse query name '{mine.query}' clashes with the reverse "
                        f"accessor of {other.model.name}.{other.field.name}",
                    )
                )
    return out


def related_name_for(module: ModuleIR, model: ModelIR, f: FieldIR) -> str:
    """A related_name for ``f``: the source model's plural snake name for a ForeignKey or
    ManyToManyField (``books``), its snake name for a OneToOneField (``profile``); when that is
    taken on the target, ``<name>_as_<field>``, then numbered."""
    parts = words(model.name) or [model.name.lower()]
    if f.relation != "o2o":
        parts = [*parts[:-1], pluralize(parts[-1])]
    base = "_".join(parts)
    taken = taken_names(module, f.related_model or "", skip=f)
    for candidate in (base, f"{base}_as_{f.name}"):
        if candidate not in taken and candidate.isidentifier():
            return candidate
    number = 2
    while f"{base}_as_{f.name}{number}" in taken:
        number += 1
    return f"{base}_as_{f.name}{number}"


# -- the through model Django would have created -----------------------------------------------


@dataclass(frozen=True)
class ThroughPlan:
    """The explicit through model that keeps the implicit table: same table, same columns."""

    model: str  # the model holding the M2M ("Post")
    field: str  # the M2M field ("tags")
    name: str  # the new class ("PostTag")
    db_table: str  # the implicit table's name ("blog_post_tags")
    source_field: str  # the FK to ``model`` ("post"; "from_post" on a self relation)
    target_field: str  # the FK to the target ("tag"; "to_post" on a self relation)
    source_ref: str  # how the class refers to ``model`` ("Post")
    target_ref: str  # how it refers to the target (the M2M's own ``to`` text, or "Post")
    #: The FKs' reverse accessors: Django's default (``posttag_set``) unless that clashes
    #: (always on a self relation: both FKs point at one model), then hidden ("+") as in
    #: the implicit model.
    hidden_reverse: bool = False


def _table_of(model: ModelIR) -> str:
    return model.meta.db_table or f"{model.app_label}_{model.name.lower()}".lower()


def through_plan(module: ModuleIR, model: ModelIR, f: FieldIR) -> ThroughPlan:
    """What the conversion writes; RelationFixError when it cannot keep the table as it is."""
    if not is_implicit_m2m(f):
        raise RelationFixError(f"{model.name}.{f.name} is not an implicit ManyToManyField")
    unsupported = [k for k in _UNCONVERTIBLE if k in f.kwargs]
    if unsupported:
        raise RelationFixError(
            f"{model.name}.{f.name} sets {', '.join(unsupported)}: convert it by hand"
        )
    db_table = f.kwarg("db_table")
    if "db_table" in f.kwargs and not isinstance(db_table, str):
        raise RelationFixError(f"{model.name}.{f.name}: db_table is not a literal string")
    if not isinstance(db_table, str):
        db_table = f"{_table_of(model)}_{f.name}"
        if len(db_table) > _MAX_TABLE_NAME:
            raise RelationFixError(
                f"the join table name {db_table!r} is longer than {_MAX_TABLE_NAME} characters: "
                "Django shortens it per database backend, so djgen cannot tell its name"
            )
    target_name = (f.related_model or "").rpartition(".")[2]
    to = target_name.lower()
    source = model.name.lower()
    self_relation = (f.related_model or "").lower() == model.label.lower()
    if self_relation:
        source, to = f"from_{source}", f"to_{to}"
    to_value = f.kwargs.get("to")
    target_ref = model.name if self_relation or to_value is None else to_value.source
    existing = {m.name for m in module.models}
    name = f"{model.name}{target_name}"
    if name in existing:
        name = f"{model.name}{''.join(w.capitalize() for w in words(f.name))}"
    number = 2
    base = name
    while name in existing:
        name = f"{base}{number}"
        number += 1
    accessor = f"{name.lower()}_set"
    hidden = self_relation or any(
        accessor in taken_names(module, label) or name.lower() in taken_names(module, label)
        for label in (model.label, f.related_model or "")
    )
    return ThroughPlan(
        model=model.name,
        field=f.name,
        name=name,
        db_table=db_table,
        source_field=source,
        target_field=to,
        source_ref=model.name,
        target_ref=target_ref,
        hidden_reverse=hidden,
    )


# -- LibCST edits ---------------------------------------------------------------------------------


def _field_call(module: cst.Module, model: str, field: str) -> tuple[cst.ClassDef, cst.Call]:
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == model:
            for line in stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else []:
                if not isinstance(line, cst.SimpleStatementLine):
                    continue
                for small in line.body:
                    value = None
                    if isinstance(small, cst.Assign) and len(small.targets) == 1:
                        target = small.targets[0].target
                        if isinstance(target, cst.Name) and target.value == field:
                            value = small.value
                    elif (
                        isinstance(small, cst.AnnAssign)
                        and isinstance(small.target, cst.Name)
                        and small.target.value == field
                    ):
                        value = small.value
                    if isinstance(value, cst.Call):
                        return stmt, value
    raise RelationFixError(f"{model}.{field} is no longer a field call in this file")


def _keyword(name: str, value: str) -> cst.Arg:
    return cst.Arg(
        keyword=cst.Name(name),
        value=cst.parse_expression(value),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


def _next_line(space: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
    """The same line break and indentation, without the comment or blank lines it carried."""
    return space.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])


def _separator(call: cst.Call, args: list[cst.Arg]) -> cst.Comma:
    """The comma between two arguments as the call writes them: ", ", or a line break and the
    arguments' indentation when they are one per line."""
    for arg in args[:-1]:
        if isinstance(arg.comma, cst.Comma):
            after = arg.comma.whitespace_after
            if isinstance(after, cst.ParenthesizedWhitespace):
                return arg.comma.with_changes(whitespace_after=_next_line(after))
            return arg.comma
    opening = call.whitespace_before_args
    if isinstance(opening, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=_next_line(opening))
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _broken_at(comma: cst.Comma, separator: cst.Comma) -> cst.Comma:
    """``comma`` continuing to the next argument: its own comment kept, the separator's
    indentation."""
    after, inner = comma.whitespace_after, separator.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace) and isinstance(
        inner, cst.ParenthesizedWhitespace
    ):
        return comma.with_changes(
            whitespace_after=inner.with_changes(
                first_line=after.first_line, empty_lines=after.empty_lines
            )
        )
    return separator


def _with_arguments(call: cst.Call, add: dict[str, str], drop: tuple[str, ...] = ()) -> cst.Call:
    """``call`` with keyword arguments set (replaced in place when present, else appended in
    the call's own layout) and ``drop`` removed."""
    args = list(call.args)
    separator = _separator(call, args)
    kept: list[cst.Arg] = []
    for index, arg in enumerate(args):
        name = arg.keyword.value if arg.keyword is not None else None
        if name in drop:
            if index == len(args) - 1 and kept:
                kept[-1] = kept[-1].with_changes(
                    comma=arg.comma, whitespace_after_arg=arg.whitespace_after_arg
                )
            continue
        if name in add:
            arg = arg.with_changes(value=cst.parse_expression(add[name]))
        kept.append(arg)
    present = {a.keyword.value for a in kept if a.keyword is not None}
    new = [_keyword(k, v) for k, v in add.items() if k not in present]
    if not new:
        return call.with_changes(args=kept)
    if not kept:
        return call.with_changes(args=new)
    last = kept[-1]
    out = list(kept[:-1])
    if isinstance(last.comma, cst.Comma):  # a trailing comma: the new last argument keeps it
        closing = last.comma.whitespace_after
        trailing = last.comma
        if isinstance(closing, cst.ParenthesizedWhitespace):
            trailing = last.comma.with_changes(whitespace_after=_next_line(closing))
        out.append(last.with_changes(comma=_broken_at(last.comma, separator)))
        tail = {"comma": trailing}
    else:  # no trailing comma: the space before ")" moves to the new last argument
        out.append(
            last.with_changes(comma=separator, whitespace_after_arg=cst.SimpleWhitespace(""))
        )
        tail = {"whitespace_after_arg": last.whitespace_after_arg}
    out.extend(arg.with_changes(comma=separator) for arg in new[:-1])
    out.append(new[-1].with_changes(**tail))
    return call.with_changes(args=out)


class _ReplaceCall(cst.CSTTransformer):
    def __init__(self, old: cst.Call, new: cst.Call) -> None:
        self.old = old
        self.new = new

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        return self.new if original is self.old else updated


def _edit_call(text: str, model: str, field: str, add: dict[str, str], drop=()) -> str:
    module = cst.parse_module(text)
    _, call = _field_call(module, model, field)
    new = _with_arguments(call, add, tuple(drop))
    return module.visit(_ReplaceCall(call, new)).code


def models_prefix(text: str, model: str, field: str) -> str | None:
    """How the field call names Django's models module (``models.``), for ``models.CASCADE``;
    None when the class is imported bare (then the module has no name to use)."""
    module = cst.parse_module(text)
    _, call = _field_call(module, model, field)
    func = call.func
    if isinstance(func, cst.Attribute):
        return module.code_for_node(func.value) + "."
    return None


def add_related_name(text: str, model: str, field: str, name: str) -> str:
    return _edit_call(text, model, field, {"related_name": _quoted(text, name)})


def add_on_delete(text: str, model: str, field: str, choice: str) -> str:
    """``on_delete=models.<choice>`` (SET_NULL also sets ``null=True``)."""
    if choice not in ON_DELETE_CHOICES:
        raise RelationFixError(f"unknown on_delete choice {choice!r}")
    prefix = models_prefix(text, model, field)
    if prefix is None:
        raise RelationFixError(f"{model}.{field}: the field class is imported bare")
    add = {"on_delete": f"{prefix}{choice}"}
    if choice == "SET_NULL":
        add["null"] = "True"
    return _edit_call(text, model, field, add)


def _quoted(text: str, value: str) -> str:
    """``value`` as a string literal in the file's quote style (double unless it uses single)."""
    double, single = text.count('"'), text.count("'")
    return f"'{value}'" if single > double else f'"{value}"'


def _indent(module: cst.Module) -> str:
    return module.default_indent or "    "


def through_class_source(plan: ThroughPlan, prefix: str, quote: str, indent: str) -> str:
    q = quote
    i = indent
    hidden = f", related_name={q}+{q}" if plan.hidden_reverse else ""
    return (
        f"class {plan.name}({prefix}Model):\n"
        f"{i}{plan.source_field} = {prefix}ForeignKey({plan.source_ref}, "
        f"on_delete={prefix}CASCADE{hidden})\n"
        f"{i}{plan.target_field} = {prefix}ForeignKey({plan.target_ref}, "
        f"on_delete={prefix}CASCADE{hidden})\n"
        "\n"
        f"{i}class Meta:\n"
        f"{i}{i}db_table = {q}{plan.db_table}{q}\n"
        f"{i}{i}unique_together = (({q}{plan.source_field}{q}, {q}{plan.target_field}{q}),)\n"
    )


def convert_to_through(
    text: str, module_ir: ModuleIR, model: str, field: str
) -> tuple[str, ThroughPlan]:
    """models.py with the through class added (after the last model it names) and
    ``through="<Name>"`` set on the field (``db_table`` moves to the class's Meta)."""
    source = next((m for m in module_ir.models if m.name == model), None)
    f = source.field(field) if source is not None else None
    if source is None or f is None:
        raise RelationFixError(f"{model}.{field} is not a field of this file")
    plan = through_plan(module_ir, source, f)
    prefix = models_prefix(text, model, field)
    if prefix is None:
        raise RelationFixError(f"{model}.{field}: the field class is imported bare")
    quote = _quoted(text, "")[0]
    tree = cst.parse_module(text)
    _, call = _field_call(tree, model, field)
    new_call = _with_arguments(call, {"through": f"{quote}{plan.name}{quote}"}, ("db_table",))
    tree = tree.visit(_ReplaceCall(call, new_call))
    names = {model}
    target = _model_by_label(module_ir, f.related_model)
    if target is not None and target.path in (None, source.path):
        names.add(target.name)
    last = max(
        index
        for index, stmt in enumerate(tree.body)
        if isinstance(stmt, cst.ClassDef) and stmt.name.value in names
    )
    klass = cst.parse_statement(through_class_source(plan, prefix, quote, _indent(tree)))
    blank = cst.EmptyLine(indent=False, whitespace=cst.SimpleWhitespace(""))
    klass = klass.with_changes(leading_lines=[blank, blank])
    body = list(tree.body)
    body.insert(last + 1, klass)
    return tree.with_changes(body=body).code, plan
