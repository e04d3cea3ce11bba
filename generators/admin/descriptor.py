"""The ``admin`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → admin generator → artifacts → merge →
file or WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec

DESCRIPTOR = Descriptor(
    name="admin",
    description="Django admin ModelAdmin per model (list display, filters, search)",
    entry="djgen.generators.admin.generator:GENERATOR",
    targets=("{app}/admin.py",),
    watches=("admin.py", "admin/"),
    diagnostic=DiagnosticSpec(
        what="admin registration",
        title="admin registration",
        severity="hint",
        hover="A ModelAdmin with list columns, filters and search, registered with the admin.",
    ),
)
