"""The ``api-settings`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → api-settings generator → project
artifacts (settings.py, urls.py, ``<project>/api/``, settings_production.py) → merge → files or
WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec, OptionSpec

DESCRIPTOR = Descriptor(
    name="api-settings",
    description=(
        "project wiring: the app's API routed under /api/v1/, DRF defaults (versioning, "
        "permissions, errors, throttles), CORS, request logging, OpenAPI, production settings"
    ),
    entry="djgen.generators.api_settings.generator:GENERATOR",
    requires=("viewset",),
    scope="project",
    targets=(
        "{project}/settings.py",
        "{project}/urls.py",
        "{project}/api/urls.py",
        "{project}/api/errors.py",
        "{project}/api/middleware.py",
        "{project}/api/throttles.py",
        "{project}/settings_production.py",
    ),
    watches=("settings.py", "urls.py", "settings/"),
    diagnostic=DiagnosticSpec(
        what="API routed under /api/v1/ (settings.py, urls.py)",
        title="production API settings and routes",
        severity="information",
        hover=(
            "Adds the API's apps and middleware to settings.py, DRF defaults (versioning, "
            "permissions, error body, throttles), CORS, logging and OpenAPI, routes the app "
            "under /api/v1/ and writes settings_production.py."
        ),
    ),
    options=(
        OptionSpec(
            "by_hand",
            "list",
            (),
            "settings djgen never edits (e.g. a computed INSTALLED_APPS); it lists what they "
            "need instead",
        ),
    ),
    provides=("api_urls_module", "api_prefix"),
)
