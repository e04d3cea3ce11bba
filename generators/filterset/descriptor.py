"""The ``filterset`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → filterset generator → artifacts →
merge → file or WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec

DESCRIPTOR = Descriptor(
    name="filterset",
    description="django-filter FilterSet per model, and page/limit-offset/cursor pagination",
    entry="djgen.generators.filterset.generator:GENERATOR",
    targets=(
        "{app}/filters.py",
        "{app}/pagination.py",
        "{app}/api/filters.py",
        "{app}/api/pagination.py",
    ),
    watches=("filters.py", "pagination.py", "filters/"),
    diagnostic=DiagnosticSpec(
        what="FilterSet",
        title="FilterSet",
        severity="hint",
        hover="A django-filter FilterSet with lookups that fit each field's type.",
    ),
    provides=("filterset_class", "pagination_class", "filters_module", "pagination_module"),
)
