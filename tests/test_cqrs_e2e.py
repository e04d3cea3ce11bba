"""End to end: the ``cqrs`` generator (issue 14) on a project made by the real
``django-admin startproject mysite .`` + ``manage.py startapp blog``, generated with
``djgen generate all blog --write`` (the project shared with tests/test_eventsourcing_e2e.py).

Data path under test: models.py → IR → generators (cqrs; viewset taking its mixin) → artifacts
→ merge (blog/cqrs/, blog/apps.py, blog/views.py) → files → Django: commands, queries, the
event bus and the API's writes through the dispatcher.
"""

from __future__ import annotations

import re
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
