"""Shared pytest fixtures: real Django projects in temp dirs (see ``djangoproject.py``).

Data path: the end of every end-to-end test (models.py → IR → generator → artifacts → merge →
files in a project built here, then run by Django in a subprocess).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:  # `from djangoproject import ...` works in every test module
    sys.path.insert(0, _TESTS_DIR)

from djangoproject import DjangoProject, build_project, copy_example  # noqa: E402

ProjectFactory = Callable[..., DjangoProject]


@pytest.fixture
def django_project(tmp_path_factory: pytest.TempPathFactory) -> ProjectFactory:
    """A factory for throwaway Django projects; mark tests that use it ``@pytest.mark.django``.

    ``django_project({"shop": {"models.py": SOURCE}})`` builds a project with those apps;
    ``django_project(example="bookshop")`` copies ``examples/bookshop``. Keyword hooks
    (``installed_apps``, ``middleware``, ``settings``, ``settings_code``) are appended to
    settings.py. Each call gives a new project in its own temp dir.
    """

    def make(
        apps: Mapping[str, Mapping[str, str]] | None = None,
        *,
        example: str | None = None,
        installed_apps: Iterable[str] = (),
        middleware: Iterable[str] = (),
        settings: Mapping[str, Any] | None = None,
        settings_code: str = "",
    ) -> DjangoProject:
        if (apps is None) == (example is None):
            raise TypeError("give either apps or example=")
        hooks = {
            "installed_apps": installed_apps,
            "middleware": middleware,
            "settings": settings,
            "settings_code": settings_code,
        }
        root = tmp_path_factory.mktemp(example or "project")
        if example is not None:
            return copy_example(root / example, example, **hooks)
        return build_project(root, apps or {}, **hooks)

    return make


@pytest.fixture
def bookshop(django_project: ProjectFactory) -> DjangoProject:
    """A fresh copy of ``examples/bookshop`` (models only, no migrations yet)."""
    return django_project(example="bookshop")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private ``redis-server`` (no persistence) for the whole session: ``redis://127.0.0.1:PORT/0``.

    Fails, not skips, when redis-server is missing: ``bash .ci/run`` installs it.
    """
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail(
            "redis-server is not installed (bash .ci/run installs it: apt-get install redis-server)"
        )
    workdir = tmp_path_factory.mktemp("redis")
    for _attempt in range(5):
        port = _free_port()
        proc = subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(workdir), "--logfile", str(workdir / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if _wait_for_redis(proc, port):
            break
        proc.kill()
        proc.wait()
    else:
        log = workdir / "redis.log"
        output = log.read_text(errors="replace") if log.exists() else ""
        pytest.fail(f"redis-server did not start:\n{output}")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_redis(proc: subprocess.Popen[bytes], port: int, within: float = 10.0) -> bool:
    """True once the server answers PING; False if it exits first or never answers."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return True
        except OSError:
            time.sleep(0.05)
    return False
