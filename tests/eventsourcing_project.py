"""Shared fixtures of tests/test_eventsourcing_e2e.py and tests/test_cqrs_e2e.py: ONE project
made by the real ``django-admin startproject mysite .`` + ``manage.py startapp blog`` with the
blog models, ``djgen generate all blog --write`` (twice), ``manage.py migrate``; and a
throwaway PostgreSQL cluster (Debian's initdb/pg_ctl on a free loopback port).

``eventsourcing_checks.py`` is copied into the project and run there (a group at a time, each
from the freshly migrated database); it prints the facts the tests assert.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from corpus import BLOG_MODELS

BIN = Path(sys.executable).parent
CHECKS = Path(__file__).resolve().parent / "eventsourcing_checks.py"

MODELS = BLOG_MODELS

#: Generous throttle rates: the checks make many requests in a second.
ENV = {f"DJANGO_THROTTLE_{scope}": "100000/min" for scope in ("ANON", "USER", "BURST", "STRICT")}

SETTINGS_PG = """\
import os

from .settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "blog",
        "USER": "djgen",
        "HOST": "127.0.0.1",
        "PORT": os.environ["DJGEN_TEST_PGPORT"],
    }
}
"""


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def without_cqrs() -> str:
    """What the shared project is generated with, but cqrs: the project whose HTTP answers
    the cqrs one's must equal."""
    names = os.environ.get("DJGEN_ES_GENERATORS")
    if names is None or names == "all":
        listed = run([sys.executable, "-m", "djgen.generators.cli", "list"], Path.cwd())
        names = ",".join(line.split()[0] for line in listed.splitlines() if line.strip())
    return ",".join(n for n in names.split(",") if n != "cqrs")


def generate(root: Path, names: str | None = None) -> str:
    # DJGEN_ES_GENERATORS: a generator list instead of "all" (while another is being built)
    names = names or os.environ.get("DJGEN_ES_GENERATORS", "all")
    return run([sys.executable, "-m", "djgen.generators.cli", "generate", names, "blog",
                "--write"], root)  # fmt: skip


@pytest.fixture(scope="session")
def es_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("eventsourcing")
    run([str(BIN / "django-admin"), "startproject", "mysite", "."], root)
    run([sys.executable, "manage.py", "startapp", "blog"], root)
    (root / "blog" / "models.py").write_text(MODELS)
    first = generate(root)
    texts = {p: p.read_bytes() for p in root.rglob("*.py")}
    second = generate(root)
    again = {p: p.read_bytes() for p in root.rglob("*.py")}
    run([sys.executable, "manage.py", "migrate", "--noinput"], root)
    shutil.copy(root / "db.sqlite3", root / "db.pristine")
    shutil.copy(CHECKS, root / "eventsourcing_checks.py")
    (root / "mysite" / "settings_pg.py").write_text(SETTINGS_PG)
    return {"root": root, "first": first, "second": second, "same": texts == again}


@pytest.fixture(scope="session")
def es_site_without_cqrs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same project generated with every generator but cqrs (viewsets read and write
    through the ORM directly); generated once, migrated, ready for ``facts``."""
    root = tmp_path_factory.mktemp("without-cqrs")
    run([str(BIN / "django-admin"), "startproject", "mysite", "."], root)
    run([sys.executable, "manage.py", "startapp", "blog"], root)
    (root / "blog" / "models.py").write_text(MODELS)
    generate(root, without_cqrs())
    assert not (root / "blog" / "cqrs").exists()
    run([sys.executable, "manage.py", "migrate", "--noinput"], root)
    shutil.copy(root / "db.sqlite3", root / "db.pristine")
    shutil.copy(CHECKS, root / "eventsourcing_checks.py")
    return {"root": root}


@pytest.fixture(scope="session")
def es_api(es_site: dict[str, Any], redis_url: str) -> dict[str, Any]:
    """The facts of the checks' ``api`` group on SQLite (shared by both test modules)."""
    return facts(es_site, "api", {"REDIS_URL": redis_url.rsplit("/", 1)[0] + "/8"})


def facts(site: dict[str, Any], group: str, env: dict[str, str], *extra: str) -> dict[str, Any]:
    root: Path = site["root"]
    if "DJGEN_TEST_PGPORT" not in env:
        shutil.copy(root / "db.pristine", root / "db.sqlite3")  # from the migrated, empty db
    else:  # TRUNCATE (the immutability trigger is on UPDATE and DELETE only)
        run([sys.executable, "manage.py", "flush", "--noinput"], root, env)
    done = subprocess.run(
        [sys.executable, "eventsourcing_checks.py", group, *extra],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **ENV, **env},
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    line = [x for x in done.stdout.splitlines() if x.startswith("FACTS ")][-1]
    return json.loads(line.removeprefix("FACTS "))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    """initdb refuses root: run the server's tools as the ``postgres`` system user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@pytest.fixture(scope="session")
def pg_port() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free loopback port, database ``blog`` owned by
    ``djgen`` (trust authentication, loopback only); stopped and removed afterwards. Its
    folder is under /tmp (pytest's is private to root; the server runs as ``postgres``)."""
    base = Path(tempfile.mkdtemp(prefix="djgen-pg-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    run(_as_postgres([_pg_bin("initdb"), "-D", str(data), "-U", "djgen", "--auth=trust",
                      "-E", "UTF8", "--no-sync"]), base)  # fmt: skip
    port = str(_free_port())
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {sockets} -c fsync=off"
    run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "30",
                      "-l", str(base / "log"), "start"]), base)  # fmt: skip
    try:
        for _ in range(50):
            ready = subprocess.run(
                [_pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", port], capture_output=True
            )
            if ready.returncode == 0:
                break
            time.sleep(0.2)
        run([_pg_bin("createdb"), "-h", "127.0.0.1", "-p", port, "-U", "djgen", "blog"], base)
        yield port
    finally:
        subprocess.run(
            _as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def es_pg_site(es_site: dict[str, Any], pg_port: str) -> dict[str, Any]:
    """The project migrated on the PostgreSQL cluster (``mysite.settings_pg``)."""
    env = {"DJANGO_SETTINGS_MODULE": "mysite.settings_pg", "DJGEN_TEST_PGPORT": pg_port}
    run([sys.executable, "manage.py", "migrate", "--noinput"], es_site["root"], env)
    return {**es_site, "env": env}
