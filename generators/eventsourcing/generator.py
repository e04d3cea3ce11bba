"""The ``eventsourcing`` generator: an immutable event store behind the app's API.

Data path: models.py → IR → **eventsourcing generator** (this module) → artifacts → merge (new
modules of the ``eventstore`` app; ``merge.project`` for settings.py, the API's urls.py, the
app's apps.py and urls.py) → files or WorkspaceEdit.

What it writes (see ../shared/generated-project.md, "History", "Audit trail" and "Events"):

- ``eventstore/`` at the project root (label ``eventstore``): ``models.py`` (``Event``,
  ``Snapshot``; append-only: queryset update/delete and a second save or delete raise),
  ``store.py`` (append with optimistic concurrency on the unique (aggregate_type,
  aggregate_id, version), load/as-of-a-time from the latest snapshot, a snapshot every
  ``EVENTSTORE_SNAPSHOT_EVERY`` events), ``middleware.py`` (actor and address of the request),
  ``signals.py`` (post_save/post_delete appends, and m2m_changed ones: an ``updated`` event
  with the many-to-many field's new pks; when ``cqrs`` does not run), ``api.py`` (the
  history view, the staff-only audit viewset), ``urls.py``, the ``replay_events`` command, and
  migrations: ``0001_initial`` written by djgen's migration engine from ``models.py``,
  ``0002_immutable`` (a PostgreSQL trigger refusing UPDATE/DELETE; nothing elsewhere);
- settings.py: ``"eventstore"`` in INSTALLED_APPS, its middleware after Django's
  AuthenticationMiddleware, ``EVENTSTORE_SNAPSHOT_EVERY``;
- ``<project>/api/urls.py``: ``path("audit/", include("eventstore.urls"))``;
- the app's ``history_urls.py`` (``<prefix>/<pk>/history/`` per model, included from its
  urls.py); its apps.py: ``ready()`` subscribes
  the store to the CQRS event bus (``cqrs`` running) or connects the signal receivers.
"""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from djgen.generators.core.artifacts import Artifact
from djgen.generators.core.context import GenerationContext, GenerationResult, ProjectInfo
from djgen.generators.core.edits import Assignment, BodyStatement, ListElement, UrlPattern
from djgen.generators.core.errors import PlanError
from djgen.generators.core.fieldinfo import owner_field
from djgen.generators.core.render import render
from djgen.generators.migrations.api import MigrationsError, make_migration

APP = "eventstore"
MIDDLEWARE = "eventstore.middleware.EventContextMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"

#: eventstore files rendered whole (written when missing): target → template.
MODULES = {
    "apps.py": "apps.py.j2",
    "models.py": "models.py.j2",
    "store.py": "store.py.j2",
    "middleware.py": "middleware.py.j2",
    "signals.py": "signals.py.j2",
    "api.py": "api.py.j2",
    "urls.py": "urls.py.j2",
    "management/commands/replay_events.py": "replay_events.py.j2",
    "migrations/0002_immutable.py": "immutable_migration.py.j2",
}
PACKAGES = {
    "__init__.py": "The event store: immutable events and snapshots of the project's models.",
    "management/__init__.py": "Management commands of the event store.",
    "management/commands/__init__.py": "replay_events.",
    "migrations/__init__.py": None,
}


def _project(context: GenerationContext) -> ProjectInfo:
    project = context.project
    if project is None or project.settings_path is None or project.package_dir is None:
        raise PlanError(
            f"{context.app.path}: djgen cannot find the project (manage.py, settings.py), so "
            "it cannot install the eventstore app; run it inside a Django project"
        )
    return project


def initial_migration(models_py: str, apps_py: str) -> str:
    """``eventstore/migrations/0001_initial.py``, written by djgen's migration engine (what
    ``makemigrations eventstore`` writes) for the models of ``models_py``."""
    with tempfile.TemporaryDirectory(prefix="djgen-eventstore-") as tmp:
        app = Path(tmp) / APP
        (app / "migrations").mkdir(parents=True)
        (app / "__init__.py").write_text("")
        (app / "migrations" / "__init__.py").write_text("")
        (app / "models.py").write_text(models_py)
        (app / "apps.py").write_text(apps_py)
        try:
            made = make_migration(app, now=datetime.datetime.now(datetime.timezone.utc))
        except MigrationsError as exc:  # pragma: no cover - the template is fixed
            raise PlanError(f"eventstore migration: {exc}") from exc
    assert made is not None and made[0] == "migrations/0001_initial.py", made
    return made[1]


class EventSourcingGenerator:
    name = "eventsourcing"

    def generate(self, context: GenerationContext) -> GenerationResult:
        chosen = context.select()
        if not chosen:
            return GenerationResult()
        project = _project(context)
        assert project.settings_path is not None
        template_dir = context.config.template_dir
        label = context.module.app_label
        artifacts: list[Artifact] = []
        rendered = {
            target: render(f"eventsourcing/{template}", template_dir)
            for target, template in MODULES.items()
        }
        for target, header in PACKAGES.items():
            artifacts.append(
                Artifact(
                    generator=self.name,
                    target=f"{APP}/{target}",
                    root="project",
                    header=header,
                    content=None if header else "",
                )
            )
        for target, text in rendered.items():
            artifacts.append(
                Artifact(
                    generator=self.name, target=f"{APP}/{target}", root="project", content=text
                )
            )
        if not (project.root / APP / "migrations" / "0001_initial.py").exists():
            artifacts.append(
                Artifact(
                    generator=self.name,
                    target=f"{APP}/migrations/0001_initial.py",
                    root="project",
                    content=initial_migration(rendered["models.py"], rendered["apps.py"]),
                )
            )
        every = int(context.options()["snapshot_every"])
        # the migrate reminder only while the project is not wired yet (else every run repeats it)
        wired = APP in getattr(project.setting("INSTALLED_APPS"), "items", ())
        artifacts.append(
            Artifact(
                generator=self.name,
                target=project.relative(project.settings_path),
                root="project",
                edits=[
                    ListElement(
                        "INSTALLED_APPS",
                        f'"{APP}"',
                        after=(
                            "django.contrib.staticfiles",
                            "rest_framework",
                            "django_filters",
                            "corsheaders",
                            "drf_spectacular",
                        ),
                    ),
                    ListElement("MIDDLEWARE", f'"{MIDDLEWARE}"', after=(AUTH_MIDDLEWARE,)),
                    Assignment(
                        "EVENTSTORE_SNAPSHOT_EVERY", f"EVENTSTORE_SNAPSHOT_EVERY = {every}\n"
                    ),
                ],
                notes=[]
                if wired
                else [f"apply the event store's migrations: python manage.py migrate {APP}"],
            )
        )
        api_urls_module = context.provided("api-settings", "api_urls_module")
        if api_urls_module:
            artifacts.append(
                Artifact(
                    generator=self.name,
                    target=api_urls_module.replace(".", "/") + ".py",
                    root="project",
                    edits=[
                        UrlPattern(
                            f'path("audit/", include("{APP}.urls"))',
                            key="audit/",
                            imports=("from django.urls import include, path",),
                        )
                    ],
                )
            )
        prefixes: dict[str, str] = context.provided("viewset", "router_prefix", {})
        urls_module: str = context.provided("viewset", "urls_module", "urls")
        routes = []
        for model in chosen:
            prefix = prefixes.get(model.name)
            if prefix is None:
                continue
            owner = owner_field(context.module, model, context.config.owner_fields)
            args = f'aggregate_type="{label}.{model.name.lower()}"'
            if owner:
                args += f', owner_field="{owner}"'
            routes.append(
                {
                    "route": f"{prefix}/<str:pk>/history/",
                    "args": args,
                    "name": f"{model.name.lower()}-history",
                }
            )
        if routes:
            source = render(
                "eventsourcing/history_urls.py.j2", template_dir, app_label=label, routes=routes
            )
            artifacts.append(
                Artifact(generator=self.name, target="history_urls.py", content=source)
            )
            artifacts.append(
                Artifact(
                    generator=self.name,
                    target="history_urls.py",
                    # a model added later: its route joins the list
                    edits=[
                        UrlPattern(
                            f'path("{r["route"]}", HistoryView.as_view({r["args"]}), '
                            f'name="{r["name"]}")',
                            key=r["route"],
                        )
                        for r in routes
                    ],
                )
            )
            artifacts.append(
                Artifact(
                    generator=self.name,
                    target=urls_module.replace(".", "/") + ".py",
                    edits=[
                        UrlPattern(
                            f'path("", include("{context.app.module}.history_urls"))',
                            imports=("from django.urls import include, path",),
                        )
                    ],
                )
            )
        bus = context.provided("cqrs", "event_bus")
        if bus is not None:
            ready = (
                f"from {APP}.store import record_domain_event\n\n"
                f"from {bus['module']} import {bus['name']}\n\n"
                f"{bus['name']}.subscribe_all(record_domain_event)\n"
            )
        else:
            ready = f"from {APP}.signals import track_models\n\ntrack_models(self.get_models())\n"
        config_class = context.app.config_class
        if config_class is None:
            artifacts[-1].notes.append(
                f"{label}/apps.py has no AppConfig: run this in your AppConfig.ready():\n{ready}"
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
        return GenerationResult(artifacts=artifacts, provides={"eventstore_app": APP})


GENERATOR = EventSourcingGenerator()
