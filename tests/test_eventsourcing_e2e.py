"""End to end: the ``eventsourcing`` generator (issue 14) on a project made by the real
``django-admin startproject mysite .`` + ``manage.py startapp blog``, generated with
``djgen generate all blog --write`` (cqrs included: the store appends from its event bus).

Data path under test: models.py → IR → generators (eventsourcing; viewset, api-settings, cqrs)
→ artifacts → merge (eventstore/, settings.py, api/urls.py, blog/urls.py, blog/apps.py) →
files → Django on SQLite, and the event store on a throwaway PostgreSQL cluster.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("eventsourcing_project")

from eventsourcing_project import BIN, facts, run  # noqa: E402

pytestmark = pytest.mark.django

#: the shared session fixtures (one project for both modules): es_site, es_api, es_pg_site
pytest_plugins = ("eventsourcing_project",)

MINE = [
    "eventstore/__init__.py",
    "eventstore/apps.py",
    "eventstore/models.py",
    "eventstore/store.py",
    "eventstore/middleware.py",
    "eventstore/signals.py",
    "eventstore/api.py",
    "eventstore/urls.py",
    "eventstore/management/__init__.py",
    "eventstore/management/commands/__init__.py",
    "eventstore/management/commands/replay_events.py",
    "blog/history_urls.py",
]


def _redis(redis_url: str, db: int) -> dict[str, str]:
    return {"REDIS_URL": redis_url.rsplit("/", 1)[0] + f"/{db}"}


@pytest.fixture(scope="module")
def api(es_api: dict[str, Any]) -> dict[str, Any]:
    return es_api


@pytest.fixture(scope="module")
def sqlite_store(es_site: dict[str, Any]) -> dict[str, Any]:
    return facts(es_site, "store", {})


@pytest.fixture(scope="module")
def pg_store(es_pg_site: dict[str, Any]) -> dict[str, Any]:
    return facts(es_pg_site, "store", es_pg_site["env"], "--postgres")


def test_wiring(es_site: dict[str, Any]) -> None:
    root: Path = es_site["root"]
    settings = (root / "mysite" / "settings.py").read_text()
    assert "'eventstore',\n" in settings or '"eventstore",\n' in settings
    middleware = settings.index("eventstore.middleware.EventContextMiddleware")
    assert middleware > settings.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert "EVENTSTORE_SNAPSHOT_EVERY = 50\n" in settings
    assert 'path("audit/", include("eventstore.urls"))' in (root / "mysite/api/urls.py").read_text()
    assert 'path("", include("blog.history_urls"))' in (root / "blog/urls.py").read_text()
    history = (root / "blog" / "history_urls.py").read_text()
    assert 'HistoryView.as_view(aggregate_type="blog.post", owner_field="author")' in history
    apps = (root / "blog" / "apps.py").read_text()
    assert "event_bus.subscribe_all(record_domain_event)" in apps
    assert "track_models" not in apps  # cqrs runs: events come from its bus, not signals


def test_second_generate_writes_nothing(es_site: dict[str, Any]) -> None:
    assert "eventstore/migrations/0001_initial.py" in es_site["first"]
    assert es_site["same"], es_site["second"]
    assert "nothing to do" in es_site["second"], es_site["second"]


def test_generated_code_is_ruff_clean(es_site: dict[str, Any]) -> None:
    root: Path = es_site["root"]
    ruff = str(BIN / "ruff")
    run([ruff, "check", "--isolated", "--extend-select", "I", *MINE], root)
    run([ruff, "format", "--isolated", "--check", *MINE], root)


def test_openapi_schema_validates(es_site: dict[str, Any]) -> None:
    root: Path = es_site["root"]
    run([sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn",
         "--file", "schema.yml"], root)  # fmt: skip
    schema = (root / "schema.yml").read_text()
    assert "/api/v1/posts/{id}/history/:" in schema and "/api/v1/audit/events/:" in schema
    assert "name: at\n" in schema and "HistoryState:" in schema


def test_initial_migration_is_what_makemigrations_writes(
    es_site: dict[str, Any],
    tmp_path: Path,
) -> None:
    root: Path = es_site["root"]
    mine = (root / "eventstore/migrations/0001_initial.py").read_text()
    # the models and the migrations agree (Django's own autodetector)
    run([sys.executable, "manage.py", "makemigrations", "eventstore", "--check", "--dry-run"],
        root)  # fmt: skip
    # and Django writes the same file for them (header line aside)
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("db.*"))
    for old in (copy / "eventstore" / "migrations").glob("0*.py"):
        old.unlink()
    run([sys.executable, "manage.py", "makemigrations", "eventstore"], copy)
    django = (copy / "eventstore/migrations/0001_initial.py").read_text()
    assert mine.splitlines()[1:] == django.splitlines()[1:]


def test_create_update_write_events_1_and_2(api: dict[str, Any]) -> None:
    assert api["create_status"] == 201 and api["row_after_create"] == "first"
    [created] = api["events_after_create"]
    assert created["version"] == 1 and created["event_type"] == "post.created"
    assert created["data"]["title"] == "first" and created["data"]["tags"] == [1]
    assert created["actor"] == "alice" and created["ip_address"] == "127.0.0.9"
    assert api["update_status"] == 200
    updated = api["events_after_update"][1]
    assert updated["version"] == 2 and updated["event_type"] == "post.updated"
    assert updated["data"]["title"] == "second" and "body" not in updated["data"]


def test_history_as_of_a_time_and_its_permissions(api: dict[str, Any]) -> None:
    assert api["history_at"]["version"] == 1
    assert api["history_at"]["state"]["title"] == "first"
    assert api["history_at_now"]["version"] == 2
    assert api["history_at_now"]["state"]["title"] == "second"
    assert api["history_owner"] == 200 and api["history_owner_len"] == 2
    assert api["history_staff"] == 200
    assert api["history_other"] == 403 and api["history_anon"] == 401
    assert api["history_bad_at"] == [400, "invalid"]


def test_delete_writes_a_deleted_event(api: dict[str, Any]) -> None:
    assert api["delete_status"] == 204
    assert api["events_of_deleted"] == [[1, "post.created"], [2, "post.deleted"]]
    assert api["history_of_deleted"] == 200
    # a delete the database refuses (PROTECT) is a 409 and writes no event
    assert api["protected_delete"] == [409, "protected"]
    assert api["events_after_refusal"] == 0


def test_concurrent_writers_through_the_api(api: dict[str, Any]) -> None:
    assert api["if_match"] == [200, 409]
    error = api["if_match_body"]["error"]
    assert error["status"] == 409 and error["code"] == "concurrent_modification"
    assert "version 3, not 2" in error["message"]
    assert api["title_after_conflict"] == "third"  # the loser's write was rolled back
    assert api["versions_after_conflict"] == [1, 2, 3]


def test_audit_api(api: dict[str, Any]) -> None:
    assert api["audit_anon"] == 401 and api["audit_other"] == 403
    assert api["audit_staff_post"] == 405  # read-only
    assert api["audit_by_aggregate"] == [1, 2, 3]
    assert api["audit_by_actor_alice"] == api["audit_total"] > 0
    assert api["audit_by_actor_bob"] == 0
    assert api["audit_until_between"] == 1  # the post's first version only
    assert api["audit_since_between"] == 2  # its versions 2 and 3
    assert api["audit_ip"] == "127.0.0.9"


def test_replay_rebuilds_identical_rows(api: dict[str, Any]) -> None:
    assert api["emptied"] == 0
    assert api["after_partial_replay"] == [1, 0]  # --aggregate-type blog.category
    assert api["replay_identical"] is True
    assert api["replay_rows"] == {"blog.Category": 1, "blog.Tag": 1, "blog.Post": 1}
    assert api["create_after_replay"] == 201  # sequences follow the restored pks


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_event_store(backend: str, request: pytest.FixtureRequest) -> None:
    got = request.getfixturevalue("sqlite_store" if backend == "sqlite" else "pg_store")
    assert all(got["orm_refused"].values()), got["orm_refused"]
    assert got["event_unchanged"]
    assert got["concurrent"] == ["conflict", "ok"], got["concurrent_detail"]
    assert got["versions"] == [1, 2]
    assert got["duplicate_version"] == "IntegrityError"
    assert got["snapshots"] == [3, 6]
    assert got["snapshot_state_equal"] == [8, 8, True]
    assert got["state_9002"] == {"n": 7, "title": "s"}


def test_postgresql_trigger_refuses_raw_sql(pg_store: dict[str, Any]) -> None:
    for name in ("raw_update", "raw_delete"):
        assert pg_store[name].startswith("IntegrityError"), pg_store[name]
        assert "immutable" in pg_store[name]
    assert pg_store["after_raw"] == [""]


def test_api_on_postgresql(es_pg_site: dict[str, Any], redis_url: str) -> None:
    got = facts(es_pg_site, "api", {**es_pg_site["env"], **_redis(redis_url, 9)})
    assert got["versions_after_conflict"] == [1, 2, 3] and got["if_match"] == [200, 409]
    assert got["history_at"]["version"] == 1 and got["replay_identical"] is True
    assert got["create_after_replay"] == 201


@pytest.fixture(scope="module")
def signals_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``djgen generate eventsourcing,migration blog``: no cqrs, the store appends from
    signals; migrated."""
    root = tmp_path_factory.mktemp("signals")
    run([str(BIN / "django-admin"), "startproject", "mysite", "."], root)
    run([sys.executable, "manage.py", "startapp", "blog"], root)
    from eventsourcing_project import MODELS

    (root / "blog" / "models.py").write_text(MODELS)
    run([sys.executable, "-m", "djgen.generators.cli", "generate", "eventsourcing,migration",
         "blog", "--write"], root)  # fmt: skip
    run([sys.executable, "manage.py", "migrate", "--noinput"], root)
    return root


def _shell(root: Path, script: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=root, capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()


def test_signals_mode_without_cqrs(signals_site: Path) -> None:
    """``djgen generate eventsourcing`` alone: the store appends from post_save/post_delete."""
    apps = (signals_site / "blog" / "apps.py").read_text()
    assert "track_models(self.get_models())" in apps
    script = (
        "from blog.models import Tag\n"
        "from eventstore.models import Event\n"
        "t = Tag.objects.create(name='a'); t.name = 'b'; t.save(); t.delete()\n"
        "print(list(Event.objects.values_list('version', 'event_type', 'data')))\n"
    )
    assert _shell(signals_site, script)[-1] == (
        "[(1, 'tag.created', {'id': 1, 'name': 'a'}), (2, 'tag.updated', {'name': 'b'}), "
        "(3, 'tag.deleted', {})]"
    )


#: Many-to-many changes from both sides of Post.tags, then a replay from the events alone.
M2M_SCRIPT = """\
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from blog.models import Category, Post, Tag
from eventstore.models import Event
from eventstore.store import load, state_of

u = User.objects.create(username="u")
c = Category.objects.create(name="c", slug="c")
x, y, z = (Tag.objects.create(name=n) for n in "xyz")
name = {t.pk: t.name for t in (x, y, z)}
p = Post.objects.create(author=u, category=c, title="p")
p.tags.set([x, y])
middle = timezone.now()
p.tags.set([y, z])
x.posts.add(p)
z.posts.remove(p)
y.posts.clear()
p.tags.clear()
p.tags.add(z)
p.tags.add(z)
events = Event.objects.filter(aggregate_type="blog.post").order_by("version")
for e in events:
    tags = e.data.get("tags")
    print("EVENT", e.version, e.event_type, None if tags is None else [name[t] for t in tags])
print("AT", [name[t] for t in load("blog.post", p.pk, at=middle).state["tags"]])
before = state_of(Post.objects.get(pk=p.pk))
with connection.cursor() as cursor:
    cursor.execute("DELETE FROM blog_post_tags")
    cursor.execute("DELETE FROM blog_post")
call_command("replay_events", "--aggregate-type", "blog.post")
after = state_of(Post.objects.get(pk=p.pk))
print("REPLAY", before == after, [name[t] for t in after["tags"]])
"""


def test_signals_mode_records_many_to_many_changes(signals_site: Path) -> None:
    """Without cqrs a row is saved before its many-to-many fields are set (DRF, the ORM):
    each m2m_changed (add, remove, clear, from either side) appends an ``updated`` event
    with the field's new list, so ``?at=`` and ``replay_events`` see the relations."""
    lines = _shell(signals_site, M2M_SCRIPT)
    assert [x for x in lines if x.startswith("EVENT ")] == [
        "EVENT 1 post.created []",
        "EVENT 2 post.updated ['x', 'y']",
        "EVENT 3 post.updated ['y']",  # set() removes, then adds: two changes
        "EVENT 4 post.updated ['y', 'z']",
        "EVENT 5 post.updated ['x', 'y', 'z']",  # tag.posts.add(post): the reverse side
        "EVENT 6 post.updated ['x', 'y']",
        "EVENT 7 post.updated ['x']",  # tag.posts.clear()
        "EVENT 8 post.updated []",
        "EVENT 9 post.updated ['z']",  # adding it again changes nothing: no event
    ]
    assert "AT ['x', 'y']" in lines
    assert "REPLAY True ['z']" in lines
