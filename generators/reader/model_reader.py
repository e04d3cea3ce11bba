"""Reads one models module's source into the model IR, statically.

Data path: models.py → **reader** (this module: ``ast`` → ModuleIR) → IR → generators.

The rules follow Django's ``ModelBase``: fields of abstract bases are copied into children (a
child's own attribute wins), a concrete base makes a multi-table child with a ``<parent>_ptr``
link, a model with no primary key gets the implicit ``id``, and fields are listed in creation
order (``local_fields`` then ``local_many_to_many``). Other modules of the project (abstract bases,
custom fields, relation targets) are read on demand through a ``ModuleLoader``. Nothing raises:
what cannot be understood is kept as source text and reported as a ``Problem``.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from djgen.generators.core.ir import (
    NOT_LITERAL,
    ChoicesIR,
    FieldIR,
    MetaIR,
    ModelIR,
    ModuleIR,
    Problem,
    Span,
    Value,
)
from djgen.generators.core.paths import relative
from djgen.generators.reader.choices import choice_members, literal

from . import django_fields as df
from .names import ImportTable, collect_imports
from .project import MISSING, ProjectSettings, find_module_file, module_name, read_app_info
from .site_packages import find_installed_module, installed_root, site_packages
from .source import SourceText

_GETTEXT = {
    "django.utils.translation.gettext",
    "django.utils.translation.gettext_lazy",
    "django.utils.translation.gettext_noop",
    "django.utils.translation.ugettext",
    "django.utils.translation.ugettext_lazy",
}
_USER_MODEL_REFS = {
    "django.conf.settings.AUTH_USER_MODEL",
    "django.contrib.auth.get_user_model",
}
_ON_DELETE_MODULES = ("django.db.models.", "django.db.models.deletion.")


@dataclass
class ReadContext:
    """Where the module sits: its app, dotted name, project settings and a loader for others."""

    app_label: str
    module: str = ""
    is_package: bool = False
    path: str | None = None
    settings: ProjectSettings = field(default_factory=ProjectSettings)
    default_auto_field: str = "django.db.models.AutoField"
    loader: ModuleLoader | None = None
    #: Models read earlier, reused when a class and what it depends on are unchanged.
    cache: ModelCache | None = None


@dataclass
class _CachedModel:
    model: ModelIR
    choices: list[ChoicesIR]
    problems: list[Problem]
    line: int


class ModelCache:
    """ModelIRs of the previous read of one document, keyed by class text and dependencies.

    Only the entries used by the latest read are kept, so memory follows the document."""

    def __init__(self) -> None:
        self._entries: dict[tuple[Any, ...], _CachedModel] = {}
        self._next: dict[tuple[Any, ...], _CachedModel] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...]) -> _CachedModel | None:
        entry = self._entries.get(key)
        if entry is not None:
            self.hits += 1
        else:
            self.misses += 1
        return entry

    def put(self, key: tuple[Any, ...], entry: _CachedModel) -> None:
        self._next[key] = entry

    def commit(self) -> None:
        self._entries, self._next = self._next, {}


@dataclass
class _Loaded:
    ir: ModuleIR
    table: ImportTable
    #: Class name → "model", "field", "choices", "other"; module-level function names; classes
    #: whose bases djgen cannot read (name → the unreadable base).
    kinds: dict[str, str] = field(default_factory=dict)
    functions: set[str] = field(default_factory=set)
    unreadable: dict[str, str] = field(default_factory=dict)
    installed: bool = False


class ModuleLoader:
    """Reads the project's other modules on demand, once each, guarding against import cycles."""

    def __init__(
        self,
        root: Path | None,
        settings: ProjectSettings,
        site: tuple[Path, ...] | None = None,
    ) -> None:
        self.root = root
        self.settings = settings
        #: The project interpreter's site-packages: installed packages are read like the
        #: project's own modules (``site_packages``).
        self.site = site if site is not None else site_packages(root)
        self._cache: dict[str, _Loaded | None] = {}
        self._loading: set[str] = set()
        self._labels: dict[Path, tuple[str, str | None]] = {}
        self._exports: dict[str, frozenset[str]] = {}
        self._global_settings: tuple[dict[str, object], frozenset[str], bool] | None = None
        self._django_version: tuple[object, ...] | None = None
        #: Bumped by ``reset``; part of cache keys that depend on other modules.
        self.generation = 0

    def reset(self) -> None:
        """Forget what was read (other modules changed on disk)."""
        self._cache.clear()
        self._labels.clear()
        self._exports.clear()
        self.generation += 1

    def app_for_file(self, file: Path) -> tuple[str, str | None]:
        """(app label, default_auto_field) of the app a module file belongs to."""
        app_dir = file.parent
        if app_dir.name == "models" and (app_dir / "__init__.py").is_file():
            app_dir = app_dir.parent
        cached = self._labels.get(app_dir)
        if cached is None:
            info = read_app_info(app_dir)
            cached = (info.label, info.default_auto_field)
            self._labels[app_dir] = cached
        return cached

    def readable(self, dotted: str) -> bool:
        """Whether a module's source can be read (in the project or installed)."""
        if dotted in self._cache:
            return self._cache[dotted] is not None
        return self._file(dotted)[0] is not None

    def _file(self, dotted: str) -> tuple[Path | None, Path | None]:
        """(source file, the folder it imports from) of a module, project first."""
        if not dotted or not _readable_module(dotted):
            return None, None
        if self.root is not None and not dotted.startswith("django."):
            file = find_module_file(dotted, self.root)
            if file is not None:
                return file, self.root
        file = find_installed_module(dotted, self.site)
        if file is not None:
            return file, installed_root(file, self.site)
        return None, None

    def load(self, dotted: str) -> _Loaded | None:
        if not dotted:
            return None
        if dotted in self._cache:
            return self._cache[dotted]
        if dotted in self._loading:
            return None
        file, base = self._file(dotted)
        if file is None or base is None:
            self._cache[dotted] = None
            return None
        self._loading.add(dotted)
        try:
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._cache[dotted] = None
                return None
            label, auto = self.app_for_file(file)
            name, is_package = module_name(file, base)
            ctx = ReadContext(
                app_label=label,
                module=name,
                is_package=is_package,
                path=str(file),
                settings=self.settings,
                default_auto_field=auto or self.settings.default_auto_field,
                loader=self,
            )
            reader = _ModuleReader(text, ctx)
            ir = reader.run()
            loaded = (
                _Loaded(
                    ir,
                    reader.table,
                    kinds=dict(reader.kinds),
                    functions=set(reader.functions),
                    unreadable=dict(reader.unreadable),
                    installed=base != self.root,
                )
                if reader.table is not None
                else None
            )
            self._cache[dotted] = loaded
            return loaded
        finally:
            self._loading.discard(dotted)

    def describe(self, dotted: str, depth: int = 0) -> tuple[str, str]:
        """What a dotted name stands for: ("model" | "field" | "choices" | "other" |
        "function" | "unreadable-base" | "missing" | "unreadable", detail)."""
        module, _, name = dotted.rpartition(".")
        if module.startswith("django.") and not _readable_module(module):
            return "other", dotted
        loaded = self.load(module)
        if loaded is None:
            if depth < 5 and "." in module and self.readable(module.rpartition(".")[0]):
                parent = self.describe(module, depth + 1)  # ``pkg.sub.Cls`` via ``import pkg``
                if parent[0] != "missing":
                    return parent if parent[0] != "other" else ("missing", dotted)
            return "unreadable", module or dotted
        kind = loaded.kinds.get(name)
        if kind is not None:
            if name in loaded.unreadable:
                return "unreadable-base", loaded.unreadable[name]
            return kind, dotted
        if name in loaded.functions:
            return "function", dotted
        if depth > 5:
            return "missing", module
        target = loaded.table.names.get(name)
        if target and target != dotted:
            return self.describe(target, depth + 1)
        for star in loaded.table.star_modules:
            found = self.describe(f"{star}.{name}", depth + 1)
            if found[0] not in ("missing", "unreadable"):
                return found
        if self.readable(f"{module}.{name}"):
            return "other", dotted  # a submodule
        return "missing", module

    def exports(self, dotted: str, depth: int = 0) -> frozenset[str]:
        """The names ``from <dotted> import *`` binds (``__all__`` when it is a literal)."""
        cached = self._exports.get(dotted)
        if cached is not None:
            return cached
        loaded = self.load(dotted)
        if loaded is None:
            return frozenset()
        tree = next(iter(loaded.ir.trees.values()), None)
        names: set[str] = set()
        declared: list[str] | None = None
        added: list[str] = []  # __all__.append("X") / .extend([...]) / += [...] (oscar)
        for stmt, _ in _module_statements(tree.body if tree is not None else []):
            if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(stmt.name)
            elif (
                isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Call)
                and isinstance(stmt.value.func, ast.Attribute)
                and isinstance(stmt.value.func.value, ast.Name)
                and stmt.value.func.value.id == "__all__"
                and len(stmt.value.args) == 1
            ):
                value = _literal(stmt.value.args[0])
                if isinstance(value, str):
                    added.append(value)
                elif isinstance(value, (list, tuple)):
                    added.extend(map(str, value))
            elif (
                isinstance(stmt, ast.AugAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id == "__all__"
            ):
                value = _literal(stmt.value)
                added.extend(map(str, value) if isinstance(value, (list, tuple)) else ())
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        names.add(target.id)
                        if target.id == "__all__":
                            value = _literal(stmt.value) if stmt.value is not None else None
                            if isinstance(value, (list, tuple)):
                                declared = [str(v) for v in value]
        names |= set(loaded.table.names)
        if depth < 5:
            for star in loaded.table.star_modules:
                names |= self.exports(star, depth + 1)
        result = frozenset(
            [*declared, *added]
            if declared is not None
            else (n for n in names if not n.startswith("_"))
        )
        self._exports[dotted] = result
        return result

    def django_version(self) -> tuple[object, ...] | None:
        """``django.VERSION`` of the installed Django, read from its ``__init__.py``."""
        if self._django_version is None:
            file = find_installed_module("django", self.site)
            version: tuple[object, ...] = ()
            try:
                tree = ast.parse(file.read_text(encoding="utf-8")) if file else None
            except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
                tree = None
            for stmt in tree.body if tree is not None else []:
                if (
                    isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                    and stmt.targets[0].id == "VERSION"
                ):
                    value = _literal(stmt.value)
                    version = tuple(value) if isinstance(value, (tuple, list)) else ()
            self._django_version = version
        return self._django_version or None

    def django_setting_default(self, name: str) -> tuple[bool, object]:
        """(known, value) of a setting's default in Django's installed ``global_settings``
        (``MISSING``: Django has no such setting), read statically."""
        if self._global_settings is None:
            file = find_installed_module("django.conf.global_settings", self.site)
            values: dict[str, object] = {}
            unsure: set[str] = set()
            if file is not None:
                try:
                    tree = ast.parse(file.read_text(encoding="utf-8"))
                except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
                    tree = None
                for stmt in tree.body if tree is not None else []:
                    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                        target = stmt.targets[0]
                        if isinstance(target, ast.Name):
                            value = _literal(stmt.value)
                            if value is NOT_LITERAL:
                                unsure.add(target.id)
                            else:
                                values[target.id] = value
            self._global_settings = (values, frozenset(unsure), file is not None)
        values, unsure, found = self._global_settings
        if not found or name in unsure:
            return False, None
        return True, values.get(name, MISSING)

    def find_class(self, dotted: str, depth: int = 0) -> tuple[_Loaded, str] | None:
        """The loaded module that defines class ``dotted``, following re-exports."""
        module, _, name = dotted.rpartition(".")
        loaded = self.load(module)
        if loaded is None or depth > 5:
            return None
        if loaded.ir.model(name) or name in loaded.ir.custom_fields:
            return loaded, name
        if any(c.name == name for c in loaded.ir.choices):
            return loaded, name
        target = loaded.table.names.get(name)
        if target and target != dotted:
            return self.find_class(target, depth + 1)
        for star in loaded.table.star_modules:
            found = self.find_class(f"{star}.{name}", depth + 1)
            if found:
                return found
        return None


def _readable_module(dotted: str) -> bool:
    """Django's own modules are read only under django.contrib (its abstract bases, fields of
    contrib apps); django.db.models and the other field modules are tables (django_fields)."""
    if not dotted.startswith("django."):
        return dotted != "django"
    if dotted.startswith("django.contrib.auth"):
        return False  # its abstract models are tables (django_fields.CONTRIB_ABSTRACT_MODELS)
    return dotted.startswith("django.contrib.") and dotted not in df.FIELD_MODULES


@dataclass
class _ClassRef:
    """What a base-class or relation expression refers to."""

    #: "model-root", "model", "field", "choices", "contrib-abstract", "contrib", "unknown", "other"
    kind: str
    dotted: str
    model: ModelIR | None = None
    field_ancestor: str | None = None
    label: str | None = None


_literal = literal


class _ModuleReader:
    def __init__(self, text: str, ctx: ReadContext) -> None:
        self.src = SourceText(text)
        self.ctx = ctx
        self.table: ImportTable | None = None
        self.problems: list[Problem] = []
        self.models: dict[str, ModelIR] = {}
        self.kinds: dict[str, str] = {}
        self.custom_fields: dict[str, str | None] = {}
        self.choices: list[ChoicesIR] = []
        self.non_model_attrs: dict[str, set[str]] = {}
        #: Module-level function names, and classes whose bases cannot be read (name → base).
        self.functions: set[str] = set()
        self.unreadable: dict[str, str] = {}
        self._model_keys: dict[str, tuple[Any, ...]] = {}
        self._trees: dict[str, ast.Module] = {}
        self._consts: dict[str, ast.expr] | None = None
        self._fingerprint: tuple[Any, ...] = ()
        #: Names this module defines itself (classes, functions, constants, at any level).
        self._own_names: set[str] = set()
        #: Name → the star-imported module that binds it (None: none does).
        self._star_names: dict[str, str | None] = {}

    # -- entry -----------------------------------------------------------------------------
    def run(self, tree: ast.Module | None = None) -> ModuleIR:
        """Read the module; ``tree`` is a parse of the same text when the caller has one."""
        ir = ModuleIR(
            path=self.ctx.path or "<models>",
            app_label=self.ctx.app_label,
            module=self.ctx.module,
            default_auto_field=self.ctx.default_auto_field,
            auth_user_model=self.ctx.settings.auth_user_model,
        )
        try:
            if tree is None:
                tree = ast.parse(self.src.text, filename=self.ctx.path or "<models>")
        except SyntaxError as exc:
            line = exc.lineno or 0
            # the path as the user reads it: relative to the folder they run djgen in
            where = relative(ir.path) if self.ctx.path else ir.path
            ir.syntax_error = Problem(f"{where}:{line}: syntax error: {exc.msg}", severity="error")
            ir.problems.append(ir.syntax_error)
            return ir
        except (ValueError, RecursionError, MemoryError) as exc:
            ir.syntax_error = Problem(f"cannot parse {ir.path}: {exc}", severity="error")
            ir.problems.append(ir.syntax_error)
            return ir
        ir.trees[ir.path] = tree
        self._trees = ir.trees
        self.table = collect_imports(tree, self.ctx.module, self.ctx.is_package)
        self._fingerprint = (
            self.ctx.app_label,
            self.ctx.module,
            self.ctx.path,
            self.ctx.default_auto_field,
            self.ctx.settings.auth_user_model,
            tuple(sorted(self.table.names.items())),
            tuple(self.table.star_modules),
            self.ctx.loader.generation if self.ctx.loader is not None else 0,
            # constants and functions a class may lean on (a base or target through a call)
            tuple(
                self.src.whole_lines(stmt)
                for stmt in tree.body
                if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.FunctionDef))
            ),
        )
        self.functions = {
            stmt.name
            for stmt in tree.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        if self.table.star_modules:
            for stmt, _ in _module_statements(tree.body):
                if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._own_names.add(stmt.name)
                elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                    self._own_names.update(t.id for t in targets if isinstance(t, ast.Name))
        self._read_body(tree.body, None)
        self._star_models()
        ir.models = list(self.models.values())
        ir.choices = [c for c in self.choices if c.owner is None]
        ir.custom_fields = self.custom_fields
        ir.problems = self.problems
        if self.ctx.cache is not None:
            self.ctx.cache.commit()
        return ir

    def _read_body(self, body: list[ast.stmt], undecided: ast.stmt | None) -> None:
        """Classes of a module body as Python runs it: an ``if`` whose test djgen can decide
        statically (static settings, ``is_model_registered`` of a model read above) runs one
        branch; an undecidable one runs both, and each class under it is a Problem."""
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                try:
                    self._read_class(stmt)
                except RecursionError:
                    self.problems.append(
                        Problem(f"class {stmt.name} is too deeply nested to read", model=stmt.name)
                    )
                    continue
                if undecided is not None and self.kinds.get(stmt.name) == "model":
                    self.problems.append(self._undecided(stmt, undecided))
            elif isinstance(stmt, ast.If):
                assert self.table is not None
                known, value = self._evaluate(stmt.test, self.table, self._constants())
                if known:
                    self._read_body(stmt.body if value else stmt.orelse, undecided)
                else:
                    self._read_body(stmt.body, undecided or stmt)
                    self._read_body(stmt.orelse, undecided or stmt)
            elif isinstance(stmt, ast.Try):
                self._read_body(stmt.body, undecided)
                self._read_body(stmt.orelse, undecided)
                for handler in stmt.handlers:
                    self._read_body(handler.body, undecided or stmt)
                self._read_body(stmt.finalbody, undecided)

    def _undecided(self, cls: ast.ClassDef, where: ast.stmt) -> Problem:
        if isinstance(where, ast.If):
            what = f"`if {self.src.segment(where.test)}:` (line {where.lineno})"
            span = self.src.span(where.test)
        else:
            what = f"an `except` block of the `try` at line {where.lineno}"
            span = self.src.span(where)
        return Problem(
            f"{cls.name}: defined under {what}, which djgen cannot decide statically; read as "
            "if it runs (makemigrations cannot decide)",
            span=span,
            model=cls.name,
            severity="warning",
        )

    def _star_models(self) -> None:
        """Concrete models of star-imported modules that belong to this app: Django registers
        every model class the import runs (``from .extra_models import *``, an oscar-style
        ``from oscar.apps.catalogue.models import *`` after the fork's own classes)."""
        assert self.table is not None
        loader = self.ctx.loader
        if loader is None:
            return
        for star in self.table.star_modules:
            loaded = loader.load(star) if _readable_module(star) else None
            for model in loaded.ir.models if loaded is not None else ():
                if (
                    model.app_label == self.ctx.app_label
                    and not model.meta.abstract
                    and model.name not in self.models
                ):
                    self.models[model.name] = model

    # -- classes ---------------------------------------------------------------------------
    def _dotted(self, node: ast.AST) -> str | None:
        assert self.table is not None
        dotted = self.table.dotted(node)
        if dotted is not None and self.table.star_modules and self.table.is_local(node):
            head = _local_head(node)  # type: ignore[arg-type]
            if head not in self._own_names and head not in _BUILTINS:
                star = self._star_module(head)
                if star is not None:
                    prefix = f"{self.ctx.module}." if self.ctx.module else ""
                    return f"{star}.{dotted[len(prefix) :]}"
        return dotted

    def _star_module(self, name: str) -> str | None:
        """The star-imported module that binds ``name`` (the last one, as at import)."""
        if name in self._star_names:
            return self._star_names[name]
        found = None
        loader = self.ctx.loader
        assert self.table is not None
        if loader is not None:
            for star in self.table.star_modules:
                if _readable_module(star) and name in loader.exports(star):
                    found = star
        self._star_names[name] = found
        return found

    def _local(self, dotted: str) -> str | None:
        prefix = f"{self.ctx.module}." if self.ctx.module else ""
        if dotted.startswith(prefix):
            name = dotted[len(prefix) :]
            if name in self.kinds:
                return name
        return None

    def _class_ref(self, node: ast.AST, depth: int = 0) -> _ClassRef:
        assert self.table is not None
        if isinstance(node, ast.Call) and depth < 4:
            return self._call_ref(node, depth)
        if (
            isinstance(node, ast.Name)
            and depth < 4
            and node.id not in self.kinds
            and self.table.is_local(node)
            and isinstance(self._constants().get(node.id), (ast.Call, ast.Name, ast.Attribute))
        ):
            # Base = get_model("app", "Model") / Base = models.Model, then class X(Base)
            return self._class_ref(self._constants()[node.id], depth + 1)
        dotted = self._dotted(node)
        if dotted is None:
            return _ClassRef("unknown", self.src.segment(node))
        return self._ref_of_dotted(dotted)

    def _call_ref(self, call: ast.Call, depth: int) -> _ClassRef:
        """A base class obtained through a call: a model getter with literal arguments
        (``apps.get_model("app.Model")``, oscar's ``get_model("app", "Model")``), or a function
        whose body is ``return SomeClass`` (``get_tree_base()``); else "cannot decide"."""
        assert self.table is not None
        label = self._getter_label(call, self.table, self._constants(), None)
        if label is not None:
            name = label.rpartition(".")[2]
            local = self.models.get(name)
            if local is not None and local.label == label:
                return _ClassRef("model", f"{self.ctx.module}.{name}", model=local)
            contrib = next((d for d, lb in df.CONTRIB_MODELS.items() if lb == label), None)
            if contrib is not None:
                return _ClassRef("contrib", contrib, label=label)
            return _ClassRef("unknown", self.src.segment(call))
        returned = self._returned_class(call)
        if returned is not None:
            table, node = returned
            dotted = table.dotted(node)
            if dotted is not None:
                if table is self.table:
                    return self._class_ref(node, depth + 1)
                return self._ref_of_dotted(dotted)
        return _ClassRef("unknown", self.src.segment(call))

    def _returned_class(self, call: ast.Call) -> tuple[ImportTable, ast.expr] | None:
        """(the function's module's import table, the class expression) when the called
        function's body is only ``return <name>`` (docstring aside)."""
        assert self.table is not None
        if call.args or call.keywords:
            return None
        dotted = self._dotted(call.func)
        if dotted is None:
            return None
        module, _, name = dotted.rpartition(".")
        table: ImportTable | None = None
        tree: ast.Module | None = None
        if module == self.ctx.module and name in self.functions:
            table, tree = self.table, next(iter(self._trees.values()), None)
        elif self.ctx.loader is not None and _readable_module(module):
            loaded = self.ctx.loader.load(module)
            if loaded is not None and name in loaded.functions:
                table, tree = loaded.table, next(iter(loaded.ir.trees.values()), None)
        func = next(
            (
                n
                for n in (tree.body if tree is not None else [])
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name
            ),
            None,
        )
        if func is None or table is None:
            return None
        body = list(func.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        if (
            len(body) == 1
            and isinstance(body[0], ast.Return)
            and isinstance(body[0].value, (ast.Name, ast.Attribute))
        ):
            return table, body[0].value
        return None

    def _ref_of_dotted(self, dotted: str) -> _ClassRef:
        if dotted in df.MODEL_BASES:
            return _ClassRef("model-root", dotted)
        if dotted in df.CHOICES_BASES:
            return _ClassRef("choices", dotted)
        builtin = df.is_builtin_path(dotted)
        if builtin:
            return _ClassRef("field", dotted, field_ancestor=builtin)
        if dotted in df.CONTRIB_ABSTRACT_MODELS:
            return _ClassRef("contrib-abstract", dotted)
        if dotted in df.CONTRIB_MODELS:
            return _ClassRef("contrib", dotted, label=df.CONTRIB_MODELS[dotted])
        local = self._local(dotted)
        if local is not None:
            kind = self.kinds[local]
            if kind == "model":
                return _ClassRef("model", dotted, model=self.models[local])
            if kind == "field":
                return _ClassRef("field", dotted, field_ancestor=self.custom_fields.get(local))
            return _ClassRef(kind, dotted)
        if self.ctx.loader is not None and _readable_module(dotted.rpartition(".")[0]):
            found = self.ctx.loader.find_class(dotted)
            if found is not None:
                loaded, name = found
                model = loaded.ir.model(name)
                if model is not None:
                    return _ClassRef("model", dotted, model=model)
                if name in loaded.ir.custom_fields:
                    return _ClassRef("field", dotted, field_ancestor=loaded.ir.custom_fields[name])
                return _ClassRef("choices", dotted)
        return _ClassRef("unknown", dotted)

    def _read_class(self, node: ast.ClassDef) -> None:
        bases = self._expanded_bases(node.bases)
        refs = [self._class_ref(b) for b in bases]
        kinds = {r.kind for r in refs}
        if kinds & {"model-root", "model", "contrib-abstract", "contrib"}:
            self.kinds[node.name] = "model"
            self._read_model_cached(node, refs, None)
        elif "choices" in kinds and any(r.dotted in df.CHOICES_BASES for r in refs):
            self.kinds[node.name] = "choices"
            self.choices.append(self._read_choices(node, refs, owner=None))
        elif "field" in kinds:
            self.kinds[node.name] = "field"
            ancestor = next((r.field_ancestor for r in refs if r.kind == "field"), None)
            self.custom_fields[node.name] = ancestor
        elif any(r.dotted in df.MANAGER_CLASSES or r.kind == "manager" for r in refs):
            # class Live(models.Manager): a manager class, whatever its name
            self.kinds[node.name] = "manager"
            self.non_model_attrs[node.name] = _assigned_names(node.body)
        elif "unknown" in kinds and self._looks_like_model(node):
            unknown = ", ".join(r.dotted for r in refs if r.kind == "unknown")
            self.kinds[node.name] = "model"
            self._read_model_cached(node, refs, unknown)
        elif any(isinstance(b, ast.Call) for b in bases) and any(
            r.kind == "unknown" for b, r in zip(bases, refs, strict=True) if isinstance(b, ast.Call)
        ):
            # class X(get_base()): whether X is a model is known only at run time
            self.kinds[node.name] = "other"
            self.non_model_attrs[node.name] = _assigned_names(node.body)
            call = next(r.dotted for r in refs if r.kind == "unknown")
            self.unreadable[node.name] = call
            self.problems.append(
                Problem(
                    f"{node.name} inherits from {call}, a call djgen cannot follow statically: "
                    "whether it is a model cannot be decided",
                    span=self.src.name_span(node),
                    severity="warning",
                )
            )
        else:
            self.kinds[node.name] = "other"
            self.non_model_attrs[node.name] = _assigned_names(node.body)
            unknown = [
                r.dotted
                for b, r in zip(bases, refs, strict=True)
                if r.kind == "unknown"
                and not (r.dotted.startswith("django.") and not _readable_module(r.dotted))
                and r.dotted.partition(".")[0] not in _STDLIB
                and not (isinstance(b, ast.Name) and b.id in _BUILTINS)
            ]
            if unknown:
                self.unreadable[node.name] = unknown[0]

    def _read_model_cached(
        self, node: ast.ClassDef, refs: list[_ClassRef], unknown: str | None
    ) -> None:
        """``_read_model``, or the previous read's ModelIR when nothing it depends on changed."""
        cache = self.ctx.cache
        key: tuple[Any, ...] = ()
        if cache is not None:
            key = (
                self._fingerprint,
                tuple(sorted(self.custom_fields.items(), key=lambda kv: kv[0])),
                self.src.whole_lines(node),
                tuple(self._dependency(r) for r in refs),
            )
            self._model_keys[node.name] = (key, node.lineno)
            entry = cache.get(key)
            if entry is not None:
                delta = node.lineno - entry.line
                if delta:
                    entry = _shifted(entry, delta, node.lineno)
                cache.put(key, entry)
                self.models[node.name] = entry.model
                self.choices.extend(entry.choices)
                self.problems.extend(entry.problems)
                return
        problems_before, choices_before = len(self.problems), len(self.choices)
        model = self._read_model(node, refs)
        if unknown is not None:
            call = "(" in unknown
            model.problems.append(
                Problem(
                    f"{node.name} inherits from {unknown}, a call djgen cannot follow statically:"
                    " its fields and bases cannot be decided"
                    if call
                    else f"{node.name} inherits from {unknown}, which djgen cannot read: "
                    "fields it declares are not included",
                    span=self.src.name_span(node),
                    model=node.name,
                    severity="warning" if call else "info",
                )
            )
        if cache is not None:
            cache.put(
                key,
                _CachedModel(
                    model,
                    self.choices[choices_before:],
                    self.problems[problems_before:],
                    node.lineno,
                ),
            )

    def _dependency(self, ref: _ClassRef) -> tuple[Any, ...]:
        """What a base contributes to a model's cache key."""
        local = self._local(ref.dotted)
        if local is not None:
            if local in self._model_keys:
                return ("local-model", self._model_keys[local])
            return ("local", ref.kind, frozenset(self.non_model_attrs.get(local, ())))
        if ref.model is not None:
            return ("model", ref.dotted, id(ref.model))
        return (ref.kind, ref.dotted, ref.label, ref.field_ancestor)

    def _expanded_bases(self, bases: list[ast.expr]) -> list[ast.expr]:
        """``six.with_metaclass(Meta, A, B)`` (django.utils.six, future.utils) stands for the
        bases ``A, B``: the temporary class it makes is replaced by ``Meta(name, (A, B), d)``."""
        if not any(isinstance(b, ast.Call) for b in bases):
            return bases
        out: list[ast.expr] = []
        for base in bases:
            if (
                isinstance(base, ast.Call)
                and (self._dotted(base.func) or "").rpartition(".")[2] == "with_metaclass"
                and len(base.args) >= 2
                and not base.keywords
            ):
                out.extend(base.args[1:])
            else:
                out.append(base)
        return out

    def _looks_like_model(self, node: ast.ClassDef) -> bool:
        for stmt in node.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
                return True
            value = _assigned_value(stmt)
            if isinstance(value, ast.Call) and self._field_class(value.func) is not None:
                return True
        return False

    # -- choices ---------------------------------------------------------------------------
    def _read_choices(
        self, node: ast.ClassDef, refs: list[_ClassRef], owner: str | None
    ) -> ChoicesIR:
        kind = next((df.CHOICES_BASES[r.dotted] for r in refs if r.dotted in df.CHOICES_BASES), "")
        members = choice_members(
            node, kind, self._text, lambda func: self._dotted(func) in ("enum.auto", "auto")
        )
        return ChoicesIR(
            name=node.name, kind=kind, members=members, owner=owner, span=self.src.span(node)
        )

    def _text(self, node: ast.expr) -> str | None:
        """A string literal, or the message of a gettext call."""
        value = self._value(node)
        return value.literal if isinstance(value.literal, str) else None

    # -- values ----------------------------------------------------------------------------
    def _value(self, node: ast.expr) -> Value:
        source = self.src.segment(node)
        literal = _literal(node)
        if (
            literal is NOT_LITERAL
            and isinstance(node, ast.Call)
            and len(node.args) == 1
            and (
                self._dotted(node.func) in _GETTEXT
                or (isinstance(node.func, ast.Name) and node.func.id == "_")
            )
        ):
            inner = _literal(node.args[0])
            if isinstance(inner, str):
                literal = inner
        elif literal is NOT_LITERAL and isinstance(node, (ast.Call, ast.Attribute)):
            # max_length=getattr(settings, "X_LENGTH", 50) / settings.X: the static settings'
            # value (the source stays as written)
            assert self.table is not None
            func = node.func if isinstance(node, ast.Call) else node
            head = self._dotted(func) or ""
            if head.endswith("getattr") or head.startswith("django.conf.settings."):
                known, value = self._evaluate(node, self.table, self._constants())
                if known and value is not MISSING:
                    literal = value
        return Value(source=source, literal=literal)

    # -- models ----------------------------------------------------------------------------
    def _read_model(self, node: ast.ClassDef, refs: list[_ClassRef]) -> ModelIR:
        model = ModelIR(
            name=node.name,
            app_label=self.ctx.app_label,
            bases=[self.src.segment(b) for b in node.bases],
            span=self.src.span(node),
            name_span=self.src.name_span(node),
            path=self.ctx.path,
        )
        self.models[node.name] = model
        model_refs = [r for r in refs if r.kind in ("model", "contrib", "contrib-abstract")]
        model.model_bases = [
            r.model.label if r.model is not None else (r.label or r.dotted) for r in model_refs
        ]
        meta_node: ast.ClassDef | None = None
        own: list[tuple[tuple[int, ...], FieldIR]] = []
        assigned = _assigned_names(node.body)
        unsure_manager = False  # an unclassified attribute before the first manager
        for stmt in node.body:
            if isinstance(stmt, ast.ClassDef):
                if stmt.name == "Meta":
                    meta_node = stmt
                else:
                    inner = [self._class_ref(b) for b in stmt.bases]
                    if any(r.dotted in df.CHOICES_BASES for r in inner):
                        choices = self._read_choices(stmt, inner, owner=node.name)
                        model.choices.append(choices)
                        self.choices.append(choices)
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                model.methods.append(stmt.name)
                continue
            target = _single_target(stmt)
            value = _assigned_value(stmt)
            if target is None or not isinstance(value, ast.Call):
                continue
            f = self._read_field(target, value, model)
            if f is not None:
                if f.field_class in ("GenericForeignKey", "GenericRelation"):
                    continue
                own.append(((1, value.lineno, value.col_offset), f))
            elif self._is_manager(value):
                model.managers.append(target)
            else:
                problem = self._unclassified(target, value, model)
                if problem is not None:
                    self.problems.append(problem)
                    unsure_manager = unsure_manager or not model.managers

        model.meta = self._read_meta(meta_node, model_refs, model)
        if model.meta.app_label:
            model.app_label = model.meta.app_label
        if "swappable" in model.meta.options and not model.meta.abstract:
            self._swapped(model)
        model.default_manager = self._default_manager(model, refs, model_refs, unsure_manager)
        # fields from abstract bases, as Django's ModelBase copies them
        inherited: list[tuple[tuple[int, ...], FieldIR]] = []
        own_names = {f.name for _, f in own}
        blocked = set(assigned)
        for ref in refs:
            if ref.kind in ("other", "manager"):
                local = self._local(ref.dotted)
                if local:
                    blocked |= self.non_model_attrs.get(local, set())
        for order, ref in enumerate(model_refs):
            for key, f in self._abstract_fields(ref, order):
                if f.name in own_names or f.name in blocked:
                    continue
                own_names.add(f.name)
                inherited.append((key, self._retarget(f, model)))
        fields = [f for _, f in sorted(own + inherited, key=lambda item: item[0])]

        if model.meta.proxy:
            model.proxy_for = self._concrete_of(model_refs)
            model.fields = []
            return model
        # multi-table inheritance: a parent link per concrete model base (an abstract model
        # with a concrete base gets one too, and its children inherit it as their parent link)
        links: list[FieldIR] = []
        for ref in model_refs:
            parent_label = self._concrete_label(ref)
            if parent_label is None:
                continue
            if model.mti_parent is None:
                model.mti_parent = parent_label
            declared = next(
                (
                    f
                    for f in fields
                    if f.relation == "o2o" and f.parent_link and f.related_model == parent_label
                ),
                None,
            )
            if declared is not None:
                continue
            parent_name = parent_label.rpartition(".")[2]
            links.append(
                FieldIR(
                    name=f"{parent_name.lower()}_ptr",
                    field_class="OneToOneField",
                    internal_type="OneToOneField",
                    class_path="django.db.models.OneToOneField",
                    relation="o2o",
                    related_model=parent_label,
                    on_delete="CASCADE",
                    auto_created=True,
                    parent_link=True,
                    kwargs={
                        "to": Value(repr(parent_label), parent_label),
                        "on_delete": Value("models.CASCADE"),
                        "parent_link": Value("True", True),
                        "auto_created": Value("True", True),
                    },
                )
            )
        links.reverse()  # auto-created fields get decreasing creation counters
        if model.meta.abstract:
            model.fields = _django_order(links + fields)
            return model
        if model.mti_parent is None:
            inherited_link = next(
                (f for f in fields if f.parent_link and f.relation == "o2o" and f.inherited_from),
                None,
            )
            if inherited_link is not None:
                model.mti_parent = inherited_link.related_model
        all_fields = links + fields
        if model.meta.order_with_respect_to and not any(f.name == "_order" for f in fields):
            # Options._prepare adds OrderWrt after every declared field
            all_fields.append(
                FieldIR(
                    name="_order",
                    field_class="OrderWrt",
                    internal_type="IntegerField",
                    class_path="django.db.models.fields.proxy.OrderWrt",
                    kwargs={"editable": Value("False", False)},
                )
            )
        if not any(f.primary_key for f in all_fields):
            if model.mti_parent is not None:
                link = next(
                    (
                        f
                        for f in all_fields
                        if f.parent_link and f.related_model == model.mti_parent
                    ),
                    None,
                )
                if link is not None:
                    link.primary_key = True
                    link.kwargs.setdefault("primary_key", Value("True", True))
            else:
                all_fields.insert(0, self._implicit_pk())
        model.fields = _django_order(all_fields)
        self._substitute(model)
        return model

    def _swapped(self, model: ModelIR) -> None:
        """``Options.swapped``: the value of the setting ``Meta.swappable`` names (a string, or
        ``swapper.swappable_setting("app", "Model")``) when it names another model."""
        assert self.table is not None
        written = model.meta.options["swappable"]
        setting: object = written.literal
        known = isinstance(setting, str)
        if not known:
            try:
                node = ast.parse(written.source.strip(), mode="eval").body
            except SyntaxError:
                node = None
            if node is not None:
                known, setting = self._evaluate(node, self.table, self._constants())
        value: object = None
        if known and isinstance(setting, str):
            known, value = self._setting(setting, None)
        if not known:
            self.problems.append(
                Problem(
                    f"{model.name}: Meta.swappable = {written.source} cannot be read statically:"
                    " whether the model is swapped out cannot be decided",
                    span=model.name_span,
                    model=model.name,
                    severity="warning",
                )
            )
            return
        if isinstance(value, str) and value:
            app, _, name = value.partition(".")
            if f"{app}.{name.lower()}" != f"{model.app_label}.{model.name.lower()}":
                model.meta.swapped = value

    def _default_manager(
        self,
        model: ModelIR,
        refs: list[_ClassRef],
        model_refs: list[_ClassRef],
        unsure: bool,
    ) -> str | None:
        """``Model._default_manager``'s name: Meta.default_manager_name, else the first manager
        by (inheritance depth, declaration order) as ``Options.managers`` sorts them, else the
        ``objects`` Django adds; None when a class djgen cannot read may declare one."""
        named = model.meta.options.get("default_manager_name")
        if named is not None:
            return named.literal if isinstance(named.literal, str) else None
        if model.managers:
            return None if unsure else model.managers[0]
        if unsure:
            return None
        for ref in model_refs:
            if ref.kind == "contrib-abstract" and ref.dotted.endswith("AbstractUser"):
                return "objects"
            base = ref.model
            if base is None:
                continue
            if base.default_manager is None:
                return None
            if base.managers or base.default_manager != "objects":
                return base.default_manager
        if any(r.kind == "unknown" for r in refs):
            return None  # a base djgen cannot read may declare managers
        return "objects"

    def _implicit_pk(self) -> FieldIR:
        path = self.ctx.default_auto_field
        cls = path.rpartition(".")[2] or "AutoField"
        return FieldIR(
            name="id",
            field_class=cls,
            internal_type=cls if cls in df.BUILTIN_FIELDS else None,
            class_path=path,
            primary_key=True,
            auto_created=True,
            kwargs={
                "auto_created": Value("True", True),
                "primary_key": Value("True", True),
                "serialize": Value("False", False),
                "verbose_name": Value("'ID'", "ID"),
            },
        )

    def _concrete_label(self, ref: _ClassRef) -> str | None:
        """The concrete model a base stands for (None for abstract bases)."""
        if ref.kind == "contrib":
            return ref.label
        if ref.kind == "model" and ref.model is not None and not ref.model.meta.abstract:
            if ref.model.meta.proxy:
                return ref.model.proxy_for
            return ref.model.label
        return None

    def _concrete_of(self, refs: list[_ClassRef]) -> str | None:
        for ref in refs:
            label = self._concrete_label(ref)
            if label is not None:
                return label
        return None

    def _abstract_fields(self, ref: _ClassRef, order: int) -> list[tuple[tuple[int, ...], FieldIR]]:
        if ref.kind == "contrib-abstract":
            out = []
            for i, (name, cls, target, kwargs) in enumerate(df.CONTRIB_ABSTRACT_MODELS[ref.dotted]):
                values = {
                    k: Value(v, _literal(ast.parse(v, mode="eval").body)) for k, v in kwargs.items()
                }
                relation = df.relation_of(cls)
                f = FieldIR(
                    name=name,
                    field_class=cls,
                    internal_type=cls,
                    class_path=f"django.db.models.{cls}",
                    kwargs=values,
                    relation=relation,  # type: ignore[arg-type]
                    related_model=target,
                    related_name=values["related_name"].literal
                    if "related_name" in values
                    else None,
                    related_query_name=values["related_query_name"].literal
                    if "related_query_name" in values
                    else None,
                    inherited_from=ref.dotted.rpartition(".")[2],
                )
                out.append(((0, -1, i), f))
            return out
        model = ref.model
        if ref.kind != "model" or model is None or not model.meta.abstract:
            return []
        same_module = model.path == self.ctx.path
        out = []
        for i, f in enumerate(model.fields):
            copy = replace(f, kwargs=dict(f.kwargs), inherited_from=f.inherited_from or model.name)
            if same_module and f.span is not None:
                key: tuple[int, ...] = (1, f.span.line, f.span.col)
            else:
                key = (0, self._import_index(model), order, i)
            out.append((key, copy))
        return out

    def _import_index(self, model: ModelIR) -> int:
        assert self.table is not None
        module = model.path or ""
        for i, name in enumerate(self.table.order):
            if name and module.replace("/", ".").removesuffix(".py").endswith(name):
                return i
        return len(self.table.order)

    def _retarget(self, f: FieldIR, model: ModelIR) -> FieldIR:
        """Re-resolve "self" / unqualified targets and %(class)s names against the child."""
        if f.relation is None:
            return f
        to = f.kwargs.get("to")
        if to is not None and isinstance(to.literal, str):
            if to.literal == "self":
                f.related_model = model.label
            elif "." not in to.literal:
                f.related_model = f"{model.app_label}.{to.literal}"
        return f

    def _substitute(self, model: ModelIR) -> None:
        """``%(app_label)s``/``%(class)s``/``%(model_name)s`` in related (query) names, as
        ``RelatedField.contribute_to_class`` does for a concrete model (the kwargs keep the text
        as written: ``deconstruct()`` and so migrations keep it too)."""
        values = {
            "class": model.name.lower(),
            "model_name": model.name.lower(),
            "app_label": model.app_label.lower(),
        }
        for f in model.fields:
            for attr in ("related_name", "related_query_name"):
                text = getattr(f, attr)
                if text and "%(" in text:
                    try:
                        setattr(f, attr, text % values)
                    except (KeyError, ValueError, TypeError):
                        continue

    def _is_manager(self, call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Call):  # BookManager.from_queryset(QS)()
            return True
        dotted = self._dotted(func) or ""
        if dotted in df.MANAGER_CLASSES:
            return True
        if dotted.endswith(".as_manager"):
            return True
        local = self._local(dotted)
        if local is not None and self.kinds.get(local) == "manager":
            return True
        if not dotted.endswith("Manager"):
            return False
        # a class named *Manager is a manager only when djgen can see where it comes from
        # (else it may be a field such as taggit's TaggableManager: never guess)
        assert self.table is not None
        if self.table.is_local(func) or dotted.startswith("django."):
            return True
        loader = self.ctx.loader
        if loader is None:
            return False
        kind, _ = loader.describe(dotted)
        return kind in ("other", "manager")

    def _unclassified(self, name: str, call: ast.Call, model: ModelIR) -> Problem | None:
        """A Problem for a class attribute made by a call djgen cannot classify as a field, a
        manager or something else (never silent: Django might make it a field)."""
        assert self.table is not None
        func = call.func
        text = self.src.segment(func)
        tail = "; djgen cannot tell whether it is a field (makemigrations cannot decide)"

        def problem(message: str, tail: str = tail) -> Problem:
            return Problem(
                f"{model.name}.{name}: {message}{tail}",
                span=self.src.span(call),
                model=model.name,
                severity="warning",
            )

        dotted = self._dotted(func)
        if dotted is None:
            if isinstance(func, ast.Attribute) and func.attr in _NOT_FIELD_METHODS:
                return None
            return problem(f"{text}(...) is not a class djgen can follow")
        if self.table.is_local(func):
            head = _local_head(func)
            if head in _BUILTINS or head in ("self", "cls"):
                return None
            kind = self.kinds.get(head)
            if kind is not None:
                base = self.unreadable.get(head)
                if base is not None and isinstance(func, ast.Name):
                    return problem(f"{head} derives from {base}, which djgen cannot read")
                return None
            if head in self.functions:
                return problem(f"{text}() is a function; what it returns is known only at run time")
            return problem(f"{text} is not a class defined or imported in this module")
        module, _, attr = dotted.rpartition(".")
        if dotted.startswith("django.") and not _readable_module(module):
            if module in df.FIELD_MODULES and module == "django.db.models":
                if attr in df.DJANGO_MODELS_OTHER_NAMES or attr in df.BUILTIN_FIELDS:
                    return None
                close = difflib.get_close_matches(attr, list(df.BUILTIN_FIELDS), n=1)
                hint = f" (did you mean {text.rpartition('.')[0] or 'models'}.{close[0]}?)"
                return problem(
                    f"{text} does not exist in django.db.models{hint if close else ''}",
                    "; the field is not read and makemigrations cannot decide",
                )
            if (
                module in df.FIELD_MODULES
                and attr not in df.BUILTIN_FIELDS
                and attr[:1].isupper()
                and attr.endswith(("Field", "Key"))
            ):
                return problem(f"{text} is not a field class of {module}")
            return None
        if parts_top(dotted) in _STDLIB:
            return None
        loader = self.ctx.loader
        if loader is None:
            return problem(f"{text} comes from {module}, which djgen cannot read")
        kind, where = loader.describe(dotted)
        if kind in ("model", "choices", "other", "field", "manager"):
            return None
        if kind == "unreadable-base":
            return problem(f"{text} derives from {where}, which djgen cannot read")
        if kind == "function":
            return problem(f"{text}() is a function; what it returns is known only at run time")
        if kind == "missing":
            return problem(f"{text} is not defined in {where}")
        return problem(
            f"{text} comes from {where}, which is neither in the project nor in the installed "
            "packages djgen can see"
        )

    # -- Meta ------------------------------------------------------------------------------
    def _read_meta(
        self, node: ast.ClassDef | None, model_refs: list[_ClassRef], model: ModelIR
    ) -> MetaIR:
        options: dict[str, Value] = {}
        inherited: dict[str, Value] = {}
        if node is None:
            # no Meta: an abstract parent's Meta is inherited (minus abstract)
            for ref in model_refs:
                if ref.model is not None and ref.model.meta.abstract:
                    inherited = dict(ref.model.meta.options)
                    break
        else:
            for base in node.bases:
                dotted = self._dotted(base) or ""
                parent_name = dotted.rpartition(".")[0]
                for ref in model_refs:
                    if ref.model is not None and ref.dotted == parent_name:
                        inherited = dict(ref.model.meta.options)
            for stmt in node.body:
                target = _single_target(stmt)
                value = _assigned_value(stmt)
                if target is not None and value is not None:
                    options[target] = self._value(value)
        inherited.pop("abstract", None)
        merged = {**inherited, **options}
        # ordering and get_latest_by come from a concrete parent too
        for ref in model_refs:
            if ref.model is not None and not ref.model.meta.abstract:
                for key in ("ordering", "get_latest_by"):
                    if key not in merged and key in ref.model.meta.options:
                        merged[key] = ref.model.meta.options[key]
        meta = MetaIR(options=merged)
        meta.abstract = options.get("abstract", Value("False", False)).literal is True
        meta.proxy = merged.get("proxy", Value("False", False)).literal is True
        meta.managed = merged.get("managed", Value("True", True)).literal is not False
        for key in ("db_table", "verbose_name", "verbose_name_plural", "app_label"):
            value = merged.get(key)
            if value is not None and isinstance(value.literal, str):
                setattr(meta, key, value.literal)
        ordering = merged.get("ordering")
        if ordering is not None and isinstance(ordering.literal, (list, tuple)):
            meta.ordering = [str(o) for o in ordering.literal]
        ut = merged.get("unique_together")
        if ut is not None and isinstance(ut.literal, (list, tuple)):
            items = list(ut.literal)
            if items and all(isinstance(i, str) for i in items):
                items = [items]
            meta.unique_together = [list(i) for i in items if isinstance(i, (list, tuple))]
        owrt = merged.get("order_with_respect_to")
        if owrt is not None and isinstance(owrt.literal, str):
            meta.order_with_respect_to = owrt.literal
        drn = merged.get("default_related_name")
        if drn is not None and isinstance(drn.literal, str):
            meta.default_related_name = drn.literal
        latest = merged.get("get_latest_by")
        if latest is not None:
            meta.get_latest_by = latest.literal if latest.is_literal else latest.source
        for key, attr in (("indexes", "indexes"), ("constraints", "constraints")):
            value = merged.get(key)
            if value is None:
                continue
            if node is not None and key in options:
                parsed = _elements(value.source)
                setattr(meta, attr, parsed if parsed is not None else [value.source])
            else:
                setattr(meta, attr, list(getattr(self._meta_of(model_refs), attr, [])))
        return meta

    def _meta_of(self, refs: list[_ClassRef]) -> MetaIR:
        for ref in refs:
            if ref.model is not None and ref.model.meta.abstract:
                return ref.model.meta
        return MetaIR()

    # -- fields ----------------------------------------------------------------------------
    def _field_class(self, func: ast.expr) -> tuple[str, str | None, str, bool] | None:
        """(class name, built-in ancestor, dotted path, known) for a field class expression."""
        dotted = self._dotted(func)
        if dotted is None:
            return None
        name = dotted.rpartition(".")[2]
        builtin = df.is_builtin_path(dotted)
        if builtin:
            return builtin, builtin, dotted, True
        local = self._local(dotted)
        if local is not None:
            if self.kinds.get(local) == "field":
                ancestor = self.custom_fields.get(local)
                return local, ancestor, dotted, ancestor is not None
            return None
        if dotted.startswith("django.") and not _readable_module(dotted.rpartition(".")[0]):
            if name in df.BUILTIN_FIELDS and ".fields" in dotted:
                return name, name, dotted, True
            return None
        if self.ctx.loader is not None:
            found = self.ctx.loader.find_class(dotted)
            if found is not None:
                loaded, cls = found
                if cls in loaded.ir.custom_fields:
                    ancestor = loaded.ir.custom_fields[cls]
                    return cls, ancestor, dotted, ancestor is not None
                return None
        if name.endswith("Field") or name.endswith("ForeignKey"):
            return name, None, dotted, False
        return None

    def _read_field(self, name: str, call: ast.Call, model: ModelIR) -> FieldIR | None:
        found = self._field_class(call.func)
        if found is None:
            return None
        cls, ancestor, dotted, known = found
        kind = df.BUILTIN_FIELDS.get(ancestor) if ancestor else None
        params = kind.params if kind else ()
        kwargs: dict[str, Value] = {}
        args: list[Value] = []
        for i, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                args.append(self._value(arg))
            elif i < len(params):
                kwargs[params[i]] = self._value(arg)
            else:
                args.append(self._value(arg))
        for kw in call.keywords:
            if kw.arg is None:
                args.append(Value("**" + self.src.segment(kw.value)))
            else:
                kwargs[kw.arg] = self._value(kw.value)
        f = FieldIR(
            name=name,
            field_class=cls,
            internal_type=ancestor,
            class_path=dotted,
            args=args,
            kwargs=kwargs,
            known=known,
            span=self.src.span(call),
        )
        f.primary_key = kwargs.get("primary_key", Value("False", False)).literal is True
        if ancestor == "CompositePrimaryKey":
            f.primary_key = True  # its __init__ sets primary_key=True (and refuses False)
        relation = _relation_kind(ancestor)
        target_node = _find_kwarg(call, "to") or (call.args[0] if call.args else None)
        if relation is not None:
            f.relation = relation  # type: ignore[assignment]
            f.related_model = self._target_label(call, kwargs.get("to"), model)
            f.parent_link = kwargs.get("parent_link", Value("False", False)).literal is True
            on_delete = kwargs.get("on_delete")
            if on_delete is not None:
                f.on_delete = self._on_delete(on_delete, call)
            rn = kwargs.get("related_name")
            if rn is not None and isinstance(rn.literal, str):
                f.related_name = rn.literal
            rqn = kwargs.get("related_query_name")
            if rqn is not None and isinstance(rqn.literal, str):
                f.related_query_name = rqn.literal
            through = kwargs.get("through")
            if through is not None:
                through_node = _find_kwarg(call, "through")
                f.through = (
                    self._model_label(through_node, model) if through_node is not None else None
                )
        if relation is None and ancestor is not None:
            self._library_relation(f, call, dotted, model)
        if relation is not None and f.related_model is None and target_node is None:
            # class PaymentMethodForeignKey(ForeignKey): __init__ sets kwargs["to"] = ...
            found_target, written = self._init_target(dotted, model)
            if found_target is not None:
                f.related_model = found_target
            else:
                where = (
                    f"its __init__ sets it to {written}, which djgen cannot follow statically"
                    if written
                    else "it is not in the call, and no __init__ djgen can read sets it"
                )
                self.problems.append(
                    Problem(
                        f"{model.name}.{name}: {cls} is a relation whose target djgen cannot "
                        f"decide ({where}); makemigrations cannot decide",
                        span=f.span,
                        model=model.name,
                        severity="warning",
                    )
                )
        if f.relation is not None and f.related_model is None and target_node is not None:
            self.problems.append(
                Problem(
                    f"{model.name}.{name}: the relation target {self.src.segment(target_node)} "
                    "cannot be followed statically (makemigrations cannot decide)",
                    span=f.span,
                    model=model.name,
                    severity="warning",
                )
            )
        if not known:
            where = dotted.rpartition(".")[0] or "an unknown module"
            self.problems.append(
                Problem(
                    f"{model.name}.{name}: field class {cls} from {where} is not known to djgen; "
                    "kept as an opaque field",
                    span=f.span,
                    model=model.name,
                    severity="info",
                )
            )
        return f

    def _class_source(
        self, dotted: str
    ) -> tuple[ast.ClassDef, ImportTable, dict[str, ast.expr], dict[str, ModelIR]] | None:
        """The class statement of a class path, with its module's imports, constants and
        models (this module or one the loader reads)."""
        assert self.table is not None
        local = self._local(dotted)
        if local is not None:
            tree = next(iter(self._trees.values()), None)
            table, consts, models = self.table, self._constants(), self.models
            name = local
        elif self.ctx.loader is not None and _readable_module(dotted.rpartition(".")[0]):
            found = self.ctx.loader.find_class(dotted)
            if found is None:
                return None
            loaded, name = found
            tree = next(iter(loaded.ir.trees.values()), None)
            table, consts = loaded.table, _module_constants(loaded.ir)
            models = {m.name: m for m in loaded.ir.models}
        else:
            return None
        node = next(
            (
                n
                for n, _ in _module_statements(tree.body if tree is not None else [])
                if isinstance(n, ast.ClassDef) and n.name == name
            ),
            None,
        )
        return (node, table, consts, models) if node is not None else None

    def _init_target(
        self, dotted: str, model: ModelIR, depth: int = 0
    ) -> tuple[str | None, str | None]:
        """The relation target a custom field class sets in its own ``__init__``:
        ``kwargs["to"] = X``, ``kwargs.setdefault("to", X)``, ``super().__init__(X, ...)`` or
        ``super().__init__(to=X, ...)``; else its custom base class's. (label, the target's
        source text when one is written but cannot be followed)."""
        source = self._class_source(dotted) if depth < 4 else None
        if source is None:
            return None, None
        cls, table, consts, models = source
        init = next(
            (n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"),
            None,
        )
        if init is None:
            for base in cls.bases:
                base_dotted = table.dotted(base)
                if base_dotted is not None and not base_dotted.startswith("django."):
                    return self._init_target(base_dotted, model, depth + 1)
            return None, None
        kwargs_name = init.args.kwarg.arg if init.args.kwarg is not None else None
        target: ast.expr | None = None
        for node in ast.walk(init):
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Subscript)
                and isinstance(node.targets[0].value, ast.Name)
                and node.targets[0].value.id == kwargs_name
                and _literal(node.targets[0].slice) == "to"
            ):
                target = node.value
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if (
                    node.func.attr == "setdefault"
                    and isinstance(owner, ast.Name)
                    and owner.id == kwargs_name
                    and len(node.args) == 2
                    and _literal(node.args[0]) == "to"
                ):
                    target = target or node.args[1]
                elif node.func.attr == "__init__" and (
                    isinstance(owner, ast.Call) and _local_head(owner.func) == "super"
                ):
                    given = _find_kwarg(node, "to")
                    if given is None and node.args and not isinstance(node.args[0], ast.Starred):
                        given = node.args[0]
                    if given is not None and not (
                        isinstance(given, ast.Name) and given.id in {a.arg for a in init.args.args}
                    ):
                        target = given
        if target is None:
            return None, None
        if isinstance(target, ast.Name) and target.id in models and table.is_local(target):
            return models[target.id].label, None
        label = self._label_of_constant(target, table, model, consts)
        return label, ast.unparse(target) if label is None else None

    def _canonical_class(self, dotted: str) -> tuple[str, _Loaded | None]:
        """The module that defines a class (re-exports followed) and its loaded reading."""
        loader = self.ctx.loader
        if loader is not None and _readable_module(dotted.rpartition(".")[0]):
            found = loader.find_class(dotted)
            if found is not None:
                return f"{found[0].ir.module}.{found[1]}", found[0]
        return dotted, None

    def _library_relation(self, f: FieldIR, call: ast.Call, dotted: str, model: ModelIR) -> None:
        """A library field that is a relation without deriving from ForeignKey/M2M
        (``TaggableManager``): its through model from the call or the class's ``__init__``
        (``self.through = through or TaggedItem``), its target from the through model."""
        canonical, loaded = self._canonical_class(dotted)
        spec = df.LIBRARY_RELATIONS.get(canonical)
        if spec is None:
            return
        kind, target_field, default_through = spec
        f.relation = kind  # type: ignore[assignment]
        through_node = _find_kwarg(call, "through")
        through: ModelIR | None = None
        if through_node is not None:
            f.through = self._model_label(through_node, model)
            through = self._model_ir(through_node)
        else:
            found = self._init_default(loaded, canonical.rpartition(".")[2], "through")
            if found is not None:
                through = found
                f.through = found.label
            else:
                f.through = default_through
        to_node = _find_kwarg(call, "to")
        if to_node is not None:
            f.related_model = self._model_label(to_node, model)
        elif through is not None:
            target = through.field(target_field)
            f.related_model = target.related_model if target is not None else None
        rn = f.kwargs.get("related_name")
        if rn is not None and isinstance(rn.literal, str):
            f.related_name = rn.literal

    def _model_ir(self, node: ast.expr) -> ModelIR | None:
        """The ModelIR a class expression or ``"app.Model"`` string names, when read."""
        literal = _literal(node)
        if isinstance(literal, str):
            name = literal.rpartition(".")[2]
            return self.models.get(name) if "." not in literal else None
        dotted = self._dotted(node)
        if dotted is None:
            return None
        local = self._local(dotted)
        if local is not None:
            return self.models.get(local)
        if self.ctx.loader is not None:
            found = self.ctx.loader.find_class(dotted)
            if found is not None:
                return found[0].ir.model(found[1])
        return None

    def _init_default(self, loaded: _Loaded | None, cls: str, attr: str) -> ModelIR | None:
        """``self.<attr> = <param> or Model`` in the library class's ``__init__`` → Model."""
        if loaded is None or self.ctx.loader is None:
            return None
        tree = next(iter(loaded.ir.trees.values()), None)
        node = next(
            (n for n in getattr(tree, "body", []) if isinstance(n, ast.ClassDef) and n.name == cls),
            None,
        )
        init = next(
            (
                n
                for n in (node.body if node else [])
                if isinstance(n, ast.FunctionDef) and n.name == "__init__"
            ),
            None,
        )
        for stmt in ast.walk(init) if init is not None else ():
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Attribute)
                and stmt.targets[0].attr == attr
                and isinstance(stmt.value, ast.BoolOp)
                and isinstance(stmt.value.op, ast.Or)
                and len(stmt.value.values) == 2
            ):
                dotted = loaded.table.dotted(stmt.value.values[1])
                if dotted is None:
                    return None
                found = self.ctx.loader.find_class(dotted)
                if found is not None:
                    return found[0].ir.model(found[1])
        return None

    def _on_delete(self, value: Value, call: ast.Call) -> str:
        node = _find_kwarg(call, "on_delete")
        if node is None and len(call.args) > 1:
            node = call.args[1]
        dotted = self._dotted(node) if node is not None else None
        if dotted:
            for prefix in _ON_DELETE_MODULES:
                if dotted.startswith(prefix) and "." not in dotted[len(prefix) :]:
                    return dotted[len(prefix) :]
        return value.source

    def _target_label(self, call: ast.Call, to: Value | None, model: ModelIR) -> str | None:
        node = _find_kwarg(call, "to")
        if node is None and call.args:
            node = call.args[0]
        if node is None:
            return None
        return self._model_label(node, model)

    def _model_label(self, node: ast.expr, model: ModelIR) -> str | None:
        """A relation target expression → ``app_label.Model``."""
        literal = _literal(node)
        if isinstance(literal, str):
            if literal == "self":
                return model.label
            if "." in literal:
                return literal
            return f"{model.app_label}.{literal}"
        assert self.table is not None
        if isinstance(node, ast.Call):
            # get_user_model(), get_model("app", "Model"), swapper.get_model_name(...)
            return self._label_of_constant(node, self.table, model, self._constants())
        dotted = self._dotted(node)
        if dotted is None:
            return None
        if dotted in _USER_MODEL_REFS:
            return self.ctx.settings.auth_user_model
        if dotted.startswith("django.conf.settings."):
            return self._label_of_constant(node, self.table, model, self._constants())
        if dotted in df.CONTRIB_MODELS:
            return df.CONTRIB_MODELS[dotted]
        local = self._local(dotted)
        if local is not None:
            target = self.models.get(local)
            return target.label if target is not None else f"{model.app_label}.{local}"
        ref_name = dotted.rpartition(".")[2]
        assert self.table is not None
        if self.table.is_local(node) and dotted == self.table.dotted(node):  # not via import *
            if isinstance(node, ast.Name) and node.id in self._constants():
                # TARGET = "app.Model" / settings.AUTH_USER_MODEL / getattr(settings, …)
                consts = self._constants()
                return self._label_of_constant(consts[node.id], self.table, model, consts)
            head = _local_head(node)
            if self.table.star_modules and head not in self._own_names:
                return None  # bound by an import * djgen cannot read: no guess
            # a name defined later in the module (Django needs a string for that, but read it)
            return f"{model.app_label}.{ref_name}"
        if self.ctx.loader is not None:
            found = self.ctx.loader.find_class(dotted)
            if found is not None:
                target = found[0].ir.model(found[1])
                if target is not None:
                    return target.label
            loaded = self.ctx.loader.load(dotted.rpartition(".")[0])
            if loaded is not None:
                other = _module_constants(loaded.ir)
                if ref_name in other:
                    return self._label_of_constant(other[ref_name], loaded.table, model, other)
        # not followed statically: no guessed label (the caller reports it)
        return None

    def _constants(self) -> dict[str, ast.expr]:
        tree = next(iter(self._trees.values()), None) if self._trees else None
        if tree is None:
            return {}
        if self._consts is None:
            self._consts = _constants_of(tree)
        return self._consts

    def _label_of_constant(
        self,
        value: ast.expr,
        table: ImportTable,
        model: ModelIR,
        consts: dict[str, ast.expr] | None = None,
        depth: int = 0,
    ) -> str | None:
        """A relation target held in a module constant, when it can be followed statically:
        a string (``getattr(settings, "X_MODEL", "app.Model")``, ``swapper.get_model_name``,
        ``settings.X_MODEL`` as the static settings have them), a model getter with literal
        arguments, or a model class; None (never a guess) otherwise."""
        if depth > 4:
            return None
        consts = consts if consts is not None else {}
        if table.dotted(value) in _USER_MODEL_REFS:
            return self.ctx.settings.auth_user_model
        if isinstance(value, ast.Call) and table.dotted(value.func) in _USER_MODEL_REFS:
            return self.ctx.settings.auth_user_model
        known, literal = self._evaluate(value, table, consts)
        if known:
            if not isinstance(literal, str):
                return None
            if literal == "self":
                return model.label
            return literal if "." in literal else f"{model.app_label}.{literal}"
        if isinstance(value, ast.Call):
            return self._getter_label(value, table, consts, model)
        if isinstance(value, ast.Name) and table.is_local(value) and value.id in consts:
            return self._label_of_constant(consts[value.id], table, model, consts, depth + 1)
        dotted = table.dotted(value)
        if dotted is None or self.ctx.loader is None:
            return None
        if dotted in df.CONTRIB_MODELS:
            return df.CONTRIB_MODELS[dotted]
        found = self.ctx.loader.find_class(dotted)
        if found is not None:
            target = found[0].ir.model(found[1])
            return target.label if target is not None else None
        loaded = self.ctx.loader.load(dotted.rpartition(".")[0])
        if loaded is not None and loaded.table is not table:
            other = _module_constants(loaded.ir)
            name = dotted.rpartition(".")[2]
            if name in other:
                return self._label_of_constant(other[name], loaded.table, model, other, depth + 1)
        return None

    def _getter_label(
        self,
        call: ast.Call,
        table: ImportTable,
        consts: dict[str, ast.expr],
        model: ModelIR | None,
    ) -> str | None:
        """``apps.get_model("app.Model")`` / ``get_model("app", "Model")`` (oscar, any function
        of that name) / ``apps.get_registered_model`` / ``swapper.load_model`` with arguments
        djgen can evaluate → the label ("app.Model"; a swapped one for swapper)."""
        func = table.dotted(call.func) or ""
        tail = func.rpartition(".")[2]
        if tail not in ("get_model", "get_registered_model", "load_model") or call.keywords:
            return None
        args = []
        for arg in call.args[:2]:
            known, value = self._evaluate(arg, table, consts)
            if not known or not isinstance(value, str):
                return None
            args.append(value)
        if len(args) == 1 and args[0].count(".") == 1:
            app, name = args[0].split(".")
        elif len(args) == 2 and "." not in args[1]:
            app, name = args
        else:
            return None
        if tail == "load_model" and func.startswith("swapper."):
            setting = f"{app.upper()}_{name.upper()}_MODEL"
            known, value = self._setting(setting, f"{app}.{name}")
            if not known or not isinstance(value, str):
                return None
            app, _, name = value.partition(".")
        if app == self.ctx.app_label:
            for local in self.models.values():
                if local.name.lower() == name.lower():
                    return local.label  # get_model is case-insensitive; the label is not
        return f"{app}.{name}"

    # -- static evaluation -----------------------------------------------------------------
    def _setting(self, name: str, default: object = MISSING) -> tuple[bool, object]:
        """(known, value) of ``settings.<name>`` (``default``: getattr's third argument), from
        the static settings, else Django's global default, else ``default``."""
        if name == "AUTH_USER_MODEL" and not self.ctx.settings.found:
            return True, self.ctx.settings.auth_user_model
        known, value = self.ctx.settings.lookup(name)
        if not known:
            return False, None
        if value is not MISSING:
            return True, value
        loader = self.ctx.loader
        if loader is None:
            return False, None
        known, value = loader.django_setting_default(name)
        if not known:
            return False, None
        if value is not MISSING:
            return True, value
        if default is not MISSING:
            return True, default
        return False, None  # settings.X that is not set: AttributeError at import

    def _has_setting(self, name: str) -> tuple[bool, object]:
        known, value = self.ctx.settings.lookup(name)
        if not known:
            return False, None
        if value is not MISSING:
            return True, True
        if self.ctx.loader is None:
            return False, None
        known, value = self.ctx.loader.django_setting_default(name)
        return (True, value is not MISSING) if known else (False, None)

    def _evaluate(
        self, node: ast.expr, table: ImportTable, consts: dict[str, ast.expr], depth: int = 0
    ) -> tuple[bool, object]:
        """(known, value) of an expression as it evaluates at import, when djgen can tell
        statically: literals, static settings, module constants, ``not``/``and``/``or``,
        comparisons, ``getattr``/``hasattr(settings, ...)``, swapper's setting helpers,
        ``apps.is_installed``, ``is_model_registered`` of this app's models read so far."""
        unknown: tuple[bool, object] = (False, None)
        if depth > 8:
            return unknown
        literal = _literal(node)
        if literal is not NOT_LITERAL:
            return True, literal
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            known, value = self._evaluate(node.operand, table, consts, depth + 1)
            return (True, not value) if known else unknown
        if isinstance(node, ast.BoolOp):
            result: object = None
            for operand in node.values:
                known, result = self._evaluate(operand, table, consts, depth + 1)
                if not known:
                    return unknown
                if isinstance(node.op, ast.And) and not result:
                    return True, result
                if isinstance(node.op, ast.Or) and result:
                    return True, result
            return True, result
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left = self._evaluate(node.left, table, consts, depth + 1)
            right = self._evaluate(node.comparators[0], table, consts, depth + 1)
            compare = _COMPARISONS.get(type(node.ops[0]))
            if left[0] and right[0] and compare is not None:
                try:
                    return True, compare(left[1], right[1])
                except TypeError:
                    return unknown
            return unknown
        if isinstance(node, ast.Name) and table.is_local(node):
            if node.id in consts:
                return self._evaluate(consts[node.id], table, consts, depth + 1)
            return unknown
        dotted = table.dotted(node)
        if dotted in ("typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"):
            return True, False
        if dotted == "django.VERSION" and self.ctx.loader is not None:
            version = self.ctx.loader.django_version()
            return (True, version) if version is not None else unknown
        if dotted is not None and dotted.startswith("django.conf.settings."):
            name = dotted.removeprefix("django.conf.settings.")
            return self._setting(name) if "." not in name else unknown
        if isinstance(node, ast.Call):
            return self._evaluate_call(node, table, consts, depth)
        return unknown

    def _evaluate_call(
        self, call: ast.Call, table: ImportTable, consts: dict[str, ast.expr], depth: int
    ) -> tuple[bool, object]:
        unknown: tuple[bool, object] = (False, None)
        func = table.dotted(call.func) or ""
        tail = func.rpartition(".")[2]
        builtin = func in (tail, f"{table.module}.{tail}") and tail in ("getattr", "hasattr")
        if call.keywords:
            return unknown
        args = []
        for arg in call.args:
            if builtin and not args:
                args.append(table.dotted(arg))  # the object: settings
                continue
            known, value = self._evaluate(arg, table, consts, depth + 1)
            if not known:
                return unknown
            args.append(value)
        if builtin:
            if len(args) < 2 or args[0] != "django.conf.settings" or not isinstance(args[1], str):
                return unknown
            if tail == "hasattr" and len(args) == 2:
                return self._has_setting(args[1])
            if tail == "getattr" and len(args) in (2, 3):
                return self._setting(args[1], args[2] if len(args) == 3 else MISSING)
            return unknown
        if func.startswith("swapper.") and len(args) == 2 and all(isinstance(a, str) for a in args):
            app, name = args
            setting = f"{app.upper()}_{name.upper()}_MODEL"  # type: ignore[union-attr]
            if tail == "swappable_setting":
                return True, setting
            if tail in ("get_model_name", "is_swapped"):
                default = f"{app}.{name}"
                known, value = self._setting(setting, default)
                if not known:
                    return unknown
                if tail == "is_swapped":
                    return True, (value if value != default else False)
                return True, value
            return unknown
        if tail == "is_model_registered" and len(args) == 2:
            app, name = args
            if app != self.ctx.app_label or not isinstance(name, str):
                return unknown
            return True, any(m.name.lower() == name.lower() for m in self.models.values())
        if func == "django.apps.apps.is_installed" and len(args) == 1:
            known, installed = self._setting("INSTALLED_APPS")
            if not known or not isinstance(installed, (list, tuple)):
                return unknown
            # an entry is the app's module, or its AppConfig in <app>.apps
            entries = [str(e) for e in installed]
            return True, any(e == args[0] or e.startswith(f"{args[0]}.apps.") for e in entries)
        return unknown


def _constants_of(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level ``NAME = value`` assignments (the last one wins, as at import)."""
    out: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            if isinstance(stmt.targets[0], ast.Name):
                out[stmt.targets[0].id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            out[stmt.target.id] = stmt.value
    return out


def _module_constants(ir: ModuleIR) -> dict[str, ast.expr]:
    tree = next(iter(ir.trees.values()), None)
    return _constants_of(tree) if tree is not None else {}


_BUILTINS = frozenset(dir(builtins))
_COMPARISONS: dict[type, Any] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}


def _module_statements(body: list[ast.stmt], nested: bool = False) -> Any:
    """Module-level statements, descending into ``if``/``try`` blocks (with a nested flag)."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from _module_statements(stmt.body, True)
            yield from _module_statements(stmt.orelse, True)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody):
                yield from _module_statements(block, True)
            for handler in stmt.handlers:
                yield from _module_statements(handler.body, True)
        else:
            yield stmt, nested


_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) - {"test"}


def parts_top(dotted: str) -> str:
    return dotted.partition(".")[0]


#: ``x = something.method(...)`` on a non-name: not a class djgen needs to follow.
_NOT_FIELD_METHODS = frozenset({"as_manager", "format", "join", "get", "copy"})


def _local_head(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _relation_kind(ancestor: str | None) -> str | None:
    seen = 0
    while ancestor and seen < 10:
        kind = df.BUILTIN_FIELDS.get(ancestor)
        if kind is None:
            return None
        if ancestor in ("ForeignKey", "OneToOneField", "ManyToManyField", "ForeignObject"):
            return kind.relation
        ancestor = kind.parent
        seen += 1
    return None


def _django_order(fields: list[FieldIR]) -> list[FieldIR]:
    """``local_fields`` (auto-created first) then ``local_many_to_many``, order otherwise kept."""
    auto = [f for f in fields if f.auto_created and not f.is_m2m]
    local = [f for f in fields if not f.auto_created and not f.is_m2m]
    m2m = [f for f in fields if f.is_m2m]
    return auto + local + m2m


def _single_target(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
    elif isinstance(stmt, ast.AnnAssign):
        target = stmt.target
    else:
        return None
    return target.id if isinstance(target, ast.Name) else None


def _assigned_value(stmt: ast.stmt) -> ast.expr | None:
    if isinstance(stmt, ast.Assign):
        return stmt.value
    if isinstance(stmt, ast.AnnAssign):
        return stmt.value
    return None


def _assigned_names(body: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    names.add(target.id)
        elif (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.value is not None
        ):
            names.add(stmt.target.id)  # a bare ``id: str`` sets no attribute: hides nothing
    return names


def _find_kwarg(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _elements(source: str) -> list[str] | None:
    """Source text of each element of a list/tuple literal's source, or None."""
    try:
        node = ast.parse(source.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    text = SourceText(source.strip())
    return [text.segment(e) for e in node.elts]


def _shift_span(span: Span | None, delta: int) -> Span | None:
    if span is None:
        return None
    return Span(span.line + delta, span.col, span.end_line + delta, span.end_col)


def _shift_problem(problem: Problem, delta: int) -> Problem:
    return replace(problem, span=_shift_span(problem.span, delta))


def _shifted(entry: _CachedModel, delta: int, line: int) -> _CachedModel:
    """A cached model moved by ``delta`` lines (own spans only: inherited ones stay put)."""
    model = entry.model
    choices = [replace(c, span=_shift_span(c.span, delta)) for c in entry.choices]
    fields = [
        replace(f, span=_shift_span(f.span, delta)) if f.inherited_from is None else f
        for f in model.fields
    ]
    moved = replace(
        model,
        span=_shift_span(model.span, delta),
        name_span=_shift_span(model.name_span, delta),
        fields=fields,
        choices=[c for c in choices if c.owner == model.name],
        problems=[_shift_problem(p, delta) for p in model.problems],
    )
    return _CachedModel(moved, choices, [_shift_problem(p, delta) for p in entry.problems], line)


def read_with_context(text: str, ctx: ReadContext, tree: ast.Module | None = None) -> ModuleIR:
    """Read ``text`` as the models module described by ``ctx`` (``tree``: its parse, if known)."""
    return _ModuleReader(text, ctx).run(tree)
