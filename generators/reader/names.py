"""Name resolution for one module: which dotted path a name in models.py stands for.

Data path: models.py → **reader** (this module maps ``models.CharField``, aliases and relative
imports to dotted paths) → IR → generators.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


def dotted_parts(node: ast.AST) -> list[str] | None:
    """``["a", "b", "c"]`` for a Name/Attribute chain ``a.b.c`` as written, else None (the one
    walk of such chains: the reader, the migration loader and the expression evaluator use it)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    parts.reverse()
    return parts


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain as written (nothing resolved), else None."""
    parts = dotted_parts(node)
    return ".".join(parts) if parts is not None else None


def resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute module for ``from {'.' * level}{target} import …`` inside ``module``."""
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if target:
        parts.append(target)
    return ".".join(parts)


@dataclass
class ImportTable:
    """Local names bound by import statements, mapped to the dotted path they refer to."""

    module: str  # this module's dotted name ("catalog.models"); "" when unknown
    is_package: bool = False
    names: dict[str, str] = field(default_factory=dict)
    #: Modules imported in order (for ordering fields of abstract bases from other modules).
    order: list[str] = field(default_factory=list)
    star_modules: list[str] = field(default_factory=list)

    def add(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.names[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    self.names[head] = head
                self.order.append(alias.name)
            return
        base = node.module or ""
        if node.level:
            base = resolve_relative(self.module, self.is_package, node.level, node.module)
        self.order.append(base)
        for alias in node.names:
            if alias.name == "*":
                self.star_modules.append(base)
                continue
            self.names[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name

    def dotted(self, node: ast.AST) -> str | None:
        """``models.CharField`` → ``django.db.models.CharField``; None for non-name expressions."""
        parts = dotted_parts(node)
        if parts is None:
            return None
        first, *rest = parts
        head = self.names.get(first)
        if head is None:
            head = f"{self.module}.{first}" if self.module else first
        return ".".join([head, *rest])

    def is_local(self, node: ast.AST) -> bool:
        """True when the expression starts with a name not bound by an import."""
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and node.id not in self.names


def collect_imports(tree: ast.Module, module: str, is_package: bool) -> ImportTable:
    """Imports at module level, including those inside ``try``/``if`` blocks."""
    table = ImportTable(module=module, is_package=is_package)

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                table.add(stmt)
            elif isinstance(stmt, ast.If):
                visit(stmt.body)
                visit(stmt.orelse)
            elif isinstance(stmt, ast.Try):
                visit(stmt.body)
                for handler in stmt.handlers:
                    visit(handler.body)
                visit(stmt.orelse)
                visit(stmt.finalbody)

    visit(tree.body)
    return table
