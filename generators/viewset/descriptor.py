"""The ``viewset`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → viewset generator → artifacts →
merge → file or WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec

DESCRIPTOR = Descriptor(
    name="viewset",
    description="DRF ModelViewSet per model with filters, search, ordering; router urls.py",
    entry="djgen.generators.viewset.generator:GENERATOR",
    requires=("serializer", "filterset"),
    after=("caching", "cqrs", "relationships"),
    targets=("{app}/views.py", "{app}/urls.py", "{app}/api/views.py", "{app}/api/urls.py"),
    watches=("views.py", "urls.py", "views/"),
    diagnostic=DiagnosticSpec(
        what="viewset or route",
        title="viewset and route",
        severity="information",
        hover="A ModelViewSet with filtering, search and ordering, registered on the app router.",
    ),
    provides=("viewset_class", "router_prefix", "urls_module"),
)
