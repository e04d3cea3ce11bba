"""Static ``makemigrations``: is the app's history behind its models, and the next migration.

Data path: app folder → reader (models → IR) + ``loader`` (migrations → state) → ``current``
(IR → state) → ``autodetector`` → **api** (this module: verdict, file name, file text) → CLI,
language server, generator.

Nothing is imported or run: the verdict comes from reading files. Where reading cannot decide
(an unknown field class, a default computed at import time) the verdict says so in
``undecidable`` instead of guessing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from djgen.generators.core.ir import ModuleIR
from djgen.generators.migrations import operations as ops
from djgen.generators.migrations.autodetector import Detector, NeedsDefaultField, suggest_name
from djgen.generators.migrations.current import CurrentState, current_state
from djgen.generators.migrations.loader import History, HistoryError, parse_number, read_history
from djgen.generators.migrations.state import ProjectState
from djgen.generators.migrations.state_memo import StateMemo
from djgen.generators.migrations.writer import PlannedMigration, render

ReadText = Callable[[Path], "str | None"]

#: Leaf migrations of django.contrib apps in Django 5.2.
CONTRIB_LEAVES = {
    "admin": "0003_logentry_add_action_flag_choices",
    "auth": "0012_alter_user_first_name_max_length",
    "contenttypes": "0002_remove_content_type_name",
    "flatpages": "0001_initial",
    "redirects": "0002_alter_redirect_new_path_help_text",
    "sessions": "0001_initial",
    "sites": "0002_alter_domain_unique",
}


class MigrationsError(ValueError):
    """The app cannot be compared (no models, unreadable or conflicting history)."""


class NeedsDefault(MigrationsError):
    """A field Django would ask a one-off default for (non-null without default, auto_now_add)."""

    def __init__(self, fields: list[NeedsDefaultField]):
        self.fields = fields
        lines = []
        for f in fields:
            if f.auto_now_add:
                lines.append(
                    f"It is impossible to add the field '{f.field}' with 'auto_now_add=True' "
                    f"to {f.model} without providing a default."
                )
            else:
                lines.append(
                    f"It is impossible to add a non-nullable field '{f.field}' to {f.model} "
                    "without specifying a default."
                )
        lines.append(
            "Give one with --default FIELD=VALUE (a Python expression, e.g. --default "
            f"{fields[0].field}=''), or add a default / null=True to the field."
        )
        super().__init__("\n".join(lines))

    @property
    def field_names(self) -> list[str]:
        return [f.field for f in self.fields]


@dataclass
class Verdict:
    """Whether the models have changes the migrations don't have yet."""

    app_label: str
    changed: bool
    #: Model class name → short descriptions ("add field isbn", "alter field title").
    per_model: dict[str, list[str]] = field(default_factory=dict)
    operations: list[ops.Operation] = field(default_factory=list)
    #: What static reading could not decide, "Model: reason".
    undecidable: list[str] = field(default_factory=list)
    #: Django's own lines, as ``makemigrations`` prints them ("+ Add field isbn to book").
    descriptions: list[str] = field(default_factory=list)
    dependencies: list[tuple[str, str]] = field(default_factory=list)
    needs_default: list[NeedsDefaultField] = field(default_factory=list)
    leaf: str | None = None
    initial: bool = False

    @property
    def decidable(self) -> bool:
        return not self.undecidable

    def model_messages(self) -> dict[str, str]:
        """Model → the editor's diagnostic text: "Book has changes not in migrations: add
        field isbn, alter field title"."""
        return {
            model: f"{model} has changes not in migrations: {', '.join(items)}"
            for model, items in self.per_model.items()
        }

    def undecidable_messages(self) -> dict[str, list[str]]:
        """Model → why the static reading cannot decide for it (for a diagnostic)."""
        out: dict[str, list[str]] = {}
        for item in self.undecidable:
            model, _, reason = item.partition(": ")
            out.setdefault(model, []).append(reason or item)
        return out


@dataclass
class _Analysis:
    module: ModuleIR
    history: History
    current: CurrentState
    verdict: Verdict


def detect(
    app_dir: str | Path,
    *,
    module: ModuleIR | None = None,
    read_text: ReadText | None = None,
    defaults: dict[str, str] | None = None,
    per_model_only: bool = False,
    warm: bool = False,
) -> Verdict:
    """Compare the app's models with its migrations. Raises ``MigrationsError`` on bad input.

    ``per_model_only``: only ``per_model`` (what each model lacks) is wanted, as in the editor's
    diagnostics: an app without migrations then skips the optimizer; ``descriptions`` are then
    unfolded operations.

    ``warm``: a long-lived process (the language server) asks again and again: the model states
    of unchanged models and the history's replayed state are kept in this process between calls
    (``state_memo``), and the comparison skips models whose two states are identical. The
    verdict is the same as without."""
    return _analyse(
        Path(app_dir), module, read_text, defaults, verdict_only=per_model_only, warm=warm
    ).verdict


#: The warm memos of the apps this process asked about (``detect(warm=True)``), newest last.
_WARM: dict[str, StateMemo] = {}
_WARM_LIMIT = 16


def warm_memo(app_dir: Path) -> StateMemo:
    """The memo of one app folder (bounded: the ``_WARM_LIMIT`` apps asked about last)."""
    key = str(app_dir.resolve())
    memo = _WARM.pop(key, None) or StateMemo()
    _WARM[key] = memo
    while len(_WARM) > _WARM_LIMIT:
        del _WARM[next(iter(_WARM))]
    return memo


def _history_state(history: History, memo: StateMemo | None) -> ProjectState:
    """``history.state()``; with a memo, the same replay again while every migration file parses
    to the same cached operations (the loader caches parses by text)."""
    if memo is None:
        return history.state()
    key = tuple((m.name, id(m.operations)) for m in history.migrations)
    with memo.lock:
        if memo.history is not None and memo.history[0] == key:
            return memo.history[1][1]
        state = history.state()
        memo.unchanged.clear()
        # the operation lists are held so their ids stay theirs
        memo.history = (key, ([m.operations for m in history.migrations], state))
        return state


def make_migration(
    app_dir: str | Path,
    *,
    module: ModuleIR | None = None,
    read_text: ReadText | None = None,
    defaults: dict[str, str] | None = None,
    name: str | None = None,
    now: datetime.datetime | None = None,
) -> tuple[str, str] | None:
    """(``migrations/0002_book_isbn.py``, file text) for the missing changes; None if none.

    Raises ``NeedsDefault`` where Django would ask for a one-off default."""
    verdict = _analyse(Path(app_dir), module, read_text, defaults).verdict
    return migration_file(verdict, name=name, now=now)


def migration_file(
    verdict: Verdict,
    *,
    name: str | None = None,
    now: datetime.datetime | None = None,
) -> tuple[str, str] | None:
    """The file ``make_migration`` writes, from a verdict already made (``detect`` without
    ``per_model_only``): the CLI analyses once, then prints and writes.

    Raises ``NeedsDefault`` where Django would ask for a one-off default."""
    if not verdict.changed:
        return None
    if verdict.needs_default:
        raise NeedsDefault(verdict.needs_default)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    number = (parse_number(verdict.leaf) or 0) + 1 if verdict.leaf else 1
    if name is not None and not name.isidentifier():
        raise MigrationsError("The migration name must be a valid Python identifier.")
    label = (
        name or suggest_name(verdict.operations, verdict.initial, now.strftime("%Y%m%d_%H%M"))[:100]
    )
    filename = f"{number:04d}_{label}"
    dependencies = list(verdict.dependencies)
    if verdict.leaf:
        dependencies.append((verdict.app_label, verdict.leaf))
    text = render(
        PlannedMigration(
            verdict.app_label,
            filename,
            verdict.operations,
            dependencies,
            initial=verdict.initial,
        ),
        now=now,
    )
    return f"migrations/{filename}.py", text


# ----------------------------------------------------------------------------- internals


def _settings_module(app_dir: Path) -> str | None:
    """``settings_module`` from ``[tool.djgen]``, when set (else the reader asks manage.py)."""
    try:
        from djgen.generators.core.config import load_config

        return load_config(app_dir).settings_module
    except Exception:  # a broken pyproject is reported by the commands that need it
        return None


def _read_module(app_dir: Path, read_text: ReadText | None) -> ModuleIR:
    from djgen.generators.reader import read_app, read_source

    settings_module = _settings_module(app_dir)
    models_py = app_dir / "models.py"
    if read_text is not None and models_py.is_file():
        text = read_text(models_py)
        if text is not None:
            from djgen.generators.reader.project import read_app_info

            label = read_app_info(app_dir).label
            return read_source(
                text, app_label=label, path=str(models_py), settings_module=settings_module
            )
    return read_app(app_dir, settings_module=settings_module)


def _analyse(
    app_dir: Path,
    module: ModuleIR | None,
    read_text: ReadText | None,
    defaults: dict[str, str] | None,
    *,
    verdict_only: bool = False,
    warm: bool = False,
) -> _Analysis:
    """``verdict_only``: the caller wants the verdict, not a file: an app without migrations
    then skips the optimizer (every model is simply new), which on hundreds of models is the
    difference between milliseconds and seconds on every edit in the editor."""
    if not app_dir.is_dir():
        raise MigrationsError(f"{app_dir} is not a folder")
    if module is None:
        module = _read_module(app_dir, read_text)
    if module.syntax_error is not None:
        raise MigrationsError(f"cannot read the models: {module.syntax_error.message}")
    app_label = module.app_label
    try:
        history = read_history(app_dir / "migrations", app_label, read_text=read_text)
    except (HistoryError, SyntaxError) as exc:
        raise MigrationsError(str(exc)) from exc
    if len(history.leaves) > 1:
        raise MigrationsError(history.problems[0])
    memo = warm_memo(app_dir) if warm else None
    from_state = _history_state(history, memo)
    current = current_state(module, read_text=read_text, memo=memo)
    families = {
        (m.name.lower(), f.name): f.internal_type
        for m in module.models
        for f in m.fields
        if f.internal_type
    }
    detector = Detector(
        from_state,
        current.state,
        app_label,
        swappable=current.swappable,
        pk_names=current.pk_names,
        defaults=defaults or {},
        other_leaves=_OtherLeaves(app_dir),
        family=families,
        optimize=not (verdict_only and not history.migrations),
        skip_unchanged=warm,
        unchanged_memo=memo.unchanged if memo is not None else None,
    )
    changes = detector.changes()
    names = {m.name.lower(): m.name for m in module.models}
    for ms in from_state.app_models(app_label):
        names.setdefault(ms.name_lower, ms.name)
    verdict = Verdict(
        app_label=app_label,
        changed=bool(changes.operations),
        operations=changes.operations,
        undecidable=[*current.reasons(), *history.problems],
        dependencies=changes.dependencies,
        needs_default=changes.needs_default,
        leaf=history.leaf,
        initial=not history.migrations,
    )
    for op in changes.operations:
        verdict.descriptions.append(f"{_prefix(op)} {op.describe()}")
        model = names.get(op.model_lower or "", op.model_lower or "?")
        verdict.per_model.setdefault(model, []).append(short_description(op))
    if not detector.optimize:
        # unfolded: a new model's later AddFields are part of creating it
        for model, said in verdict.per_model.items():
            created = [d for d in said if d.startswith("create ")]
            if created:
                verdict.per_model[model] = created[:1]
    return _Analysis(module, history, current, verdict)


def _prefix(op: ops.Operation) -> str:
    if isinstance(op, (ops.CreateModel, ops.AddField, ops.AddIndex, ops.AddConstraint)):
        return "+"
    if isinstance(op, (ops.DeleteModel, ops.RemoveField, ops.RemoveIndex, ops.RemoveConstraint)):
        return "-"
    return "~"


def short_description(op: ops.Operation) -> str:
    """ "add field isbn", "alter field title", "create model", "remove index x"."""
    if isinstance(op, ops.CreateModel):
        return "create proxy model" if "proxy" in op.describe() else "create model"
    if isinstance(op, ops.DeleteModel):
        return "delete model"
    if isinstance(op, ops.AddField):
        return f"add field {op.name}"
    if isinstance(op, ops.RemoveField):
        return f"remove field {op.name}"
    if isinstance(op, ops.AlterField):
        return f"alter field {op.name}"
    if isinstance(op, ops.AddIndex):
        return f"add index {op.name}"
    if isinstance(op, ops.RemoveIndex):
        return f"remove index {op.name}"
    if isinstance(op, ops.RenameIndex):
        return f"rename index {op.old_name or ''} to {op.new_name}".replace("  ", " ")
    if isinstance(op, ops.AddConstraint):
        return f"add constraint {op.name}"
    if isinstance(op, ops.RemoveConstraint):
        return f"remove constraint {op.name}"
    if isinstance(op, ops.AlterConstraint):
        return f"alter constraint {op.name}"
    if isinstance(op, ops.AlterModelOptions):
        return "change Meta options"
    if isinstance(op, ops.AlterModelManagers):
        return "change managers"
    if isinstance(op, ops.AlterTogether):
        return f"alter {op.option_name}"
    if isinstance(op, ops.AlterModelTable):
        return "rename table"
    if isinstance(op, ops.AlterModelTableComment):
        return "alter table comment"
    if isinstance(op, ops.AlterOrderWithRespectTo):
        return "set order_with_respect_to"
    return op.describe()


class _OtherLeaves(dict):
    """Leaf migration of another app: django.contrib from a table, project apps from disk."""

    def __init__(self, app_dir: Path):
        super().__init__()
        self.app_dir = app_dir

    def __missing__(self, app_label: str) -> str | None:
        leaf = CONTRIB_LEAVES.get(app_label)
        if leaf is None:
            leaf = self._project_leaf(app_label)
        if leaf is None:
            leaf = self._installed_leaf(app_label)
        self[app_label] = leaf
        return leaf

    def _installed_leaf(self, app_label: str) -> str | None:
        """An installed app's leaf (``taggit``: site-packages/taggit/migrations), read from
        the project interpreter's site-packages like the project's own apps."""
        from djgen.generators.migrations.loader import leaf_of
        from djgen.generators.reader.project import find_project_root, read_app_info
        from djgen.generators.reader.site_packages import site_packages

        root = find_project_root(self.app_dir) or self.app_dir.parent
        for base in site_packages(root):
            for candidate in (base / app_label, base / "django" / "contrib" / app_label):
                if (candidate / "migrations").is_dir() and (
                    read_app_info(candidate).label == app_label
                ):
                    return leaf_of(candidate / "migrations", app_label)
        return None

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self[key]

    def _project_leaf(self, app_label: str) -> str | None:
        from djgen.generators.migrations.loader import leaf_of
        from djgen.generators.reader.project import find_project_root, read_app_info

        root = find_project_root(self.app_dir) or self.app_dir.parent
        seen: set[Path] = set()
        for base in (self.app_dir.parent, root):
            for apps_py in [*base.glob("*/apps.py"), *base.glob("*/*/apps.py")]:
                candidate = apps_py.parent
                if candidate in seen or not (candidate / "migrations").is_dir():
                    continue
                seen.add(candidate)
                if read_app_info(candidate).label == app_label:
                    return leaf_of(candidate / "migrations", app_label)
            candidate = base / app_label
            if candidate not in seen and (candidate / "migrations").is_dir():
                return leaf_of(candidate / "migrations", app_label)
        return None
