"""The ``migration`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → migration generator (over the static
engine in ``djgen.generators.migrations``) → a whole-file artifact → file or WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec

DESCRIPTOR = Descriptor(
    name="migration",
    description="the next migration for model changes, written statically like Django's",
    entry="djgen.generators.migration.generator:GENERATOR",
    targets=("{app}/migrations/",),
    watches=("migrations/",),
    diagnostic=DiagnosticSpec(
        what="migration for its changes",
        title="migration",
        severity="warning",
        code="djgen.migration",
        check="migrations",
        hover="The next migration file, byte-equal to what Django's makemigrations writes.",
    ),
)
