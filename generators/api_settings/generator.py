"""The ``api-settings`` generator: the project wiring that turns an app's viewsets into an API.

Data path: models.py → IR → **api-settings generator** (this module) → project artifacts →
merge (``merge.project`` for settings.py and urls.py, the definition merge for new modules) →
files or WorkspaceEdit.

What it writes (see ../shared/generated-project.md, "HTTP" and "Environment"):

- settings.py: ``rest_framework``, ``django_filters``, ``corsheaders``, ``drf_spectacular`` and the
  app in INSTALLED_APPS; the request-id middleware first in MIDDLEWARE and django-cors-headers'
  middleware right after it (before CommonMiddleware, as its docs ask); REST_FRAMEWORK keys —
  URL path versioning (``v1``), session authentication, ``IsAuthenticatedOrReadOnly``, the error
  handler, four throttle scopes with rates from ``DJANGO_THROTTLE_*``, drf-spectacular's schema;
  CORS origins from ``DJANGO_CORS_ALLOWED_ORIGINS`` (none by default, never all);
  SPECTACULAR_SETTINGS; LOGGING for ``api.requests`` and ``api.errors``. A key or value the
  user already set is kept and reported.
- the ROOT_URLCONF's ``urlpatterns``: ``path("api/<str:version>/", include("<project>.api.urls"))``;
- ``<project>/api/``: ``urls.py`` (schema, Swagger UI, each app's router), ``errors.py`` (the one
  error body; database refusals are 409s), ``middleware.py`` (request id, request log, JSON
  errors under /api/), ``throttles.py``;
- ``<project>/settings_production.py``: DEBUG off, secrets and hosts from the environment, HSTS,
  secure cookies, SSL redirect; ``check --deploy`` clean.
"""

from __future__ import annotations

import ast

from djgen.generators.core.artifacts import Artifact, Definition, Import
from djgen.generators.core.context import GenerationContext, GenerationResult, ProjectInfo
from djgen.generators.core.edits import Assignment, DictKey, ListElement, UrlPattern
from djgen.generators.core.errors import PlanError
from djgen.generators.core.render import render

#: What the API prefix is in the project's urls.py (URLPathVersioning reads ``version``).
API_PREFIX = "api/<str:version>/"

#: Third-party apps, each after the one before it (the first after Django's contrib apps).
THIRD_PARTY_APPS = ("rest_framework", "django_filters", "corsheaders", "drf_spectacular")
CONTRIB_LAST = "django.contrib.staticfiles"

#: DRF throttle scopes and their default rates (``DJANGO_THROTTLE_<SCOPE>`` overrides each).
THROTTLE_RATES = (
    ("anon", "1000/hour"),
    ("user", "5000/hour"),
    ("burst", "120/min"),
    ("strict", "10/min"),
)


#: What the API's logging needs in a LOGGING the user already has: ``(path, key, value)``, the
#: same entries as templates/logging.py.j2 (one line each; the merge lays them out).
LOGGING_ENTRIES = (
    (("formatters",), "api", '{"format": "{asctime} {levelname} {name} {message}", "style": "{"}'),
    (("handlers",), "api_console", '{"class": "logging.StreamHandler", "formatter": "api"}'),
    (
        ("loggers",),
        "api.requests",
        '{"handlers": ["api_console"], '
        '"level": os.environ.get("DJANGO_API_LOG_LEVEL", "INFO"), "propagate": False}',
    ),
    (
        ("loggers",),
        "api.errors",
        '{"handlers": ["api_console"], "level": "ERROR", "propagate": False}',
    ),
)


def _logging_edits(has_logging: bool) -> list:
    """A new LOGGING from the template; in the user's own LOGGING, only the API's formatter,
    handler and loggers (theirs kept and reported), so request lines still reach a handler."""
    if not has_logging:
        return [Assignment("LOGGING", render("api-settings/logging.py.j2"), imports=("import os",))]
    return [
        DictKey("LOGGING", key, value, path=path, imports=("import os",))
        for path, key, value in LOGGING_ENTRIES
    ]


def _settings_edits(
    project: str, app_module: str, app_installed: bool, has_logging: bool = False
) -> list:
    """The settings.py edits, as data (each applied only where missing)."""
    edits: list = []
    previous = CONTRIB_LAST
    for app in THIRD_PARTY_APPS:
        edits.append(ListElement("INSTALLED_APPS", f'"{app}"', after=(previous,)))
        previous = app
    if not app_installed:
        edits.append(ListElement("INSTALLED_APPS", f'"{app_module}"', after=(previous,)))
    request_id = f"{project}.api.middleware.RequestIDMiddleware"
    edits += [
        # first of all: every response (CORS preflights, redirects, errors other middleware
        # makes) gets X-Request-ID and a log line
        ListElement("MIDDLEWARE", f'"{request_id}"', first=True),
        # as high as possible, before CommonMiddleware (django-cors-headers' docs)
        ListElement("MIDDLEWARE", '"corsheaders.middleware.CorsMiddleware"', after=(request_id,)),
    ]
    rest = [
        ("DEFAULT_VERSIONING_CLASS", '"rest_framework.versioning.URLPathVersioning"'),
        ("DEFAULT_VERSION", '"v1"'),
        ("ALLOWED_VERSIONS", '("v1",)'),
    ]
    edits += [DictKey("REST_FRAMEWORK", key, value) for key, value in rest]
    # an element, not the whole key: other generators add theirs to the same tuple (jwt puts
    # JWTAuthentication first), so a second run sees djgen's own value, not a user's conflict
    edits.append(
        ListElement(
            "REST_FRAMEWORK",
            '"rest_framework.authentication.SessionAuthentication"',
            path=("DEFAULT_AUTHENTICATION_CLASSES",),
            create=True,
        )
    )
    rest = [
        (
            "DEFAULT_PERMISSION_CLASSES",
            '(\n        "rest_framework.permissions.IsAuthenticatedOrReadOnly",\n    )',
        ),
        ("EXCEPTION_HANDLER", f'"{project}.api.errors.api_exception_handler"'),
        (
            "DEFAULT_THROTTLE_CLASSES",
            "(\n"
            f'        "{project}.api.throttles.AnonRateThrottle",\n'
            f'        "{project}.api.throttles.UserRateThrottle",\n'
            f'        "{project}.api.throttles.BurstRateThrottle",\n'
            f'        "{project}.api.throttles.ScopedRateThrottle",\n'
            "    )",
        ),
    ]
    edits += [DictKey("REST_FRAMEWORK", key, value) for key, value in rest]
    # one key per scope: a rate the user set is kept (and reported), the other scopes still get
    # theirs — DRF answers every request with a 500 when a throttle's scope has no rate
    edits += [
        DictKey(
            "REST_FRAMEWORK",
            scope,
            f'os.environ.get("DJANGO_THROTTLE_{scope.upper()}", "{rate}")',
            path=("DEFAULT_THROTTLE_RATES",),
            imports=("import os",),
        )
        for scope, rate in THROTTLE_RATES
    ]
    rest = [
        # a client-sent X-Forwarded-For is not trusted (throttles key on the socket's address);
        # settings_production.py trusts one proxy
        ("NUM_PROXIES", "0"),
        ("DEFAULT_SCHEMA_CLASS", '"drf_spectacular.openapi.AutoSchema"'),
    ]
    edits += [DictKey("REST_FRAMEWORK", key, value) for key, value in rest]
    title = f"{project} API"
    edits += [
        Assignment(
            "CORS_ALLOWED_ORIGINS",
            "CORS_ALLOWED_ORIGINS = [\n"
            "    origin.strip()\n"
            '    for origin in os.environ.get("DJANGO_CORS_ALLOWED_ORIGINS", "").split(",")\n'
            "    if origin.strip()\n"
            "]\n",
            imports=("import os",),
        ),
        Assignment("CORS_URLS_REGEX", 'CORS_URLS_REGEX = r"^/api/"\n'),
        Assignment(
            "CORS_EXPOSE_HEADERS", 'CORS_EXPOSE_HEADERS = ["X-Request-ID", "Retry-After"]\n'
        ),
        Assignment(
            "SPECTACULAR_SETTINGS",
            "SPECTACULAR_SETTINGS = {\n"
            f'    "TITLE": "{title}",\n'
            '    "VERSION": "1.0.0",\n'
            '    "SERVE_INCLUDE_SCHEMA": False,\n'
            '    "COMPONENT_SPLIT_REQUEST": True,\n'
            '    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",\n'
            "}\n",
        ),
    ]
    return edits + _logging_edits(has_logging)


def _project(context: GenerationContext) -> ProjectInfo:
    project = context.project
    if project is None:
        raise PlanError(
            f"{context.app.path}: no manage.py above the app, so djgen cannot find the project's "
            "settings.py and urls.py; run it inside a Django project"
        )
    missing = [
        what
        for what, value in (
            ("the settings module (DJANGO_SETTINGS_MODULE in manage.py)", project.settings_path),
            ("ROOT_URLCONF's module", project.urls_path),
            ("the project package", project.package_dir),
        )
        if value is None
    ]
    if missing:
        raise PlanError(
            f"{project.root}: djgen cannot find {', '.join(missing)} statically; "
            "set them as startproject does, or wire the API in by hand"
        )
    return project


def _setting_of(edit: object) -> str:
    return getattr(edit, "setting", None) or getattr(edit, "name", "")


def _one_line(source: str) -> str:
    """A value's source on one line (a todo line is one line)."""
    try:
        return ast.unparse(ast.parse(source.strip(), mode="eval"))
    except SyntaxError:
        return " ".join(source.split())


def _describe(edit: object) -> str:
    if isinstance(edit, ListElement):
        keys = "".join(f"[{key!r}]" for key in edit.path)
        return f"{edit.value} in {edit.setting}{keys}" if keys else edit.value
    if isinstance(edit, DictKey):
        inner = f"{edit.key!r}: {_one_line(edit.value)}"
        for key in reversed(edit.path):  # nested: 'DEFAULT_THROTTLE_RATES': {'anon': ...}
            inner = f"{key!r}: {{{inner}}}"
        return inner
    return "djgen's value (see djgen generate --diff without by_hand)"


class ApiSettingsGenerator:
    name = "api-settings"

    def generate(self, context: GenerationContext) -> GenerationResult:
        project = _project(context)
        assert project.settings_path and project.urls_path and project.package_dir
        package = project.package
        api_dir = project.relative(project.package_dir / "api")
        urls_module: str = context.provided("viewset", "urls_module", "urls")
        app_urls = f"{context.app.module}.{urls_module}"
        settings_module = project.settings_module or f"{package}.settings"

        def whole(target: str, template: str, **values: object) -> Artifact:
            return Artifact(
                generator=self.name,
                target=target,
                content=render(f"api-settings/{template}", context.config.template_dir, **values),
                root="project",
            )

        api_urls = Artifact(
            generator=self.name,
            target=f"{api_dir}/urls.py",
            root="project",
            header=f"The {package} API's URLs (under /api/<version>/), written by djgen.",
            imports=[
                Import("django.urls", "include"),
                Import("django.urls", "path"),
                Import("drf_spectacular.views", "SpectacularAPIView"),
                Import("drf_spectacular.views", "SpectacularSwaggerView"),
            ],
            definitions=[
                Definition(
                    name="urlpatterns",
                    kind="assign",
                    code=render("api-settings/api_urls.py.j2", context.config.template_dir),
                )
            ],
            edits=[
                UrlPattern(
                    f'path("", include("{app_urls}"))',
                    imports=("from django.urls import include",),
                )
            ],
        )
        by_hand = set(context.options()["by_hand"])
        settings_edits = _settings_edits(
            package,
            context.app.module,
            project.installs(context.app.module),
            has_logging=project.setting("LOGGING") is not None,
        )
        notes = [
            f"{_setting_of(edit)} is yours to edit ([tool.djgen.api-settings] by_hand): "
            f"it needs {_describe(edit)}"
            for edit in settings_edits
            if _setting_of(edit) in by_hand
        ]
        artifacts = [
            Artifact(
                generator=self.name,
                target=f"{api_dir}/__init__.py",
                root="project",
                header=f"The {package} API: URLs, errors, middleware and throttles (djgen).",
            ),
            api_urls,
            whole(f"{api_dir}/errors.py", "errors.py.j2"),
            whole(f"{api_dir}/middleware.py", "middleware.py.j2"),
            whole(f"{api_dir}/throttles.py", "throttles.py.j2"),
            whole(
                project.relative(project.package_dir / "settings_production.py"),
                "settings_production.py.j2",
                settings_module=settings_module,
                production_module=f"{package}.settings_production",
            ),
            Artifact(
                generator=self.name,
                target=project.relative(project.settings_path),
                root="project",
                edits=[e for e in settings_edits if _setting_of(e) not in by_hand],
                notes=notes,
            ),
            Artifact(
                generator=self.name,
                target=project.relative(project.urls_path),
                root="project",
                edits=[
                    UrlPattern(
                        f'path("{API_PREFIX}", include("{package}.api.urls"))',
                        key=API_PREFIX,
                        imports=("from django.urls import include, path",),
                    )
                ],
            ),
        ]
        return GenerationResult(
            artifacts=artifacts,
            provides={"api_urls_module": f"{package}.api.urls", "api_prefix": "/api/v1/"},
        )


GENERATOR = ApiSettingsGenerator()
