"""The ``caching`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → caching generator → artifacts (the
app's cache.py, its cache_stats command, apps.py, the project's settings.py) → merge → files or
WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec, OptionSpec

DESCRIPTOR = Descriptor(
    name="caching",
    description="Redis response caching (django-redis) invalidated by signals; cache_stats",
    entry="djgen.generators.caching.generator:GENERATOR",
    scope="project",
    after=("relationships",),
    targets=(
        "{app}/cache.py",
        "{app}/apps.py",
        "{app}/management/commands/cache_stats.py",
        "{project}/settings.py",
    ),
    watches=("cache.py", "apps.py", "settings.py"),
    diagnostic=DiagnosticSpec(
        what="Redis response cache",
        title="Redis caching",
        severity="off",
        default_enabled=False,
        hover=(
            "Caches the model's list and detail responses in Redis (django-redis) and "
            "invalidates them when the model, or a model its serializer reads, changes."
        ),
    ),
    options=(OptionSpec("timeout", "int", 300, "seconds a cached response lives at most"),),
    provides=("viewset_mixin", "cache_module"),
)
