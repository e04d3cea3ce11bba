"""The ``migration`` generator: the next migration file for the app, as a whole-file artifact.

Data path: models.py → IR → **generator** (this module, over ``api.make_migration``) →
``Artifact(content=...)`` → pipeline → ``migrations/NNNN_name.py`` or WorkspaceEdit.

Migrations are per app: ``models`` (a model filter) does not apply and is ignored. When Django
would ask for a one-off default, generation stops with a clear message (``PlanError``) naming
the fields; the CLI's ``makemigrations --default FIELD=VALUE`` or the editor supplies it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from djgen.generators.artifacts import Artifact
from djgen.generators.config import DjgenConfig
from djgen.generators.ir import ModuleIR
from djgen.generators.migrations.api import MigrationsError, make_migration


def app_dir_of(module: ModuleIR) -> Path:
    """The app folder of a models module (``app/models.py`` or ``app/models/``)."""
    path = Path(module.path)
    if path.name == "models.py" or (path.name == "__init__.py" and path.parent.name == "models"):
        path = path.parent
    if path.name == "models" and (path / "__init__.py").is_file():
        return path.parent
    return path if path.is_dir() else path.parent


@dataclass(frozen=True)
class MigrationGenerator:
    name: str = "migration"
    description: str = "the next migration for model changes, written statically like Django's"
    requires: tuple[str, ...] = ()
    targets: tuple[str, ...] = ("migrations/",)

    def generate(
        self,
        module: ModuleIR,
        config: DjgenConfig,
        models: Sequence[str] | None = None,
        *,
        defaults: dict[str, str] | None = None,
    ) -> list[Artifact]:
        try:
            made = make_migration(app_dir_of(module), module=module, defaults=defaults)
        except MigrationsError as exc:
            from djgen.generators.pipeline import PlanError

            raise PlanError(str(exc)) from exc
        if made is None:
            return []
        target, text = made
        return [
            Artifact(
                generator=self.name,
                target=target,
                content=text,
                notes=[f"apply it with: python manage.py migrate {module.app_label}"],
            )
        ]


GENERATOR = MigrationGenerator()
