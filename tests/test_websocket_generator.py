"""The ``websocket`` generator on real startproject projects, without serving them: the default
read rule, ``private_when`` validation, one model at a time (the quick fix), two apps sharing
one ``ws/notifications/``, and a user-written asgi.py kept and reported.

Data path under test: models.py → IR → websocket generator → artifacts → merge → files, then
Django itself (``manage.py check``, the ASGI application's routes) in a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from corpus import BLOG_MODELS

pytestmark = pytest.mark.django

BIN = Path(sys.executable).parent
MODELS = BLOG_MODELS
SHOP = """\
from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
"""
USER_ASGI = """\
import os

from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
django_asgi_app = get_asgi_application()

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": URLRouter([])})
"""
ROUTES = """
import django
django.setup()
from mysite.asgi import application

def walk(routes, prefix=""):
    for route in routes:
        inner = getattr(route.callback, "routes", None)
        if inner is not None:
            yield from walk(inner, prefix + str(route.pattern))
        else:
            yield prefix + str(route.pattern)

router = application.application_mapping["websocket"]
while not hasattr(router, "routes"):
    router = router.inner if hasattr(router, "inner") else router.application
print("\\n".join(walk(router.routes)))
"""


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=300)


def djgen(root: Path, *args: str) -> str:
    done = run(root, sys.executable, "-m", "djgen.generators.cli", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    assert run(tmp_path, str(BIN / "django-admin"), "startproject", "mysite", ".").returncode == 0
    for app, models in (("blog", MODELS), ("shop", SHOP)):
        assert run(tmp_path, sys.executable, "manage.py", "startapp", app).returncode == 0
        (tmp_path / app / "models.py").write_text(models)
    settings = tmp_path / "mysite" / "settings.py"
    text = settings.read_text().replace(
        "INSTALLED_APPS = [\n", "INSTALLED_APPS = [\n    'blog',\n    'shop',\n"
    )
    settings.write_text(text)
    return tmp_path


def test_default_rule_one_model_at_a_time_and_two_apps(project: Path) -> None:
    # the quick fix's path: one model
    djgen(project, "generate", "websocket", "blog", "--model", "Post", "--write")
    consumers = (project / "blog" / "consumers.py").read_text()
    assert "class PostConsumer(ModelEventsConsumer):" in consumers
    assert 'owner_field = "author"' in consumers
    assert "private_when" not in consumers, "the contract's rule: no private instances"
    assert "CategoryConsumer" not in consumers
    routing = (project / "blog" / "routing.py").read_text()
    assert "post/<int:pk>/" in routing and "category/" not in routing
    # then the rest of the app, then a second app
    djgen(project, "generate", "websocket", "blog", "--write")
    djgen(project, "generate", "websocket", "shop", "--write")
    second = djgen(project, "generate", "websocket", "shop", "--write")
    assert "djgen: nothing to do" in second, second
    ws_routing = (project / "mysite" / "api" / "ws_routing.py").read_text()
    assert ws_routing.count("notifications_route()") == 1
    assert 'app_routes("ws/blog/", blog_websocket_urlpatterns)' in ws_routing
    assert 'app_routes("ws/shop/", shop_websocket_urlpatterns)' in ws_routing
    settings = (project / "mysite" / "settings.py").read_text()
    assert settings.count("'channels'") + settings.count('"channels"') == 1
    done = run(project, sys.executable, "manage.py", "check")
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run(
        [sys.executable, "-c", ROUTES],
        cwd=project,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "mysite.settings", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    routes = done.stdout.split()
    assert routes.count("ws/notifications/") == 1, routes
    for route in ("ws/blog/post/", "ws/blog/post/<int:pk>/", "ws/blog/tag/", "ws/shop/product/"):
        assert route in routes, routes


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("Post.status", 'must look like "Model.field=value"'),
        ("Nope.status=draft", "no model Nope"),
        ("Post.colour=red", "Post has no field 'colour'"),
    ],
)
def test_private_when_is_checked(project: Path, rule: str, message: str) -> None:
    (project / "pyproject.toml").write_text(f'[tool.djgen.websocket]\nprivate_when = ["{rule}"]\n')
    done = run(
        project, sys.executable, "-m", "djgen.generators.cli", "generate", "websocket", "blog"
    )
    assert done.returncode != 0
    assert message in done.stderr, done.stderr


def test_private_when_values(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.djgen.websocket]\nprivate_when = ["Post.status=draft", "Post.title=\'x\'"]\n'
    )
    djgen(project, "generate", "websocket", "blog", "--write")
    consumers = (project / "blog" / "consumers.py").read_text()
    assert 'private_when = (("status", "draft"), ("title", "x"))' in consumers


def test_user_asgi_application_is_kept_and_reported(project: Path) -> None:
    asgi = project / "mysite" / "asgi.py"
    asgi.write_text(USER_ASGI)
    out = djgen(project, "generate", "websocket", "blog", "--write")
    assert asgi.read_text() == USER_ASGI
    assert "kept yours application" in out, out
    assert "route WebSockets by hand" in out and "JWTAuthMiddleware" in out, out


NO_SIMPLEJWT = """
import sys
sys.modules["rest_framework_simplejwt"] = None  # as if it were not installed
import django
django.setup()
from asgiref.sync import async_to_sync
from mysite.api import ws_auth

assert ws_auth.JWTAuthentication is None
scope = {"query_string": b"", "headers": [(b"authorization", b"Bearer abc")]}
assert ws_auth.get_raw_token(scope) == b""
assert ws_auth.get_raw_token({"query_string": b"", "headers": []}) is None
user = async_to_sync(ws_auth.get_user_for_token)(b"abc")
print(type(user).__name__, user.is_authenticated)
"""


def test_without_simplejwt_a_token_is_anonymous(project: Path) -> None:
    djgen(project, "generate", "websocket", "blog", "--write")
    done = subprocess.run(
        [sys.executable, "-c", NO_SIMPLEJWT],
        cwd=project,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "mysite.settings", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["AnonymousUser", "False"], done.stdout
