"""The generation pipeline shared by the CLI and the language server.

Data path: models.py → IR → generator → artifacts → merge → **file changes** (this module runs
the chain for an app and says what each target file would become) → written by the CLI, or turned
into a WorkspaceEdit by the language server.

``plan`` is the full, libcst-backed computation (used by ``djgen generate`` and in
``codeAction/resolve``); ``status`` is the cheap ``ast``-only question "which generators'
definitions does this app already have?" that diagnostics and code lenses ask on every change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from djgen.generators.core.artifacts import Artifact, MergeChange
from djgen.generators.core.config import DjgenConfig, load_config
from djgen.generators.core.context import (
    AppInfo,
    GenerationContext,
    GenerationResult,
    ProjectInfo,
    Question,
    QuestionsPending,
)
from djgen.generators.core.errors import PlanError
from djgen.generators.core.fieldinfo import app_module_hint
from djgen.generators.core.ir import ModelIR, ModuleIR
from djgen.generators.core.paths import app_dir_of
from djgen.generators.reader import read_app

ReadText = Callable[[Path], "str | None"]


@dataclass
class FileChange:
    """One target file: its text now (None: does not exist) and after generation."""

    path: Path
    old: str | None
    new: str
    changes: list[MergeChange] = field(default_factory=list)
    generators: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Project edits djgen refused to make (a setting it cannot merge statically): the front
    #: ends write nothing while there are any, and say what to add by hand.
    refusals: list[MergeChange] = field(default_factory=list)

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


def build_context(
    module: ModuleIR,
    config: DjgenConfig,
    app_dir: str | Path | None = None,
    models: Sequence[str] | None = None,
    answers: Mapping[str, str] | None = None,
) -> GenerationContext:
    """The context generators run in: the IR, the app and (when manage.py is found above the
    app) the project."""
    app = app_dir_of(app_dir if app_dir is not None else module.path)
    project, app_module, config_class = _project_info(app)
    if not app_module:
        from djgen.generators.reader.project import read_app_info

        app_module = read_app_info(app).name or app_module_hint(module)
    return GenerationContext(
        module=module,
        config=config,
        app=AppInfo(label=module.app_label, path=app, module=app_module, config_class=config_class),
        project=project,
        models=list(models) if models else None,
        answers=dict(answers or {}),
    )


def _project_info(app: Path) -> tuple[ProjectInfo | None, str, str | None]:
    """The project around ``app`` (None without manage.py), the app's dotted name and its
    AppConfig class (read from apps.py; None when there is none)."""
    from djgen.generators.reader.project_model import read_project

    ir = read_project(app)
    app_module = ir.app.name if ir.app is not None else ""
    config_class = ir.app.config_class if ir.app is not None else None
    if ir.root is None:
        return None, app_module, config_class
    return (
        ProjectInfo(
            root=ir.root,
            settings_module=ir.settings_module,
            settings_path=ir.settings_path,
            urls_path=ir.urls_path,
            asgi_path=ir.asgi_path,
            package_dir=ir.package_dir,
            app_installed=ir.app.installed if ir.app is not None else None,
            ir=ir,
        ),
        app_module,
        config_class,
    )


def run_generators(
    context: GenerationContext, names: str | Iterable[str]
) -> dict[str, GenerationResult]:
    """Run the named generators and what they require, in order, each seeing the outputs of
    those before it. Unanswered questions stop the run with ``QuestionsPending``."""
    from djgen.generators.core.registry import get_generator, resolve

    results: dict[str, GenerationResult] = {}
    outputs: dict[str, dict[str, Any]] = {}
    questions: list[Question] = []
    order = tuple(resolve(names))
    for name in order:
        run_context = replace(context, outputs=outputs, generator=name, running=order)
        result = get_generator(name).generate(run_context)
        results[name] = result
        outputs[name] = result.provides
        questions.extend(result.questions)
    if questions:
        raise QuestionsPending(questions, "\n".join(q.prompt for q in questions) + _hint(questions))
    return results


def _hint(questions: Sequence[Question]) -> str:
    if all(q.generator == "migration" for q in questions):
        field = questions[0].key.rpartition(".")[2]
        return (
            "\nGive one with --default FIELD=VALUE (a Python expression, e.g. --default "
            f"{field}=''), or add a default / null=True to the field."
        )
    return ""


def _check_input(module: ModuleIR, models: Sequence[str] | None) -> None:
    """A syntax error, or a model name the module does not define, stops generation."""
    if module.syntax_error is not None:
        raise PlanError(module.syntax_error.message)
    if models:
        unknown = [m for m in models if module.model(m) is None]
        if unknown:
            known = ", ".join(m.name for m in module.models) or "none"
            raise PlanError(f"no model named {', '.join(unknown)} (models: {known})")


def generate_artifacts(
    module: ModuleIR,
    names: str | Iterable[str],
    config: DjgenConfig,
    models: Sequence[str] | None = None,
    defaults: Mapping[str, str] | None = None,
    *,
    only: str | None = None,
) -> list[Artifact]:
    """The artifacts of the named generators (requirements included; ``only``: just that
    generator's); ``defaults`` answer the migration generator's questions."""
    _check_input(module, models)
    context = build_context(module, config, models=models, answers=defaults)
    results = run_generators(context, names)
    return [
        artifact
        for name, result in results.items()
        if only is None or name == only
        for artifact in result.artifacts
    ]


def target_path(artifact: Artifact, context: GenerationContext) -> Path:
    """Where an artifact's file is: under the app folder, or under the project root."""
    if artifact.root == "project":
        if context.project is None:
            raise PlanError(
                f"{context.app.path}: no manage.py found above the app, so djgen cannot find "
                f"the project to write {artifact.target}; run it inside a Django project"
            )
        return context.project.root / artifact.target
    return context.app.path / artifact.target


def plan(
    app_dir: str | Path,
    names: str | Iterable[str],
    *,
    models: Sequence[str] | None = None,
    force: bool = False,
    config: DjgenConfig | None = None,
    read_text: ReadText | None = None,
    module: ModuleIR | None = None,
    defaults: Mapping[str, str] | None = None,
    fork: bool = False,
) -> list[FileChange]:
    """What generating ``names`` for the app would do to each target file.

    ``fork``: a one-shot caller with no other threads (the CLI) lets a big merge be split
    between this process and a forked copy (``core.forked``); the result is the same."""
    from djgen.generators.merge.import_order import first_party

    app = app_dir_of(app_dir)
    read = read_text or read_disk
    if module is None:
        module = read_app(app)
    if config is None:
        config = load_config(app)
    _check_input(module, models)
    context = build_context(module, config, app, models, defaults)
    results = run_generators(context, names)
    by_target: dict[Path, list[Artifact]] = {}
    for generated in results.values():
        for artifact in generated.artifacts:
            by_target.setdefault(target_path(artifact, context), []).append(artifact)
    new_packages = {
        Path(a.target).parts[0]
        for g in results.values()
        for a in g.artifacts
        if a.root == "project" and len(Path(a.target).parts) > 1
    }
    targets = list(by_target.items())

    def change_for(target: tuple[Path, list[Artifact]]) -> FileChange:
        return _change_for(target[0], target[1], read, context, force)

    with first_party(_first_party_modules(context) | new_packages):
        weights = [_merge_weight(group) for _, group in targets]
        if fork and sum(weights) >= FORK_AT:
            from djgen.generators.core.forked import map_split

            result = map_split(change_for, targets, weights)
        else:
            result = [change_for(target) for target in targets]
    return result


#: Characters of generated code from which a forked copy merges half of the files (a fork and
#: the results' way back cost a few tens of milliseconds; the four API generators write about
#: 2,000 characters per model, so this is ~125 models).
FORK_AT = 250_000


def _merge_weight(group: list[Artifact]) -> int:
    """About how much merging a file's artifacts costs: the generated code's length."""
    return sum(
        len(artifact.content or "") + sum(len(d.code) for d in artifact.definitions)
        for artifact in group
    )


def _first_party_modules(context: GenerationContext) -> set[str]:
    """The project's own top-level modules (what ruff counts as first-party from its root)."""
    root = context.project.root if context.project is not None else context.app.path.parent
    found = {context.app.module.split(".")[0]} if context.app.module else set()
    try:
        for entry in root.iterdir():
            if (entry / "__init__.py").is_file() or (entry.suffix == ".py" and entry.is_file()):
                found.add(entry.stem if entry.suffix == ".py" else entry.name)
    except OSError:
        pass
    return found


def _change_for(
    path: Path,
    group: list[Artifact],
    read: ReadText,
    context: GenerationContext,
    force: bool,
) -> FileChange:
    """What one target file becomes with its artifacts merged in, in order."""
    from djgen.generators.merge import MergeError, merge

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
                change.changes.append(MergeChange(artifact.target, "added"))
            continue
        if artifact.definitions or artifact.imports or artifact.header or text is None:
            try:
                merged = merge(text, artifact, force=force)
            except MergeError as exc:
                raise PlanError(f"{path}: {exc}") from exc
            text = merged.text
            change.changes.extend(merged.changes)
        if artifact.edits:
            text = _merge_edits(text or "", artifact, path, context, change)
    change.new = text if text is not None else ""
    return change


def _merge_edits(
    text: str, artifact: Artifact, path: Path, context: GenerationContext, change: FileChange
) -> str:
    """Apply an artifact's project edits (settings, urls, asgi, apps.py) to ``text``."""
    from djgen.generators.merge.project import ProjectMergeError, merge_project_file

    label = context.project.relative(path) if context.project is not None else path.name
    elsewhere = context.project.elsewhere(path) if context.project is not None else {}
    try:
        merged = merge_project_file(text, artifact.edits, target=label, elsewhere=elsewhere)
    except ProjectMergeError as exc:
        raise PlanError(f"{label}: {exc}") from exc
    change.changes.extend(merged.changes)
    change.refusals.extend(c for c in merged.changes if c.action == "skipped")
    return merged.text


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
#: The same keys → (target, Definition) of the generated code, for ``core.drift``.
DEFINITIONS: dict[tuple[object, ...], list[tuple[str, Any]]] = {}


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
    app_dir: Path,
) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """(target, identities) of the definitions a generator writes for each model. Cached by the
    model's shape (``_model_key``); the models not cached yet are generated in one call."""
    fingerprint = repr(config)
    keys = {m: (name, str(app_dir), m, shape, fingerprint) for m, shape in shapes.items()}
    missing = [m for m, key in keys.items() if key not in _EXPECTED]
    if missing:
        found: dict[str, list[tuple[str, tuple[str, ...]]]] = {m: [] for m in missing}
        code: dict[str, list[tuple[str, Any]]] = {m: [] for m in missing}
        context = build_context(module, config, app_dir, missing)
        for artifact in run_generators(context, [name])[name].artifacts:
            for d in artifact.definitions:
                if d.model in found:
                    found[d.model].append((str(target_path(artifact, context)), d.identities))
                    code[d.model].append((str(target_path(artifact, context)), d))
        if len(_EXPECTED) > 50_000:
            _EXPECTED.clear()
            DEFINITIONS.clear()
        for m in missing:
            _EXPECTED[keys[m]] = found[m]
            DEFINITIONS[keys[m]] = code[m]
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
    from djgen.generators.merge import defined_identities

    app = app_dir_of(app_dir)
    read = read_text or read_disk
    if config is None:
        config = load_config(app)
    identities: dict[str, set[str]] = {}

    def defined(target: str) -> set[str]:
        if target not in identities:
            text = read(Path(target))
            identities[target] = defined_identities(text) if text else set()
        return identities[target]

    shapes = {m.name: _model_key(m) for m in module.models if m.concrete}
    concrete = list(shapes)
    expected = {name: _expected(name, module, shapes, config, app) for name in names}
    out: dict[str, dict[str, bool]] = {}
    for model in concrete:
        out[model] = {
            name: all(
                any(i in defined(target) for i in identities)
                for target, identities in expected[name][model]
            )
            for name in names
        }
    if concrete:
        # project generators: what they write for the whole app (settings, urls, new
        # modules) is reported on the first model, where the editor shows it
        first = out[concrete[0]]
        for name in names:
            if first.get(name) and _scope(name) == "project":
                first[name] = _project_wired(name, module, config, app, read)
    return out


def _scope(name: str) -> str:
    from djgen.generators.core.registry import descriptors

    descriptor = descriptors().get(name)
    return descriptor.scope if descriptor is not None else "app"


_WIRING: dict[tuple[str, str, str], list[tuple[Artifact, Path]]] = {}


def _project_wired(
    name: str, module: ModuleIR, config: DjgenConfig, app: Path, read: ReadText
) -> bool:
    """Whether everything a project generator writes for the app is in place: its new files
    exist, their definitions are there, and no edit of settings, urls, … is missing (``ast``
    only; the artifacts are cached per app and options)."""
    from djgen.generators.merge import defined_identities
    from djgen.generators.merge.project import ProjectMergeError, missing

    key = (name, str(app), repr(config))
    if key not in _WIRING:
        context = build_context(module, config, app)
        try:
            artifacts = run_generators(context, [name])[name].artifacts
        except PlanError:
            return True  # cannot generate: no diagnostic (generate says why)
        if len(_WIRING) > 1_000:
            _WIRING.clear()
        _WIRING[key] = [(a, target_path(a, context)) for a in artifacts]
    for artifact, path in _WIRING[key]:
        text = read(path)
        if text is None:
            return False
        if artifact.definitions and not all(
            any(i in defined_identities(text) for i in d.identities) for d in artifact.definitions
        ):
            return False
        if artifact.edits:
            try:
                if missing(text, artifact.edits, target=path.name):
                    return False
            except ProjectMergeError:
                return True  # a syntax error in the user's file: nothing to offer now
    return True
