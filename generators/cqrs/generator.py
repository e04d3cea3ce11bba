"""The ``cqrs`` generator: commands, queries, handlers and an event bus behind the API.

Data path: models.py → IR → **cqrs generator** (this module) → artifacts (``<app>/cqrs/``:
bus, commands, queries, events, repositories, handlers, views; apps.py) → merge → files or
WorkspaceEdit.

Per model: ``Create<M>`` / ``Update<M>`` / ``Delete<M>`` commands (frozen dataclasses that
refuse unknown or read-only fields; the repository runs the model's ``full_clean`` before
saving), ``Get<M>`` / ``List<Ms>`` queries, ``<M>Created`` / ``<M>Updated`` / ``<M>Deleted``
domain events, a ``<M>Repository``, and handlers registered explicitly on the command and query
dispatchers. ``bus.py`` holds the generic parts (dispatchers, the event bus with synchronous and
on-commit subscribers, the handlers' transaction). ``views.py``' ``CommandDispatchMixin`` is
provided to the viewset generator, which puts it in each viewset's bases: the API's lists and
details then dispatch the List and Get queries (the viewset's queryset as their ``within``),
its creates, updates and deletes the commands, with the same HTTP behaviour; a viewset with
the mixin whose model has no registered handlers is refused with ``ImproperlyConfigured`` when
its class is defined (``manage.py check``), never a 500 per request. A natural primary
key is a command field (set on create; an update may repeat it, not change it); bytes (a
BinaryField) are base64 text in the events' state, as in Django's serializers.
"""

from __future__ import annotations

from djgen.generators.core import naming
from djgen.generators.core.artifacts import Artifact, split_module
from djgen.generators.core.context import GenerationContext, GenerationResult
from djgen.generators.core.edits import BodyStatement
from djgen.generators.core.fieldinfo import is_auto_timestamp, is_editable, kind, model_fields
from djgen.generators.core.render import render

MIXIN = "CommandDispatchMixin"
MODULES = ("bus", "commands", "queries", "events", "repositories", "handlers", "views")


def _config_class(context: GenerationContext) -> str | None:
    if context.app.config_class:
        return context.app.config_class
    app = getattr(getattr(context.project, "ir", None), "app", None)
    return getattr(app, "config_class", None)


class CqrsGenerator:
    name = "cqrs"

    def generate(self, context: GenerationContext) -> GenerationResult:
        module, config = context.module, context.config
        chosen = context.select()
        if not chosen:
            return GenerationResult()
        models = []
        for model in chosen:
            info = model_fields(module, model)
            # a natural primary key (``code = CharField(primary_key=True)``) is the client's to
            # set on create; an automatic one (AutoField, the implicit id) is not
            fields = [
                f.name
                for f in info.data_fields
                if not (f.primary_key and kind(f) == "auto")
                and not f.auto_created
                and is_editable(f)
                and not is_auto_timestamp(f)
            ]
            plural = naming.pluralize(model.name)
            models.append(
                {
                    "name": model.name,
                    "snake": naming.snake_case(model.name),
                    "plural": plural,
                    "plural_snake": naming.snake_case(plural),
                    "fields": fields,
                }
            )
        # cqrs/ sits beside models.py: its modules import the models one level up
        models_module = "..models"
        artifacts = [
            Artifact(
                generator=self.name,
                target="cqrs/__init__.py",
                header=f"CQRS for the {module.app_label} app: commands, queries, events (djgen).",
            )
        ]
        for name in MODULES:
            source = render(
                f"cqrs/{name}.py.j2",
                config.template_dir,
                app_label=module.app_label,
                models=models,
                models_module=models_module,
            )
            header, imports, definitions = split_module(source)
            artifacts.append(
                Artifact(
                    generator=self.name,
                    target=f"cqrs/{name}.py",
                    header=header,
                    imports=imports,
                    definitions=definitions,
                )
            )
        config_class = _config_class(context)
        ready = "from .cqrs.bus import load_handlers\n\nload_handlers(self)\n"
        if config_class is None:
            artifacts[-1].notes.append(
                f"{module.app_label}/apps.py has no AppConfig: call "
                f"{module.app_label}.cqrs.bus.load_handlers(app_config) in its ready()"
            )
        else:
            artifacts.append(
                Artifact(
                    generator=self.name,
                    target="apps.py",
                    edits=[
                        BodyStatement(f"{config_class}.ready", ready, create="def ready(self):\n")
                    ],
                )
            )
        views_module = "..cqrs.views" if config.layout == "api" else ".cqrs.views"
        return GenerationResult(
            artifacts=artifacts,
            provides={
                "viewset_mixin": {"module": views_module, "class": MIXIN},
                "event_bus": {"module": ".cqrs.bus", "name": "event_bus"},
                "commands_module": f"{context.app.module}.cqrs.commands",
            },
        )


GENERATOR = CqrsGenerator()
