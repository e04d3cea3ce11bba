"""The ``jwt`` generator: JWT authentication and permission classes for the generated API.

Data path: models.py → IR → **jwt generator** (this module) → project artifacts → merge
(``merge.project`` for settings, settings_production.py and the API's urls.py; the definition
merge for the new modules and the app's permissions.py) → files or WorkspaceEdit.

What it writes (see ../shared/generated-project.md, "Auth" and "Permissions"):

- settings.py: ``rest_framework_simplejwt`` and its ``token_blacklist`` app in INSTALLED_APPS;
  simplejwt's ``JWTAuthentication`` first in REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES
  (before session auth, so an anonymous write is a 401 with ``WWW-Authenticate: Bearer``);
  ``SIMPLE_JWT`` (15 min access, 7 day refresh, rotation with blacklist-after-rotation, revoked
  on password change); a LOGGING filter that masks tokens and password hashes in SQL logs;
- settings_production.py: the signing key from ``DJANGO_JWT_SIGNING_KEY`` (else SECRET_KEY);
- ``<project>/api/urls.py``: ``path("auth/", include("<project>.api.auth.urls"))``;
- ``<project>/api/auth/{serializers,views,urls}.py`` and ``<project>/api/redact.py``;
- the app's permissions.py: ReadOnly, IsOwner, IsOwnerOrReadOnly, IsAdmin, IsSuperUser,
  HasRole (the owner classes read the view's ``owner_field``, as the viewsets declare it).

The user model (``AUTH_USER_MODEL``) is read statically when it is ``auth.User`` or a model of
an app in the project: its USERNAME_FIELD, EMAIL_FIELD and REQUIRED_FIELDS become explicit field
tuples in the serializers. When djgen cannot read it (a user model from a package, a computed
setting, a base class it does not know), the serializers read them from the model at run time.
"""

from __future__ import annotations

import ast
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from djgen.generators.core.artifacts import Artifact, split_module
from djgen.generators.core.context import GenerationContext, GenerationResult, ProjectInfo
from djgen.generators.core.edits import Assignment, DictKey, ListElement, UrlPattern
from djgen.generators.core.errors import PlanError
from djgen.generators.core.ir import ModelIR, ModuleIR
from djgen.generators.core.render import render

JWT_AUTHENTICATION = "rest_framework_simplejwt.authentication.JWTAuthentication"
PERMISSION_CLASSES = (
    "ReadOnly",
    "IsOwner",
    "IsOwnerOrReadOnly",
    "IsAdmin",
    "IsSuperUser",
    "HasRole",
)
AUTH_PREFIX = "auth/"


# --------------------------------------------------------------------------------------------
# The user model, read statically
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserFields:
    """What the auth serializers need from the user model."""

    label: str
    source: str
    register_fields: tuple[str, ...]
    user_fields: tuple[str, ...]
    read_only_fields: tuple[str, ...]
    email_field: str


#: Class attributes of Django's user bases (what ``AbstractUser`` / ``AbstractBaseUser`` set).
_DJANGO_BASES: dict[str, dict[str, object]] = {
    "AbstractUser": {
        "USERNAME_FIELD": "username",
        "EMAIL_FIELD": "email",
        "REQUIRED_FIELDS": ["email"],
    },
    "AbstractBaseUser": {"REQUIRED_FIELDS": []},
    "PermissionsMixin": {},
    "Model": {},
}
_ATTRIBUTES = ("USERNAME_FIELD", "EMAIL_FIELD", "REQUIRED_FIELDS")


def _fields(
    label: str,
    source: str,
    pk: str,
    names: set[str],
    username: str,
    email: str,
    required: list[str],
) -> UserFields:
    def concrete(*items: str) -> tuple[str, ...]:
        return tuple(name for name in dict.fromkeys(items) if name in names)

    register = concrete(username, email, *required)
    return UserFields(
        label=label,
        source=source,
        register_fields=register,
        user_fields=concrete(pk, *register, "first_name", "last_name"),
        read_only_fields=concrete(pk, username, email),
        email_field=email,
    )


_AUTH_USER = _fields(
    "auth.User",
    "django.contrib.auth.models",
    "id",
    {"id", "password", "last_login", "is_superuser", "username", "first_name", "last_name"}
    | {"email", "is_staff", "is_active", "date_joined"},
    "username",
    "email",
    ["email"],
)


def _class_attributes(
    tree: ast.Module, name: str, seen: frozenset[str] = frozenset()
) -> dict[str, object] | None:
    """USERNAME_FIELD, EMAIL_FIELD, REQUIRED_FIELDS of class ``name`` in ``tree`` as Python
    would resolve them (its body, then its bases left to right: classes of the same module,
    Django's user bases); None when a value or a base cannot be read statically."""
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    node = classes.get(name)
    if node is None or name in seen:
        return None
    found: dict[str, object] = {}
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and target.id in _ATTRIBUTES:
                try:
                    found[target.id] = ast.literal_eval(stmt.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    return None
    for base in node.bases:
        if all(attribute in found for attribute in _ATTRIBUTES):
            break
        base_name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
        if base_name is None:
            return None
        if isinstance(base, ast.Name) and base_name in classes:
            inherited = _class_attributes(tree, base_name, seen | {name})
        else:
            inherited = _DJANGO_BASES.get(base_name)
        if inherited is None:
            return None
        for attribute, value in inherited.items():
            found.setdefault(attribute, value)
    return found


def _app_dir(project: ProjectInfo, app_label: str) -> Path | None:
    """The folder of the installed app labelled ``app_label`` (found statically)."""
    from djgen.generators.reader.project import read_app_info

    apps = project.setting("INSTALLED_APPS")
    entries = [*(getattr(apps, "items", ()) or ()), app_label]
    for entry in entries:
        parts = entry.split(".")
        candidates = [parts]
        if len(parts) > 2 and parts[-1][:1].isupper():  # "accounts.apps.AccountsConfig"
            candidates.append(parts[:-2])
        for candidate in candidates:
            folder = project.root.joinpath(*candidate)
            has_models = (folder / "models.py").is_file() or (folder / "models").is_dir()
            if has_models and read_app_info(folder).label == app_label:
                return folder
    return None


def _project_user_model(context: GenerationContext, label: str) -> UserFields | None:
    from djgen.generators.reader import read_app

    app_label, _, name = label.partition(".")
    module: ModuleIR | None = None
    if app_label == context.module.app_label:
        module = context.module
    elif context.project is not None:
        folder = _app_dir(context.project, app_label)
        module = read_app(folder) if folder is not None else None
    if module is None or not module.ok:
        return None
    model: ModelIR | None = module.model(name)
    if model is None or model.pk is None:
        return None
    path = model.path or module.path
    tree = module.trees.get(path) or module.trees.get(str(path))
    if tree is None:
        try:
            tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            return None
    attributes = _class_attributes(tree, name)
    if attributes is None or not isinstance(attributes.get("USERNAME_FIELD"), str):
        return None
    required = attributes.get("REQUIRED_FIELDS", [])
    email = attributes.get("EMAIL_FIELD", "email")  # get_email_field_name()'s fallback
    if not isinstance(required, (list, tuple)) or not all(isinstance(r, str) for r in required):
        return None
    if not isinstance(email, str):
        return None
    where = Path(path)
    if context.project is not None:
        with contextlib.suppress(ValueError):
            where = Path(context.project.relative(where))
    return _fields(
        label,
        where.as_posix(),
        model.pk.name,
        {f.name for f in model.fields},
        attributes["USERNAME_FIELD"],  # type: ignore[arg-type]
        email,
        list(required),
    )


def read_user_model(context: GenerationContext) -> UserFields | None:
    """The user model's fields, read statically; None: the serializers read them at run time."""
    setting = context.project.setting("AUTH_USER_MODEL") if context.project else None
    if setting is not None and setting.kind != "literal":
        return None  # computed: djgen cannot tell which model it is
    label = context.module.auth_user_model
    if label.lower() == "auth.user":
        return _AUTH_USER
    return _project_user_model(context, label)


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


def _project(context: GenerationContext) -> ProjectInfo:
    project = context.project
    if project is None or project.settings_path is None or project.package_dir is None:
        raise PlanError(
            f"{context.app.path}: djgen cannot find the project's settings.py statically (no "
            "manage.py above the app, or no DJANGO_SETTINGS_MODULE in it); JWT authentication "
            "is wired into the project, so run it inside a Django project"
        )
    return project


def _settings_edits(package: str, overrides: Any) -> list:
    redact = f"{package}.api.redact.RedactSecretsFilter"
    return [
        ListElement("INSTALLED_APPS", '"rest_framework_simplejwt"', after=("rest_framework",)),
        ListElement(
            "INSTALLED_APPS",
            '"rest_framework_simplejwt.token_blacklist"',
            after=("rest_framework_simplejwt",),
        ),
        # first: its WWW-Authenticate header makes an anonymous write a 401 (session auth: 403)
        ListElement(
            "REST_FRAMEWORK",
            f'"{JWT_AUTHENTICATION}"',
            path=("DEFAULT_AUTHENTICATION_CLASSES",),
            first=True,
            create=True,
        ),
        Assignment(
            "SIMPLE_JWT",
            render("jwt/simple_jwt.py.j2", overrides),
            imports=("from datetime import timedelta",),
        ),
        # SQL logged at DEBUG holds refresh tokens and password hashes: masked
        DictKey("LOGGING", "version", "1"),
        DictKey("LOGGING", "redact_secrets", f'{{"()": "{redact}"}}', path=("filters",)),
        ListElement(
            "LOGGING",
            '"redact_secrets"',
            path=("loggers", "django.db.backends", "filters"),
            create=True,
        ),
    ]


class JwtGenerator:
    name = "jwt"

    def generate(self, context: GenerationContext) -> GenerationResult:
        project = _project(context)
        assert project.package_dir is not None and project.settings_path is not None
        package = project.package
        api_dir = project.relative(project.package_dir / "api")
        overrides = context.config.template_dir
        user = read_user_model(context)

        def module(target: str, template: str, root: str = "project", **values: Any) -> Artifact:
            header, imports, definitions = split_module(
                render(f"jwt/{template}", overrides, **values)
            )
            return Artifact(
                generator=self.name,
                target=target,
                root=root,  # type: ignore[arg-type]
                header=header,
                imports=imports,
                definitions=definitions,
            )

        permissions = module(context.config.target("permissions"), "permissions.py.j2", "app")
        permissions.header = f"Permissions of the {context.module.app_label} app's API."
        artifacts = [
            Artifact(
                generator=self.name,
                target=f"{api_dir}/auth/__init__.py",
                root="project",
                header=f"The {package} API's auth endpoints (djgen's jwt generator).",
            ),
            module(f"{api_dir}/auth/serializers.py", "auth_serializers.py.j2", user=user),
            module(f"{api_dir}/auth/views.py", "auth_views.py.j2"),
            module(f"{api_dir}/auth/urls.py", "auth_urls.py.j2"),
            module(f"{api_dir}/redact.py", "redact.py.j2"),
            Artifact(
                generator=self.name,
                target=f"{api_dir}/urls.py",
                root="project",
                edits=[
                    UrlPattern(
                        f'path("{AUTH_PREFIX}", include("{package}.api.auth.urls"))',
                        key=AUTH_PREFIX,
                        imports=("from django.urls import include, path",),
                    )
                ],
            ),
            Artifact(
                generator=self.name,
                target=project.relative(project.settings_path),
                root="project",
                edits=_settings_edits(package, overrides),
            ),
            Artifact(
                generator=self.name,
                target=project.relative(project.package_dir / "settings_production.py"),
                root="project",
                edits=[
                    Assignment(
                        "SIMPLE_JWT",
                        render("jwt/production_simple_jwt.py.j2", overrides),
                        imports=("import os",),
                    )
                ],
            ),
            permissions,
        ]
        apps = project.setting("INSTALLED_APPS")
        if "rest_framework_simplejwt.token_blacklist" not in getattr(apps, "items", ()):
            # only while the project is not wired yet (then every run would repeat it)
            artifacts[0].notes.append(
                "JWT authentication needs djangorestframework-simplejwt>=5.4 (pip install "
                '"djangorestframework-simplejwt>=5.4"); then python manage.py migrate '
                "(token_blacklist's tables)"
            )
        if context.options().get("guide"):
            artifacts.append(
                Artifact(
                    generator=self.name,
                    target="docs/auth.md",
                    root="project",
                    content=render(
                        "jwt/guide.md.j2",
                        overrides,
                        package=package,
                        app=context.module.app_label,
                        user=user,
                    ),
                )
            )
        api_prefix: str = context.provided("api-settings", "api_prefix", "/api/v1/")
        return GenerationResult(
            artifacts=artifacts,
            provides={
                "auth_urls_module": f"{package}.api.auth.urls",
                "auth_prefix": f"{api_prefix}{AUTH_PREFIX}",
                "permission_classes": PERMISSION_CLASSES,
            },
        )


GENERATOR = JwtGenerator()
