"""The ``tests`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → tests generator → artifacts
(``djgen_factories.py``, ``test_djgen_<layer>.py``) → merge → file or WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec

DESCRIPTOR = Descriptor(
    name="tests",
    description=(
        "Django tests for every generated layer (each generator's own test templates) and "
        "factories per model; run by manage.py test <app>"
    ),
    entry="djgen.generators.tests.generator:GENERATOR",
    # it tests what the others write, so it runs after every other selected generator
    after=("*",),
    targets=("{app}/djgen_factories.py", "{app}/test_djgen_<layer>.py"),
    watches=("djgen_factories.py", "serializers.py", "filters.py", "views.py", "admin.py"),
    diagnostic=DiagnosticSpec(
        what="generated tests",
        title="tests",
        # offered as a code action only: a model without tests is not a defect worth a
        # squiggle on every model, and the tests follow the other layers (generate them last)
        severity="off",
        hover=(
            "Writes Django TestCase/APITestCase tests for each layer djgen generated for the "
            "model (serializer, filters, viewset, permissions, admin, …) and a factory."
        ),
    ),
)
