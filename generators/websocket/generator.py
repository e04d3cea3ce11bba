"""The ``websocket`` generator: real-time model events over Django Channels.

Data path: models.py → IR → **websocket generator** (this module) → artifacts → merge (the
definition merge for the app's modules and ``<project>/api/``; ``merge.project`` for
settings.py, asgi.py, apps.py and the routing lists) → files or WorkspaceEdit.

What it writes (see ../shared/generated-project.md, "WebSocket"):

- ``<app>/consumers.py``: one ``ModelEventsConsumer`` per model (``model``,
  ``serializer_class`` from the serializer generator, ``owner_field``, ``private_when``);
- ``<app>/routing.py``: ``websocket_urlpatterns`` with ``<model_name>/`` and
  ``<model_name>/<pk>/`` per model, mounted at ``ws/<app_label>/`` by the project's
  ``ws_routing.py``;
- ``<app>/broadcast.py``: ``connect_signals()`` (called from the AppConfig's ``ready()``),
  ``broadcast_model_event`` and ``notify_user(user, payload)``;
- ``<project>/api/realtime.py`` (once per project): group names, who may read what, the
  after-commit signal receivers, ``notify_user``, the base consumers and the one
  ``NotificationConsumer``; ``ws_auth.py``: the JWT socket middleware (simplejwt when it is
  installed, else session auth only); ``ws_routing.py``: ``ws/notifications/`` once and each
  app's routes under ``ws/<app_label>/``;
- settings.py: ``daphne`` first and ``channels`` in INSTALLED_APPS, ``ASGI_APPLICATION``,
  ``REDIS_URL``, ``CHANNEL_LAYERS`` (channels-redis), ``DJGEN_WEBSOCKET_ALLOW_ANONYMOUS``;
- asgi.py: startproject's ``application = get_asgi_application()`` becomes Django's app plus
  a ``ProtocolTypeRouter``; an ``application`` the user wrote is kept and reported.

Who may read: the contract's rule (every socket allowed to connect receives every instance),
unless ``[tool.djgen.websocket] private_when = ["Post.status=draft"]`` names instances only
their owner (the model's owner field) and staff receive.
"""

from __future__ import annotations

import ast
from typing import Any

from djgen.generators.core.artifacts import Artifact, Definition, Import
from djgen.generators.core.config import ConfigError
from djgen.generators.core.context import GenerationContext, GenerationResult, ProjectInfo
from djgen.generators.core.edits import (
    Assignment,
    BodyStatement,
    DictKey,
    ListElement,
    UrlPattern,
)
from djgen.generators.core.errors import PlanError
from djgen.generators.core.fieldinfo import model_fields, owner_field
from djgen.generators.core.ir import ModelIR, ModuleIR
from djgen.generators.core.render import py, render

NAME = "websocket"
REDIS_URL = 'REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")\n'
#: startproject's asgi.py value, the one djgen may replace
STARTPROJECT_ASGI = ("get_asgi_application()",)
INT_PKS = frozenset(
    {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
     "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
     "PositiveSmallIntegerField"}
)  # fmt: skip


def consumer_name(model: str) -> str:
    return f"{model}Consumer"


def pk_converter(module: ModuleIR, model: ModelIR) -> str:
    """The path converter for the model's pk: ``int``, ``uuid`` or ``str``."""
    pk = model_fields(module, model).pk
    kind = pk.internal_type if pk is not None else "BigAutoField"
    if pk is None or kind in INT_PKS:
        return "int"
    return "uuid" if kind == "UUIDField" else "str"


def private_rules(module: ModuleIR, raw: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """``["Post.status=draft"]`` → ``{"Post": [("status", '"draft"')]}`` (value source: the
    Python literal written, ``True``, ``3``, ``'x'``, else the text as a string)."""
    rules: dict[str, list[tuple[str, str]]] = {}
    for rule in raw:
        where = f"[tool.djgen.websocket] private_when: {rule!r}"
        target, sep, value = rule.partition("=")
        model_name, dot, field = target.strip().partition(".")
        if not (sep and dot and model_name and field.strip()):
            raise ConfigError(f'{where} must look like "Model.field=value"')
        model = module.model(model_name)
        if model is None:
            raise ConfigError(f"{where}: no model {model_name} in {module.app_label}")
        field = field.strip()
        if not any(f.name == field for f in model_fields(module, model).fields):
            raise ConfigError(f"{where}: {model_name} has no field {field!r}")
        value = value.strip()
        try:
            source = py(ast.literal_eval(value))
        except (ValueError, SyntaxError):
            source = py(value)
        rules.setdefault(model_name, []).append((field, source))
    return rules


def _tuple_source(pairs: list[tuple[str, str]]) -> str:
    items = [f"({py(field)}, {value})" for field, value in pairs]
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _project(context: GenerationContext) -> ProjectInfo:
    project = context.project
    if project is None or project.package_dir is None or project.settings_path is None:
        raise PlanError(
            f"{context.app.path}: djgen cannot find the project (manage.py, its settings module "
            "and package) statically, so it cannot route WebSockets; run it inside a Django "
            "project made by startproject"
        )
    return project


def _settings_edits(asgi_module: str) -> list[Any]:
    return [
        # daphne first: its runserver replaces staticfiles' (daphne's docs)
        ListElement("INSTALLED_APPS", '"daphne"', first=True),
        ListElement("INSTALLED_APPS", '"channels"', after=("django.contrib.staticfiles",)),
        Assignment("ASGI_APPLICATION", f'ASGI_APPLICATION = "{asgi_module}.application"\n'),
        Assignment("REDIS_URL", REDIS_URL, imports=("import os",)),
        DictKey(
            "CHANNEL_LAYERS",
            "BACKEND",
            '"channels_redis.core.RedisChannelLayer"',
            path=("default",),
        ),
        DictKey("CHANNEL_LAYERS", "CONFIG", '{"hosts": [REDIS_URL]}', path=("default",)),
        Assignment(
            "DJGEN_WEBSOCKET_ALLOW_ANONYMOUS",
            "# True: sockets without a user may use the model routes (not ws/notifications/)\n"
            "DJGEN_WEBSOCKET_ALLOW_ANONYMOUS = False\n",
        ),
    ]


def _installs(project: ProjectInfo, app: str) -> bool:
    """Whether the project's INSTALLED_APPS already lists ``app`` (as read statically)."""
    return app in getattr(project.setting("INSTALLED_APPS"), "items", ())


PACKAGES_NOTE = (
    "The WebSocket code needs channels, channels-redis and daphne (pip install channels "
    "channels-redis daphne), djangorestframework-simplejwt for token auth, and Redis at REDIS_URL"
)
ASGI_NOTE = (
    "{asgi}: djgen kept your `application`; route WebSockets by hand: "
    "`from {package}.api.ws_auth import JWTAuthMiddleware` and "
    "`from {package}.api.ws_routing import websocket_urlpatterns` after "
    "`django_asgi_app = get_asgi_application()`, then "
    '`"websocket": AllowedHostsOriginValidator(JWTAuthMiddleware(AuthMiddlewareStack('
    "URLRouter(websocket_urlpatterns))))` in your ProtocolTypeRouter (keep your own routes "
    "in that URLRouter's list)"
)


def _asgi_customised(project: ProjectInfo) -> bool:
    """Whether asgi.py's ``application`` is something other than startproject's or ours."""
    if project.asgi_path is None or not project.asgi_path.is_file():
        return False
    try:
        tree = ast.parse(project.asgi_path.read_text(encoding="utf-8"))
    except (SyntaxError, ValueError, OSError):
        return False
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "application" for t in node.targets
        ):
            value = ast.unparse(node.value)
            if value in STARTPROJECT_ASGI:
                return False
            return "JWTAuthMiddleware" not in value
    return False


class WebsocketGenerator:
    name = NAME

    def generate(self, context: GenerationContext) -> GenerationResult:
        module, config = context.module, context.config
        chosen = context.select()
        if not chosen:
            return GenerationResult()
        project = _project(context)
        assert project.package_dir is not None and project.settings_path is not None
        package = project.package
        label = module.app_label
        api_dir = project.relative(project.package_dir / "api")
        serializers: dict[str, str] = context.provided("serializer", "serializer_class", {})
        serializers_module = "." + config.target("serializers")[: -len(".py")].replace("/", ".")
        rules = private_rules(module, context.options().get("private_when", ()))
        realtime = f"{package}.api.realtime"

        consumers = Artifact(
            generator=self.name,
            target="consumers.py",
            header=f"WebSocket consumers for the {label} app's models (djgen; see {realtime}).",
            imports=[Import(realtime, "ModelEventsConsumer")],
        )
        routing = Artifact(
            generator=self.name,
            target="routing.py",
            header=f"The {label} app's WebSocket routes, mounted at ws/{label}/ (djgen).",
            definitions=[
                Definition("websocket_urlpatterns", "websocket_urlpatterns = []\n", kind="assign")
            ],
        )
        for model in chosen:
            name = model.name
            consumer = consumer_name(name)
            model_name = name.lower()
            prefix = f"ws/{label}/{model_name}/"
            converter = pk_converter(module, model)
            consumers.imports += [
                Import(".models", name),
                Import(serializers_module, serializers.get(name, f"{name}Serializer")),
            ]
            owner = owner_field(module, model, config.owner_fields)
            consumers.definitions.append(
                Definition(
                    name=consumer,
                    model=name,
                    code=render(
                        "websocket/consumer.py.j2",
                        config.template_dir,
                        consumer=consumer,
                        model=name,
                        serializer=serializers.get(name, f"{name}Serializer"),
                        routes=(prefix, f"{prefix}<pk>/"),
                        owner_field=owner,
                        private_when=_tuple_source(rules[name]) if name in rules else None,
                    ),
                )
            )
            if name in rules and owner is None:
                consumers.notes.append(
                    f"{name} has no owner field, so private_when makes its matching "
                    "instances reach staff only"
                )
            for route in (f"{model_name}/", f"{model_name}/<{converter}:pk>/"):
                routing.edits.append(
                    UrlPattern(
                        f'path("{route}", consumers.{consumer}.as_asgi())',
                        key=route,
                        list="websocket_urlpatterns",
                        imports=("from django.urls import path", "from . import consumers"),
                    )
                )

        broadcast = Artifact(
            generator=self.name,
            target="broadcast.py",
            header=(
                f"Real-time broadcasts of the {label} app (djgen): model events after each "
                "commit, notify_user()."
            ),
            imports=[Import(f"{package}.api", "realtime"), Import(".", "consumers")],
            definitions=[
                Definition(
                    name=which,
                    kind="function",
                    code=render("websocket/broadcast.py.j2", config.template_dir, which=which),
                )
                for which in ("connect_signals", "broadcast_model_event", "notify_user")
            ],
        )
        artifacts = [consumers, routing, broadcast]
        artifacts.append(self._apps(context))
        artifacts += self._project_artifacts(context, project, api_dir)
        return GenerationResult(
            artifacts=[a for a in artifacts if a is not None],
            provides={
                "consumer_class": {m.name: consumer_name(m.name) for m in module.concrete_models},
                "routing_module": f"{context.app.module}.routing",
            },
        )

    def _apps(self, context: GenerationContext) -> Artifact | None:
        config_class = context.app.config_class
        if config_class is None:
            return Artifact(
                generator=self.name,
                target="broadcast.py",
                notes=[
                    f"{context.app.label} has no AppConfig in apps.py: call "
                    "broadcast.connect_signals() from its ready() so model changes are broadcast"
                ],
            )
        return Artifact(
            generator=self.name,
            target="apps.py",
            edits=[
                BodyStatement(
                    f"{config_class}.ready",
                    "from . import broadcast\n\nbroadcast.connect_signals()\n",
                    create="def ready(self):\n",
                )
            ],
        )

    def _project_artifacts(
        self, context: GenerationContext, project: ProjectInfo, api_dir: str
    ) -> list[Artifact]:
        config = context.config
        package = project.package
        label = context.app.label
        assert project.settings_path is not None

        def whole(target: str, template: str) -> Artifact:
            return Artifact(
                generator=self.name,
                target=f"{api_dir}/{target}",
                root="project",
                content=render(f"websocket/{template}", config.template_dir, project=package),
            )

        asgi_module = f"{package}.asgi"
        if project.asgi_path is not None:
            asgi_module = project.relative(project.asgi_path)[: -len(".py")].replace("/", ".")
        app_routes = f"{label}_websocket_urlpatterns"
        ws_routing = Artifact(
            generator=self.name,
            target=f"{api_dir}/ws_routing.py",
            root="project",
            header=f"Every app's WebSocket routes, for {package}/asgi.py (djgen).",
            # first-party and relative imports only (the merge cannot tell first-party
            # modules from third-party ones, ruff's isort can): path and URLRouter are
            # behind realtime's helpers
            imports=[Import(".realtime", "notifications_route")],
            definitions=[
                Definition(
                    "websocket_urlpatterns",
                    "websocket_urlpatterns = [\n    notifications_route(),\n]\n",
                    kind="assign",
                )
            ],
            edits=[
                UrlPattern(
                    f'app_routes("ws/{label}/", {app_routes})',
                    key=f"ws/{label}/",
                    list="websocket_urlpatterns",
                    imports=(
                        "from .realtime import app_routes",
                        f"from {context.app.module}.routing import websocket_urlpatterns"
                        f" as {app_routes}",
                    ),
                )
            ],
        )
        artifacts = [
            Artifact(
                generator=self.name,
                target=f"{api_dir}/__init__.py",
                root="project",
                header=f"The {package} API: project-level code written by djgen.",
            ),
            whole("realtime.py", "realtime.py.j2"),
            whole("ws_auth.py", "ws_auth.py.j2"),
            ws_routing,
            Artifact(
                generator=self.name,
                target=project.relative(project.settings_path),
                root="project",
                edits=_settings_edits(asgi_module),
                # only while the project is not wired yet (then every run would repeat it)
                notes=[] if _installs(project, "channels") else [PACKAGES_NOTE],
            ),
        ]
        if project.asgi_path is not None:
            asgi = Artifact(
                generator=self.name,
                target=project.relative(project.asgi_path),
                root="project",
                edits=[
                    Assignment(
                        "application",
                        render("websocket/asgi_application.py.j2", config.template_dir,
                               project=package),
                        replaces=STARTPROJECT_ASGI,
                        imports=(
                            "from channels.auth import AuthMiddlewareStack",
                            "from channels.routing import ProtocolTypeRouter, URLRouter",
                            "from channels.security.websocket import AllowedHostsOriginValidator",
                        ),
                    )
                ],
            )  # fmt: skip
            if _asgi_customised(project):
                asgi.notes.append(
                    ASGI_NOTE.format(asgi=project.relative(project.asgi_path), package=package)
                )
            artifacts.append(asgi)
        else:
            artifacts[-1].notes.append(
                f"{package} has no asgi.py: create it as startproject does, then run djgen again"
            )
        return artifacts


GENERATOR = WebsocketGenerator()
