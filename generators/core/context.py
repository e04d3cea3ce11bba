"""The generation context: what a generator is given, and what it hands back.

Data path: models.py → IR → **context** (this module: the IR, the app, the project, the options,
the outputs of required generators, the user's answers) → generator → **result** (artifacts,
what it provides, questions) → merge → file or WorkspaceEdit.

Generators never import each other. What one needs from another (a class name, a module, a URL
prefix) is in ``context.outputs[<required generator>]``, filled from that generator's
``GenerationResult.provides``. Questions only the user can answer (a one-off default for a new
non-null field) come back as ``Question`` data: the CLI turns them into ``--default`` hints or an
error, the language server into ``window/showMessageRequest``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from djgen.generators.core.artifacts import Artifact
from djgen.generators.core.errors import PlanError

if TYPE_CHECKING:
    from djgen.generators.core.config import DjgenConfig
    from djgen.generators.core.ir import ModelIR, ModuleIR


@dataclass(frozen=True)
class AppInfo:
    """The Django app the models belong to."""

    label: str
    #: The app folder (holds models.py or models/).
    path: Path
    #: The dotted module the app is imported as (``catalog``, ``shop.catalog``).
    module: str
    #: The AppConfig class in apps.py, when there is one.
    config_class: str | None = None


@dataclass(frozen=True)
class ProjectInfo:
    """The Django project around the app, found statically (None parts: not found); ``ir`` is
    the full read (``reader.project_model.ProjectIR``: every setting, problems)."""

    #: The folder with manage.py; artifacts with ``root="project"`` are relative to it.
    root: Path
    settings_module: str | None = None
    #: The settings file djgen edits (the one defining INSTALLED_APPS: ``base.py`` of a
    #: ``settings/`` package that star-imports it).
    settings_path: Path | None = None
    urls_path: Path | None = None
    asgi_path: Path | None = None
    #: The project package (where startproject put settings.py), e.g. ``mysite/``.
    package_dir: Path | None = None
    #: Whether INSTALLED_APPS lists the app (None: cannot tell statically).
    app_installed: bool | None = None
    ir: Any = field(default=None, compare=False, repr=False)

    def relative(self, path: Path) -> str:
        """``path`` relative to the project root, POSIX separators."""
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    @property
    def package(self) -> str:
        """The project package's dotted name (``mysite``)."""
        if self.package_dir is None:
            return ""
        return self.relative(self.package_dir).replace("/", ".")

    def installs(self, app_module: str) -> bool:
        """Whether INSTALLED_APPS already lists the app (by name or AppConfig path); unknown
        counts as yes, so djgen never lists an app twice."""
        del app_module  # the project model already matched it against apps.py
        return self.app_installed is not False

    def elsewhere(self, path: Path) -> dict[str, tuple[str, ...]]:
        """What settings files other than ``path`` already provide (for a settings package)."""
        return self.ir.provided_elsewhere(path) if self.ir is not None else {}

    def setting(self, name: str) -> Any:
        """The ``SettingValue`` of a setting as read, or None."""
        return self.ir.settings.get(name) if self.ir is not None else None


@dataclass(frozen=True)
class Question:
    """Something only the user can decide, e.g. a one-off default for ``Book.isbn``."""

    generator: str
    #: Stable key the answer comes back under (``Book.isbn``).
    key: str
    #: One line for people ("Book.isbn is a new non-null field without a default").
    prompt: str
    #: Values that fit, for pick lists (the first one is a good suggestion).
    choices: tuple[str, ...] = ()
    #: What the generator needs to know about it (e.g. the field's IR), for front ends.
    data: Any = None


class QuestionsPending(PlanError):
    """Generation stopped on questions the user has not answered yet."""

    def __init__(self, questions: Sequence[Question], message: str) -> None:
        super().__init__(message)
        self.questions = list(questions)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class GenerationResult:
    """What one generator returns."""

    artifacts: list[Artifact] = field(default_factory=list)
    #: Values for generators that require this one (keys named in ``Descriptor.provides``).
    provides: dict[str, Any] = field(default_factory=dict)
    #: Unanswered questions; a non-empty list means the artifacts are incomplete.
    questions: list[Question] = field(default_factory=list)


@dataclass
class GenerationContext:
    """Everything a generator may read (it writes nothing here; it returns a result)."""

    module: ModuleIR
    config: DjgenConfig
    app: AppInfo
    project: ProjectInfo | None = None
    #: Only these models (None: every model).
    models: Sequence[str] | None = None
    #: ``outputs[generator][key]``: what each generator that already ran provides.
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Answers to earlier questions, by ``Question.key``.
    answers: Mapping[str, str] = field(default_factory=dict)
    #: The name of the generator being run, and every generator of this run, in order (set by
    #: the pipeline): a generator can tell whether another one does a job in the same pass.
    generator: str = ""
    running: tuple[str, ...] = ()

    def provided(self, generator: str, key: str, default: Any = None) -> Any:
        """``outputs[generator][key]``, or ``default`` when that generator did not run."""
        return self.outputs.get(generator, {}).get(key, default)

    def options(self) -> dict[str, Any]:
        """This generator's ``[tool.djgen.<name>]`` options, defaults filled in."""
        return self.config.options_for(self.generator)

    def select(self) -> list[ModelIR]:
        """The concrete models to generate for (``models``, or all of them)."""
        from djgen.generators.core.fieldinfo import select_models

        return select_models(self.module, self.models)
