"""The generation pipeline shared by the CLI and the language server.

Data path: models.py → IR → generator → artifacts → merge → **file changes** (this module runs
the chain for an app and says what each target file would become) → written by the CLI, or turned
into a WorkspaceEdit by the language server.

``plan`` is the full, libcst-backed computation (used by ``djgen generate`` and in
``codeAction/resolve``); ``status`` is the cheap ``ast``-only question "which generators'
definitions does this app already have?" that diagnostics and code lenses ask on every change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .artifacts import Artifact, MergeChange
from .config import DjgenConfig, load_config
from .ir import ModelIR, ModuleIR
from .reader import locate_models, read_app

ReadText = Callable[[Path], "str | None"]


class PlanError(Exception):
    """The models cannot be generated from (syntax error, no models.py, bad target file)."""


@dataclass
class FileChange:
    """One target file: its text now (None: does not exist) and after generation."""

    path: Path
    old: str | None
    new: str
    changes: list[MergeChange] = field(default_factory=list)
    generators: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.new != self.old

    @property
    def created(self) -> bool:
        return self.old is None


def read_disk(path: Path) -> str | None:
    """A file's text, or None when it does not exist."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def app_dir_of(path: str | Path) -> Path:
    """The app folder for a models.py, a models/ package or the app folder itself."""
    app_dir, _, _ = locate_models(path)
    return app_dir


def generate_artifacts(
    module: ModuleIR,
    names: str | Iterable[str],
    config: DjgenConfig,
    models: Sequence[str] | None = None,
    defaults: dict[str, str] | None = None,
) -> list[Artifact]:
    """Run the named generators (requirements included) over the IR; ``defaults`` are the
    one-off values the migration generator would otherwise have to ask for."""
    from .registry import get_generator, resolve

    if module.syntax_error is not None:
        raise PlanError(module.syntax_error.message)
    if models:
        unknown = [m for m in models if module.model(m) is None]
        if unknown:
            known = ", ".join(m.name for m in module.models) or "none"
            raise PlanError(f"no model named {', '.join(unknown)} (models: {known})")
    artifacts: list[Artifact] = []
    for name in resolve(names):
        generator = get_generator(name)
        if defaults and name == "migration":
            artifacts.extend(generator.generate(module, config, models, defaults=defaults))  # type: ignore[call-arg]
        else:
            artifacts.extend(generator.generate(module, config, models))
    return artifacts


def plan(
    app_dir: str | Path,
    names: str | Iterable[str],
    *,
    models: Sequence[str] | None = None,
    force: bool = False,
    config: DjgenConfig | None = None,
    read_text: ReadText | None = None,
    module: ModuleIR | None = None,
    defaults: dict[str, str] | None = None,
) -> list[FileChange]:
    """What generating ``names`` for the app would do to each target file."""
    from .merge import MergeError, merge

    app = app_dir_of(app_dir)
    read = read_text or read_disk
    if module is None:
        module = read_app(app)
    if config is None:
        config = load_config(app)
    artifacts = generate_artifacts(module, names, config, models, defaults)
    by_target: dict[str, list[Artifact]] = {}
    for artifact in artifacts:
        by_target.setdefault(artifact.target, []).append(artifact)
    result: list[FileChange] = []
    for target, group in by_target.items():
        path = app / target
        old = read(path)
        text = old
        change = FileChange(path=path, old=old, new=old or "")
        for artifact in group:
            if artifact.generator not in change.generators:
                change.generators.append(artifact.generator)
            change.notes.extend(n for n in artifact.notes if n not in change.notes)
            if artifact.content is not None:
                if text is None:
                    text = artifact.content
                    change.changes.append(MergeChange(target, "added"))
                continue
            try:
                merged = merge(text, artifact, force=force)
            except MergeError as exc:
                raise PlanError(f"{path}: {exc}") from exc
            text = merged.text
            change.changes.extend(merged.changes)
        change.new = text if text is not None else ""
        result.append(change)
    return result


def write(changes: Iterable[FileChange]) -> list[Path]:
    """Write the changed files (creating folders); the paths written."""
    written: list[Path] = []
    for change in changes:
        if not change.changed:
            continue
        change.path.parent.mkdir(parents=True, exist_ok=True)
        with open(change.path, "w", encoding="utf-8", newline="") as fh:
            fh.write(change.new)
        written.append(change.path)
    return written


# -- status: cheap, ast-only --------------------------------------------------------------------

_EXPECTED: dict[tuple[object, ...], list[tuple[str, tuple[str, ...]]]] = {}


_SHAPES: dict[int, tuple[ModelIR, tuple[object, ...]]] = {}


def _model_key(ir: ModelIR) -> tuple[object, ...]:
    """What a model's generated identities can depend on: its kind and its fields' shapes
    (not their positions, so edits elsewhere in the file keep the cache warm). Memoised per
    ModelIR object: the incremental reader hands back the same object for an unchanged model."""
    known = _SHAPES.get(id(ir))
    if known is not None and known[0] is ir:
        return known[1]
    if len(_SHAPES) > 20_000:
        _SHAPES.clear()
    key = _shape(ir)
    _SHAPES[id(ir)] = (ir, key)
    return key


def _shape(ir: ModelIR) -> tuple[object, ...]:
    kind = "abstract" if ir.abstract else ("proxy" if ir.proxy else "concrete")
    return (
        kind,
        ir.mti_parent,
        ir.proxy_for,
        tuple((f.name, f.field_class, f.related_model, tuple(f.kwargs)) for f in ir.fields),
    )


def _expected(
    name: str,
    module: ModuleIR,
    shapes: dict[str, tuple[object, ...]],
    config: DjgenConfig,
) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """(target, identities) of the definitions a generator writes for each model. Cached by the
    model's shape (``_model_key``); the models not cached yet are generated in one call."""
    fingerprint = repr(config)
    keys = {m: (name, module.app_label, m, shape, fingerprint) for m, shape in shapes.items()}
    missing = [m for m, key in keys.items() if key not in _EXPECTED]
    if missing:
        from .registry import get_generator

        found: dict[str, list[tuple[str, tuple[str, ...]]]] = {m: [] for m in missing}
        for artifact in get_generator(name).generate(module, config, missing):
            for d in artifact.definitions:
                if d.model in found:
                    found[d.model].append((artifact.target, d.identities))
        if len(_EXPECTED) > 50_000:
            _EXPECTED.clear()
        for m in missing:
            _EXPECTED[keys[m]] = found[m]
    return {m: _EXPECTED[key] for m, key in keys.items()}


def status(
    module: ModuleIR,
    app_dir: str | Path,
    names: Iterable[str],
    *,
    config: DjgenConfig | None = None,
    read_text: ReadText | None = None,
) -> dict[str, dict[str, bool]]:
    """For each concrete model: generator name → whether its definitions are all in place."""
    from .merge import defined_identities

    app = app_dir_of(app_dir)
    read = read_text or read_disk
    if config is None:
        config = load_config(app)
    identities: dict[str, set[str]] = {}

    def defined(target: str) -> set[str]:
        if target not in identities:
            text = read(app / target)
            identities[target] = defined_identities(text) if text else set()
        return identities[target]

    shapes = {m.name: _model_key(m) for m in module.models if m.concrete}
    concrete = list(shapes)
    expected = {name: _expected(name, module, shapes, config) for name in names}
    out: dict[str, dict[str, bool]] = {}
    for model in concrete:
        out[model] = {
            name: all(
                any(i in defined(target) for i in identities)
                for target, identities in expected[name][model]
            )
            for name in names
        }
    return out
