"""End to end: generate serializers, filtersets, viewsets and admin into real Django projects and
use them — ``manage.py check``, migrations, and DRF requests through the generated router.

Data path under test, all of it: models.py → IR → generators → artifacts → merge → files on disk
(``pipeline.plan`` + ``pipeline.write``) → Django 5.2 + DRF + django-filter in a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import djangoproject as dj
import pytest
from corpus import APPS
from djangoproject import Api, DjangoProject, FreshDatabase, Manage, Python, Request, get

from djgen.generators.core.pipeline import plan, write

pytestmark = pytest.mark.django

API_GENERATORS = ["serializer", "filterset", "viewset", "admin"]
#: Writes go through an authenticated (staff) client: the generated viewsets refuse anonymous
#: writes, which ``test_anonymous_writes_are_refused_and_owners_come_from_the_request`` checks.
EDITOR = "editor"


def post(path: str, data: Any = None, **kw: Any) -> Request:
    return dj.post(path, data, **{"user": EDITOR, **kw})


def put(path: str, data: Any = None, **kw: Any) -> Request:
    return dj.put(path, data, **{"user": EDITOR, **kw})


def patch(path: str, data: Any = None, **kw: Any) -> Request:
    return dj.patch(path, data, **{"user": EDITOR, **kw})


def delete(path: str, **kw: Any) -> Request:
    return dj.delete(path, **{"user": EDITOR, **kw})


def generate_into(project: DjangoProject, app: str, config=None) -> list[Path]:
    """Run the four generators for ``app`` and write the files; fail on ruff findings."""
    changes = plan(project.app_dir(app), API_GENERATORS, config=config)
    written = write(changes)
    assert written, f"nothing written for {app}"
    # ruff's own defaults (the current ruff's, RUF012 included), plus import sorting
    for args in (("check", "--extend-select", "I"), ("format", "--check", "--diff")):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--isolated", *map(str, written)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"ruff {args[0]} on generated code:\n{result.stdout}"
    # generating again changes nothing
    assert not [c.path for c in plan(project.app_dir(app), API_GENERATORS) if c.changed]
    return written


def results(response: Any) -> list[dict[str, Any]]:
    body = response.json
    return body["results"] if isinstance(body, dict) and "results" in body else body


def titles(response: Any) -> list[str]:
    return [item["title"] for item in results(response)]


ADMIN_SNIPPET = """
from django.contrib import admin
from django.contrib.auth import get_user_model

User = get_user_model()
user = User.objects.create_superuser("boss", "boss@example.com", "pw")
client.force_login(user)
statuses = {}
for model, model_admin in admin.site._registry.items():
    if model._meta.app_label not in params["apps"]:
        continue
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    query = "?q=a" if model_admin.search_fields else ""
    pages = [client.get(base + query), client.get(base + "add/")]
    statuses[model.__name__] = [page.status_code for page in pages]
result = statuses
"""


def assert_admin_pages_work(project: DjangoProject, apps: list[str], expected: set[str]) -> None:
    statuses = project.run(FreshDatabase(), Python(ADMIN_SNIPPET, {"apps": apps}))[-1].value
    assert set(statuses) == expected
    assert all(codes == [200, 200] for codes in statuses.values()), statuses


# -- the example project ---------------------------------------------------------------------

BOOK = {"isbn": "", "price": "0", "pages": 1, "publisher": 1}


def book(title: str, isbn: str, **fields: Any) -> dict[str, Any]:
    return {**BOOK, "title": title, "isbn": isbn, **fields}


def test_bookshop_api_end_to_end(django_project) -> None:
    project = django_project(example="bookshop")
    written = generate_into(project, "catalog")
    names = {p.name for p in written}
    assert names == {
        "serializers.py",
        "filters.py",
        "pagination.py",
        "views.py",
        "permissions.py",
        "urls.py",
        "admin.py",
    }
    project.run(Manage("check"), Manage("makemigrations", "catalog"))
    assert project.migration_files("catalog")
    requests = [
        post(
            "/api/publishers/",
            {"name": "Faber", "website": "https://faber.example", "country": "GB"},
        ),
        post("/api/publishers/", {"name": "Penguin", "country": "US"}),
        post("/api/authors/", {"name": "Ann Alder", "email": "ann@example.com"}),
        # 3..5: books; `authors` (through Authorship) and `id` are read-only and ignored
        post(
            "/api/books/",
            book(
                "Alpha",
                "1111111111111",
                status="published",
                price="10.00",
                pages=100,
                published="2020-01-01",
                authors=[1],
                id=99,
            ),
        ),
        post(
            "/api/books/",
            book(
                "Beta",
                "2222222222222",
                status="draft",
                price="25.50",
                pages=300,
                published="2021-06-01",
                publisher=2,
            ),
        ),
        post(
            "/api/books/", book("Gamma Alpha", "3333333333333", status="published", price="40.00")
        ),
        post("/api/authorships/", {"book": 1, "author": 1, "role": "author", "order": 1}),  # 6
        get("/api/books/"),  # 7
        get("/api/books/", {"status": "published"}),
        get("/api/books/", {"title": "alpha"}),
        get("/api/books/", {"price_min": "20"}),  # 10
        get("/api/books/", {"published_after": "2021-01-01"}),
        get("/api/books/", {"publisher": 2}),
        get("/api/books/", {"search": "gamma"}),
        get("/api/books/", {"search": "2222"}),
        get("/api/books/", {"ordering": "-price"}),  # 15
        get("/api/books/", {"page_size": 2}),
        get("/api/books/", {"page_size": 2, "page": 2}),
        get("/api/books/2/"),
        patch("/api/books/2/", {"status": "published"}),
        put(
            "/api/books/2/",
            book(
                "Beta 2",
                "2222222222222",
                status="out_of_print",
                price="30.00",
                pages=310,
                publisher=2,
            ),
        ),  # 20
        delete("/api/books/3/"),
        get("/api/books/3/"),
        get("/api/books/"),
        get("/api/books/1/"),
        get("/api/books/", {"status": "bogus"}),  # 25
        post("/api/reviews/", {"book": 1, "rating": 5, "body": "Great"}),
        post("/api/reviews/", {"book": 1, "rating": 9}),
        get("/api/publishers/", {"country": "GB"}),
        get("/api/"),
        get("/api/authors/", {"search": "alder", "ordering": "-created"}),  # 30
        post("/api/books/", book("Delta", "1111111111111")),
    ]
    (*_, api) = project.run(FreshDatabase(migrate=True), Api(requests))
    r = api.value
    assert [x.status for x in r[:7]] == [201] * 7, [(x.status, x.json) for x in r[:7]]
    assert r[0].json["country_display"] == "United Kingdom"
    assert r[3].json["id"] == 1 and r[3].json["authors"] == []
    assert r[3].json["status_display"] == "Published"
    assert r[2].json["created"]  # auto_now_add: set by the server
    assert titles(r[7]) == ["Alpha", "Beta", "Gamma Alpha"]  # Meta.ordering
    assert r[7].json["count"] == 3
    assert titles(r[8]) == ["Alpha", "Gamma Alpha"]
    assert titles(r[9]) == ["Alpha", "Gamma Alpha"]
    assert titles(r[10]) == ["Beta", "Gamma Alpha"]
    assert titles(r[11]) == ["Beta"]
    assert titles(r[12]) == ["Beta"]
    assert titles(r[13]) == ["Gamma Alpha"]
    assert titles(r[14]) == ["Beta"]
    assert titles(r[15]) == ["Gamma Alpha", "Beta", "Alpha"]
    assert titles(r[16]) == ["Alpha", "Beta"] and r[16].json["next"]
    assert titles(r[17]) == ["Gamma Alpha"] and r[17].json["next"] is None
    assert r[18].json["title"] == "Beta" and r[18].json["status_display"] == "Draft"
    assert r[19].status == 200 and r[19].json["status_display"] == "Published"
    assert r[20].status == 200, r[20].json
    assert r[20].json["title"] == "Beta 2" and r[20].json["status"] == "out_of_print"
    assert (r[21].status, r[22].status) == (204, 404)
    assert titles(r[23]) == ["Alpha", "Beta 2"]
    assert r[24].json["authors"] == [1]  # written through the Authorship endpoint
    assert r[25].status == 400
    assert r[26].status == 201 and r[26].json["rating_display"] == "5 stars"
    assert r[27].status == 400 and "rating" in r[27].json
    assert [p["name"] for p in results(r[28])] == ["Faber"]
    assert set(r[29].json) == {"authors", "publishers", "books", "authorships", "reviews"}
    assert [a["name"] for a in results(r[30])] == ["Ann Alder"]
    assert r[31].status == 400 and "isbn" in r[31].json  # unique validator from the model
    assert_admin_pages_work(
        project, ["catalog"], {"Author", "Publisher", "Book", "Authorship", "Review"}
    )


CURSOR_SNIPPET = """
from catalog.models import Author, Book, Publisher, Review

publisher = Publisher.objects.create(name="P")
book = Book.objects.create(title="B", isbn="1", price=1, pages=1, publisher=publisher)
for i in range(5):
    Review.objects.create(book=book, rating=1 + i % 5, body=f"review {i}")
seen, url, pages = [], "/api/reviews/?page_size=2", 0
while url:
    body = client.get(url).json()
    seen += [item["body"] for item in body["results"]]
    url, pages = body["next"], pages + 1
result = {
    "seen": seen,
    "pages": pages,
    "nested": client.get(f"/api/books/{book.pk}/").json(),
    "review": client.get("/api/reviews/").json()["results"][0],
}
"""


def test_bookshop_api_layout_nested_cursor(django_project) -> None:
    """``[tool.djgen]`` in the project's pyproject.toml: an api/ package, nested serializers
    and cursor pagination."""
    project = django_project(example="bookshop")
    (project.root / "pyproject.toml").write_text(
        '[tool.djgen]\nlayout = "api"\nnested_serializers = true\npagination = "cursor"\n'
    )
    written = generate_into(project, "catalog")
    assert {p.relative_to(project.app_dir("catalog")).as_posix() for p in written} == {
        "api/__init__.py",
        "api/serializers.py",
        "api/filters.py",
        "api/pagination.py",
        "api/views.py",
        "api/urls.py",
        "api/permissions.py",
        "admin.py",
    }
    project.write(
        "catalog/urls.py",
        "from django.urls import include, path\n\n"
        'urlpatterns = [path("", include("catalog.api.urls"))]\n',
    )
    project.check()
    value = project.run(FreshDatabase(), Python(CURSOR_SNIPPET))[-1].value
    assert value["seen"] == [f"review {i}" for i in reversed(range(5))]  # -created, every one once
    assert value["pages"] == 3
    assert value["nested"]["publisher_detail"]["name"] == "P"
    assert value["review"]["book_detail"]["title"] == "B"


# -- varied models: every common field, relations, inheritance, packages ---------------------

EVERYTHING = {
    "big": 5,
    "flag": True,
    "name": "Widget",
    "day": "2024-02-03",
    "amount": "12.50",
    "span": "01:00:00",
    "email": "w@example.com",
    "path": "",
    "ratio": 0.5,
    "address": "10.0.0.1",
    "count": 7,
    "payload": {"a": [1, 2]},
    "pbig": 1,
    "pint": 2,
    "psmall": 3,
    "slug": "widget",
    "small": -1,
    "body": "long text",
    "at": "12:30:00",
    "url": "https://example.com",
}


def test_corpus_apps_end_to_end(django_project) -> None:
    project = django_project(APPS)
    for app in project.apps:
        generate_into(project, app)
    project.run(Manage("check"), Manage("makemigrations"))
    base = "/api"
    requests = [
        # fields_app: every common field class
        post(f"{base}/fields_app/everythings/", EVERYTHING),  # 0
        get(
            f"{base}/fields_app/everythings/", {"amount_min": "10", "flag": "true", "name": "widg"}
        ),
        get(f"{base}/fields_app/everythings/", {"day_after": "2025-01-01"}),
        post(f"{base}/fields_app/no-texts/", {"value": 3, "measured": "2024-01-01T10:00:00Z"}),
        get(f"{base}/fields_app/no-texts/", {"value_max": 5, "ordering": "-value"}),
        # relations: self FK, user FK, plain M2M (writable), M2M through (read-only)
        post(f"{base}/relations/categories/", {"name": "Root"}),  # 5
        post(f"{base}/relations/categories/", {"name": "Child", "parent": 1}),
        post(f"{base}/relations/tags/", {"label": "django"}),
        post(
            f"{base}/relations/articles/",
            {"title": "Hello", "category": 2, "tags": [1], "related": [], "contributors": [1]},
        ),
        get(f"{base}/relations/categories/", {"parent": 1}),
        get(f"{base}/relations/articles/", {"category": 2, "search": "hell"}),  # 10
        post(f"{base}/relations/people/", {"name": "Pat"}),
        post(f"{base}/relations/contributions/", {"article": 1, "person": 1}),
        get(f"{base}/relations/articles/1/"),
        # inherit: multi-table children, proxies, UUID and natural pks
        post(
            f"{base}/inherit/pizzerias/",
            {"owner_name": "Mo", "name": "Slice", "address": "1 St", "ovens": 2},
        ),
        get(f"{base}/inherit/places/"),  # 15
        get(f"{base}/inherit/place-proxies/", {"search": "slice"}),
        get(f"{base}/inherit/proxy-of-proxies/"),
        get(f"{base}/inherit/pizzerias/1/"),
        patch(f"{base}/inherit/pizzerias/1/", {"ovens": 4, "name": "Slice 2"}),
        post(f"{base}/inherit/tickets/", {"code": "T1"}),  # 20
        post(f"{base}/inherit/codeds/", {"code": "ABC", "label": "first"}),
        get(f"{base}/inherit/codeds/ABC/"),
        post(
            f"{base}/inherit/branches/",
            {"owner_name": "Bo", "name": "B1", "address": "2 St", "opened": "2024-05-01"},
        ),
        get(f"{base}/inherit/branches/", {"opened_after": "2024-01-01", "ordering": "name"}),
        # aliases, the models/ package, cross-app inheritance
        post(f"{base}/aliases/shelves/", {"code": "ab", "name": "Top"}),  # 25
        post(f"{base}/aliases/boxes/", {"shelf": 1, "label": "x", "weight": "1.50"}),
        post(f"{base}/shapes/widgets/", {"title": "W", "size": 2}),
        post(f"{base}/shapes/gadgets/", {"title": "G", "widget": 1}),
        get(f"{base}/shapes/gadgets/", {"widget": 1, "active": "true"}),
        post(f"{base}/market/listings/", {"title": "L", "tag": 1, "price": "9.99"}),  # 30
        get(f"{base}/market/listings/", {"price_max": "10", "tag": 1}),
        get(f"{base}/generic/pages/", {"kind": 1}),
        delete(f"{base}/inherit/pizzerias/1/"),
        get(f"{base}/inherit/places/"),
    ]
    (*_, api) = project.run(FreshDatabase(migrate=True), Api(requests))
    r = api.value
    created = [0, 3, 5, 6, 7, 8, 11, 12, 14, 20, 21, 23, 25, 26, 27, 28, 30]
    bad = [(i, r[i].status, r[i].json) for i in created if r[i].status != 201]
    assert not bad, bad
    everything = r[0].json
    # a token (editable=False) is a secret: never in a public serializer
    assert everything["payload"] == {"a": [1, 2]} and "token" not in everything
    assert everything["amount"] == "12.50" and everything["span"] == "01:00:00"
    assert [e["name"] for e in results(r[1])] == ["Widget"]
    assert results(r[2]) == []
    assert [n["value"] for n in results(r[4])] == [3]
    assert r[8].json["tags"] == [1] and r[8].json["contributors"] == []
    assert [c["name"] for c in results(r[9])] == ["Child"]
    assert [a["title"] for a in results(r[10])] == ["Hello"]
    assert r[13].json["contributors"] == [1]
    pizzeria = r[14].json
    assert pizzeria["id"] == 1 and pizzeria["created"] and pizzeria["ovens"] == 2
    assert "place_ptr" not in pizzeria and "restaurant_ptr" not in pizzeria
    assert [p["name"] for p in results(r[15])] == ["Slice"]
    assert [p["name"] for p in results(r[16])] == ["Slice"]
    assert [p["name"] for p in results(r[17])] == ["Slice"]
    assert r[18].json["serves_pizza"] is False
    assert r[19].status == 200 and (r[19].json["ovens"], r[19].json["name"]) == (4, "Slice 2")
    assert len(r[20].json["id"]) == 36  # a server-made UUID
    assert r[22].json == {"code": "ABC", "label": "first"}
    assert [b["name"] for b in results(r[24])] == ["B1"] and "place" not in r[23].json
    assert r[25].json["code"] == "ab"  # stored upper-case by the custom field, read back as saved
    assert [g["title"] for g in results(r[29])] == ["G"]
    assert [x["title"] for x in results(r[31])] == ["L"]
    assert r[32].status == 200
    assert r[33].status == 204
    assert [p["name"] for p in results(r[34])] == ["B1"]  # the branch is a place too
    assert_admin_pages_work(
        project,
        project.apps,
        {
            "Everything",
            "NoText",
            "Category",
            "Tag",
            "Article",
            "Person",
            "Contribution",
            "Place",
            "Restaurant",
            "Pizzeria",
            "PlaceProxy",
            "ProxyOfProxy",
            "Ticket",
            "Coded",
            "Branch",
            "Shelf",
            "Box",
            "Widget",
            "Gadget",
            "Note",
            "Page",
            "Listing",
        },
    )


USERS_SNIPPET = """
from django.contrib.auth import get_user_model
from catalog.models import Publisher

User = get_user_model()
result = {
    name: User.objects.create_user(name, f"{name}@example.com", "pw").pk for name in ("ann", "bob")
}
result["publisher"] = Publisher.objects.create(name="Faber").pk
"""


def test_anonymous_writes_are_refused_and_owners_come_from_the_request(django_project) -> None:
    """Secure without any project settings: the viewsets declare their own permissions."""
    project = django_project(example="bookshop")
    generate_into(project, "catalog")
    project.run(Manage("makemigrations", "catalog"))
    new_book = book("Owned", "4444444444444", price="9.00")
    results_ = project.run(
        FreshDatabase(),
        Python(USERS_SNIPPET),
        Api(
            [
                dj.post("/api/books/", {**new_book, "publisher": 1}),  # anonymous
                dj.post("/api/books/", {**new_book, "publisher": 1, "added_by": 2}, user="ann"),
                dj.patch("/api/books/1/", {"title": "Bob's"}, user="bob"),
                dj.delete("/api/books/1/", user="bob"),
                dj.patch("/api/books/1/", {"title": "Ann's"}, user="ann"),
                dj.patch("/api/books/1/", {"title": "Staff's"}, user=EDITOR),
                dj.get("/api/books/1/"),  # anonymous reads
                dj.post("/api/publishers/", {"name": "Anon"}),  # unowned: still no anonymous writes
                dj.post("/api/publishers/", {"name": "Bob's"}, user="bob"),
            ]
        ),
    )
    users = results_[1].value
    responses = results_[2].value
    statuses = [r.status for r in responses]
    assert statuses == [403, 201, 403, 403, 200, 200, 200, 403, 201], [
        (r.status, r.json) for r in responses
    ]
    created = responses[1].json
    assert created["added_by"] == users["ann"], "the owner comes from the request, not the body"
    assert responses[6].json["title"] == "Staff's"


ADMIN_QUERIES_SNIPPET = """
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Book, Publisher

User = get_user_model()
client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw"))
counts = []
for rows in (5, 25):
    Book.objects.all().delete()
    for i in range(rows):
        publisher = Publisher.objects.create(name=f"P{rows}-{i}")
        Book.objects.create(
            title=f"B{i}", isbn=f"{rows:02d}{i:011d}", price="1.00", pages=1, publisher=publisher
        )
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/admin/catalog/book/")
    assert page.status_code == 200, page.status_code
    counts.append(len(queries))
result = counts
"""


def test_admin_changelist_queries_do_not_grow_with_rows(django_project) -> None:
    """list_select_related joins the FKs list_display shows: 5 and 25 rows, same queries."""
    project = django_project(example="bookshop")
    generate_into(project, "catalog")
    project.run(Manage("makemigrations", "catalog"))
    counts = project.run(FreshDatabase(migrate=True), Python(ADMIN_QUERIES_SNIPPET))[-1].value
    assert counts[0] == counts[1], counts
