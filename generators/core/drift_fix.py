"""Drift fixes: the smallest LibCST edit for each stale place ``core.drift`` found.

Data path: models.py → IR → generators → drift (``ast``: what is stale) → **fix** (this module:
LibCST, one list element, call argument, declared filter, class or ``router.register`` call at
a time) → file text → WorkspaceEdit or ``djgen generate --fix-drift``.

Every node that is not edited keeps its bytes: elements are removed with the separator style of
their neighbours, inserted with it, and renamed with the same quotes.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import libcst as cst

if TYPE_CHECKING:
    from djgen.generators.core.drift import DriftItem

DECLARED = "filters"


# -- sequences of elements (tuple/list elements, call arguments, import names) ----------------


def _is_comma(value: Any) -> bool:
    return isinstance(value, cst.Comma)


def _separator(items: Sequence[Any], opening: Any) -> cst.Comma:
    for item in items[:-1]:
        if _is_comma(item.comma):
            return item.comma
    if isinstance(opening, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=opening)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _remove(items: Sequence[Any], index: int, *, keep_tuple: bool) -> list[Any]:
    out = list(items)
    removed = out.pop(index)
    if index == len(out) and out:
        out[-1] = out[-1].with_changes(comma=removed.comma)
    if keep_tuple and len(out) == 1 and not _is_comma(out[0].comma):
        out[0] = out[0].with_changes(comma=cst.Comma())
    if (
        keep_tuple
        and len(out) == 1
        and _is_comma(out[0].comma)
        and not isinstance(out[0].comma.whitespace_after, cst.ParenthesizedWhitespace)
    ):
        out[0] = out[0].with_changes(comma=cst.Comma())
    return out


def _insert(
    items: Sequence[Any], index: int, new: Any, opening: Any, *, keep_tuple: bool
) -> list[Any]:
    out = list(items)
    if not out:
        return [new.with_changes(comma=cst.Comma() if keep_tuple else cst.MaybeSentinel.DEFAULT)]
    separator = _separator(out, opening)
    if index < len(out):
        out.insert(index, new.with_changes(comma=separator))
        return out
    last = out[-1]
    trailing = last.comma
    if _is_comma(trailing) and not isinstance(
        trailing.whitespace_after, cst.ParenthesizedWhitespace
    ):
        trailing = cst.MaybeSentinel.DEFAULT  # ("id",) + x → ("id", "x")
    out[-1] = last.with_changes(comma=separator)
    out.append(new.with_changes(comma=trailing))
    return out


def _string_value(node: Any) -> str | None:
    if isinstance(node, cst.SimpleString):
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, str) else None
    return None


def _quoted(value: str, like: Sequence[Any]) -> cst.SimpleString:
    quote = '"'
    for item in like:
        if isinstance(item.value, cst.SimpleString) and item.value.value[:1] in "'\"":
            quote = item.value.value[0]
            break
    return cst.SimpleString(f"{quote}{value}{quote}")


def _edit_elements(
    items: Sequence[Any], item: DriftItem, opening: Any, *, keep_tuple: bool, make: Any
) -> list[Any]:
    values = [_string_value(i.value) for i in items]
    if item.kind == "stale" and item.name in values:
        return _remove(items, values.index(item.name), keep_tuple=keep_tuple)
    if item.kind == "rename" and item.name in values and item.new_name:
        index = values.index(item.name)
        old = items[index].value
        quote = old.value[0] if old.value[:1] in "'\"" else '"'
        out = list(items)
        out[index] = out[index].with_changes(
            value=old.with_changes(value=f"{quote}{item.new_name}{quote}")
        )
        return out
    if item.kind == "missing" and item.name not in values:
        index = values.index(item.after) + 1 if item.after in values else 0
        new = make(_quoted(item.name, items))
        return _insert(items, index, new, opening, keep_tuple=keep_tuple)
    return list(items)


def _edit_sequence(node: Any, item: DriftItem) -> Any:
    """A Tuple or List literal with the item's element edited."""
    if isinstance(node, cst.Tuple):
        opening = node.lpar[0].whitespace_after if node.lpar else None
        return node.with_changes(
            elements=_edit_elements(
                node.elements, item, opening, keep_tuple=True, make=lambda v: cst.Element(v)
            )
        )
    if isinstance(node, cst.List):
        return node.with_changes(
            elements=_edit_elements(
                node.elements,
                item,
                node.lbracket.whitespace_after,
                keep_tuple=False,
                make=lambda v: cst.Element(v),
            )
        )
    return node


# -- class bodies ------------------------------------------------------------------------------


def _assign_name(statement: Any) -> str | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            if isinstance(target, cst.Name):
                return target.value
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            return small.target.value
    return None


def _with_value(statement: cst.SimpleStatementLine, fn: Any) -> cst.SimpleStatementLine:
    small = statement.body[0]
    return statement.with_changes(body=[small.with_changes(value=fn(small.value))])


def _edit_queryset(value: Any, call_name: str, item: DriftItem) -> Any:
    """Edit the arguments of ``.select_related(...)`` / ``.prefetch_related(...)``."""
    if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Attribute):
        return value
    if value.func.attr.value != call_name:
        return value.with_changes(
            func=value.func.with_changes(value=_edit_queryset(value.func.value, call_name, item))
        )
    args = _edit_elements(
        value.args,
        item,
        value.whitespace_before_args,
        keep_tuple=False,
        make=lambda v: cst.Arg(v),
    )
    if args:
        return value.with_changes(args=args)
    receiver = value.func.value
    if isinstance(receiver, cst.Attribute) and receiver.attr.value == "objects":
        # Book.objects.select_related() would join every relation: Book.objects.all()
        return value.with_changes(func=value.func.with_changes(attr=cst.Name("all")), args=[])
    return receiver


def _filter_target(statement: Any) -> str | None:
    """The field a declared filter statement is for (``field_name=`` or its name)."""
    name = _assign_name(statement)
    if name is None:
        return None
    value = statement.body[0].value
    if not isinstance(value, cst.Call):
        return None
    for arg in value.args:
        if arg.keyword is not None and arg.keyword.value == "field_name":
            found = _string_value(arg.value)
            if found:
                return found
    return name


def _edit_declared(body: list[Any], item: DriftItem) -> list[Any]:
    targets = [_filter_target(s) for s in body]
    if item.kind == "stale" and item.name in targets:
        index = targets.index(item.name)
        removed = body[index]
        out = body[:index] + body[index + 1 :]
        if index < len(out) and removed.leading_lines and not out[index].leading_lines:
            out[index] = out[index].with_changes(leading_lines=removed.leading_lines)
        return out
    if item.kind == "rename" and item.name in targets and item.new_name:
        index = targets.index(item.name)
        statement = body[index]
        small = statement.body[0]
        args = list(small.value.args)
        for position, arg in enumerate(args):
            if arg.keyword is not None and arg.keyword.value == "field_name":
                quote = arg.value.value[0]
                args[position] = arg.with_changes(
                    value=arg.value.with_changes(value=f"{quote}{item.new_name}{quote}")
                )
                body = list(body)
                body[index] = statement.with_changes(
                    body=[small.with_changes(value=small.value.with_changes(args=args))]
                )
                return body
        target = small.targets[0].with_changes(target=cst.Name(item.new_name))
        body = list(body)
        body[index] = statement.with_changes(body=[small.with_changes(targets=[target])])
        return body
    if item.kind == "missing" and item.code and item.name not in targets:
        statement = cst.parse_statement(item.code.strip() + "\n")
        if item.after in targets:
            index = targets.index(item.after) + 1
        else:
            index = next((i for i, t in enumerate(targets) if t is not None), 0)
        return [*body[:index], statement, *body[index:]]
    return body


def _edit_class(node: cst.ClassDef, item: DriftItem) -> cst.ClassDef:
    body = list(node.body.body)
    option = item.option
    if option == DECLARED:
        body = _edit_declared(body, item)
    elif option.startswith("Meta."):
        attr = option.split(".", 1)[1]
        for index, statement in enumerate(body):
            if isinstance(statement, cst.ClassDef) and statement.name.value == "Meta":
                body[index] = statement.with_changes(
                    body=statement.body.with_changes(
                        body=[
                            _with_value(s, lambda v: _edit_sequence(v, item))
                            if _assign_name(s) == attr
                            else s
                            for s in statement.body.body
                        ]
                    )
                )
    elif option in ("select_related", "prefetch_related"):
        body = [
            _with_value(s, lambda v: _edit_queryset(v, option, item))
            if _assign_name(s) == "queryset"
            else s
            for s in body
        ]
    else:
        body = [
            _with_value(s, lambda v: _edit_sequence(v, item)) if _assign_name(s) == option else s
            for s in body
        ]
    return node.with_changes(body=node.body.with_changes(body=body))


# -- whole definitions (deleted models) ----------------------------------------------------------


def _register_uses(statement: Any, names: set[str]) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return False
    func = small.value.func
    if not isinstance(func, cst.Attribute) or func.attr.value != "register":
        return False
    code = cst.Module(body=[]).code_for_node(small.value)
    used = {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}
    return bool(used & names)


def _names_in(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)
    }


def _prune_imports(module: cst.Module, candidates: set[str]) -> cst.Module:
    """Drop names of relative ``from . import`` statements that are no longer used (only
    ``candidates``: the names the removed statements used)."""
    rest = "".join(
        module.code_for_node(s)
        for s in module.body
        if not (
            isinstance(s, cst.SimpleStatementLine)
            and all(isinstance(x, (cst.Import, cst.ImportFrom)) for x in s.body)
        )
    )
    used = _names_in(rest)
    body = []
    for statement in module.body:
        if (
            isinstance(statement, cst.SimpleStatementLine)
            and len(statement.body) == 1
            and isinstance(statement.body[0], cst.ImportFrom)
            and statement.body[0].relative
            and not isinstance(statement.body[0].names, cst.ImportStar)
        ):
            node = statement.body[0]
            names = list(node.names)
            index = 0
            while index < len(names):
                alias = names[index]
                bound = alias.asname.name.value if alias.asname else alias.name.value
                if bound in candidates and bound not in used:
                    names = _remove(names, index, keep_tuple=False)
                else:
                    index += 1
            if not names:
                continue
            if len(names) != len(node.names):
                if node.lpar is None and _is_comma(names[-1].comma):
                    names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(body=[node.with_changes(names=names)])
        body.append(statement)
    return module.with_changes(body=body)


def _remove_statements(module: cst.Module, items: list[DriftItem]) -> cst.Module:
    classes = {i.definition for i in items if i.option == ""}
    registered = {i.definition for i in items if i.option == "register"}
    body = []
    removed_code = []
    pending_lines: Sequence[Any] = ()
    for statement in module.body:
        gone = (isinstance(statement, cst.ClassDef) and statement.name.value in classes) or (
            registered and _register_uses(statement, registered)
        )
        if gone:
            removed_code.append(module.code_for_node(statement))
            continue
        body.append(statement)
    del pending_lines
    if not removed_code:
        return module
    module = module.with_changes(body=body)
    candidates = set().union(*(_names_in(c) for c in removed_code)) - classes
    return _prune_imports(module, candidates)


def apply(text: str, items: list[DriftItem]) -> str:
    """``text`` with ``items`` fixed (see the module docstring)."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    module = cst.parse_module(text[len(bom) :])
    by_class: dict[str, list[DriftItem]] = {}
    for item in items:
        if item.kind != "deleted":
            by_class.setdefault(item.definition, []).append(item)
    body = list(module.body)
    for index, statement in enumerate(body):
        if isinstance(statement, cst.ClassDef) and statement.name.value in by_class:
            for item in by_class[statement.name.value]:
                statement = _edit_class(statement, item)
            body[index] = statement
    module = module.with_changes(body=body)
    deleted = [i for i in items if i.kind == "deleted"]
    if deleted:
        module = _remove_statements(module, deleted)
    return bom + module.code
