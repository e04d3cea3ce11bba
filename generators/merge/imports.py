"""Merge engine, part 2: add the imports an artifact needs to a parsed module.

Data path: models.py → IR → generator → artifacts → **merge** (this module adds imports;
``merge`` adds definitions) → file or WorkspaceEdit.

LibCST's ``AddImportsVisitor`` decides what is missing and extends existing ``from x import a``
statements. Two of its habits are changed here: it writes relative imports as absolute ones
(relative modules are resolved against a sentinel package and turned back into dots), and it
puts every new import after the first import block; here each goes into its isort section
(``__future__`` / stdlib / third party / relative) in sorted position, and a statement that
grows past 88 characters is wrapped one name per line with a trailing comma, as ruff formats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, ImportItem
from libcst.helpers import get_full_name_for_node

from djgen.generators.core.artifacts import Import
from djgen.generators.merge.import_order import (
    _FRAMEWORKS,
    _SENTINEL_PACKAGE,
    _STDLIB,
    _member_key,
    _statement_key,
    _unresolve,
    first_party,
    import_section,
    normalise_import,
    render_import,
)

__all__ = [
    "ImportPlan",
    "add_imports",
    "blank_prefix",
    "first_party",
    "import_section",
    "is_def",
    "is_docstring",
    "normalise_import",
    "plan_imports",
    "with_blank_lines",
]


def _module_text(node: cst.ImportFrom) -> str:
    name = get_full_name_for_node(node.module) if node.module is not None else ""
    return "." * len(node.relative) + (name or "")


# --------------------------------------------------------------------------------------------
# What is already bound at module level (imports anywhere at the top level, not just the block)
# --------------------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    """The imports to add, and the ones left out because their name means something else."""

    to_add: list[Import]
    conflicts: list[tuple[Import, str]]  # (import, reason)


def _bound_name(item: Import) -> str:
    if item.name is None:
        return item.alias or item.module.split(".")[0]
    return item.alias or item.name


def _compatible(existing: str, wanted: str) -> bool:
    """Whether two module spellings may be the same module (``.models`` / ``library.models``)."""
    if existing == wanted:
        return True
    relative, absolute = (existing, wanted) if existing.startswith(".") else (wanted, existing)
    if not relative.startswith(".") or absolute.startswith("."):
        return False
    if absolute.split(".")[0] in _STDLIB | _FRAMEWORKS:
        return False  # ``.models`` is never ``django.contrib.auth.models``
    tail = relative.lstrip(".")
    return not tail or absolute == tail or absolute.endswith("." + tail)


def _dotted(module: str, name: str | None) -> str:
    """What a binding points at: ``from a import b`` and ``import a.b as b`` are both ``a.b``."""
    if name is None:
        return module
    return f"{module}{name}" if module.endswith(".") else f"{module}.{name}"


def _top_level_imports(module: cst.Module) -> list[cst.Import | cst.ImportFrom]:
    found: list[cst.Import | cst.ImportFrom] = []

    def scan(statements: Sequence[cst.BaseStatement]) -> None:
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                found.extend(
                    s for s in statement.body if isinstance(s, (cst.Import, cst.ImportFrom))
                )
            elif isinstance(statement, (cst.If, cst.Try)):
                body = statement.body
                if isinstance(body, cst.IndentedBlock):
                    scan(body.body)

    scan(module.body)
    return found


def plan_imports(module: cst.Module, wanted: Sequence[Import]) -> ImportPlan:
    """Drop the imports whose name is already imported at module level (any spelling)."""
    bound: dict[str, tuple[str, str | None]] = {}  # name → (module, imported object)
    plain_modules: set[str] = set()
    star_modules: set[str] = set()
    for node in _top_level_imports(module):
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = get_full_name_for_node(alias.name) or ""
                if alias.asname is None:
                    plain_modules.add(full)
                    bound.setdefault(full.split(".")[0], (full, None))
                else:
                    bound[alias.evaluated_alias or full] = (full, None)
            continue
        source = _module_text(node)
        if isinstance(node.names, cst.ImportStar):
            star_modules.add(source)
            continue
        for alias in node.names:
            bound[alias.evaluated_alias or alias.evaluated_name] = (source, alias.evaluated_name)

    plan = ImportPlan([], [])
    seen: set[Import] = set()
    for item in wanted:
        if item in seen:
            continue
        seen.add(item)
        if item.name is None and item.alias is None:
            if item.module not in plain_modules:
                plan.to_add.append(item)
            continue
        if item.name is not None and any(_compatible(m, item.module) for m in star_modules):
            continue
        name = _bound_name(item)
        if name not in bound:
            plan.to_add.append(item)
            continue
        source, obj = bound[name]
        if not _compatible(_dotted(source, obj), _dotted(item.module, item.name)):
            where = f"{source}" if obj is None else f"{source} ({obj})"
            plan.conflicts.append(
                (item, f"{name} is already imported from {where}; not adding `{item.render()}`")
            )
    return plan


# --------------------------------------------------------------------------------------------
# The LibCST visitor: decide what is missing, extend existing ``from`` imports
# --------------------------------------------------------------------------------------------


class _AddImports(AddImportsVisitor):
    """``AddImportsVisitor`` that extends ``from`` imports tidily and leaves insertion to us."""

    def __init__(
        self,
        context: CodemodContext,
        imports: Sequence[ImportItem],
        config: cst.PartialParserConfig,
    ) -> None:
        super().__init__(context, imports)
        self._config = config
        self.added: list[Import] = []

    def visit_Module(self, node: cst.Module) -> None:
        super().visit_Module(node)
        # What the visitor found missing; every entry ends up in the file.
        for module in sorted(self.module_imports):
            self.added.append(Import(module))
        for module, alias in sorted(self.module_aliases.items()):
            self.added.append(Import(module, alias=alias))
        for module, names in self.module_mapping.items():
            self.added.extend(Import(_unresolve(module), name) for name in sorted(names))
        for module, pairs in self.alias_mapping.items():
            self.added.extend(Import(_unresolve(module), n, a) for n, a in sorted(pairs))

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        if isinstance(updated_node.names, cst.ImportStar) or original_node not in self.all_imports:
            return updated_node
        resolved = _resolve(_module_text(updated_node))
        new_names = sorted(self.module_mapping.get(resolved, ()))
        new_aliases = sorted(self.alias_mapping.get(resolved, ()))
        if not new_names and not new_aliases:
            return updated_node
        code = cst.Module(body=[]).code_for_node(updated_node)
        if "#" in code:
            return updated_node  # comments inside: leave it, a new statement is added below it
        self.module_mapping.pop(resolved, None)
        self.alias_mapping.pop(resolved, None)
        members = [(a.evaluated_name, a.evaluated_alias) for a in updated_node.names]
        for pair in [*((name, None) for name in new_names), *new_aliases]:
            members = _insert_member(members, pair)
        text = render_import(_module_text(updated_node), members, exploded="\n" in code)
        statement = cst.parse_statement(text, config=self._config)
        assert isinstance(statement, cst.SimpleStatementLine)
        new_node = statement.body[0]
        assert isinstance(new_node, cst.ImportFrom)
        return new_node

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node  # new statements are placed by ``add_imports``

    def pending(self) -> list[tuple[str, list[tuple[str, str | None]] | None]]:
        """Statements still to write: (module, names) for ``from``; (``import x [as y]``, None)."""
        statements: list[tuple[str, list[tuple[str, str | None]] | None]] = []
        for module in sorted(self.module_imports):
            statements.append((f"import {module}", None))
        for module, alias in sorted(self.module_aliases.items()):
            statements.append((f"import {module} as {alias}", None))
        merged: dict[str, list[tuple[str, str | None]]] = {}
        for module, names in self.module_mapping.items():
            merged.setdefault(module, []).extend((name, None) for name in names)
        for module, pairs in self.alias_mapping.items():
            merged.setdefault(module, []).extend(pairs)
        for module, members in merged.items():
            ordered: list[tuple[str, str | None]] = []
            for pair in sorted(set(members), key=lambda p: (_member_key(p[0]), p[1] or "")):
                ordered.append(pair)
            if ordered:
                statements.append((_unresolve(module), ordered))
        return statements


def _resolve(module: str) -> str:
    item = ImportItem(module, "x").resolve_relative(_SENTINEL_PACKAGE)
    return item.module


def _insert_member(
    members: list[tuple[str, str | None]], pair: tuple[str, str | None]
) -> list[tuple[str, str | None]]:
    """Add a member in sorted position when the list is sorted, else at the end."""
    keys = [(_member_key(name), alias or "") for name, alias in members]
    key = (_member_key(pair[0]), pair[1] or "")
    if keys != sorted(keys):
        return [*members, pair]
    position = next((i for i, k in enumerate(keys) if k > key), len(members))
    return [*members[:position], pair, *members[position:]]


# --------------------------------------------------------------------------------------------
# Placing new import statements
# --------------------------------------------------------------------------------------------


def _empty_line() -> cst.EmptyLine:
    return cst.EmptyLine()


def is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _import_info(statement: cst.BaseStatement) -> tuple[str, bool] | None:
    """(module, is_from) for a line holding exactly one import statement."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    node = statement.body[0]
    if isinstance(node, cst.ImportFrom):
        return _module_text(node), True
    if isinstance(node, cst.Import):
        return get_full_name_for_node(node.names[0].name) or "", False
    return None


def blank_prefix(lines: Sequence[cst.EmptyLine]) -> int:
    """How many blank lines come before the first comment."""
    count = 0
    for line in lines:
        if line.comment is not None:
            break
        count += 1
    return count


def with_blank_lines(statement: cst.BaseStatement, wanted: int) -> cst.BaseStatement:
    """Make sure at least ``wanted`` blank lines precede the statement (before its comments)."""
    have = blank_prefix(statement.leading_lines)
    if have >= wanted:
        return statement
    extra = tuple(_empty_line() for _ in range(wanted - have))
    return statement.with_changes(leading_lines=(*extra, *statement.leading_lines))


def lines_after_imports(follower: cst.BaseStatement) -> int:
    """Blank lines ruff's isort wants between the import block and ``follower``: two before a
    class or function, unless what comes first is a free-standing comment (one a blank line
    separates from the definition, like startapp's ``# Create your views here.``): then one."""
    if not is_def(follower):
        return 1
    lines = follower.leading_lines[blank_prefix(follower.leading_lines) :]
    if lines and lines[0].comment is not None and any(line.comment is None for line in lines):
        return 1
    return 2


def is_def(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, (cst.ClassDef, cst.FunctionDef))


def add_imports(module: cst.Module, wanted: Sequence[Import]) -> tuple[cst.Module, list[Import]]:
    """Add the missing imports (already filtered by ``plan_imports``); return what was added."""
    if not wanted:
        return module, []
    extended = _extend_existing(module, wanted) if FAST_EXTEND else None
    if extended is not None:
        return extended
    context = CodemodContext(full_package_name=_SENTINEL_PACKAGE)
    items = [ImportItem(i.module, i.name, i.alias) for i in wanted]
    visitor = _AddImports(context, items, module.config_for_parsing)
    # The visitor only reads and edits the top import block: visit just that (fast on big files).
    head_end = _block_end(list(module.body))
    head = module.with_changes(body=module.body[:head_end], footer=())
    visited = head.visit(visitor)
    assert isinstance(visited, cst.Module)
    body = [*visited.body, *module.body[head_end:]]
    updated = module
    new_statements = []
    for module_text, members in visitor.pending():
        if members is None:
            text, key_module, is_from = module_text, module_text.split()[1], False
        else:
            text, key_module, is_from = (
                render_import(module_text, members, exploded=False),
                module_text,
                True,
            )
        statement = cst.parse_statement(text, config=updated.config_for_parsing)
        new_statements.append(
            (import_section(key_module), _statement_key(key_module, is_from), statement)
        )
    for section, key, statement in sorted(new_statements, key=lambda s: (s[0], s[1])):
        _place(body, section, key, statement)
    return updated.with_changes(body=body), visitor.added


#: Off: every import goes through the LibCST visitor (the property tests compare the two).
FAST_EXTEND = True


def _extend_existing(
    module: cst.Module, wanted: Sequence[Import]
) -> tuple[cst.Module, list[Import]] | None:
    """``add_imports`` when every wanted import is ``from M import N`` and each M already has
    a ``from`` statement in the top import block that the visitor would extend (no comments
    inside, not ``*``): that statement rewritten with the new names, as ``_AddImports`` does,
    without visiting the block (its matchers cost ~0.3 s on a 300-name ``from .models
    import (...)``). None when another case applies: the visitor decides then."""
    names: dict[str, set[str]] = {}
    spelled: dict[str, str] = {}
    for item in wanted:
        if item.name is None or item.alias is not None or item.module == "__future__":
            return None
        resolved = _resolve(item.module)
        names.setdefault(resolved, set()).add(item.name)
        spelled.setdefault(resolved, item.module)
    body = list(module.body)
    end = _block_end(body)
    first: dict[str, int] = {}  # resolved module → its first ``from`` statement in the block
    for index in range(1 if body and is_docstring(body[0]) else 0, end):
        node = body[index].body[0]  # type: ignore[attr-defined]
        if isinstance(node, cst.ImportFrom):
            first.setdefault(_resolve(_module_text(node)), index)
    if set(names) - set(first):
        return None
    empty = cst.Module(body=[])
    for resolved, index in first.items():
        if resolved not in names:
            continue
        statement = body[index]
        node = statement.body[0]  # type: ignore[attr-defined]
        if isinstance(node.names, cst.ImportStar):
            return None
        code = empty.code_for_node(node)
        if "#" in code:
            return None
        members = [(a.evaluated_name, a.evaluated_alias) for a in node.names]
        for name in sorted(names[resolved]):
            members = _insert_member(members, (name, None))
        text = render_import(_module_text(node), members, exploded="\n" in code)
        parsed = cst.parse_statement(text, config=module.config_for_parsing)
        assert isinstance(parsed, cst.SimpleStatementLine)
        body[index] = statement.with_changes(body=[parsed.body[0]])  # type: ignore[attr-defined]
    added = [
        Import(_unresolve(resolved), name)
        for resolved in sorted(names)
        for name in sorted(names[resolved])
    ]
    return module.with_changes(body=body), added


def _block_end(body: list[cst.BaseStatement]) -> int:
    """Index just past the top import block (after a module docstring)."""
    end = 1 if body and is_docstring(body[0]) else 0
    while end < len(body) and _import_info(body[end]) is not None:
        end += 1
    return end


def _place(
    body: list[cst.BaseStatement], section: int, key: tuple, statement: cst.BaseStatement
) -> None:
    """Insert one import statement into the top import block, isort style."""
    start = 1 if body and is_docstring(body[0]) else 0
    end = start
    block: list[tuple[int, int, tuple]] = []  # (index, section, key)
    while end < len(body):
        info = _import_info(body[end])
        if info is None:
            break
        block.append((end, import_section(info[0]), _statement_key(*info)))
        end += 1

    same = [entry for entry in block if entry[1] == section]
    later = next((entry for entry in same if entry[2] > key), None)
    if later is None and not same:
        later = next((entry for entry in block if entry[1] > section), None)
    if later is not None:
        index = later[0]
        follower = body[index]
        prefix = blank_prefix(follower.leading_lines)
        rest = tuple(follower.leading_lines[prefix:])
        if later[1] != section:
            rest = (_empty_line(), *rest)
        body[index] = follower.with_changes(leading_lines=rest)
        body.insert(
            index, statement.with_changes(leading_lines=tuple(follower.leading_lines[:prefix]))
        )
        return

    anchor = same[-1] if same else next((e for e in reversed(block) if e[1] < section), None)
    if anchor is not None:
        index = anchor[0] + 1
        leading = () if anchor[1] == section else (_empty_line(),)
    else:  # no import block at all
        index = start
        leading = (_empty_line(),) if start else ()
    body.insert(index, statement.with_changes(leading_lines=leading))
    if index + 1 < len(body):
        follower = body[index + 1]
        info = _import_info(follower)
        if info is None:
            wanted = lines_after_imports(follower)
        else:
            wanted = 0 if import_section(info[0]) == section else 1
        body[index + 1] = with_blank_lines(follower, wanted)
