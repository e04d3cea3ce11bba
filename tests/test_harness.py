"""Tests of the Django test harness (``djangoproject.py``) on the bookshop example and on projects
built from sources: the harness is the end of every end-to-end test, so it must itself be right."""

from __future__ import annotations

import socket

import pytest
from djangoproject import (
    Api,
    FreshDatabase,
    Manage,
    ModelMeta,
    Python,
    copy_example,
    get,
    post,
)

pytestmark = pytest.mark.django

BOOKSHOP_MODELS = [
    "catalog.Author",
    "catalog.Publisher",
    "catalog.Book",
    "catalog.Authorship",
    "catalog.Review",
]


def test_example_checks_migrates_and_has_no_missing_migrations(bookshop):
    assert bookshop.migration_files("catalog") == []
    check, make, migrate, again = bookshop.run(
        Manage("check"),
        Manage("makemigrations", "catalog"),
        Manage("migrate", "--noinput"),
        Manage("makemigrations", "--check", "--dry-run"),
    )
    assert "System check identified no issues" in check.stdout
    assert "0001_initial.py" in make.stdout
    assert bookshop.migration_files("catalog") == ["0001_initial.py"]
    assert "Applying catalog.0001_initial... OK" in migrate.stdout
    assert "No changes detected" in again.stdout
    assert bookshop.path("db.sqlite3").is_file()


def test_manage_runs_the_real_manage_py_and_unpacks(bookshop):
    returncode, stdout, stderr = bookshop.manage("check")
    assert returncode == 0, stderr
    assert "System check identified no issues" in stdout
    # Without migrations for catalog, --check must report changes and exit 1.
    result = bookshop.manage("makemigrations", "--check", "--dry-run", check=False)
    assert result.returncode == 1
    assert "Create model Book" in result.stdout


def test_oracle_lists_the_example_models_as_django_sees_them(bookshop):
    meta = bookshop.model_meta()
    assert list(meta) == BOOKSHOP_MODELS
    book = meta["catalog.Book"]
    assert book["ordering"] == ["title"]
    fields = {f["name"]: f for f in book["fields"]}
    assert [f["name"] for f in book["fields"]] == [
        "id", "title", "isbn", "status", "price", "pages", "published", "publisher", "added_by",
        "authors",
    ]  # fmt: skip
    assert (fields["id"]["class"], fields["id"]["primary_key"], fields["id"]["auto_created"]) == (
        "BigAutoField",
        True,
        True,
    )
    assert fields["publisher"]["relation"] == "fk"
    assert fields["publisher"]["related_model"] == "catalog.Publisher"
    assert fields["publisher"]["on_delete"] == "PROTECT"
    assert fields["publisher"]["related_name"] == "books"
    assert fields["added_by"]["related_model"] == "auth.User"
    assert fields["authors"]["class"] == "ManyToManyField"
    assert fields["authors"]["through"] == "catalog.Authorship"
    assert fields["status"]["choices"][0] == ["draft", "Draft"]
    assert meta["catalog.Review"]["fields"][2]["choices"][-1] == [5, "5 stars"]
    assert meta["catalog.Authorship"]["unique_together"] == [["book", "author", "role"]]


SHOP_MODELS = """
from django.db import models


class Stamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Product(Stamped):
    name = models.CharField(max_length=50)
    price = models.DecimalField(max_digits=6, decimal_places=2)


class Special(Product):
    discount = models.PositiveSmallIntegerField(default=0)
"""

SHOP_URLS = """
from django.urls import path
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .models import Product


@api_view(["GET", "POST"])
def products(request):
    if request.method == "POST":
        product = Product.objects.create(**request.data)
        return Response({"id": product.pk, "name": product.name}, status=201)
    rows = Product.objects.order_by("pk")
    return Response([{"name": p.name, "price": str(p.price)} for p in rows])


@api_view(["GET"])
def whoami(request):
    return Response({"user": request.user.get_username() or None})


urlpatterns = [path("products/", products), path("whoami/", whoami)]
"""


def test_built_project_mounts_app_urls_and_answers_api_requests(django_project):
    project = django_project(
        {"shop": {"models.py": SHOP_MODELS, "urls.py": SHOP_URLS}, "apps.blog": {"models.py": ""}}
    )
    assert (project.path("apps/__init__.py")).is_file()
    assert project.app_dir("blog") == project.path("apps/blog")
    created, listed, who, anonymous = project.api(
        [
            post("/api/shop/products/", {"name": "Pen", "price": "1.50"}),
            get("/api/shop/products/"),
            get("/api/shop/whoami/", user="alice"),
            get("/api/shop/whoami/"),
        ]
    )
    assert created.status == 201, created.text
    assert created.json["name"] == "Pen"
    assert listed.json == [{"name": "Pen", "price": "1.50"}]
    assert who.json == {"user": "alice"}
    assert anonymous.json == {"user": None}
    missing = project.api([get("/api/blog/")])[0]  # blog has no urls.py: not mounted
    assert missing.status == 404


def test_oracle_sees_abstract_bases_and_parent_links(django_project):
    project = django_project({"shop": {"models.py": SHOP_MODELS}})
    meta = project.model_meta()
    assert list(meta) == ["shop.Product", "shop.Special", "shop.Stamped"]
    assert meta["shop.Stamped"]["abstract"] is True
    assert [f["name"] for f in meta["shop.Product"]["fields"]] == ["id", "created", "name", "price"]
    special = meta["shop.Special"]
    assert special["parents"] == ["shop.Product"]
    link = special["fields"][0]
    assert (link["name"], link["class"], link["parent_link"], link["auto_created"]) == (
        "product_ptr",
        "OneToOneField",
        True,
        True,
    )


def test_snippets_settings_hooks_and_database_modes(django_project):
    project = django_project(
        {"shop": {"models.py": SHOP_MODELS}},
        settings={"REST_FRAMEWORK": {"PAGE_SIZE": 7}},
        settings_code="DJGEN_FLAG = len(INSTALLED_APPS)",
    )
    value = project.python(
        """
        from decimal import Decimal
        from shop.models import Product
        Product.objects.create(name=params["name"], price=Decimal("2.25"))
        result = {
            "page_size": settings.REST_FRAMEWORK["PAGE_SIZE"],
            "flag": settings.DJGEN_FLAG,
            "prices": list(Product.objects.values_list("price", flat=True)),
        }
        """,
        {"name": "Ink"},
        db="fresh",
    )
    assert value == {"page_size": 7, "flag": 9, "prices": ["2.25"]}
    # "migrations" builds the test database from migration files: none exist yet, so no table.
    project.makemigrations("shop")
    assert project.migration_files("shop") == ["0001_initial.py"]
    count = project.python(
        "from shop.models import Product\nresult = Product.objects.count()", db="migrations"
    )
    assert count == 0


def test_failures_raise_with_the_output_and_stop_the_batch(django_project):
    broken = (
        "from django.db import models\n\n\nclass A(models.Model):\n"
        "    b = models.ForeignKey('Nope', on_delete=models.CASCADE)\n"
    )
    project = django_project({"shop": {"models.py": broken}})
    with pytest.raises(AssertionError) as info:
        project.check()
    message = str(info.value)
    assert "manage.py check" in message
    assert "shop.A.b" in message and "fields.E300" in message

    check, after = project.run(Manage("check", check=False), Python("result = 1"))
    assert check.returncode == 1 and after.value == 1
    with pytest.raises(AssertionError, match=r"fields\.E300"):
        project.run(Manage("check"), Python("result = 1"))

    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        project.python("result = 1 / 0")


def test_a_models_syntax_error_fails_every_step_clearly(django_project):
    project = django_project({"shop": {"models.py": "class (:\n"}})
    first, second = project.run(Manage("check", check=False), ModelMeta(check=False))
    assert first.returncode == second.returncode == 1
    assert "SyntaxError" in first.stderr


def test_fresh_database_then_api_in_one_batch(bookshop):
    setup = """
        from catalog.models import Book, Publisher
        pub = Publisher.objects.create(name="Faber", country="GB")
        Book.objects.create(title="B", isbn="2", price="3.00", pages=10, publisher=pub)
        Book.objects.create(title="A", isbn="1", price="9.50", pages=90, publisher=pub)
        result = [b.title for b in Book.objects.all()]
    """
    fresh, titles, api = bookshop.run(
        FreshDatabase(), Python(setup), Api([get("/api/books/")], check=True)
    )
    assert fresh.ok
    assert titles.value == ["A", "B"]  # Meta.ordering = ["title"]
    assert api.value[0].status == 404  # catalog/urls.py does not exist yet


def test_copy_example_copies_only_tracked_files(tmp_path):
    stray = copy_example(tmp_path / "one")
    assert stray.apps == ["catalog"] and stray.package == "bookshop"
    assert not stray.path("db.sqlite3").exists()
    assert stray.path("catalog/migrations/__init__.py").is_file()
    with pytest.raises(FileExistsError):
        copy_example(tmp_path / "one")


def test_redis_url_is_a_live_private_server(redis_url):
    host, port = redis_url.removeprefix("redis://").removesuffix("/0").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"SET djgen harness\r\nGET djgen\r\n")
        reply = b""
        while reply.count(b"\r\n") < 3:
            reply += sock.recv(64)
    assert reply == b"+OK\r\n$7\r\nharness\r\n"


def test_generated_bookshop_api_runs_end_to_end(bookshop):
    """The whole path on the example: djgen writes the API, Django runs it."""
    bookshop.djgen("generate", "serializer,filterset,viewset,admin", "catalog", "--write")
    assert bookshop.path("catalog/urls.py").is_file()
    setup = """
        from catalog.models import Book, Publisher
        pub = Publisher.objects.create(name="Faber", country="GB")
        Book.objects.create(title="B", isbn="2", price="3.00", pages=10, publisher=pub)
        Book.objects.create(title="A", isbn="1", price="9.50", pages=90, publisher=pub)
    """
    _, _, _, _, api = bookshop.run(
        Manage("check"),
        Manage("makemigrations", "catalog"),
        FreshDatabase(migrate=True),
        Python(setup),
        Api([get("/api/books/", user="admin"), get("/admin/catalog/book/")]),
    )
    books, admin_page = api.value
    assert books.status == 200, books.text
    rows = books.json["results"] if isinstance(books.json, dict) else books.json
    assert [row["title"] for row in rows] == ["A", "B"]
    assert admin_page.status in (200, 302)
