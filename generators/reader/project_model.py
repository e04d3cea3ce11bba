"""The Django project around an app, found statically: manage.py, settings, urls, asgi, apps.py.

Data path: models.py → **project model** (this module: where the project files are and what the
settings say) → generation context → generator → artifacts → merge (``merge.project`` edits the
files named here) → file.

``read_project(start)`` takes an app folder or a models.py path and returns a ``ProjectIR``.
Nothing here imports or runs the user's code: manage.py, the settings module(s), apps.py are
parsed with ``ast``. Whatever cannot be followed statically (a computed INSTALLED_APPS, a missing
ROOT_URLCONF, a settings module that is not a file under the project root, a syntax error) is a
``Problem`` naming the file, the setting and what to do by hand. ``read_project`` never raises.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from djgen.generators.reader.names import dotted_name, resolve_relative
from djgen.generators.reader.project import find_module_file, find_project_root, module_name

__all__ = [
    "AppModel",
    "Problem",
    "ProjectIR",
    "SettingValue",
    "read_project",
    "read_settings_text",
]

_MAX_DEPTH = 12
_MAX_SETTINGS_FILES = 20

#: ``list`` / ``tuple``: every element a string literal (value: tuple of str);
#: ``dict``: a dict literal with string keys (value: key → the value's source text);
#: ``literal``: any other ``ast.literal_eval``-able value (value: the Python value);
#: ``source``: any other expression (``env("X")``, ``BASE_DIR / "db"``; value: None);
#: ``not_static``: modified in a way that cannot be followed (value: None).
SettingKind = Literal["list", "tuple", "dict", "literal", "source", "not_static"]


@dataclass(frozen=True)
class Problem:
    """Something djgen could not follow; ``message`` says what to add or change by hand."""

    path: Path | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path or "project")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SettingValue:
    """One setting as read: its kind, value, source text and where it was (last) assigned."""

    kind: SettingKind
    value: object
    source: str
    line: int
    path: Path | None = None
    #: Elements (list/tuple) or keys (dict) added only under ``if``/``try`` at module level.
    conditional: tuple[str, ...] = ()
    #: Why ``kind`` is ``not_static`` (the statement that could not be followed).
    reason: str = ""
    #: Elements / keys added after the assignment (``+=``, ``.append``, ``X["k"] = …``), with
    #: the file that added them.
    origins: tuple[tuple[str, Path | None], ...] = ()

    @property
    def items(self) -> tuple[str, ...]:
        """List/tuple elements, or dict keys; () for other kinds."""
        if self.kind in ("list", "tuple"):
            return tuple(self.value)  # type: ignore[arg-type]
        if self.kind == "dict":
            return tuple(self.value)  # type: ignore[arg-type]
        return ()


@dataclass(frozen=True)
class AppModel:
    """What apps.py says about the app, and whether INSTALLED_APPS lists it."""

    app_dir: Path
    label: str
    name: str  # the dotted import name (``AppConfig.name``, else from the folder)
    config_class: str | None = None
    apps_py: Path | None = None
    installed: bool | None = None  # None: INSTALLED_APPS could not be read
    installed_as: str | None = None  # the INSTALLED_APPS entry that names it


@dataclass(frozen=True)
class ProjectIR:
    """Where the project's files are and what its settings say, read without running it."""

    root: Path | None
    manage_py: Path | None
    settings_module: str | None
    #: The settings file to edit: the one that defines INSTALLED_APPS (``base.py`` when the
    #: module named by DJANGO_SETTINGS_MODULE star-imports it), else the module's own file.
    settings_path: Path | None
    #: The file DJANGO_SETTINGS_MODULE names (differs from ``settings_path`` for packages).
    settings_entry: Path | None
    urls_path: Path | None
    asgi_path: Path | None
    wsgi_path: Path | None
    package_dir: Path | None
    app: AppModel | None
    settings: dict[str, SettingValue] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Every settings file read, in order (star-imports first).
    settings_files: tuple[Path, ...] = ()

    def provided_elsewhere(self, path: Path | None = None) -> dict[str, tuple[str, ...]]:
        """List elements and dict keys that settings files other than ``path`` (default: the
        one to edit) provide, by setting: ``merge_project_file(..., elsewhere=...)`` counts them
        as present, so an app that dev.py adds with ``+=`` is not added to base.py again."""
        path = path or self.settings_path
        out: dict[str, tuple[str, ...]] = {}
        for name, value in self.settings.items():
            if value.kind not in ("list", "tuple", "dict"):
                continue
            items = (*value.items, *value.conditional)
            if value.path != path:
                out[name] = items
            else:
                others = tuple(item for item, origin in value.origins if origin != path)
                if others:
                    out[name] = others
        return out


# --------------------------------------------------------------------------------------------
# Files and modules
# --------------------------------------------------------------------------------------------


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _parse(path: Path, problems: list[Problem], what: str) -> ast.Module | None:
    text = _read(path)
    if text is None:
        problems.append(Problem(path, None, f"cannot read {what}; djgen skips it"))
        return None
    try:
        return ast.parse(text.removeprefix("\ufeff"), filename=str(path))
    except SyntaxError as error:
        problems.append(
            Problem(
                path,
                error.lineno,
                f"syntax error in {what}: {error.msg}; fix it, then run djgen again",
            )
        )
    except (ValueError, RecursionError, MemoryError) as error:
        problems.append(Problem(path, None, f"cannot parse {what}: {error}"))
    return None


def _module_file(dotted: str, root: Path) -> Path | None:
    if not dotted or not all(part.isidentifier() for part in dotted.split(".")):
        return None
    return find_module_file(dotted, root)


def _settings_module_from_manage(tree: ast.Module) -> str | None:
    """``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings")`` anywhere in manage.py."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and dotted_name(node.func) in ("os.environ.setdefault", "environ.setdefault")
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == "DJANGO_SETTINGS_MODULE"
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            return node.args[1].value
    return None


# --------------------------------------------------------------------------------------------
# Settings values
# --------------------------------------------------------------------------------------------


def _string_items(node: ast.expr) -> tuple[str, ...] | None:
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    items = []
    for element in node.elts:
        if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
            return None
        items.append(element.value)
    return tuple(items)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@lru_cache(maxsize=16)
def _source_lines(text: str) -> tuple[str, ...]:
    """``text`` split as ``ast.get_source_segment`` splits it (at \\r\\n, \\r, \\n only), once
    per text: that function splits the whole file again on every call, which made reading a
    settings module quadratic in its length."""
    return tuple(_LINE.findall(text))


def _segment(text: str, node: ast.AST) -> str:
    """The source of ``node`` (``ast.get_source_segment``, unpadded), else its unparsed text."""
    start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
    lines = _source_lines(text)
    if start is None or end is None or col is None or end_col is None or end > len(lines):
        return ast.unparse(node)
    if start == end:
        segment = lines[start - 1].encode()[col:end_col].decode()
    else:
        first = lines[start - 1].encode()[col:].decode()
        last = lines[end - 1].encode()[:end_col].decode()
        segment = "".join([first, *lines[start : end - 1], last])
    return segment or ast.unparse(node)


def _value_of(node: ast.expr, text: str, line: int, path: Path | None) -> SettingValue:
    source = _segment(text, node)
    items = _string_items(node)
    if items is not None:
        kind: SettingKind = "list" if isinstance(node, ast.List) else "tuple"
        return SettingValue(kind, items, source, line, path)
    if isinstance(node, ast.Dict) and all(
        isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys
    ):
        keys = {k.value: _segment(text, v) for k, v in zip(node.keys, node.values, strict=True)}  # type: ignore[union-attr]
        return SettingValue("dict", keys, source, line, path)
    try:
        return SettingValue("literal", ast.literal_eval(node), source, line, path)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return SettingValue("source", None, source, line, path)


def _not_static(old: SettingValue | None, line: int, path: Path | None, why: str) -> SettingValue:
    source = old.source if old else ""
    return SettingValue("not_static", None, source, line, path, reason=why)


def _extend(
    old: SettingValue,
    new: tuple[str, ...],
    conditional: bool,
    path: Path | None,
    at: int | None = None,
) -> SettingValue:
    origins = (*old.origins, *((item, path) for item in new))
    if conditional:
        return replace(old, conditional=(*old.conditional, *new), origins=origins)
    items = list(old.value)  # type: ignore[call-overload]
    if at is None:
        items.extend(new)
    else:
        items[at:at] = new
    return replace(old, value=tuple(items), origins=origins)


def _top_statements(
    body: list[ast.stmt], conditional: bool = False
) -> Iterator[tuple[ast.stmt, bool]]:
    """Module-level statements, descending into if/try/with/for (marked conditional)."""
    for stmt in body:
        if isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.AsyncWith)):
            yield stmt, conditional
            yield from _top_statements(stmt.body, True)
            yield from _top_statements(getattr(stmt, "orelse", []), True)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            yield stmt, conditional
            for block in (stmt.body, stmt.orelse, stmt.finalbody):  # type: ignore[attr-defined]
                yield from _top_statements(block, True)
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                yield from _top_statements(handler.body, True)
        else:
            yield stmt, conditional


class _SettingsReader:
    """Reads settings files in execution order, following project-local star-imports."""

    def __init__(self, root: Path, problems: list[Problem]) -> None:
        self.root = root
        self.problems = problems
        self.values: dict[str, SettingValue] = {}
        self.files: list[Path] = []

    def read(self, path: Path) -> None:
        if path in self.files or len(self.files) >= _MAX_SETTINGS_FILES:
            return
        self.files.append(path)
        tree = _parse(path, self.problems, "the settings module")
        if tree is None:
            return
        text = _read(path) or ""
        module, is_package = module_name(path, self.root)
        for stmt, conditional in _top_statements(tree.body):
            self.statement(stmt, conditional, text, path, module, is_package)

    def statement(
        self,
        stmt: ast.stmt,
        conditional: bool,
        text: str,
        path: Path,
        module: str,
        is_package: bool,
    ) -> None:
        line = stmt.lineno
        if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            target = stmt.module or ""
            if stmt.level:
                target = resolve_relative(module, is_package, stmt.level, stmt.module)
            file = _module_file(target, self.root)
            if file is not None:
                self.read(file)
            return
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    self.assign(target.id, stmt.value, conditional, text, line, path)
                elif isinstance(target, ast.Subscript):
                    self.subscript(target, stmt.value, conditional, text, line, path)
            return
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
            old = self.values.get(name)
            items = _string_items(stmt.value)
            if old is not None and old.kind in ("list", "tuple") and items is not None:
                self.values[name] = _extend(old, items, conditional, path)
            elif old is not None:
                why = f"{name} {ast.unparse(stmt.op)}= a value that is not a literal"
                self.values[name] = _not_static(old, line, path, why)
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self.call(stmt.value, conditional, line, path)

    def assign(
        self, name: str, value: ast.expr, conditional: bool, text: str, line: int, path: Path
    ) -> None:
        old = self.values.get(name)
        # ``X = X + [...]`` is ``X += [...]``
        if (
            isinstance(value, ast.BinOp)
            and isinstance(value.op, ast.Add)
            and isinstance(value.left, ast.Name)
            and value.left.id == name
            and old is not None
            and old.kind in ("list", "tuple")
        ):
            items = _string_items(value.right)
            if items is not None:
                self.values[name] = _extend(old, items, conditional, path)
                return
        new = _value_of(value, text, line, path)
        if conditional and old is not None:
            why = f"{name} is assigned again under a condition (line {line})"
            self.values[name] = _not_static(old, line, path, why)
        else:
            self.values[name] = new

    def subscript(
        self,
        target: ast.Subscript,
        value: ast.expr,
        conditional: bool,
        text: str,
        line: int,
        path: Path,
    ) -> None:
        if not isinstance(target.value, ast.Name):
            return
        name = target.value.id
        old = self.values.get(name)
        key = target.slice
        if old is None or old.kind != "dict":
            return
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            origins = (*old.origins, (key.value, path))
            if conditional:
                conditional_keys = (*old.conditional, key.value)
                self.values[name] = replace(old, conditional=conditional_keys, origins=origins)
            else:
                keys = dict(old.value)  # type: ignore[call-overload]
                keys[key.value] = _segment(text, value)
                self.values[name] = replace(old, value=keys, origins=origins)
        else:
            why = f"{name}[...] is set with a key that is not a string literal"
            self.values[name] = _not_static(old, line, path, why)

    def call(self, call: ast.Call, conditional: bool, line: int, path: Path) -> None:
        callee = dotted_name(call.func)
        if not callee or callee.count(".") != 1:
            return
        name, method = callee.split(".")
        old = self.values.get(name)
        if old is None or old.kind not in ("list", "tuple", "dict"):
            return
        literal = [
            a.value if isinstance(a, ast.Constant) and isinstance(a.value, (str, int)) else None
            for a in call.args
        ]
        if old.kind == "list" and method == "append" and len(literal) == 1:
            if isinstance(literal[0], str):
                self.values[name] = _extend(old, (literal[0],), conditional, path)
                return
        elif old.kind == "list" and method == "insert" and len(literal) == 2:
            if isinstance(literal[0], int) and isinstance(literal[1], str):
                self.values[name] = _extend(old, (literal[1],), conditional, path, literal[0])
                return
        elif old.kind == "list" and method == "extend" and len(call.args) == 1:
            items = _string_items(call.args[0])
            if items is not None:
                self.values[name] = _extend(old, items, conditional, path)
                return
        elif method not in ("append", "insert", "extend", "remove", "update", "pop", "clear"):
            return  # a method that does not modify (``x.copy()``): nothing to follow
        why = f"{name}.{method}(...) is not a literal modification"
        self.values[name] = _not_static(old, line, path, why)


def read_settings_text(text: str, path: Path | None = None) -> dict[str, SettingValue]:
    """The settings of one file's text (no star-import is followed). Never raises."""
    problems: list[Problem] = []
    reader = _SettingsReader(Path("."), problems)
    try:
        tree = ast.parse(text.removeprefix("\ufeff"))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    for stmt, conditional in _top_statements(tree.body):
        reader.statement(stmt, conditional, text, path or Path("settings.py"), "", False)
    return reader.values


# --------------------------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------------------------


def _app_dir(start: Path, root: Path | None) -> Path:
    here = start if start.is_dir() else start.parent
    probe = here
    for _ in range(_MAX_DEPTH):  # models/ package inside the app: go up to apps.py
        if (probe / "apps.py").is_file():
            return probe
        if root is not None and probe.resolve() == root.resolve():
            break
        if probe.parent == probe:
            break
        probe = probe.parent
    return here


def _class_strings(node: ast.ClassDef) -> dict[str, object]:
    out: dict[str, object] = {}
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and isinstance(stmt.value, ast.Constant):
                out[target.id] = stmt.value.value
    return out


def _read_app(app_dir: Path, root: Path | None, problems: list[Problem]) -> AppModel:
    folder_name = app_dir.name
    if root is not None:
        dotted, _ = module_name(app_dir / "__init__.py", root)
        folder_name = dotted or folder_name
    apps_py = app_dir / "apps.py"
    if not apps_py.is_file():
        label = folder_name.rpartition(".")[2]
        return AppModel(app_dir, label, folder_name)
    tree = _parse(apps_py, problems, "apps.py")
    configs = [
        node
        for node in (tree.body if tree else [])
        if isinstance(node, ast.ClassDef)
        and any((dotted_name(base) or "").endswith("AppConfig") for base in node.bases)
    ]
    if not configs:
        return AppModel(app_dir, folder_name.rpartition(".")[2], folder_name, apps_py=apps_py)
    chosen = next((c for c in configs if _class_strings(c).get("default") is True), configs[0])
    values = _class_strings(chosen)
    name = values.get("name") if isinstance(values.get("name"), str) else folder_name
    label = values.get("label")
    if not (isinstance(label, str) and label.isidentifier()):
        label = str(name).rpartition(".")[2]
    return AppModel(app_dir, label, str(name), chosen.name, apps_py)


def _installed(app: AppModel, value: SettingValue | None) -> tuple[bool | None, str | None]:
    if value is None or value.kind not in ("list", "tuple"):
        return None, None
    wanted = {app.name}
    if app.config_class:
        wanted.add(f"{app.name}.apps.{app.config_class}")
    for entry in (*value.items, *value.conditional):
        if entry in wanted:
            return True, entry
    return False, None


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def _module_setting(
    name: str,
    settings: dict[str, SettingValue],
    root: Path,
    settings_path: Path | None,
    problems: list[Problem],
    *,
    strip_attr: bool,
    required: str | None,
) -> Path | None:
    """The file of a dotted-path setting (ROOT_URLCONF, ``x.asgi.application``)."""
    value = settings.get(name)
    if value is None:
        if required:
            problems.append(Problem(settings_path, None, f"{name} is not set; add {required}"))
        return None
    if value.kind != "literal" or not isinstance(value.value, str):
        problems.append(
            Problem(
                value.path,
                value.line,
                f"{name} is not a string literal ({value.source}); djgen cannot find the module;"
                f" set {name} to a dotted path string",
            )
        )
        return None
    dotted = value.value.rpartition(".")[0] if strip_attr else value.value
    file = _module_file(dotted, root)
    if file is None:
        problems.append(
            Problem(
                value.path,
                value.line,
                f"{name} = {value.value!r} names a module that is not a file under {root};"
                " fix the setting or create the module",
            )
        )
    return file


def _empty(app: AppModel | None, problems: list[Problem]) -> ProjectIR:
    return ProjectIR(None, None, None, None, None, None, None, None, None, app, {}, problems)


def read_project(start: Path | str) -> ProjectIR:
    """The project around ``start`` (an app folder, or a models.py inside one). Never raises."""
    start = Path(start)
    problems: list[Problem] = []
    try:
        return _read_project(start, problems)
    except Exception as error:  # the contract is "never raises"
        problems.append(Problem(start, None, f"djgen could not read the project: {error!r}"))
        return _empty(None, problems)


def _read_project(start: Path, problems: list[Problem]) -> ProjectIR:
    root = find_project_root(start)
    app_dir = _app_dir(start, root)
    if root is None:
        problems.append(
            Problem(
                start,
                None,
                f"no manage.py in {app_dir} or the {_MAX_DEPTH} folders above it; run djgen"
                " inside a Django project (django-admin startproject)",
            )
        )
        app = _read_app(app_dir, None, problems)
        return _empty(app, problems)
    manage_py = root / "manage.py"
    tree = _parse(manage_py, problems, "manage.py")
    module = _settings_module_from_manage(tree) if tree else None
    if module is None and tree is not None:
        problems.append(
            Problem(
                manage_py,
                None,
                "manage.py does not call os.environ.setdefault('DJANGO_SETTINGS_MODULE', ...);"
                " add it with your settings module, e.g. 'mysite.settings'",
            )
        )
    entry = _module_file(module, root) if module else None
    if module and entry is None:
        problems.append(
            Problem(
                manage_py,
                None,
                f"DJANGO_SETTINGS_MODULE is {module!r} but no such file under {root}; fix"
                " manage.py or create the settings module",
            )
        )
    settings: dict[str, SettingValue] = {}
    files: tuple[Path, ...] = ()
    if entry is not None:
        reader = _SettingsReader(root, problems)
        reader.read(entry)
        settings, files = reader.values, tuple(reader.files)
    installed_apps = settings.get("INSTALLED_APPS")
    settings_path = installed_apps.path if installed_apps and installed_apps.path else entry
    if entry is not None and installed_apps is None and not any(p.path in files for p in problems):
        problems.append(
            Problem(entry, None, "INSTALLED_APPS is not set; add INSTALLED_APPS = [...]")
        )
    elif installed_apps is not None and installed_apps.kind not in ("list", "tuple"):
        why = installed_apps.reason or f"its value is {installed_apps.source}"
        problems.append(
            Problem(
                installed_apps.path,
                installed_apps.line,
                f"INSTALLED_APPS is computed ({why}); djgen cannot read or edit it:"
                " add the apps djgen names by hand",
            )
        )
    package_dir = root / module.split(".")[0] if module else None
    if package_dir is not None and not package_dir.is_dir():
        package_dir = None
    urls_path = asgi_path = wsgi_path = None
    if entry is not None and settings:
        default_urls = f"{module.split('.')[0]}.urls" if module else "<proj>.urls"
        urls_path = _module_setting(
            "ROOT_URLCONF",
            settings,
            root,
            settings_path,
            problems,
            strip_attr=False,
            required=f"ROOT_URLCONF = {default_urls!r}",
        )
        asgi_path = _module_setting(
            "ASGI_APPLICATION",
            settings,
            root,
            settings_path,
            problems,
            strip_attr=True,
            required=None,
        )
        wsgi_path = _module_setting(
            "WSGI_APPLICATION",
            settings,
            root,
            settings_path,
            problems,
            strip_attr=True,
            required=None,
        )
    if asgi_path is None and package_dir is not None and (package_dir / "asgi.py").is_file():
        asgi_path = package_dir / "asgi.py"
    if wsgi_path is None and package_dir is not None and (package_dir / "wsgi.py").is_file():
        wsgi_path = package_dir / "wsgi.py"
    app = _read_app(app_dir, root, problems)
    installed, installed_as = _installed(app, installed_apps)
    app = AppModel(
        app.app_dir, app.label, app.name, app.config_class, app.apps_py, installed, installed_as
    )
    if installed is False:
        problems.append(
            Problem(
                settings_path,
                installed_apps.line if installed_apps else None,
                f"the app {app.name!r} is not in INSTALLED_APPS; add {app.name!r} to it",
            )
        )
    return ProjectIR(
        root=root,
        manage_py=manage_py,
        settings_module=module,
        settings_path=settings_path,
        settings_entry=entry,
        urls_path=urls_path,
        asgi_path=asgi_path,
        wsgi_path=wsgi_path,
        package_dir=package_dir,
        app=app,
        settings=settings,
        problems=problems,
        settings_files=files,
    )
