"""Merge engine, part 1: what a Python file already holds at module level, read with ``ast``.

Data path: models.py → IR → generator → artifacts → **merge** (this module finds which
definitions a target file already has; ``merge`` edits it) → file or WorkspaceEdit.

``defined_identities`` is on the language server's hot path, so it uses ``ast`` only and never
raises: when the file has a syntax error it reads the top-level statements around the error.
``StatementFacts`` describes one top-level statement for placement (``after`` / ``before``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from djgen.generators.core.artifacts import Definition
from djgen.generators.reader.names import dotted_name

__all__ = [
    "StatementFacts",
    "defined_identities",
    "dotted_name",
    "fingerprint",
    "has_definition",
    "parse_tolerant",
    "statement_facts",
    "used_names",
]


def _call_key(call: ast.Call) -> str | None:
    """The key of a ``call`` definition: its first argument as written (positional first)."""
    if call.args:
        first = call.args[0]
    elif call.keywords and call.keywords[0].arg is not None:
        first = call.keywords[0].value  # router.register(prefix="books", ...)
    else:
        return None
    if isinstance(first, ast.Constant) and not isinstance(first.value, bytes):
        return str(first.value)
    return dotted_name(first)


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    name = dotted_name(target)
    return [name] if name else []


def fingerprint(node: ast.stmt) -> str:
    """Normalised text of a statement (layout and comments ignored), for kind ``statement``."""
    return ast.dump(node)


class _UseCollector(ast.NodeVisitor):
    """Names a statement reads or writes when the module runs (function bodies excluded)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        self.names.add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = dotted_name(node)
        if name:
            self.names.add(name)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.names.add(node.name)  # defining a name is using it (``before`` a class)
        self.generic_visit(node)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.names.add(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.visit(node.args)

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit(node.args)


def used_names(node: ast.AST) -> set[str]:
    """Names and dotted chains (``router.urls``) a statement touches at module level."""
    collector = _UseCollector()
    collector.visit(node)
    return collector.names


@dataclass
class StatementFacts:
    """What one top-level statement (or one line of ``;``-separated statements) provides."""

    nodes: list[ast.stmt] = field(default_factory=list)

    @cached_property
    def identities(self) -> frozenset[str]:
        """Definition identities this statement satisfies (see ``Definition.identity``)."""
        found: set[str] = set()
        for node in self.nodes:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                found.add(node.name)
                for decorator in node.decorator_list:  # @admin.register(Book): admin.register[Book]
                    if isinstance(decorator, ast.Call):
                        callee = dotted_name(decorator.func)
                        if callee:
                            found.add(f"{callee}[{_call_key(decorator)}]")
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    found.update(_target_names(target))
            elif isinstance(node, ast.AnnAssign):
                found.update(_target_names(node.target))
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                callee = dotted_name(node.value.func)
                if callee:
                    found.add(f"{callee}[{_call_key(node.value)}]")
        return frozenset(found)

    @cached_property
    def binds(self) -> frozenset[str]:
        """Names this statement assigns, defines, imports or calls (for ``after``)."""
        found: set[str] = set()
        for node in self.nodes:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                found.add(node.name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    found.update(_target_names(target))
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                found.update(_target_names(node.target))
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                callee = dotted_name(node.value.func)
                if callee:
                    found.add(callee)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    found.add(alias.asname or alias.name.split(".")[0])
        return frozenset(found)

    @cached_property
    def uses(self) -> frozenset[str]:
        """Names read or written at module level (for ``before``)."""
        found: set[str] = set()
        for node in self.nodes:
            found |= used_names(node)
        return frozenset(found)

    @cached_property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(fingerprint(node) for node in self.nodes)

    def related_to(self, name: str) -> bool:
        """Whether this statement binds ``name``, a prefix of it, or a name under it."""
        return any(_name_hit(bound, name) or _name_hit(name, bound) for bound in self.binds)

    def matches_after(self, names: Iterable[str]) -> bool:
        return any(_name_hit(bound, name) for bound in self.binds for name in names)

    def matches_before(self, names: Iterable[str]) -> bool:
        return any(_name_hit(used, name) for used in self.uses for name in names)


def _name_hit(found: str, wanted: str) -> bool:
    """``router.register`` and ``router`` both hit ``router``; ``routers`` does not."""
    return found == wanted or found.startswith(wanted + ".")


def statement_facts(nodes: Iterable[ast.stmt]) -> StatementFacts:
    return StatementFacts(list(nodes))


_CONTINUATIONS = ("else", "elif", "except", "finally", "case")


def _starts_statement(line: str) -> bool:
    """Whether a line can begin a new top-level statement (column 0, not a continuation)."""
    if not line or line[0] in " \t#)]}\r\n\f":
        return False
    word = line.split(None, 1)[0].rstrip(":")
    return word not in _CONTINUATIONS


def parse_tolerant(text: str, *, _budget: list[int] | None = None) -> list[ast.stmt]:
    """Top-level statements of ``text``; around a syntax error, those that still parse.

    Never raises. On an error, the prefix up to the broken statement and the suffix after it
    are parsed on their own (a bounded number of times, so a badly broken file stays fast).
    """
    budget = _budget if _budget is not None else [8]
    if budget[0] <= 0:
        return []
    budget[0] -= 1
    try:
        return ast.parse(text).body
    except SyntaxError as error:
        lines = text.splitlines(keepends=True)
        bad = max(min((error.lineno or 1) - 1, len(lines) - 1), 0)
        start = bad
        while start > 0 and not _starts_statement(lines[start]):
            start -= 1
        prefix = parse_tolerant("".join(lines[:start]), _budget=budget) if start else []
        end = bad + 1
        while end < len(lines) and not _starts_statement(lines[end]):
            end += 1
        suffix = parse_tolerant("".join(lines[end:]), _budget=budget) if end < len(lines) else []
        return prefix + suffix
    except (ValueError, RecursionError, MemoryError):  # null bytes, absurd nesting
        return []


def has_definition(definition: Definition, facts: Iterable[StatementFacts]) -> bool:
    """Whether one of the statements already provides the definition."""
    if definition.kind == "statement":
        wanted = _definition_fingerprints(definition.code)
        return bool(wanted) and any(wanted <= item.fingerprints for item in facts)
    wanted = definition.identities
    return any(identity in item.identities for item in facts for identity in wanted)


def _definition_fingerprints(code: str) -> frozenset[str]:
    try:
        return frozenset(fingerprint(node) for node in ast.parse(code.strip()).body)
    except (SyntaxError, ValueError):
        return frozenset()


_FACTS: dict[str, list[StatementFacts]] = {}


def _file_facts(text: str) -> list[StatementFacts]:
    """The facts of a file's statements, memoised by text: the language server asks about the
    same target files on every keystroke in models.py."""
    facts = _FACTS.get(text)
    if facts is None:
        facts = [StatementFacts([node]) for node in parse_tolerant(text.removeprefix("\ufeff"))]
        if len(_FACTS) >= 64:
            _FACTS.pop(next(iter(_FACTS)))
        _FACTS[text] = facts
    return facts


def defined_identities(text: str, definitions: Iterable[Definition] = ()) -> set[str]:
    """The ``Definition.identity`` values a file already provides at module level.

    Classes and functions give their name, assignments their target names (``urlpatterns``,
    ``admin.site.site_header``), expression-statement calls ``name[key]`` (key: the first
    argument as written, e.g. ``router.register[books]``). Kind ``statement`` has no
    name in the file: pass those definitions to have their identity included when a statement
    with the same normalised text exists. Never raises.
    """
    facts = _file_facts(text)
    found: set[str] = set()
    for item in facts:
        found |= item.identities
    for definition in definitions:
        if definition.kind == "statement" and has_definition(definition, facts):
            found.add(definition.identity)
    return found
