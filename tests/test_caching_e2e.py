"""End to end: the ``caching`` generator on a project made by the real ``django-admin
startproject mysite .`` + ``manage.py startapp blog`` (issue 12's caching "Done when").

One project per module: the blog models, ``nested_serializers = true`` (so a Post shows its
Category and a Category change must reach cached Post responses), ``djgen generate all blog
--write`` (twice: the second run writes nothing), ``manage.py migrate``. ``caching_checks.py`` is
copied into the project and run there against a real redis-server; it prints the facts the tests
below assert (query counts, response bodies, cache_stats output).

Data path under test: models.py → IR → generators (caching, and viewset taking its mixin) →
artifacts → merge (cache.py, apps.py, settings.py, views.py) → files → Django + Redis.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from corpus import BLOG_MODELS

pytestmark = pytest.mark.django

BIN = Path(sys.executable).parent
CHECKS = Path(__file__).resolve().parent / "caching_checks.py"

MODELS = BLOG_MODELS

#: Generous throttle rates: the checks make hundreds of anonymous requests in a second.
ENV = {f"DJANGO_THROTTLE_{scope}": "100000/min" for scope in ("ANON", "USER", "BURST", "STRICT")}


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _generate(root: Path) -> str:
    return _run([sys.executable, "-m", "djgen.generators.cli", "generate", "all", "blog",
                 "--write"], root)  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("caching")
    _run([str(BIN / "django-admin"), "startproject", "mysite", "."], root)
    _run([sys.executable, "manage.py", "startapp", "blog"], root)
    (root / "blog" / "models.py").write_text(MODELS)
    (root / "pyproject.toml").write_text("[tool.djgen]\nnested_serializers = true\n")
    first = _generate(root)
    texts = {p: p.read_bytes() for p in root.rglob("*.py")}
    second = _generate(root)
    again = {p: p.read_bytes() for p in root.rglob("*.py")}
    _run([sys.executable, "manage.py", "migrate", "--noinput"], root)
    shutil.copy(CHECKS, root / "caching_checks.py")
    return {"root": root, "first": first, "second": second, "same": texts == again}


def _facts(site: dict[str, Any], mode: str, env: dict[str, str]) -> dict[str, Any]:
    root: Path = site["root"]
    db = root / "db.sqlite3"
    backup = root / "db.pristine"
    if not backup.exists():
        shutil.copy(db, backup)
    shutil.copy(backup, db)  # each run starts from the migrated, empty database
    done = subprocess.run(
        [sys.executable, "caching_checks.py", mode],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **ENV, **env},
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def facts(site: dict[str, Any], redis_url: str) -> dict[str, Any]:
    # a database of its own on the session's server: the checks clear it
    return _facts(site, "main", {"REDIS_URL": redis_url.rsplit("/", 1)[0] + "/7"})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_redis(proc: subprocess.Popen[bytes], port: int, within: float = 10.0) -> bool:
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


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A redis-server this test may stop (the session's ``redis_url`` is shared)."""
    server = shutil.which("redis-server")
    assert server, "redis-server is not installed (bash .ci/run installs it)"
    port = _free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert _wait_for_redis(proc, port), "redis-server did not start"
        yield f"redis://127.0.0.1:{port}/0", proc.pid
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=10)


def test_generated_files_and_wiring(site: dict[str, Any]) -> None:
    root: Path = site["root"]
    cache = (root / "blog" / "cache.py").read_text()
    assert "    Post: (Post, Category, Tag, Post.tags.through),\n" in cache
    assert "M2M_THROUGH = (Post.tags.through,)\n" in cache
    views = (root / "blog" / "views.py").read_text()
    # the mixin first (other generators' mixins may follow it)
    for model in ("Category", "Post", "Tag"):
        assert re.search(rf"^class {model}ViewSet\(\s*CachedResponseMixin,", views, re.M), views
    assert "from .cache import CachedResponseMixin\n" in views
    apps = (root / "blog" / "apps.py").read_text()
    assert (
        "    def ready(self):\n        from . import cache\n\n        cache.connect_signals()\n"
        in apps
    )
    settings = (root / "mysite" / "settings.py").read_text()
    assert 'REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")' in settings
    assert settings.count("REDIS_URL = ") == 1
    assert "django_redis.cache.RedisCache" in settings and "IGNORE_EXCEPTIONS" in settings
    assert "DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True" in settings
    for init in ("management/__init__.py", "management/commands/__init__.py"):
        assert (root / "blog" / init).read_text().startswith('"""')


def test_second_generate_writes_nothing(site: dict[str, Any]) -> None:
    assert "blog/cache.py" in site["first"]
    assert site["same"], site["second"]
    assert "wrote" not in site["second"] or "wrote 0" in site["second"], site["second"]


def test_generated_code_is_ruff_clean(site: dict[str, Any]) -> None:
    root: Path = site["root"]
    files = ["blog/cache.py", "blog/management/commands/cache_stats.py",
             "blog/management/__init__.py", "blog/management/commands/__init__.py"]  # fmt: skip
    ruff = str(BIN / "ruff")
    _run([ruff, "check", "--isolated", "--extend-select", "I", *files], root)
    _run([ruff, "format", "--isolated", "--check", *files], root)
    # views.py: every definition djgen wrote (startapp's unused `render` import is the user's)
    _run([ruff, "check", "--isolated", "--extend-select", "I", "--ignore", "F401",
          "blog/views.py"], root)  # fmt: skip
    _run([ruff, "format", "--isolated", "--check", "blog/views.py"], root)


def test_query_counts_do_not_grow_with_rows(facts: dict[str, Any]) -> None:
    counts = facts["counts"]
    for name, by_rows in counts.items():
        five, fifty = by_rows["5"], by_rows["50"]
        assert five[0] == fifty[0] == 200, (name, by_rows)
        assert five[1] == fifty[1], (name, by_rows)
    assert counts["post_list"]["5"][2] == 5 and counts["post_list"]["50"][2] == 50
    # count, posts joined with author and category, the tags prefetch
    assert counts["post_list"]["50"][1] == 3
    assert counts["post_detail"]["50"][1] == 2


def test_a_cached_hit_costs_one_redis_round_trip(facts: dict[str, Any]) -> None:
    # one script call: the anon + burst throttle counters and the read of the response
    # with its generations; 3 when the throttles counted with cache.incr and the cache read
    # alone, 9 with DRF's own throttles and separate generations/response/hit-counter reads
    # (a little over 1: a hit-counter flush a second)
    assert 1 <= facts["round_trips_per_hit"] <= 1.5, facts["round_trips_per_hit"]


def test_repeated_anonymous_get_runs_no_sql(facts: dict[str, Any]) -> None:
    for name in ("list", "detail"):
        seen = facts["repeats"][name]
        assert seen["statuses"] == [200, 200], seen
        assert seen["queries"][0] > 0 and seen["queries"][1] == 0, seen
        assert seen["same"], seen
    assert facts["repeats"]["query_string_in_key"]


def test_writes_make_the_next_get_fresh(facts: dict[str, Any]) -> None:
    fresh = facts["fresh"]
    assert fresh["update"]["status"] == 200
    assert fresh["update"]["detail"] == "Updated title"
    assert fresh["update"]["list"] == ["Updated title"]
    m2m = fresh["m2m"]
    assert m2m["t3"] in m2m["added"]["tags"] and m2m["added"]["queries"] > 0
    assert m2m["t3"] not in m2m["removed"]["tags"] and m2m["removed"]["queries"] > 0
    assert fresh["related"]["detail"] == "Renamed category"
    assert "Renamed category" in fresh["related"]["list"]
    assert (
        fresh["tag_delete"]["had"]
        and fresh["tag_delete"]["gone"] not in fresh["tag_delete"]["tags"]
    )
    assert fresh["delete"] == {"status": 204, "detail": 404, "in_list": False}
    assert facts["category_after_post_write"] == 0  # a Post write keeps Category responses


def test_cache_stats_prints_hits_and_misses(facts: dict[str, Any]) -> None:
    rows = {line.split()[0]: line.split()[1:] for line in facts["cache_stats"].splitlines()[1:]}
    assert set(rows) == {"blog.category", "blog.post", "blog.tag"}, facts["cache_stats"]
    hits, misses = int(rows["blog.post"][0]), int(rows["blog.post"][1])
    assert hits > 0 and misses > 0, facts["cache_stats"]


def test_redis_stopped_mid_test_serves_from_the_database(
    site: dict[str, Any], private_redis: tuple[str, int]
) -> None:
    url, pid = private_redis
    seen = _facts(site, "outage", {"REDIS_URL": url, "REDIS_PID": str(pid)})["outage"]
    assert seen["warm"] == [200, 200, 0]  # the cache worked before the outage
    assert seen["statuses"] == [200, 200, 200, 200], seen
    assert seen["titles"] == seen["db_titles"], seen
    assert seen["after_title"] == "Written while down"
    assert seen["warnings"], "no warning logged on blog.cache"
    assert seen["seconds"] < 10, seen


def test_throttles_past_the_rate_answer_429_with_retry_after(
    site: dict[str, Any], redis_url: str
) -> None:
    # the throttles count with the script that also reads the cached response, and go on
    # counting after Redis forgot the script (SCRIPT FLUSH after the third request)
    env = {"REDIS_URL": redis_url.rsplit("/", 1)[0] + "/8", "DJANGO_THROTTLE_BURST": "5/min"}
    seen = _facts(site, "throttle", env)["throttle"]
    assert seen["statuses"] == [200] * 5 + [429] * 3, seen
    assert 0 < int(seen["retry_after"]) <= 60, seen
    assert seen["body"]["error"]["status"] == 429, seen
    assert 0 < seen["counter_ttl"] <= 60, seen  # the window's counter expires with it


GRAPH = """\
from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100)


class Author(models.Model):
    name = models.CharField(max_length=100)
    publisher = models.ForeignKey(Publisher, on_delete=models.SET_NULL, null=True)


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    readers = models.ManyToManyField("Reader", through="Reading")


class Reader(models.Model):
    name = models.CharField(max_length=100)


class Reading(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    reader = models.ForeignKey(Reader, on_delete=models.CASCADE)


class Ebook(Book):
    url = models.URLField()


class Classic(Book):
    class Meta:
        proxy = True
"""


@pytest.mark.parametrize("nested", [False, True])
def test_dependencies_follow_the_relation_graph(nested: bool) -> None:
    from djgen.generators.caching.generator import dependencies
    from djgen.generators.reader import read_source

    table, throughs, used = dependencies(read_source(GRAPH, app_label="shop"), nested)
    deps = {model: [str(d) for d in values] for model, values in table}
    # its multi-table child's rows, its FK target, its M2M target and table
    book = ["Book", "Ebook", "Author", "Reader", "Book.readers.through"]
    if nested:  # the nested Author shows its Publisher
        book.append("Publisher")
    assert deps["Book"] == book
    assert deps["Author"] == ["Author", "Publisher"]
    # a multi-table child reads its parent's rows; a proxy shares its model's rows
    assert deps["Ebook"][:2] == ["Ebook", "Book"] and "Book.readers.through" in deps["Ebook"]
    assert deps["Reading"][:3] == ["Reading", "Book", "Reader"]
    assert deps["Classic"][:2] == ["Classic", "Book"]
    assert [str(t) for t in throughs] == ["Book.readers.through"]
    assert "Reading" in used and "Publisher" in used


def test_a_cache_of_the_users_own_is_kept(tmp_path: Path) -> None:
    _run([str(BIN / "django-admin"), "startproject", "mysite", "."], tmp_path)
    _run([sys.executable, "manage.py", "startapp", "blog"], tmp_path)
    (tmp_path / "blog" / "models.py").write_text(MODELS)
    settings = tmp_path / "mysite" / "settings.py"
    mine = (
        'CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",'
        ' "OPTIONS": {"MAX_ENTRIES": 10}}}\n'
    )
    settings.write_text(settings.read_text() + "\n" + mine)
    out = _run([sys.executable, "-m", "djgen.generators.cli", "generate", "caching", "blog",
                "--write"], tmp_path)  # fmt: skip
    text = settings.read_text()
    assert mine in text and "django_redis" not in text, text
    assert "is not django-redis: kept as is" in out, out
    assert 'REDIS_URL = os.environ.get("REDIS_URL"' in text
    assert "cache.connect_signals()" in (tmp_path / "blog" / "apps.py").read_text()
    _run([sys.executable, "manage.py", "check"], tmp_path)
