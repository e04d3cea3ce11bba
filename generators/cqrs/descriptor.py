"""The ``cqrs`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → cqrs generator → artifacts (the
app's ``cqrs/`` package and apps.py) → merge → files or WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec

DESCRIPTOR = Descriptor(
    name="cqrs",
    description=(
        "CQRS: per model Create/Update/Delete commands, Get/List queries, handlers, "
        "dispatchers, domain events, an event bus, repositories; the viewsets read and write "
        "through it"
    ),
    entry="djgen.generators.cqrs.generator:GENERATOR",
    targets=(
        "{app}/cqrs/bus.py",
        "{app}/cqrs/commands.py",
        "{app}/cqrs/queries.py",
        "{app}/cqrs/events.py",
        "{app}/cqrs/repositories.py",
        "{app}/cqrs/handlers.py",
        "{app}/cqrs/views.py",
        "{app}/apps.py",
    ),
    watches=("cqrs/", "apps.py"),
    diagnostic=DiagnosticSpec(
        what="CQRS commands",
        title="CQRS commands",
        severity="off",
        default_enabled=False,
        hover=(
            "Create/Update/Delete commands and Get/List queries with their handlers, a "
            "command and a query dispatcher, domain events on an in-process event bus."
        ),
    ),
    provides=("viewset_mixin", "event_bus", "commands_module"),
)
