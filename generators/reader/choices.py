"""Choices classes: the members of a ``TextChoices`` / ``IntegerChoices`` class, read from source.

Data path: models.py → reader (**choices**, this module: value and label of each member, as
Django derives them) → IR (``ChoicesIR``) → generators and the migration engine (which reads the
choices classes of other modules with the same function).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from djgen.generators.core.ir import NOT_LITERAL, ChoiceMember

#: Class attributes of a choices class that are not members.
_NOT_MEMBERS = frozenset({"do_not_call_in_templates", "label"})


#: The node types ``ast.literal_eval`` can accept at the top (a name, an attribute, a call other
#: than ``set()``, … always makes it raise ``ValueError``).
_MAY_BE_LITERAL = (
    ast.Constant,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.BinOp,
    ast.UnaryOp,
    ast.Call,
)


def _is_empty_set_call(node: ast.Call) -> bool:
    """``set()``: the one call ``literal_eval`` accepts."""
    return (
        isinstance(node.func, ast.Name)
        and node.func.id == "set"
        and node.args == node.keywords == []
    )


def literal(node: ast.AST) -> Any:
    """The node's literal value, or ``NOT_LITERAL``."""
    if type(node) is ast.Constant:  # most arguments: no need for literal_eval's machinery
        return node.value
    if not isinstance(node, _MAY_BE_LITERAL) or (
        isinstance(node, ast.Call) and not _is_empty_set_call(node)
    ):
        return NOT_LITERAL  # literal_eval would raise ValueError: skip building the exception
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return NOT_LITERAL


def choice_members(
    cls: ast.ClassDef,
    kind: str,
    text: Callable[[ast.expr], str | None],
    is_auto: Callable[[ast.expr], bool],
) -> list[ChoiceMember]:
    """Each member's name, value and label: ``NAME = value`` (label from the name, as Django's
    ``name.replace("_", " ").title()``), ``NAME = value, label`` (``text`` reads the label: a
    string or a gettext call; it may raise ``ValueError`` to refuse a label it cannot read),
    ``NAME = auto()`` (its name under TextChoices). A value that is not a literal is
    ``NOT_LITERAL``."""
    members: list[ChoiceMember] = []
    for stmt in cls.body:
        if not (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            continue
        name = stmt.targets[0].id
        if name.startswith("_") or name in _NOT_MEMBERS:
            continue
        value, label = _member(stmt.value, name, kind, text, is_auto)
        members.append(ChoiceMember(name=name, value=value, label=label))
    return members


def _member(
    node: ast.expr,
    name: str,
    kind: str,
    text: Callable[[ast.expr], str | None],
    is_auto: Callable[[ast.expr], bool],
) -> tuple[Any, str]:
    default_label = name.replace("_", " ").title()
    if isinstance(node, ast.Tuple) and len(node.elts) >= 2:
        label = text(node.elts[-1])
        if len(node.elts) == 2:
            value = literal(node.elts[0])
        else:
            value = literal(ast.Tuple(elts=node.elts[:-1], ctx=ast.Load()))
        return value, label if label is not None else default_label
    if isinstance(node, ast.Call) and is_auto(node.func):
        return (name if kind == "TextChoices" else NOT_LITERAL), default_label
    return literal(node), default_label
