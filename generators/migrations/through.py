"""The migration that turns an implicit ManyToManyField into an explicit through model and keeps
the join table's rows: Django's own recipe ("Changing a ManyToManyField to use a through
model", docs/howto/writing-migrations.txt) with ``SeparateDatabaseAndState``.

Data path: models.py after the relation fix (``core.relation_fixes``) → reader (IR) + history
→ ``autodetector`` (CreateModel of the through model, AlterField of the M2M: exactly what
``makemigrations`` computes) → **through** (this module: both as state operations only, no
database operation, since the through model's ``db_table`` and columns are the implicit table's)
→ ``writer`` → ``migrations/NNNN_<name>.py``.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from djgen.generators.migrations import operations as ops
from djgen.generators.migrations.api import MigrationsError, ReadText, _analyse
from djgen.generators.migrations.autodetector import suggest_name
from djgen.generators.migrations.loader import parse_number
from djgen.generators.migrations.writer import PlannedMigration, render


def through_migration(
    app_dir: str | Path,
    *,
    model: str,
    field: str,
    through: str,
    read_text: ReadText | None = None,
    now: datetime.datetime | None = None,
) -> tuple[str, str] | None:
    """(``migrations/0002_posttag_alter_post_tags.py``, text) for models.py as ``read_text``
    gives it (after the conversion); None when the field is not in the migrations yet (its
    table does not exist: the next ``makemigrations`` creates the through model's own).

    Other pending changes of the app are left out (``makemigrations`` writes them after)."""
    analysis = _analyse(Path(app_dir), None, read_text, None)
    verdict = analysis.verdict
    model_lower, through_lower = model.lower(), through.lower()
    previous = analysis.history.state().get(verdict.app_label, model)
    old = previous.fields.get(field) if previous is not None else None
    if old is None:
        return None
    if old.kw_literal("through") is not None:
        raise MigrationsError(f"{model}.{field} already has a through model in the migrations")
    create = [
        op
        for op in verdict.operations
        if isinstance(op, ops.CreateModel) and op.name_lower == through_lower
    ]
    alter = [
        op
        for op in verdict.operations
        if isinstance(op, ops.AlterField) and op.model_lower == model_lower and op.name == field
    ]
    if len(create) != 1 or len(alter) != 1:
        raise MigrationsError(
            f"the models do not have {through} and {model}.{field} with through={through!r}"
        )
    state_operations: list[ops.Operation] = [create[0], alter[0]]
    now = now or datetime.datetime.now(datetime.timezone.utc)
    number = (parse_number(verdict.leaf) or 0) + 1 if verdict.leaf else 1
    label = suggest_name(state_operations, False, now.strftime("%Y%m%d_%H%M"))[:100]
    filename = f"{number:04d}_{label}"
    dependencies = list(verdict.dependencies)
    if verdict.leaf:
        dependencies.append((verdict.app_label, verdict.leaf))
    text = render(
        PlannedMigration(
            verdict.app_label,
            filename,
            [ops.SeparateDatabaseAndState(state_operations=state_operations)],
            dependencies,
        ),
        now=now,
    )
    return f"migrations/{filename}.py", text
