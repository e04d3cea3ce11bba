"""The ``serializer`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → serializer generator → artifacts →
merge → file or WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec, OptionSpec

DESCRIPTOR = Descriptor(
    name="serializer",
    description="DRF ModelSerializer per model (explicit fields, read-only automatic ones)",
    entry="djgen.generators.serializer.generator:GENERATOR",
    after=("relationships",),
    targets=("{app}/serializers.py", "{app}/api/serializers.py", "{app}/api/__init__.py"),
    watches=("serializers.py", "serializers/"),
    diagnostic=DiagnosticSpec(
        what="DRF serializer",
        title="serializer",
        severity="information",
        hover="A ModelSerializer listing the model's fields, automatic ones read-only.",
    ),
    options=(
        OptionSpec(
            "expose",
            "list",
            (),
            'personal fields (email addresses) to include anyway, as "Model.field"',
        ),
        OptionSpec(
            "writable",
            "list",
            (),
            "privileged flags (is_staff, is_approved, is_published, …) clients may set, as "
            '"Model.field"',
        ),
    ),
    provides=("serializer_class", "serializers_module"),
)
