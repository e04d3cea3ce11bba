"""Finds and reads an app's models: a models.py, a ``models/`` package, or source text.

Data path: models.py → **reader** (this module is its entry: path or text → ModuleIR) → IR →
generators.
"""

from __future__ import annotations

import ast
from pathlib import Path

from djgen.generators.core.ir import ModuleIR, Problem
from djgen.generators.core.paths import app_dir_of

from .model_reader import ModelCache, ModuleLoader, ReadContext, read_with_context
from .project import (
    ProjectSettings,
    find_project_root,
    import_root_for,
    module_name,
    read_app_info,
    read_settings,
)


def read_source(
    source: str,
    *,
    app_label: str,
    path: str | None = None,
    project_root: str | Path | None = None,
    settings_module: str | None = None,
) -> ModuleIR:
    """Read models source text. With ``path`` (and a project around it) other modules of the
    project are read on demand and settings come from the project; never raises."""
    ctx = source_context(
        app_label=app_label, path=path, project_root=project_root, settings_module=settings_module
    )
    return read_with_context(source, ctx)


def source_context(
    *,
    app_label: str,
    path: str | Path | None = None,
    project_root: str | Path | None = None,
    settings_module: str | None = None,
    cache: ModelCache | None = None,
) -> ReadContext:
    """Where a models module at ``path`` sits: its module name, the project's settings, a loader
    for the project's other modules (shared by ``read_source`` and the incremental reader)."""
    file = Path(path) if path else None
    root = Path(project_root) if project_root else None
    if root is None and file is not None:
        root = import_root_for(file.parent)
    settings = read_settings(find_project_root(root) if root else None, settings_module)
    auto = read_app_info(app_dir_of(file)).default_auto_field if file is not None else None
    module, is_package = module_name(file, root) if file and root else ("", False)
    return ReadContext(
        app_label=app_label,
        module=module,
        is_package=is_package,
        path=str(file) if file else None,
        settings=settings,
        default_auto_field=auto or settings.default_auto_field,
        loader=ModuleLoader(root, settings),
        cache=cache,
    )


def locate_models(path: str | Path) -> tuple[Path, Path | None, str | None]:
    """(app dir, models.py or models/ folder, error) for a models.py, models/ folder or app."""
    p = Path(path)
    app = app_dir_of(p)
    if p.is_file():
        if p.suffix != ".py":
            return p.parent, None, f"{p} is not a Python file"
        return app, (p.parent if app != p.parent else p), None
    if p.is_dir():
        if app != p:
            return app, p, None
        if (p / "models.py").is_file():
            return p, p / "models.py", None
        if (p / "models" / "__init__.py").is_file():
            return p, p / "models", None
        return p, None, f"no models.py or models/ package in {p}"
    return p.parent, None, f"{p} does not exist"


def read_app(path: str | Path, *, settings_module: str | None = None) -> ModuleIR:
    """Read an app's models from a models.py, a ``models/`` package folder, or the app folder."""
    app_dir, models_path, error = locate_models(path)
    info = read_app_info(app_dir)
    if models_path is None:
        ir = ModuleIR(path=str(path), app_label=info.label)
        ir.syntax_error = Problem(error or f"cannot read {path}", severity="error")
        ir.problems.append(ir.syntax_error)
        return ir
    root = import_root_for(app_dir)
    settings = read_settings(find_project_root(app_dir), settings_module)
    loader = ModuleLoader(root, settings)
    if models_path.is_dir():
        return _read_package(
            models_path, info.label, info.default_auto_field, root, settings, loader
        )
    return _read_file(models_path, info.label, info.default_auto_field, root, settings, loader)


def _context(
    file: Path,
    label: str,
    auto: str | None,
    root: Path,
    settings: ProjectSettings,
    loader: ModuleLoader,
) -> ReadContext:
    module, is_package = module_name(file, root)
    return ReadContext(
        app_label=label,
        module=module,
        is_package=is_package,
        path=str(file),
        settings=settings,
        default_auto_field=auto or settings.default_auto_field,
        loader=loader,
    )


def _read_file(
    file: Path,
    label: str,
    auto: str | None,
    root: Path,
    settings: ProjectSettings,
    loader: ModuleLoader,
) -> ModuleIR:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        ir = ModuleIR(path=str(file), app_label=label)
        ir.syntax_error = Problem(f"cannot read {file}: {exc}", severity="error")
        ir.problems.append(ir.syntax_error)
        return ir
    return read_with_context(text, _context(file, label, auto, root, settings, loader))


def _package_files(folder: Path) -> tuple[list[Path], bool]:
    """The package's modules in ``__init__``'s import order, and whether it imports any."""
    init = folder / "__init__.py"
    order: list[Path] = []
    try:
        tree = ast.parse(init.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        tree = ast.Module(body=[], type_ignores=[])
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.ImportFrom) and stmt.level == 1:
            names = [stmt.module] if stmt.module else [a.name for a in stmt.names]
            for name in names:
                candidate = folder / f"{name.split('.')[0]}.py"
                if candidate.is_file() and candidate not in order:
                    order.append(candidate)
    imported = bool(order)
    if not imported:
        order = sorted(p for p in folder.glob("*.py") if p.name != "__init__.py")
    return order, imported


def _read_package(
    folder: Path,
    label: str,
    auto: str | None,
    root: Path,
    settings: ProjectSettings,
    loader: ModuleLoader,
) -> ModuleIR:
    init = folder / "__init__.py"
    result = _read_file(init, label, auto, root, settings, loader)
    result.path = str(folder)
    files, imported = _package_files(folder)
    for file in files:
        module, _ = module_name(file, root)
        loaded = loader.load(module)
        part = loaded.ir if loaded is not None else None
        if part is None:
            part = _read_file(file, label, auto, root, settings, loader)
        if part.syntax_error is not None:
            result.problems.append(part.syntax_error)
            continue
        seen = {(m.app_label, m.name) for m in result.models}
        # a model already in (``from .product import *`` in __init__ brings it in) once only
        result.models.extend(m for m in part.models if (m.app_label, m.name) not in seen)
        result.trees.update(part.trees)
        result.choices.extend(part.choices)
        result.custom_fields.update(part.custom_fields)
        result.problems.extend(part.problems)
    if not imported and files:
        result.problems.append(
            Problem(
                f"{init} imports none of the package's modules; Django only registers models "
                "that are imported, djgen reads them all",
                severity="info",
            )
        )
    return result
