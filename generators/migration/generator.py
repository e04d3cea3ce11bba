"""The ``migration`` generator: the next migration file for the app, as a whole-file artifact.

Data path: models.py → IR → **generator** (this module, over ``migrations.api.make_migration``) →
``Artifact(content=...)`` → pipeline → ``migrations/NNNN_name.py`` or WorkspaceEdit.

Migrations are per app: a model filter does not apply and is ignored. Where Django would ask for
a one-off default, the result carries a ``Question`` per field (key ``Model.field``) and no
artifact; the CLI's ``makemigrations --default FIELD=VALUE`` or the editor answers, and the answers
come back in ``context.answers``.
"""

from __future__ import annotations

from djgen.generators.core.artifacts import Artifact
from djgen.generators.core.context import GenerationContext, GenerationResult, Question
from djgen.generators.core.errors import PlanError
from djgen.generators.migrations.api import MigrationsError, NeedsDefault, make_migration


class MigrationGenerator:
    name = "migration"

    def generate(self, context: GenerationContext) -> GenerationResult:
        defaults = dict(context.answers) or None
        try:
            made = make_migration(context.app.path, module=context.module, defaults=defaults)
        except NeedsDefault as exc:
            questions = [
                Question(
                    generator=self.name,
                    key=f"{f.model}.{f.field}",
                    prompt=line,
                    data=f,
                )
                for f, line in zip(exc.fields, str(exc).splitlines(), strict=False)
            ]
            return GenerationResult(questions=questions)
        except MigrationsError as exc:
            raise PlanError(str(exc)) from exc
        if made is None:
            return GenerationResult()
        target, text = made
        return GenerationResult(
            artifacts=[
                Artifact(
                    generator=self.name,
                    target=target,
                    content=text,
                    notes=[f"apply it with: python manage.py migrate {context.module.app_label}"],
                )
            ]
        )


GENERATOR = MigrationGenerator()
