"""The ``relationships`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → relationships generator → relation
plan (provided to the serializer and viewset generators) and artifacts (the app's
relations.py) → merge → file or WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, OptionSpec

DESCRIPTOR = Descriptor(
    name="relationships",
    description=(
        "relation plan: nested reads and PK writes per relation, through-model and reverse "
        "lists, select_related/prefetch_related from what the serializers read"
    ),
    entry="djgen.generators.relationships.generator:GENERATOR",
    targets=("{app}/relations.py", "{app}/api/relations.py"),
    watches=("relations.py",),
    options=(
        OptionSpec(
            "nested",
            "list",
            (),
            'how a FK/one-to-one is read, as "Model.field=nested" (default for targets in the '
            'app: the pk plus a read-only <field>_detail) or "Model.field=pk" (the pk only)',
        ),
        OptionSpec(
            "reverse",
            "list",
            (),
            'reverse accessors to expose read-only, as "Model.accessor" or '
            '"Model.accessor=nested" (a list of nested rows) or "Model.accessor=pk" (their pks)',
        ),
        OptionSpec(
            "through_lists",
            "bool",
            True,
            "list an explicit many-to-many through model's rows, nested and read-only, on both "
            "sides' serializers",
        ),
    ),
    provides=("serializer_plan", "queryset_plan", "reads", "tests"),
)
