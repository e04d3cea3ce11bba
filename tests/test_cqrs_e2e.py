"""End to end: the ``cqrs`` generator (issue 14) on a project made by the real
``django-admin startproject mysite .`` + ``manage.py startapp blog``, generated with
``djgen generate all blog --write`` (the project shared with tests/test_eventsourcing_e2e.py).

Data path under test: models.py → IR → generators (cqrs; viewset taking its mixin) → artifacts
→ merge (blog/cqrs/, blog/apps.py, blog/views.py) → files → Django: commands, queries, the
event bus and the API's writes through the dispatcher.
"""

from __future__ import annotations

import re
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

MODULES = ("bus", "commands", "queries", "events", "repositories", "handlers", "views")


@pytest.fixture(scope="module")
def cqrs(es_site: dict[str, Any], redis_url: str) -> dict[str, Any]:
    return facts(es_site, "cqrs", {"REDIS_URL": redis_url.rsplit("/", 1)[0] + "/10"})


def test_files_per_model(es_site: dict[str, Any]) -> None:
    root: Path = es_site["root"] / "blog"
    commands = (root / "cqrs" / "commands.py").read_text()
    for model in ("Category", "Post", "Tag"):
        for kind in ("Create", "Update", "Delete"):
            assert f"class {kind}{model}(" in commands
    # writable fields only: no pk, no auto timestamps
    assert 'fields = ("author", "category", "title", "body", "status", "tags")' in commands
    assert "created_at" not in commands
    handlers = (root / "cqrs" / "handlers.py").read_text()
    assert "commands.register(CreatePost, create_post)" in handlers
    assert "queries.register(ListPosts, list_posts)" in handlers
    views = (root / "views.py").read_text()
    for model in ("Category", "Post", "Tag"):
        bases = re.search(rf"^class {model}ViewSet\((.*)\):", views, re.M)
        assert bases and "CommandDispatchMixin, viewsets.ModelViewSet" in bases.group(1)
    # the mixin sets the owner; the viewset's own perform_create is not generated
    assert "def perform_create" not in views
    assert "load_handlers(self)" in (root / "apps.py").read_text()


def test_generated_code_is_ruff_clean(es_site: dict[str, Any]) -> None:
    files = [f"blog/cqrs/{name}.py" for name in MODULES] + ["blog/cqrs/__init__.py"]
    ruff = str(BIN / "ruff")
    run([ruff, "check", "--isolated", "--extend-select", "I", *files], es_site["root"])
    run([ruff, "format", "--isolated", "--check", *files], es_site["root"])


def test_commands_are_validated(cqrs: dict[str, Any]) -> None:
    assert cqrs["unknown_field"] == ["nonsense"]
    assert cqrs["model_validation"] == ["name"]  # max_length from the model field
    assert cqrs["rows_after_invalid"] == 0


def test_dispatchers_need_explicit_registration(cqrs: dict[str, Any]) -> None:
    assert cqrs["unregistered"] == "no command handler registered for Unregistered"
    assert cqrs["query_get"] == "bus" and cqrs["query_list"] == ["bus"]


def test_event_bus_sync_and_on_commit(cqrs: dict[str, Any]) -> None:
    assert cqrs["sync_seen"] == ["tag.created"]
    assert cqrs["on_commit_inside"] == []  # not before the commit
    assert cqrs["on_commit_after"] is True
    assert cqrs["on_commit_rolled_back"] == 1  # a rolled-back command: no on-commit call
    assert cqrs["rolled_row"] == 0
    assert cqrs["refused_row"] == 0  # a failing synchronous subscriber rolls the command back


def test_commands_append_events(cqrs: dict[str, Any]) -> None:
    assert cqrs["event_versions"] == [[1, "tag.created", "carol"], [2, "tag.updated", "carol"]]


def test_api_writes_go_through_the_dispatcher(cqrs: dict[str, Any]) -> None:
    assert cqrs["api_create"] == [201, ["tag.created"]]


def test_same_http_behaviour(es_api: dict[str, Any]) -> None:
    got = es_api
    assert got["create_status"] == 201 and got["update_status"] == 200
    assert got["anon_create"] == 401 and got["other_update"] == 403
    assert got["dup_tag"] == 400  # the serializer's unique validator, as before
    assert got["protected_delete"] == [409, "protected"]
    assert got["delete_status"] == 204


def test_api_reads_go_through_the_queries(cqrs: dict[str, Any]) -> None:
    # the registered List handler decides what the list, the search and the detail see
    assert cqrs["read_list"] == ["bus2", "via-api"]
    assert cqrs["read_search"] == []
    assert cqrs["read_detail"] == 200
    assert cqrs["read_detail_hidden"] == 404
    assert cqrs["write_hidden"] == 404  # a write loads its row through the queries too
    assert cqrs["read_calls"] == ["list", "list", "list", "get", "list", "get", "list", "get"]
    assert cqrs["read_detail_unspied"] == 200


@pytest.fixture(scope="module")
def answers(
    es_site: dict[str, Any], es_site_without_cqrs: dict[str, Any], redis_url: str
) -> tuple[list, list]:
    base = redis_url.rsplit("/", 1)[0]
    with_cqrs = facts(es_site, "reads", {"REDIS_URL": base + "/11"})["answers"]
    without = facts(es_site_without_cqrs, "reads", {"REDIS_URL": base + "/12"})["answers"]
    return with_cqrs, without


def test_reads_answer_as_without_cqrs(answers: tuple[list, list]) -> None:
    """Lists (filters, search, ordering, pagination, the response cache), details (found,
    missing, malformed, filtered out), writes' lookups: byte-equal bodies, same status and
    headers, with the reads dispatched as queries and without cqrs."""
    with_cqrs, without = answers
    assert [a[0] for a in with_cqrs] == [a[0] for a in without]
    differ = [(w, o) for w, o in zip(with_cqrs, without, strict=True) if w != o]
    assert not differ, differ[:3]
    statuses = {name: status for name, status, _, _ in with_cqrs}
    # the requests exercise what they say (an all-404 run would compare equal too)
    assert statuses["alice:list"] == statuses["alice:detail"] == 200
    assert statuses["alice:detail-filtered-out"] == statuses["alice:detail-malformed"] == 404
    assert statuses["alice:filter-bad"] == 400 and statuses["patch"] == 200
    assert statuses["delete"] == 204 and statuses["delete-protected"] == 409
    bodies = {name: body for name, _, _, body in with_cqrs}
    assert '"count":1' in bodies["alice:filter-tags"].replace(" ", "")
    assert bodies["alice:list"] == bodies["alice:list-again"]


@pytest.fixture(scope="module")
def histories(
    es_site: dict[str, Any], es_site_without_cqrs: dict[str, Any], redis_url: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    base = redis_url.rsplit("/", 1)[0]
    with_cqrs = facts(es_site, "history", {"REDIS_URL": base + "/13"})
    without = facts(es_site_without_cqrs, "history", {"REDIS_URL": base + "/14"})
    return with_cqrs, without


def test_history_states_as_without_cqrs(histories: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """A post created with tags, its tags and title changed through the API: as of each
    moment between the requests, ``history/?at=`` answers the same state with and without
    cqrs (tags included), and ``replay_events`` rebuilds identical rows in both."""
    with_cqrs, without = histories
    assert with_cqrs["states"] == without["states"]
    tags = [[with_cqrs["tag_names"][str(t)] for t in s["tags"]] for s in with_cqrs["states"]]
    assert tags == [["x", "y"], ["y", "z"], ["y", "z"], [], ["x"]]
    assert [s["title"] for s in with_cqrs["states"]] == ["t", "t", "u", "v", "v"]
    for got in (with_cqrs, without):
        assert got["replay_identical"] is True and got["replay_tags"] == ["x"]
    # What differs, and only that: the events. A command is one transaction and one event;
    # without cqrs, DRF saves the row (post_save: an event) and then sets each many-to-many
    # field (m2m_changed: an event per add/remove; set() removes, then adds), so the same
    # writes take more versions and a create's event has its tags empty.
    assert with_cqrs["versions"] == [1, 2, 3, 4, 5]
    assert without["versions"] == [2, 5, 6, 8, 10]
    x, y, z = (int(k) for k in with_cqrs["tag_names"])
    created, updated = "post.created", "post.updated"
    assert with_cqrs["events"] == [
        [created, {"title": "t", "tags": [x, y]}],
        [updated, {"tags": [y, z]}],
        [updated, {"title": "u"}],
        [updated, {"title": "v", "tags": []}],
        [updated, {"tags": [x]}],
    ]
    assert without["events"] == [
        [created, {"title": "t", "tags": []}],
        [updated, {"tags": [x, y]}],
        [updated, {}],  # the PATCH's save (updated_at only), then its set(): remove, add
        [updated, {"tags": [y]}],
        [updated, {"tags": [y, z]}],
        [updated, {"title": "u"}],
        [updated, {"title": "v"}],
        [updated, {"tags": []}],
        [updated, {}],
        [updated, {"tags": [x]}],
    ]


def test_viewset_without_handlers_is_refused_at_startup(
    es_site: dict[str, Any], tmp_path: Path
) -> None:
    """A viewset dispatching the commands and queries of a model no handler is registered
    for (cqrs not generated for it, or its registrations gone) would answer 500 to every
    request: ``manage.py check`` refuses it instead, naming the model and the command."""
    copy = tmp_path / "site"
    shutil.copytree(es_site["root"], copy, ignore=shutil.ignore_patterns("db.*", "__pycache__"))
    handlers = copy / "blog" / "cqrs" / "handlers.py"
    text = handlers.read_text()
    kept = re.sub(r"(?m)^(commands|queries)\.register\((\w+Tags?), \w+\)\n", "", text)
    assert kept.count(".register(") == text.count(".register(") - 5
    handlers.write_text(kept)
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=copy, capture_output=True, text=True
    )
    assert done.returncode != 0
    [error] = [x for x in done.stderr.splitlines() if x.startswith("django.core.exceptions.")]
    assert error == (
        "django.core.exceptions.ImproperlyConfigured: TagViewSet dispatches the cqrs commands "
        "and queries of blog.Tag, but no GetQuery, ListQuery, CreateCommand, UpdateCommand, "
        "DeleteCommand handler is registered for it: run `djgen generate cqrs blog` (it writes "
        "blog/cqrs/handlers.py), and check that blog's AppConfig.ready() calls "
        "load_handlers(self); or take the mixin out of the viewset's bases."
    )
