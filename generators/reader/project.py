"""The Django project around a models module, read statically: root, apps.py, settings.

Data path: models.py → **reader** (this module supplies the app label, DEFAULT_AUTO_FIELD and
AUTH_USER_MODEL that the IR needs) → IR → generators.

Nothing here imports or runs the user's code: manage.py, apps.py and the settings module are
parsed with ``ast`` and only literal assignments are read.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

_SETTINGS_RE = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")
_MAX_DEPTH = 12

#: A setting the settings files do not set (``ProjectSettings.lookup``).
MISSING: object = type("Missing", (), {"__repr__": lambda self: "<not set>"})()


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None


def find_project_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds manage.py."""
    here = start if start.is_dir() else start.parent
    for _ in range(_MAX_DEPTH):
        if (here / "manage.py").is_file():
            return here
        if here.parent == here:
            return None
        here = here.parent
    return None


def import_root_for(app_dir: Path) -> Path:
    """The folder from which the app is importable: the project root, else the package top."""
    root = find_project_root(app_dir)
    if root is not None and app_dir.resolve().is_relative_to(root.resolve()):
        return root
    here = app_dir
    while (here / "__init__.py").is_file() and here.parent != here:
        here = here.parent
    return here


def module_name(path: Path, root: Path) -> tuple[str, bool]:
    """Dotted module name of ``path`` relative to ``root``, and whether it is a package."""
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        return path.stem, False
    parts = list(rel.parts)
    if not parts:
        return "", True
    is_package = parts[-1] == "__init__.py"
    if is_package:
        parts = parts[:-1]
    elif parts[-1].endswith(".py"):
        parts[-1] = parts[-1][:-3]
    return ".".join(parts), is_package


def find_module_file(dotted: str, root: Path) -> Path | None:
    """The file for a dotted module name under ``root`` (module.py or package/__init__.py)."""
    if not dotted:
        return None
    base = root.joinpath(*dotted.split("."))
    candidate = base.with_suffix(".py")
    if candidate.is_file():
        return candidate
    init = base / "__init__.py"
    if init.is_file():
        return init
    return None


@dataclass
class AppInfo:
    """What apps.py says about an app."""

    label: str
    name: str | None = None
    default_auto_field: str | None = None


def _literal_assignments(body: list[ast.stmt]) -> dict[str, object]:
    out: dict[str, object] = {}
    for stmt in body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        for target in targets:
            if isinstance(target, ast.Name) and value is not None:
                try:
                    out[target.id] = ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue
    return out


def read_app_info(app_dir: Path) -> AppInfo:
    """The app label (``label`` in apps.py, else the folder name) and its default_auto_field."""
    info = AppInfo(label=app_dir.name)
    tree = _parse(app_dir / "apps.py")
    if tree is None:
        return info
    configs = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(
            (isinstance(b, ast.Name) and b.id == "AppConfig")
            or (isinstance(b, ast.Attribute) and b.attr == "AppConfig")
            for b in node.bases
        )
    ]
    if not configs:
        return info
    chosen = configs[0]
    for node in configs:
        if _literal_assignments(node.body).get("default") is True:
            chosen = node
    values = _literal_assignments(chosen.body)
    name = values.get("name")
    if isinstance(name, str):
        info.name = name
        info.label = name.rpartition(".")[2]
    label = values.get("label")
    if isinstance(label, str) and label.isidentifier():
        info.label = label
    auto = values.get("default_auto_field")
    if isinstance(auto, str):
        info.default_auto_field = auto
    return info


@dataclass
class ProjectSettings:
    """The few settings the reader needs, read statically from the settings module."""

    default_auto_field: str = "django.db.models.AutoField"
    auth_user_model: str = "auth.User"
    settings_path: Path | None = None
    #: True when the values come from a settings file (not defaults).
    found: bool = False
    #: Every setting assigned a literal at module level (star-imports followed), by name.
    values: dict[str, object] = field(default_factory=dict)
    #: Settings whose value cannot be read statically: assigned a non-literal, or under an
    #: ``if``/``try``/``for``/``with`` (``"*"``: a star-import djgen cannot follow).
    unsure: frozenset[str] = frozenset()

    def lookup(self, name: str) -> tuple[bool, object]:
        """(known, value) of setting ``name`` as read statically; ``(True, _MISSING)`` when the
        settings files certainly do not set it, ``(False, None)`` when djgen cannot tell."""
        if not self.found or name in self.unsure or "*" in self.unsure:
            return False, None
        if name in self.values:
            return True, self.values[name]
        return True, MISSING


def settings_module_name(root: Path) -> str | None:
    """``DJANGO_SETTINGS_MODULE`` as set by manage.py."""
    try:
        text = (root / "manage.py").read_text(encoding="utf-8")
    except OSError:
        return None
    match = _SETTINGS_RE.search(text)
    return match.group(1) if match else None


def _assigned_anywhere(stmt: ast.stmt) -> set[str]:
    """Names a statement assigns (in nested blocks too)."""
    names: set[str] = set()
    for node in ast.walk(stmt):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names.add(target.id)
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    names.add(target.value.id)  # X["k"] = v
        elif (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and isinstance(node.value.func.value, ast.Name)
        ):
            names.add(node.value.func.value.id)  # X.append(...): X is modified
    return names


def _settings_values(
    path: Path, root: Path, seen: set[Path], unsure: set[str] | None = None
) -> dict[str, object]:
    """Literal assignments of a settings module, following ``from x import *`` in the project;
    names it assigns in a way that cannot be read go to ``unsure``."""
    unsure = unsure if unsure is not None else set()
    if path in seen or len(seen) > 20:
        return {}
    seen.add(path)
    tree = _parse(path)
    if tree is None:
        unsure.add("*")
        return {}
    values: dict[str, object] = {}
    module, is_package = module_name(path, root)
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            from .names import resolve_relative

            target = stmt.module or ""
            if stmt.level:
                target = resolve_relative(module, is_package, stmt.level, stmt.module)
            file = find_module_file(target, root)
            if file is not None:
                values.update(_settings_values(file, root, seen, unsure))
            else:
                unsure.add("*")
            continue
        literal = _literal_assignments([stmt])
        nested = isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        assigned = set() if nested else _assigned_anywhere(stmt)
        for name in assigned - set(literal):
            values.pop(name, None)
            unsure.add(name)
        for name in literal:
            unsure.discard(name)
        values.update(literal)
    return values


def read_settings(root: Path | None, settings_module: str | None = None) -> ProjectSettings:
    """DEFAULT_AUTO_FIELD and AUTH_USER_MODEL, with Django's defaults when they cannot be read."""
    result = ProjectSettings()
    if root is None:
        return result
    name = settings_module or settings_module_name(root)
    path = find_module_file(name, root) if name else None
    if path is None:
        return result
    unsure: set[str] = set()
    values = _settings_values(path, root, set(), unsure)
    result.settings_path = path
    result.found = True
    result.values = values
    result.unsure = frozenset(unsure)
    auto = values.get("DEFAULT_AUTO_FIELD")
    if isinstance(auto, str):
        result.default_auto_field = auto
    user = values.get("AUTH_USER_MODEL")
    if isinstance(user, str) and "." in user:
        result.auth_user_model = user
    return result
