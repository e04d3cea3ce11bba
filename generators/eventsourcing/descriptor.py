"""The ``eventsourcing`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → eventsourcing generator → artifacts
(the project's ``eventstore`` app, settings.py, the API's urls.py, the app's apps.py and urls.py)
→ merge → files or WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec, OptionSpec

DESCRIPTOR = Descriptor(
    name="eventsourcing",
    description=(
        "event sourcing: an immutable event store app (events, snapshots, optimistic "
        "concurrency), history and audit endpoints, replay_events"
    ),
    entry="djgen.generators.eventsourcing.generator:GENERATOR",
    requires=("viewset", "api-settings"),
    after=("cqrs",),
    scope="project",
    targets=(
        "eventstore/models.py",
        "eventstore/store.py",
        "eventstore/api.py",
        "eventstore/migrations/0001_initial.py",
        "eventstore/management/commands/replay_events.py",
        "{app}/apps.py",
        "{app}/urls.py",
        "{project}/settings.py",
        "{project}/api/urls.py",
    ),
    watches=("apps.py", "urls.py", "settings.py"),
    diagnostic=DiagnosticSpec(
        what="event sourcing",
        title="event sourcing",
        severity="off",
        default_enabled=False,
        hover=(
            "Records every create, update and delete as an immutable event (the eventstore "
            "app), with the object's history at /history/, an audit API and replay_events."
        ),
    ),
    options=(
        OptionSpec(
            "snapshot_every",
            "int",
            50,
            "a snapshot of an aggregate every N events (EVENTSTORE_SNAPSHOT_EVERY); 0: none",
        ),
    ),
    provides=("eventstore_app",),
)
