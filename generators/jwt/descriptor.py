"""The ``jwt`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → jwt generator → project artifacts
(settings.py, settings_production.py, ``<project>/api/urls.py``, ``<project>/api/auth/``, the
app's permissions.py) → merge → files or WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec, OptionSpec

DESCRIPTOR = Descriptor(
    name="jwt",
    description=(
        "JWT authentication (djangorestframework-simplejwt): register, login, refresh, verify, "
        "logout with blacklisting, me, password change under /api/v1/auth/; owner, admin, "
        "superuser, read-only and role permission classes"
    ),
    entry="djgen.generators.jwt.generator:GENERATOR",
    requires=("api-settings",),
    scope="project",
    targets=(
        "{project}/settings.py",
        "{project}/settings_production.py",
        "{project}/api/urls.py",
        "{project}/api/auth/serializers.py",
        "{project}/api/auth/views.py",
        "{project}/api/auth/urls.py",
        "{project}/api/redact.py",
        "{app}/permissions.py",
    ),
    watches=("settings.py", "urls.py", "permissions.py", "settings/"),
    diagnostic=DiagnosticSpec(
        what="JWT authentication (/api/v1/auth/)",
        title="JWT authentication",
        # a hint: offered (quick fix, settings.py action, generate all) without a warning
        severity="hint",
        hover=(
            "Adds djangorestframework-simplejwt (token blacklist, JWT before session auth, "
            "SIMPLE_JWT, the signing key from DJANGO_JWT_SIGNING_KEY in production), the "
            "/api/v1/auth/ endpoints (register, login, refresh, verify, logout, me, password "
            "change) and IsOwner, IsOwnerOrReadOnly, IsAdmin, IsSuperUser, ReadOnly, HasRole."
        ),
    ),
    options=(
        OptionSpec(
            "guide",
            "bool",
            False,
            "also write docs/auth.md into the project: the endpoints, settings and permissions",
        ),
    ),
    provides=("auth_urls_module", "auth_prefix", "permission_classes"),
)
