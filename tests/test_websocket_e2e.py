"""End to end: the ``websocket`` generator on a project made by the real ``django-admin
startproject mysite .`` + ``manage.py startapp blog`` (issue 13's "Done when").

One project per module: startproject, startapp, the blog models, ``[tool.djgen.websocket]
private_when = ["Post.status=draft"]`` in pyproject.toml, then ``djgen generate all blog
--write`` and ``manage.py migrate`` — nothing by hand. The contract checks
(``websocket_checks.py``: channels' WebsocketCommunicator against ``mysite.asgi.application``,
channels-redis on the session's redis-server) run inside the project with ``manage.py test``;
the served checks start daphne on a free loopback port and connect real ``websockets`` clients.

Data path under test: models.py → IR → generators → artifacts → merge (app files, settings.py,
asgi.py, apps.py, ``mysite/api/``) → files on disk → Django/Channels in subprocesses.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from corpus import BLOG_MODELS

pytestmark = pytest.mark.django

BIN = Path(sys.executable).parent
CHECKS = Path(__file__).resolve().parent / "websocket_checks.py"
MODELS = BLOG_MODELS
PYPROJECT = """\
[tool.djgen.websocket]
private_when = ["Post.status=draft"]
"""
WEBSOCKET_FILES = (
    "blog/consumers.py",
    "blog/routing.py",
    "blog/broadcast.py",
    "mysite/api/realtime.py",
    "mysite/api/ws_auth.py",
    "mysite/api/ws_routing.py",
    "mysite/asgi.py",
)


def run(cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300):
    return subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout
    )


def djgen(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = run(root, sys.executable, "-m", "djgen.generators.cli", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@dataclass
class Built:
    root: Path
    env: dict[str, str]
    first: str  # djgen's summary of the first run
    second: str  # ... of the second run

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return run(self.root, sys.executable, "manage.py", *args, env=self.env, timeout=timeout)


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Built]:
    root = tmp_path_factory.mktemp("wsproject")
    done = run(root, str(BIN / "django-admin"), "startproject", "mysite", ".")
    assert done.returncode == 0, done.stderr
    done = run(root, sys.executable, "manage.py", "startapp", "blog")
    assert done.returncode == 0, done.stderr
    (root / "blog" / "models.py").write_text(MODELS)
    (root / "pyproject.toml").write_text(PYPROJECT)
    first = djgen(root, "generate", "all", "blog", "--write")
    before = snapshot(root)
    second = djgen(root, "generate", "all", "blog", "--write")
    assert snapshot(root) == before, "the second run changed files"
    env = {**os.environ, "REDIS_URL": redis_url, "PYTHONDONTWRITEBYTECODE": "1"}
    built = Built(root, env, first.stdout + first.stderr, second.stdout + second.stderr)
    done = built.manage("migrate", "-v", "0")
    assert done.returncode == 0, done.stdout + done.stderr
    yield built
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def contract(built: Built) -> dict[str, str]:
    """``manage.py test`` of websocket_checks.py inside the project: test name → outcome."""
    shutil.copy(CHECKS, built.root / "blog" / "test_djgen_websocket.py")
    done = built.manage("test", "blog.test_djgen_websocket", "-v", "2", "--noinput")
    output = done.stdout + done.stderr
    # the request log shares stderr with unittest's lines: names from the "test_x (" lines,
    # failures from the FAIL:/ERROR: sections
    names = set(re.findall(r"^(test_\w+) \(", output, re.M))
    failed = set(re.findall(r"^(?:FAIL|ERROR): (test_\w+)", output, re.M))
    assert names, output
    outcomes = {name: "failed" if name in failed else "ok" for name in names}
    if done.returncode != 0:
        outcomes["__output__"] = output
        if not failed:
            outcomes = {name: "failed" for name in outcomes}
    return outcomes


def assert_passed(contract: dict[str, str], *names: str) -> None:
    for name in names:
        assert contract.get(name) == "ok", (name, contract.get(name), contract.get("__output__"))


# -- generation ---------------------------------------------------------------------------


def test_generate_twice_writes_nothing_the_second_time(built: Built) -> None:
    assert "djgen: nothing to do" in built.second, built.second
    assert not [line for line in built.second.splitlines() if line.startswith(("create", "update"))]
    for path in WEBSOCKET_FILES:
        assert f"create    {path}" in built.first or f"update    {path}" in built.first, path


def test_settings_and_asgi_merged(built: Built) -> None:
    settings = (built.root / "mysite" / "settings.py").read_text()
    apps = re.search(r"INSTALLED_APPS = \[(.*?)\]", settings, re.S)
    assert apps is not None
    listed = re.findall(r"'([^']+)'|\"([^\"]+)\"", apps.group(1))
    names = [a or b for a, b in listed]
    assert names[0] == "daphne" and "channels" in names, names
    assert 'ASGI_APPLICATION = "mysite.asgi.application"' in settings
    assert 'REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")' in settings
    assert settings.count("REDIS_URL = ") == 1  # shared with the caching generator
    assert "channels_redis.core.RedisChannelLayer" in settings
    asgi = (built.root / "mysite" / "asgi.py").read_text()
    assert "application = get_asgi_application()" not in asgi
    assert asgi.index("django_asgi_app = get_asgi_application()") < asgi.index(
        "from mysite.api.ws_routing import websocket_urlpatterns"
    )
    consumers = (built.root / "blog" / "consumers.py").read_text()
    assert 'private_when = (("status", "draft"),)' in consumers
    apps_py = (built.root / "blog" / "apps.py").read_text()
    assert "broadcast.connect_signals()" in apps_py


def test_generated_files_pass_ruff_defaults(built: Built) -> None:
    files = [*WEBSOCKET_FILES[:-1], "blog/apps.py"]
    check = run(
        built.root, sys.executable, "-m", "ruff", "check", "--isolated", "--extend-select", "I",
        *files, "mysite/asgi.py",
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    # asgi.py and apps.py keep startproject's own quotes: only djgen's files are formatted
    fmt = run(
        built.root, sys.executable, "-m", "ruff", "format", "--isolated", "--check", *files[:-1]
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_manage_check(built: Built) -> None:
    done = built.manage("check")
    assert done.returncode == 0 and "no issues" in done.stdout, done.stdout + done.stderr


# -- the contract, through the project's ASGI application -----------------------------------


def test_anonymous_socket_refused_4401(contract: dict[str, str]) -> None:
    assert_passed(contract, "test_anonymous_closed_4401")


def test_disallowed_origin_refused(contract: dict[str, str]) -> None:
    assert_passed(contract, "test_disallowed_origin_refused")


def test_jwt_header_and_session_auth(contract: dict[str, str]) -> None:
    assert_passed(contract, "test_bearer_header_and_session_auth")


def test_collection_receives_created_updated_deleted(contract: dict[str, str]) -> None:
    assert_passed(
        contract,
        "test_collection_created_updated_deleted_through_api",
        "test_orm_writes_broadcast_after_commit_only",
        "test_m2m_change_sends_updated",
    )


def test_instance_socket_receives_only_its_instance(contract: dict[str, str]) -> None:
    assert_passed(contract, "test_instance_socket_receives_only_its_instance")


def test_notify_user_reaches_that_user_only(contract: dict[str, str]) -> None:
    assert_passed(contract, "test_notify_user_reaches_only_that_user")


def test_unreadable_objects_reach_no_one_else(contract: dict[str, str]) -> None:
    assert_passed(
        contract,
        "test_unreadable_object_reaches_no_one_else",
        "test_visibility_changes_announced_as_created_deleted",
        "test_anonymous_opt_in",
    )


def test_messages_failures_and_signals(contract: dict[str, str]) -> None:
    assert_passed(
        contract,
        "test_subscribe_unsubscribe_and_bad_frames",
        "test_redis_down_write_still_succeeds",
        "test_signal_receivers_connected_in_ready",
    )


def test_every_contract_check_ran(contract: dict[str, str]) -> None:
    assert "__output__" not in contract, contract.get("__output__")
    assert len(contract) == 14, sorted(contract)


# -- served: daphne on loopback, real websockets clients -------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SHELL_USERS = """
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.tokens import RefreshToken
users = get_user_model().objects
out = {}
for name in ("served_alice", "served_bob"):
    user = users.filter(username=name).first() or users.create_user(name, password="pw-12345-x")
    out[name] = [user.pk, str(RefreshToken.for_user(user).access_token)]
print("TOKENS=" + json.dumps(out))
"""

SHELL_WRITE = """
from blog.broadcast import notify_user
from blog.models import Category
from django.contrib.auth import get_user_model
category = Category.objects.create(name="Served", slug="served")
notify_user(get_user_model().objects.get(username="served_alice"), {"message": "hello"})
print("PK=%d" % category.pk)
"""


async def _served_session(port: int, tokens: dict, write) -> dict:
    import websockets

    base = f"ws://127.0.0.1:{port}"
    origin = f"http://127.0.0.1:{port}"
    alice_token = tokens["served_alice"][1]
    bob_token = tokens["served_bob"][1]
    out: dict = {}
    async with websockets.connect(f"{base}/ws/blog/post/", origin=origin) as anon:
        try:
            await asyncio.wait_for(anon.recv(), 5)
        except websockets.ConnectionClosed as closed:
            out["anonymous_close"] = closed.rcvd.code if closed.rcvd else None
    try:
        async with websockets.connect(
            f"{base}/ws/blog/category/?token={alice_token}", origin="http://evil.example"
        ):
            out["evil_origin"] = "connected"
    except websockets.InvalidStatus as refused:
        out["evil_origin"] = refused.response.status_code
    async with (
        websockets.connect(f"{base}/ws/blog/category/?token={alice_token}", origin=origin) as a,
        websockets.connect(
            f"{base}/ws/blog/category/",
            origin=origin,
            additional_headers={"Authorization": f"Bearer {bob_token}"},
        ) as b,
        websockets.connect(f"{base}/ws/notifications/?token={alice_token}", origin=origin) as na,
        websockets.connect(f"{base}/ws/notifications/?token={bob_token}", origin=origin) as nb,
    ):
        await asyncio.sleep(0.2)
        pk = await asyncio.to_thread(write)
        out["pk"] = pk
        out["alice"] = json.loads(await asyncio.wait_for(a.recv(), 5))
        out["bob"] = json.loads(await asyncio.wait_for(b.recv(), 5))
        out["alice_note"] = json.loads(await asyncio.wait_for(na.recv(), 5))
        try:
            out["bob_note"] = json.loads(await asyncio.wait_for(nb.recv(), 0.5))
        except TimeoutError:
            out["bob_note"] = None
    return out


def test_served_by_daphne_real_clients_receive_broadcasts(built: Built) -> None:
    done = built.manage("shell", "-c", "import json\n" + SHELL_USERS)
    assert done.returncode == 0, done.stdout + done.stderr
    tokens = json.loads(done.stdout.split("TOKENS=", 1)[1])
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "mysite.asgi:application"],
        cwd=built.root, env={**built.env, "DJANGO_SETTINGS_MODULE": "mysite.settings"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, server.communicate()[0]
            time.sleep(0.1)
        else:
            pytest.fail("daphne did not listen")

        def write() -> int:
            done = built.manage("shell", "-c", SHELL_WRITE)
            assert done.returncode == 0, done.stdout + done.stderr
            return int(done.stdout.split("PK=", 1)[1])

        out = asyncio.run(_served_session(port, tokens, write))
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert out["anonymous_close"] == 4401, out
    assert out["evil_origin"] == 403, out
    pk = out["pk"]
    for who in ("alice", "bob"):
        event = out[who]
        assert (event["type"], event["model"], event["pk"]) == ("created", "blog.category", pk)
        assert event["data"] == {"id": pk, "name": "Served", "slug": "served"}, event
    assert out["alice_note"] == {"type": "notification", "message": "hello"}, out
    assert out["bob_note"] is None, out
