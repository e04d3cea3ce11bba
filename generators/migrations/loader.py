"""Migration history, read statically: migrations/*.py → operations → the project state.

Data path: migrations/*.py → **loader** (this module, ``ast`` only, nothing imported) →
``ProjectState`` → ``autodetector`` (compared with the models' state).

Like Django's ``MigrationLoader`` with no database connection: a squashed migration stands in
for the migrations it ``replaces``; dependencies order the replay; leaf nodes are the
migrations nothing else in the app depends on.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from djgen.generators.migrations import operations as ops
from djgen.generators.migrations.state import Code, FieldState, ProjectState, normalize_path
from djgen.generators.reader.names import dotted_parts

ReadText = Callable[[Path], "str | None"]


class HistoryError(ValueError):
    """The history cannot be read (syntax error, unknown dependency, conflict)."""


@dataclass
class MigrationFile:
    app_label: str
    name: str
    path: Path | None
    dependencies: list[tuple[str, str]] = field(default_factory=list)
    replaces: list[tuple[str, str]] = field(default_factory=list)
    initial: bool = False
    operations: list[ops.Operation] = field(default_factory=list)
    #: Operations the static reading could not understand (class names), kept for messages.
    unknown: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.app_label, self.name)


@dataclass
class History:
    """One app's migrations after squash replacement, in replay order."""

    app_label: str
    migrations: list[MigrationFile]
    leaves: list[str]
    problems: list[str] = field(default_factory=list)

    @property
    def leaf(self) -> str | None:
        return self.leaves[-1] if self.leaves else None

    def state(self) -> ProjectState:
        state = ProjectState()
        for migration in self.migrations:
            for op in migration.operations:
                op.state_forwards(state, self.app_label)
        return state


def read_history(
    migrations_dir: Path, app_label: str, *, read_text: ReadText | None = None
) -> History:
    """Read ``migrations_dir`` (may not exist: empty history)."""
    files: dict[str, MigrationFile] = {}
    problems: list[str] = []
    if migrations_dir.is_dir():
        for path in sorted(migrations_dir.glob("*.py")):
            if path.name.startswith(("_", "~")) or path.name.startswith("."):
                continue
            text = read_text(path) if read_text else None
            if text is None:
                text = path.read_text(encoding="utf-8")
            migration = _parse_cached(text, app_label, path.stem, path)
            files[migration.name] = migration
    # Squashed migrations replace their targets (no database: nothing is applied).
    replaced: dict[str, str] = {}
    for migration in files.values():
        for app, name in migration.replaces:
            if app == app_label:
                replaced[name] = migration.name
    for name in replaced:
        files.pop(name, None)
    for migration in files.values():
        migration.dependencies = [
            (app, replaced.get(name, name)) if app == app_label else (app, name)
            for app, name in migration.dependencies
        ]
    order = _topological(files, app_label)
    depended = {name for m in files.values() for app, name in m.dependencies if app == app_label}
    leaves = sorted(name for name in files if name not in depended)
    if len(leaves) > 1:
        problems.append(
            f"Conflicting migrations detected; multiple leaf nodes in the migration graph: "
            f"({', '.join(leaves)} in {app_label})"
        )
    for migration in files.values():
        for name in migration.unknown:
            problems.append(f"{migration.name}: operation {name} not understood")
    return History(app_label, [files[n] for n in order], leaves, problems)


_PARSED: dict[tuple[str, str, str], MigrationFile] = {}
_PARSED_LIMIT = 4096


def _parse_cached(text: str, app_label: str, name: str, path: Path) -> MigrationFile:
    """``parse_migration``, remembered by content: the editor asks again and again while the
    history rarely changes. Replays copy what they change, so cached operations stay intact."""
    key = (app_label, name, text)
    cached = _PARSED.get(key)
    if cached is None:
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        cached = parse_migration(text, app_label, name, path)
        _PARSED[key] = cached
    return MigrationFile(
        cached.app_label,
        cached.name,
        path,
        list(cached.dependencies),
        list(cached.replaces),
        cached.initial,
        cached.operations,
        list(cached.unknown),
    )


def _topological(files: dict[str, MigrationFile], app_label: str) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        if name in visiting:
            raise HistoryError(f"circular dependency at {app_label}.{name}")
        visiting.add(name)
        for app, dep in files[name].dependencies:
            if app == app_label and dep in files:
                visit(dep)
            elif app == app_label and dep not in ("__first__", "__latest__"):
                raise HistoryError(
                    f"Migration {app_label}.{name} depends on nonexistent node "
                    f"('{app_label}', '{dep}')"
                )
        visiting.discard(name)
        seen.add(name)
        order.append(name)

    for name in sorted(files):
        visit(name)
    return order


def leaf_of(migrations_dir: Path, app_label: str) -> str | None:
    """The leaf migration name of an app's migrations folder (None when it has none)."""
    try:
        return read_history(migrations_dir, app_label).leaf
    except (HistoryError, SyntaxError):
        return None


def parse_number(name: str) -> int | None:
    """Django's ``MigrationAutodetector.parse_number``."""
    squashed = re.search(r".*_squashed_(\d+)", name)
    if squashed:
        return int(squashed[1])
    match = re.match(r"^\d+", name)
    return int(match[0]) if match else None


# ----------------------------------------------------------------------------- parsing


def parse_migration(
    text: str, app_label: str, name: str, path: Path | None = None
) -> MigrationFile:
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise HistoryError(f"{path or name}: syntax error on line {exc.lineno}: {exc.msg}") from exc
    imports = _import_map(tree)
    migration = MigrationFile(app_label, name, path)
    cls = next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Migration"), None
    )
    if cls is None:
        raise HistoryError(f"{path or name}: no Migration class")
    reader = _Reader(imports, app_label, text)
    for stmt in cls.body:
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
            continue
        target = stmt.targets[0]
        if not isinstance(target, ast.Name):
            continue
        if target.id == "dependencies":
            migration.dependencies = reader.dependencies(stmt.value)
        elif target.id == "replaces":
            migration.replaces = [tuple(x) for x in _literal(stmt.value) or []]  # type: ignore[misc]
        elif target.id == "initial":
            migration.initial = bool(_literal(stmt.value))
        elif target.id == "operations" and isinstance(stmt.value, (ast.List, ast.Tuple)):
            for node in stmt.value.elts:
                op = reader.operation(node)
                if op is None:
                    migration.unknown.append(_call_name(node) or ast.unparse(node)[:40])
                else:
                    migration.operations.append(op)
    return migration


def _literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute):
            return func.attr
        if isinstance(func, ast.Name):
            return func.id
    return None


def _import_map(tree: ast.Module) -> dict[str, str]:
    """Local name → dotted path it stands for."""
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                out[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return out


class _Qualify(ast.NodeTransformer):
    """Spell names through the file's imports: ``CASCADE`` → ``django.db.models.CASCADE``."""

    def __init__(self, imports: dict[str, str]):
        self.imports = imports

    def visit_Name(self, node: ast.Name) -> ast.AST:
        target = self.imports.get(node.id)
        if target is None or target in ("django.db.models", "django.conf.settings"):
            return node
        return ast.parse(normalize_path(target), mode="eval").body


class _Reader:
    def __init__(self, imports: dict[str, str], app_label: str, source: str | None = None):
        self.imports = imports
        self.app_label = app_label
        self.lines = source.splitlines() if source is not None else None

    def code(self, node: ast.AST) -> Code:
        needs_qualifying = any(
            isinstance(n, ast.Name)
            and self.imports.get(n.id) not in (None, "django.db.models", "django.conf.settings")
            for n in ast.walk(node)
        )
        if not needs_qualifying and self.lines is not None:
            line = getattr(node, "lineno", None)
            end_line = getattr(node, "end_lineno", None)
            if line is not None and line == end_line:
                raw = self.lines[line - 1].encode()
                return Code(raw[node.col_offset : node.end_col_offset].decode())  # type: ignore[attr-defined]
        node = _Qualify(self.imports).visit(ast.fix_missing_locations(node))
        return Code(ast.unparse(node))

    def dotted(self, node: ast.AST) -> str | None:
        parts = dotted_parts(node)
        if parts is None:
            return None
        first, *rest = parts
        head = self.imports.get(first, first)
        if head == "django.db.models":
            head = "models"
        return ".".join([head, *rest])

    def dependencies(self, node: ast.AST) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if not isinstance(node, (ast.List, ast.Tuple)):
            return out
        for elt in node.elts:
            value = _literal(elt)
            if isinstance(value, (tuple, list)) and len(value) == 2:
                out.append((str(value[0]), str(value[1])))
            elif isinstance(elt, ast.Call) and _call_name(elt) == "swappable_dependency":
                out.append(("__setting__", ast.unparse(elt.args[0]).split(".")[-1]))
        return out

    def field(self, name: str, node: ast.AST) -> FieldState:
        if not isinstance(node, ast.Call):
            return FieldState(name, "?", [self.code(node)])
        path = normalize_path(self.dotted(node.func) or ast.unparse(node.func))
        args = [self.code(a) for a in node.args]
        kwargs = {kw.arg: self.code(kw.value) for kw in node.keywords if kw.arg}
        from djgen.generators.migrations.deconstruct import normalize_field

        return normalize_field(FieldState(name, path, args, kwargs))

    def options(self, node: ast.AST) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if not isinstance(node, ast.Dict):
            return out
        for key_node, value_node in zip(node.keys, node.values, strict=False):
            key = _literal(key_node) if key_node is not None else None
            if not isinstance(key, str):
                continue
            if key in ("unique_together", "index_together"):
                out[key] = normalize_together(_literal(value_node))
            elif key in ("indexes", "constraints") and isinstance(
                value_node, (ast.List, ast.Tuple)
            ):
                out[key] = [self.code(e) for e in value_node.elts]
            elif key == "order_with_respect_to":
                out[key] = _literal(value_node)
            else:
                out[key] = self.code(value_node)
        return out

    def operation(self, node: ast.AST) -> ops.Operation | None:
        if not isinstance(node, ast.Call):
            return None
        kind = _call_name(node)
        signatures = {
            "CreateModel": ("name", "fields", "options", "bases", "managers"),
            "DeleteModel": ("name",),
            "RenameModel": ("old_name", "new_name"),
            "AddField": ("model_name", "name", "field", "preserve_default"),
            "RemoveField": ("model_name", "name"),
            "AlterField": ("model_name", "name", "field", "preserve_default"),
            "RenameField": ("model_name", "old_name", "new_name"),
            "AlterModelOptions": ("name", "options"),
            "AlterModelTable": ("name", "table"),
            "AlterModelTableComment": ("name", "table_comment"),
            "AlterModelManagers": ("name", "managers"),
            "AlterUniqueTogether": ("name", "unique_together"),
            "AlterIndexTogether": ("name", "index_together"),
            "AlterOrderWithRespectTo": ("name", "order_with_respect_to"),
            "AddIndex": ("model_name", "index"),
            "RemoveIndex": ("model_name", "name"),
            "RenameIndex": ("model_name", "new_name", "old_name", "old_fields"),
            "AddConstraint": ("model_name", "constraint"),
            "RemoveConstraint": ("model_name", "name"),
            "AlterConstraint": ("model_name", "name", "constraint"),
            "SeparateDatabaseAndState": ("database_operations", "state_operations"),
        }
        if kind in ("RunPython", "RunSQL"):
            return ops.StateOnly(kind_name=kind)
        if kind not in signatures:
            return None
        a: dict[str, ast.AST] = dict(zip(signatures[kind], node.args, strict=False))
        a.update({kw.arg: kw.value for kw in node.keywords if kw.arg})
        lit = {k: _literal(v) for k, v in a.items()}
        try:
            return self._build(kind, a, lit)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def _build(self, kind: str, a: dict[str, ast.AST], lit: dict[str, Any]) -> ops.Operation | None:
        if kind == "CreateModel":
            fields = []
            for elt in a["fields"].elts:  # type: ignore[attr-defined]
                fname = _literal(elt.elts[0])
                fields.append((fname, self.field(fname, elt.elts[1])))
            bases = (
                [self._base(e) for e in a["bases"].elts]  # type: ignore[attr-defined]
                if "bases" in a
                else [Code("models.Model")]
            )
            managers = []
            if "managers" in a:
                for elt in a["managers"].elts:  # type: ignore[attr-defined]
                    managers.append((_literal(elt.elts[0]), self.code(elt.elts[1])))
            return ops.CreateModel(
                lit["name"],
                fields,
                self.options(a["options"]) if "options" in a else {},
                bases,
                managers,
            )
        if kind == "DeleteModel":
            return ops.DeleteModel(lit["name"])
        if kind == "RenameModel":
            return ops.RenameModel(lit["old_name"], lit["new_name"])
        if kind in ("AddField", "AlterField"):
            cls = ops.AddField if kind == "AddField" else ops.AlterField
            preserve = lit.get("preserve_default", True)
            return cls(
                lit["model_name"],
                lit["name"],
                self.field(lit["name"], a["field"]),
                preserve is not False,
            )
        if kind == "RemoveField":
            return ops.RemoveField(lit["model_name"], lit["name"])
        if kind == "RenameField":
            return ops.RenameField(lit["model_name"], lit["old_name"], lit["new_name"])
        if kind == "AlterModelOptions":
            return ops.AlterModelOptions(lit["name"], self.options(a["options"]))
        if kind == "AlterModelTable":
            return ops.AlterModelTable(lit["name"], self.code(a["table"]))
        if kind == "AlterModelTableComment":
            return ops.AlterModelTableComment(lit["name"], self.code(a["table_comment"]))
        if kind == "AlterModelManagers":
            managers = [
                (_literal(elt.elts[0]), self.code(elt.elts[1]))
                for elt in a["managers"].elts  # type: ignore[attr-defined]
            ]
            return ops.AlterModelManagers(lit["name"], managers)
        if kind == "AlterUniqueTogether":
            return ops.AlterUniqueTogether(lit["name"], normalize_together(lit["unique_together"]))
        if kind == "AlterIndexTogether":
            return ops.AlterIndexTogether(lit["name"], normalize_together(lit["index_together"]))
        if kind == "AlterOrderWithRespectTo":
            return ops.AlterOrderWithRespectTo(lit["name"], lit["order_with_respect_to"])
        if kind == "AddIndex":
            return ops.AddIndex(lit["model_name"], self.code(a["index"]))
        if kind == "RemoveIndex":
            return ops.RemoveIndex(lit["model_name"], lit["name"])
        if kind == "RenameIndex":
            old_fields = lit.get("old_fields")
            return ops.RenameIndex(
                lit["model_name"],
                lit["new_name"],
                lit.get("old_name"),
                tuple(old_fields) if old_fields else None,
            )
        if kind == "AddConstraint":
            return ops.AddConstraint(lit["model_name"], self.code(a["constraint"]))
        if kind == "RemoveConstraint":
            return ops.RemoveConstraint(lit["model_name"], lit["name"])
        if kind == "AlterConstraint":
            return ops.AlterConstraint(lit["model_name"], lit["name"], self.code(a["constraint"]))
        if kind == "SeparateDatabaseAndState":
            state_ops = []
            node = a.get("state_operations")
            for elt in getattr(node, "elts", []):
                op = self.operation(elt)
                if op is None:
                    raise ValueError("unknown state operation")
                state_ops.append(op)
            return ops.SeparateDatabaseAndState(state_ops)
        return None

    def _base(self, node: ast.AST) -> Code:
        value = _literal(node)
        if isinstance(value, str):
            if "." in value:
                app, model = value.split(".", 1)
                value = f"{app}.{model.lower()}"
            return Code(repr(value))
        dotted = self.dotted(node)
        return Code(dotted) if dotted else self.code(node)


def normalize_together(value: Any) -> set[tuple[str, ...]]:
    """Django's ``normalize_together``: one tuple of names or a collection of them → set."""
    if not value:
        return set()
    value = tuple(value)
    if all(isinstance(v, str) for v in value):
        return {value}
    return {tuple(v) for v in value}
