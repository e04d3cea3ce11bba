"""Unit tests of the registry, the rendering filters, naming and the four API generators.

Data path under test: models.py → IR (``read_source`` / ``read_app``) → **generator** →
artifacts (→ merge into empty files → ruff, for the layout checks).
"""

from __future__ import annotations

import ast
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from corpus import APPS, INHERITANCE, RELATIONS, USER_APPS

from djgen.generators.core import registry
from djgen.generators.core.artifacts import Artifact, Definition
from djgen.generators.core.config import DjgenConfig
from djgen.generators.core.fieldinfo import UnknownModel
from djgen.generators.core.naming import kebab_case, plural_kebab, pluralize, snake_case
from djgen.generators.core.pipeline import build_context, run_generators
from djgen.generators.core.registry import (
    GENERATOR_NAMES,
    RequirementCycle,
    UnknownGenerator,
    available,
    describe,
    get_generator,
    resolve,
)
from djgen.generators.core.render import TemplateProblem, py, pycall, pychain, pylist, render
from djgen.generators.merge import merge
from djgen.generators.reader import read_app, read_source

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_APP = REPO / "examples" / "bookshop" / "catalog"
API_GENERATORS = ("serializer", "filterset", "viewset", "admin")


def run_ruff(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], capture_output=True, text=True, cwd=cwd
    )


def generate(module, name: str, config: DjgenConfig | None = None, models=None) -> list[Artifact]:
    """One generator's artifacts (its requirements run first, as in the pipeline)."""
    context = build_context(module, config or DjgenConfig(), models=models)
    return run_generators(context, name)[name].artifacts


def definitions(artifacts: list[Artifact], target: str | None = None) -> dict[str, Definition]:
    return {
        d.identity: d
        for a in artifacts
        if target is None or a.target == target
        for d in a.definitions
    }


def class_attrs(code: str) -> dict[str, object]:
    """Top-level assignments in the class body (and its Meta) as Python values where literal
    (tuples, which class attributes are written as, compared as lists)."""
    tree = ast.parse(code)
    cls = next(node for node in tree.body if isinstance(node, ast.ClassDef))
    out: dict[str, object] = {}

    def collect(body: list[ast.stmt], prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                try:
                    value: object = ast.literal_eval(stmt.value)
                    if isinstance(value, tuple):
                        value = list(value)
                except ValueError:
                    value = (
                        " ".join(
                            line.strip()
                            for line in ast.get_source_segment(code, stmt.value).split("\n")
                        )
                        .replace("( ", "(")
                        .replace(" )", ")")
                    )
                out[prefix + stmt.targets[0].id] = value
            elif isinstance(stmt, ast.ClassDef):
                collect(stmt.body, f"{stmt.name}.")

    collect(cls.body, "")
    return out


@pytest.fixture(scope="module")
def bookshop():
    module = read_app(EXAMPLE_APP)
    assert module.ok and module.model("Book") is not None
    return module


# -- naming ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "prefix"),
    [
        ("Book", "books"),
        ("BookReview", "book-reviews"),
        ("Category", "categories"),
        ("Address", "addresses"),
        ("Person", "people"),
        ("Status", "statuses"),
        ("Box", "boxes"),
        ("Day", "days"),
        ("HTTPLog", "http-logs"),
        ("News", "news"),
        ("Branch", "branches"),
    ],
)
def test_url_prefix_is_the_kebab_case_plural(model: str, prefix: str) -> None:
    assert plural_kebab(model) == prefix


def test_case_helpers() -> None:
    assert snake_case("BookReview") == "book_review"
    assert kebab_case("BookReview") == "book-review"
    assert snake_case("HTTPLog") == "http_log"
    assert pluralize("leaf") == "leaves"


# -- rendering filters -----------------------------------------------------------------------


def test_py_writes_double_quoted_literals() -> None:
    assert py("it's") == '"it\'s"'
    assert py('say "hi"') == "'say \"hi\"'"
    assert py(["a", 1, None, True]) == '["a", 1, None, True]'
    assert py(("a",)) == '("a",)'


def test_layout_filters_agree_with_ruff_format(tmp_path: Path) -> None:
    """Hundreds of random lists, calls and call chains laid out by the filters, then
    ``ruff format --check`` with default settings: any disagreement fails."""
    rng = random.Random(20261122)

    def name() -> str:
        return "".join(rng.choice("abcdefgh_") for _ in range(rng.randint(1, 45)))

    lines = ["class V:"]
    for _ in range(400):
        first = [name() for _ in range(rng.randint(0, 5))]
        second = [name() for _ in range(rng.randint(0, 5))]
        model = rng.choice(["Book", "AVeryLongModelNameIndeedForLayoutTesting"])
        calls = [(n, a) for n, a in (("select_related", first), ("prefetch_related", second)) if a]
        if calls:
            head = f"queryset = {model}.objects."
            lines.append("    " + head + pychain(calls, 4, head))
        lines.append("    fields = " + pylist(first + second, 4, "fields = "))
        prefix = f"x_{name()} = serializers.CharField"
        lines.append(
            "    " + prefix + pycall([f"source={py(name())}", "read_only=True"], 4, prefix)
        )
    lines += ["", ""]
    for _ in range(50):
        lines.append("router.register" + pycall([py(name()), name()], 0, "router.register"))
    path = tmp_path / "layout.py"
    path.write_text("\n".join(lines) + "\n")
    result = run_ruff("format", "--isolated", "--diff", str(path))
    assert result.returncode == 0, result.stdout[:4000] + result.stderr


# -- registry --------------------------------------------------------------------------------


def test_contract_names_and_available_generators() -> None:
    assert len(GENERATOR_NAMES) == 13
    assert GENERATOR_NAMES[:4] == API_GENERATORS
    names = available()
    assert names[:4] == list(API_GENERATORS)
    assert names == [n for n in GENERATOR_NAMES if n in names]
    for name in API_GENERATORS:
        descriptor = describe(name)
        assert descriptor.name == name
        assert descriptor.description
        assert descriptor.targets
        assert descriptor.template_dir is not None and descriptor.template_dir.is_dir()
        assert get_generator(name).generate  # loads lazily


def test_unknown_generator_lists_the_valid_names() -> None:
    with pytest.raises(UnknownGenerator) as info:
        get_generator("serialiser")
    message = str(info.value)
    assert "serialiser" in message and "serializer" in message and "websocket" in message


def test_not_yet_implemented_generator_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    # every contract name is implemented now: take one away as an installation without it
    missing = GENERATOR_NAMES[-1]
    present = {k: v for k, v in registry.descriptors().items() if k != missing}
    registry._load.cache_clear()  # an earlier test may have loaded it (the full suite does)
    monkeypatch.setattr(registry, "descriptors", lambda: present)
    try:
        assert missing not in available()
        with pytest.raises(UnknownGenerator, match="not implemented"):
            get_generator(missing)
    finally:
        registry._load.cache_clear()


def _fake_distribution(
    site: Path, name: str, requires: tuple[str, ...], after: tuple[str, ...] = ()
) -> None:
    """A distribution with a ``djgen.generators`` entry point, as pip would install it."""
    package = site / f"djgen_fake_{name}"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            f"""
            from djgen.generators.core.context import GenerationResult
            from djgen.generators.core.descriptors import Descriptor


            class Generator:
                def generate(self, context):
                    return GenerationResult()


            DESCRIPTOR = Descriptor(
                name={name!r},
                description="fake",
                entry="djgen_fake_{name}:Generator",
                requires={requires!r},
                after={after!r},
            )
            """
        )
    )
    info = site / f"djgen_fake_{name}-1.0.dist-info"
    info.mkdir()
    metadata = f"Metadata-Version: 2.1\nName: djgen-fake-{name}\nVersion: 1.0\n"
    (info / "METADATA").write_text(metadata)
    (info / "entry_points.txt").write_text(
        f"[djgen.generators]\n{name} = djgen_fake_{name}:DESCRIPTOR\n"
    )


def test_a_new_generator_registers_through_the_entry_point(monkeypatch, tmp_path: Path) -> None:
    _fake_distribution(tmp_path, "audit", ("viewset",))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.reload()
    try:
        assert "audit" in available()
        assert describe("audit").origin == "djgen-fake-audit"
        assert resolve(["audit"]) == ["serializer", "filterset", "viewset", "audit"]
    finally:
        monkeypatch.undo()
        registry.reload()
    assert "audit" not in available()


def test_a_requirement_cycle_is_reported(monkeypatch, tmp_path: Path) -> None:
    _fake_distribution(tmp_path, "left", ("right",))
    _fake_distribution(tmp_path, "right", ("left",))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.reload()
    try:
        with pytest.raises(RequirementCycle, match=r"left -> right -> left|right -> left -> right"):
            resolve(["left"])
    finally:
        monkeypatch.undo()
        registry.reload()


def test_after_star_runs_after_every_other_selected_generator(monkeypatch, tmp_path) -> None:
    _fake_distribution(tmp_path, "zlast", (), after=("*",))
    _fake_distribution(tmp_path, "alsolast", ("serializer",), after=("*",))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.reload()
    try:
        # listing order would put "tests" (a built-in) before jwt, caching, …; "*" puts it last
        order = resolve(["all"])
        assert order.index("tests") > max(
            order.index(n) for n in order if n not in ("tests", "zlast", "alsolast")
        )
        assert resolve(["zlast", "viewset", "admin"])[-1] == "zlast"
        # two "*" generators: both after the rest, no cycle between them; requires still hold
        order = resolve(["zlast", "alsolast", "admin"])
        assert order[:2] == ["serializer", "admin"] and set(order[2:]) == {"zlast", "alsolast"}
        assert resolve(["tests"]) == ["tests"]  # "after" orders, it adds nothing
    finally:
        monkeypatch.undo()
        registry.reload()


def test_resolve_adds_requirements_and_keeps_contract_order() -> None:
    assert resolve(["viewset"]) == ["serializer", "filterset", "viewset"]
    assert resolve(["admin", "serializer"]) == ["serializer", "admin"]
    assert resolve("admin,filterset") == ["filterset", "admin"]
    everything = resolve(["all"])
    # contract order, except that the viewsets wait for caching (they take its mixin) and the
    # serializers (and viewsets) for relationships (they take its relation plan)
    waiting = ("viewset", "serializer")
    assert [name for name in everything if name in API_GENERATORS and name not in waiting] == [
        name for name in API_GENERATORS if name not in waiting
    ]
    assert everything[:2] == ["filterset", "admin"]
    assert everything.index("relationships") < everything.index("serializer")
    assert everything.index("relationships") < everything.index("viewset")
    assert everything[-1] == "tests"  # after="*": it tests what every other one wrote
    assert everything.index("caching") < everything.index("viewset")
    with pytest.raises(UnknownGenerator):
        resolve(["views"])


# -- serializer ------------------------------------------------------------------------------


def test_serializer_fields_read_only_and_choice_labels(bookshop) -> None:
    (artifact,) = generate(bookshop, "serializer")
    assert artifact.target == "serializers.py"
    defs = definitions([artifact])
    assert list(defs) == [
        "AuthorSerializer",
        "PublisherSerializer",
        "BookSerializer",
        "AuthorshipSerializer",
        "ReviewSerializer",
    ]
    book = class_attrs(defs["BookSerializer"].code)
    assert book["Meta.model"] == "Book"
    assert book["Meta.fields"] == [
        "id",
        "title",
        "isbn",
        "status",
        "status_display",
        "price",
        "pages",
        "published",
        "publisher",
        "added_by",
        "authors",
    ]
    # the pk and the M2M with a through model are read-only; FKs stay writable
    # the owner (the only FK to the user model) is set from the request, never written
    assert book["Meta.read_only_fields"] == ["id", "added_by", "authors"]
    assert 'serializers.CharField(source="get_status_display", read_only=True)' in (
        defs["BookSerializer"].code
    )
    review = class_attrs(defs["ReviewSerializer"].code)
    assert review["Meta.read_only_fields"] == ["id", "created"]
    assert {(i.module, i.name) for i in artifact.imports} >= {
        ("rest_framework", "serializers"),
        (".models", "Book"),
    }


def test_serializer_nesting_orders_targets_first_and_skips_self_and_cycles() -> None:
    source = textwrap.dedent(
        """
        from django.db import models

        class Node(models.Model):
            parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
            partner = models.ForeignKey("Pair", null=True, on_delete=models.SET_NULL)

        class Pair(models.Model):
            node = models.ForeignKey(Node, on_delete=models.CASCADE)

        class Leaf(models.Model):
            pair = models.OneToOneField(Pair, on_delete=models.CASCADE)
        """
    )
    module = read_source(source, app_label="graph")
    (artifact,) = generate(module, "serializer", DjgenConfig(nested_serializers=True))
    defs = definitions([artifact])
    # Node → Pair is nested first; Pair → Node would close a cycle, so it stays a plain pk.
    assert list(defs) == ["PairSerializer", "NodeSerializer", "LeafSerializer"]
    node = class_attrs(defs["NodeSerializer"].code)
    assert node["partner_detail"] == 'PairSerializer(source="partner", read_only=True)'
    assert "parent_detail" not in node
    assert "node_detail" not in class_attrs(defs["PairSerializer"].code)
    assert class_attrs(defs["LeafSerializer"].code)["Meta.fields"] == [
        "id",
        "pair",
        "pair_detail",
    ]
    assert set(defs["PairSerializer"].before) == {"NodeSerializer", "LeafSerializer"}
    # asking for Leaf alone still brings the serializer it nests
    (only,) = generate(module, "serializer", DjgenConfig(nested_serializers=True), ["Leaf"])
    assert [d.name for d in only.definitions] == ["PairSerializer", "LeafSerializer"]


def test_inheritance_proxies_and_custom_pks() -> None:
    module = read_source(INHERITANCE, app_label="inherit")
    artifacts = generate(module, "serializer")
    defs = definitions(artifacts)
    # abstract models get nothing
    assert "StampedSerializer" not in defs and "OwnedSerializer" not in defs
    pizzeria = class_attrs(defs["PizzeriaSerializer"].code)
    # a two-level multi-table child lists its parents' fields, with `id` for the pk
    assert pizzeria["Meta.fields"] == [
        "id",
        "created",
        "updated",
        "owner_name",
        "parent",
        "name",
        "address",
        "serves_pizza",
        "ovens",
    ]
    assert "place_ptr" not in str(pizzeria) and "restaurant_ptr" not in str(pizzeria)
    proxy = class_attrs(defs["ProxyOfProxySerializer"].code)
    assert proxy["Meta.model"] == "ProxyOfProxy"
    assert proxy["Meta.fields"] == class_attrs(defs["PlaceSerializer"].code)["Meta.fields"]
    # the explicit parent link `place` is not a field of Branch's API
    branch = class_attrs(defs["BranchSerializer"].code)
    assert "place" not in branch["Meta.fields"] and branch["Meta.fields"][0] == "id"
    # UUID pk with a default: read-only; a natural CharField pk: writable
    ticket = class_attrs(defs["TicketSerializer"].code)
    assert ticket["Meta.fields"][0] == "id" and "id" in ticket["Meta.read_only_fields"]
    assert "updated" not in ticket["Meta.fields"]
    coded = class_attrs(defs["CodedSerializer"].code)
    assert coded["Meta.fields"] == ["code", "label"]
    assert "Meta.read_only_fields" not in coded


def test_model_selection() -> None:
    module = read_source(INHERITANCE, app_label="inherit")
    (artifact,) = generate(module, "serializer", models=["Coded"])
    assert [d.name for d in artifact.definitions] == ["CodedSerializer"]
    assert generate(module, "admin", models=["Stamped"]) == []  # abstract: nothing
    with pytest.raises(UnknownModel, match="Nope"):
        generate(module, "serializer", models=["Nope"])
    broken = read_source("class Broken(models.Model:\n", app_label="x")
    assert broken.syntax_error is not None
    for name in API_GENERATORS:
        assert generate(broken, name) == []


# -- filterset -------------------------------------------------------------------------------


def test_filterset_lookups_by_field_type(bookshop) -> None:
    artifacts = generate(bookshop, "filterset")
    assert [a.target for a in artifacts] == ["filters.py", "pagination.py"]
    book = class_attrs(definitions(artifacts)["BookFilterSet"].code)
    assert book["title"] == 'filters.CharFilter(lookup_expr="icontains")'
    assert book["price"] == "filters.RangeFilter()"
    assert book["pages"] == "filters.RangeFilter()"
    assert book["published"] == "filters.DateFromToRangeFilter()"
    # exact: FKs, M2M and choices; the pk is not filtered
    assert book["Meta.fields"] == [
        "title",
        "isbn",
        "status",
        "price",
        "pages",
        "published",
        "publisher",
        "added_by",
        "authors",
    ]
    review = class_attrs(definitions(artifacts)["ReviewFilterSet"].code)
    assert review["created"] == "filters.IsoDateTimeFromToRangeFilter()"
    assert "rating" not in review and "rating" in review["Meta.fields"]  # choices: exact


def test_filterset_skips_fields_django_filter_cannot_handle() -> None:
    module = read_source(APPS["fields_app"]["models.py"], app_label="fields_app")
    code = definitions(generate(module, "filterset"))["EverythingFilterSet"].code
    fields = class_attrs(code)["Meta.fields"]
    for skipped in ("payload", "upload", "binary", "id"):
        assert skipped not in fields
    assert {"flag", "name", "amount", "day", "moment"} <= set(fields)
    assert "token" not in fields and "email" not in fields, "secrets and emails: no filter"
    assert "slug" in fields and "slug" not in class_attrs(code), "slugs match exactly"


def test_pagination_classes_and_cursor_ordering(bookshop) -> None:
    page = definitions(generate(bookshop, "filterset"), "pagination.py")
    assert list(page) == [
        "StandardPageNumberPagination",
        "StandardLimitOffsetPagination",
        "StandardCursorPagination",
    ]
    assert class_attrs(page["StandardPageNumberPagination"].code)["page_size"] == 20
    cursor_config = DjgenConfig(pagination="cursor", page_size=5)
    cursor = definitions(generate(bookshop, "filterset", cursor_config), "pagination.py")
    assert class_attrs(cursor["ReviewCursorPagination"].code)["ordering"] == ["-created", "-pk"]
    assert class_attrs(cursor["StandardCursorPagination"].code) == {
        "page_size": 5,
        "page_size_query_param": "page_size",
        "max_page_size": 100,
        "ordering": ["-pk"],
    }
    assert "BookCursorPagination" not in cursor  # no created timestamp: the shared -pk cursor
    views = definitions(generate(bookshop, "viewset", cursor_config), "views.py")
    review = class_attrs(views["ReviewViewSet"].code)
    assert review["pagination_class"] == "ReviewCursorPagination"
    assert review["ordering"] == ["-created", "-pk"]  # OrderingFilter drives the cursor
    assert class_attrs(views["BookViewSet"].code)["ordering"] == ["-pk"]


# -- viewset and urls ------------------------------------------------------------------------


def test_viewset_queryset_filters_search_and_ordering(bookshop) -> None:
    artifacts = generate(bookshop, "viewset")
    views = definitions(artifacts, "views.py")
    book = class_attrs(views["BookViewSet"].code)
    assert book["queryset"] == (
        'Book.objects.select_related("publisher", "added_by").prefetch_related("authors")'
    )
    assert book["serializer_class"] == "BookSerializer"
    assert book["filterset_class"] == "BookFilterSet"
    assert book["filter_backends"] == "(DjangoFilterBackend, SearchFilter, OrderingFilter)"
    assert book["search_fields"] == ["title", "isbn"]
    assert book["ordering"] == ["title"]
    assert book["ordering_fields"][0] == "id" and "price" in book["ordering_fields"]
    assert book["pagination_class"] == "StandardPageNumberPagination"
    authorship = class_attrs(views["AuthorshipViewSet"].code)
    assert "search_fields" not in authorship  # no text fields (role has choices)
    publisher = class_attrs(views["PublisherViewSet"].code)
    assert publisher["queryset"] == "Publisher.objects.all()"
    assert publisher["ordering"] == ["id"]


def test_urls_router_registrations(bookshop) -> None:
    urls = next(a for a in generate(bookshop, "viewset") if a.target == "urls.py")
    defs = urls.definitions
    assert [d.identity for d in defs] == [
        "router",
        "router.register[authors]",
        "router.register[publishers]",
        "router.register[books]",
        "router.register[authorships]",
        "router.register[reviews]",
        "urlpatterns",
    ]
    register = defs[3]
    assert register.code.strip() == 'router.register("books", BookViewSet)'
    assert register.after == ("router", "router.register")
    assert register.before == ("urlpatterns",)
    assert defs[-1].code.strip() == 'urlpatterns = [path("", include(router.urls))]'
    # the example's settings install DRF already: no reminder to wire the API by hand
    assert urls.notes == []


def test_api_layout(bookshop) -> None:
    config = DjgenConfig(layout="api")
    targets = {}
    for name in API_GENERATORS:
        for artifact in generate(bookshop, name, config):
            targets.setdefault(artifact.target, []).append(artifact)
    assert set(targets) == {
        "api/__init__.py",
        "api/serializers.py",
        "api/filters.py",
        "api/pagination.py",
        "api/views.py",
        "api/urls.py",
        "api/permissions.py",
        "admin.py",
    }
    models_imports = {
        i.module for a in targets["api/views.py"] for i in a.imports if i.name == "Book"
    }
    assert models_imports == {"..models"}
    assert {i.module for i in targets["admin.py"][0].imports if i.name == "Book"} == {".models"}


# -- admin -----------------------------------------------------------------------------------


def test_admin_options_by_field_type(bookshop) -> None:
    defs = definitions(generate(bookshop, "admin"))
    book = defs["BookAdmin"]
    assert book.code.startswith("@admin.register(Book)\nclass BookAdmin(admin.ModelAdmin):")
    attrs = class_attrs(book.code)
    assert "authors" not in attrs["list_display"]  # M2M: admin.E109
    assert attrs["list_filter"] == ["status", "published", "publisher"]
    assert attrs["search_fields"] == ["title", "isbn"]
    assert attrs["raw_id_fields"] == ["added_by"]  # the user model
    assert attrs["date_hierarchy"] == "published"
    author = class_attrs(defs["AuthorAdmin"].code)
    assert "bio" not in author["list_display"]  # TextField: not a column
    assert "date_hierarchy" not in author  # two dates


def test_admin_raw_ids_for_self_user_and_plain_m2m() -> None:
    module = read_source(RELATIONS, app_label="relations")
    defs = definitions(generate(module, "admin"))
    article = class_attrs(defs["ArticleAdmin"].code)
    assert article["raw_id_fields"] == ["author", "tags", "related"]
    assert article["list_filter"] == ["category"]
    assert class_attrs(defs["CategoryAdmin"].code)["raw_id_fields"] == ["parent"]


def test_unknown_third_party_fields_are_serialized_but_not_filtered() -> None:
    source = textwrap.dedent(
        """
        from django.db import models
        from money.fields import MoneyField

        class Price(models.Model):
            amount = MoneyField(max_digits=8, decimal_places=2)
            label = models.CharField(max_length=10)
        """
    )
    module = read_source(source, app_label="prices")
    assert module.model("Price").field("amount").internal_type is None
    serializer = class_attrs(definitions(generate(module, "serializer"))["PriceSerializer"].code)
    assert serializer["Meta.fields"] == ["id", "amount", "label"]
    filterset = class_attrs(definitions(generate(module, "filterset"))["PriceFilterSet"].code)
    assert filterset["Meta.fields"] == ["label"]
    admin = class_attrs(definitions(generate(module, "admin"))["PriceAdmin"].code)
    assert admin["list_display"] == ["id", "label"]


def test_user_relations_and_password_hashes() -> None:
    blog = read_source(USER_APPS["blog"]["models.py"], app_label="blog")
    post = class_attrs(definitions(generate(blog, "admin"))["PostAdmin"].code)
    # settings.AUTH_USER_MODEL and get_user_model() both count as the (big) user table
    assert post["raw_id_fields"] == ["author", "editor"]
    assert "list_filter" not in post
    accounts = read_source(USER_APPS["accounts"]["models.py"], app_label="accounts")
    for name in API_GENERATORS:
        for artifact in generate(accounts, name):
            for definition in artifact.definitions:
                assert "password" not in definition.code, definition.code
    user = class_attrs(definitions(generate(accounts, "serializer"))["UserSerializer"].code)
    assert {"username", "groups"} <= set(user["Meta.fields"])
    assert "email" not in user["Meta.fields"], "email addresses are not public by default"
    flags = {"is_staff", "is_superuser", "is_active"} & set(user["Meta.fields"])
    assert flags and flags <= set(user["Meta.read_only_fields"]), "privileged flags read-only"
    exposed = DjgenConfig.from_mapping(
        {"serializer": {"expose": ["User.email"], "writable": ["User.is_active"]}}
    )
    user = class_attrs(
        definitions(generate(accounts, "serializer", exposed))["UserSerializer"].code
    )
    assert "email" in user["Meta.fields"]
    assert "is_active" not in user["Meta.read_only_fields"]


# -- templates -------------------------------------------------------------------------------


def test_project_template_overrides(tmp_path: Path, bookshop) -> None:
    override = tmp_path / "serializer"
    override.mkdir()
    (override / "model.py.j2").write_text(
        "class {{ serializer }}(serializers.ModelSerializer):\n"
        "    class Meta:\n"
        "        model = {{ model }}\n"
        '        fields = "__all__"\n'
    )
    config = DjgenConfig(templates=str(tmp_path))
    code = definitions(generate(bookshop, "serializer", config))["BookSerializer"].code
    assert code == (
        "class BookSerializer(serializers.ModelSerializer):\n"
        "    class Meta:\n"
        "        model = Book\n"
        '        fields = "__all__"\n'
    )
    # the other generators still use the package templates
    assert (
        "class BookFilterSet"
        in definitions(generate(bookshop, "filterset", config))["BookFilterSet"].code
    )
    (override / "model.py.j2").write_text("class {{ nope }}:\n    pass\n")
    with pytest.raises(TemplateProblem, match="nope"):
        render("serializer/model.py.j2", str(tmp_path), model="Book")
    (override / "model.py.j2").write_text("class {% if %}:\n")
    with pytest.raises(TemplateProblem) as info:
        generate(bookshop, "serializer", config)
    assert str(override / "model.py.j2") in str(info.value) and "line 1" in str(info.value)


# -- the generated files pass ruff with default settings ------------------------------------

LONG_NAMES = """\
from django.db import models


class AnExtraordinarilyLongModelNameForLayout(models.Model):
    class Colour(models.TextChoices):
        RED = "r", "Red"

    an_exceptionally_long_field_name_for_testing_layout = models.CharField(max_length=10)
    another_remarkably_long_colour_field_name = models.CharField(
        max_length=1, choices=Colour.choices
    )
    a_relation_with_a_long_descriptive_name = models.ForeignKey(
        "Other", on_delete=models.CASCADE, related_name="+"
    )
    a_second_relation_with_a_long_descriptive_name = models.ForeignKey(
        "Other", on_delete=models.CASCADE, related_name="+"
    )
    many_other_things_with_a_long_name = models.ManyToManyField("Other", related_name="+")


class Other(models.Model):
    name = models.CharField(max_length=10)
"""


@pytest.mark.parametrize(
    "config",
    [
        DjgenConfig(),
        DjgenConfig(layout="api", nested_serializers=True, pagination="cursor"),
    ],
    ids=["default", "api-nested-cursor"],
)
def test_generated_files_pass_ruff_defaults(tmp_path: Path, config: DjgenConfig) -> None:
    sources = {label: files for label, files in APPS.items()}
    sources["longnames"] = {"models.py": LONG_NAMES}
    written = 0
    for label, files in sources.items():
        app = tmp_path / label
        for relative, text in files.items():
            (app / relative).parent.mkdir(parents=True, exist_ok=True)
            (app / relative).write_text(text)
        module = read_app(app)
        assert module.ok, module.syntax_error
        texts: dict[str, str | None] = {}
        for name in API_GENERATORS:
            for artifact in generate(module, name, config):
                texts[artifact.target] = merge(texts.get(artifact.target), artifact).text
        for target, text in texts.items():
            out = tmp_path / "out" / label / target
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text or "")
            written += 1
    assert written >= 7 * 6
    out = tmp_path / "out"
    check = run_ruff(
        # ruff's own defaults (the current ruff's, RUF012 included), plus import sorting
        "check",
        "--isolated",
        "--extend-select",
        "I",
        "--target-version",
        "py310",
        str(out),
    )
    assert check.returncode == 0, check.stdout[:4000]
    fmt = run_ruff("format", "--isolated", "--check", "--diff", str(out))
    assert fmt.returncode == 0, fmt.stdout[:4000] + fmt.stderr[:2000]


FIELD_SOURCES = [
    "models.CharField(max_length=20)",
    "models.TextField()",
    "models.IntegerField(default=0)",
    "models.DecimalField(max_digits=5, decimal_places=2)",
    "models.DateField(null=True)",
    "models.DateTimeField(auto_now_add=True)",
    "models.BooleanField(default=False)",
    'models.CharField(max_length=2, choices=[("a", "A")])',
    "models.JSONField(default=dict)",
    "models.UUIDField(null=True)",
    "models.EmailField()",
    "models.FloatField()",
]


def random_models_source(rng: random.Random) -> str:
    """A models module with 1-4 models with random (often very long) names and fields."""

    def ident(longest: int) -> str:
        text = "".join(rng.choice("abcdefghij_") for _ in range(rng.randint(1, longest)))
        return text.strip("_") or "x"

    names: list[str] = []
    for _ in range(rng.randint(1, 4)):
        name = "M" + "".join(w.title() for w in ident(60).split("_") if w)
        if name not in names:
            names.append(name)
    lines = ["from django.db import models", ""]
    for index, name in enumerate(names):
        lines += ["", f"class {name}(models.Model):", "    pass"]
        used: set[str] = set()
        for _ in range(rng.randint(0, 8)):
            field = "f" + ident(50)
            if field in used:
                continue
            used.add(field)
            roll = rng.random()
            if roll < 0.15 and index > 0:
                target = names[rng.randrange(index)]
                lines.append(
                    f"    {field} = models.ForeignKey({target!r}, models.CASCADE, related_name='+')"
                )
            elif roll < 0.2:
                lines.append(f"    {field} = models.ManyToManyField({name!r}, related_name='+')")
            else:
                lines.append(f"    {field} = {rng.choice(FIELD_SOURCES)}")
    return "\n".join(lines) + "\n"


def test_random_models_generate_ruff_formatted_code(tmp_path: Path) -> None:
    """Random modules (names up to 60 characters) under both layouts: ``ruff format`` leaves
    every generated file alone and ``ruff check`` finds nothing but lines that no formatting
    can shorten (E501 on absurdly long names)."""
    rng = random.Random(7)
    configs = [
        DjgenConfig(),
        DjgenConfig(layout="api", nested_serializers=True, pagination="cursor"),
    ]
    for number in range(40):
        source = random_models_source(rng)
        module = read_source(source, app_label="rand")
        assert module.ok, source
        texts: dict[str, str | None] = {}
        for name in API_GENERATORS:
            for artifact in generate(module, name, configs[number % 2]):
                texts[artifact.target] = merge(texts.get(artifact.target), artifact).text
        for target, text in texts.items():
            out = tmp_path / f"m{number}" / target
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text or "")
    fmt = run_ruff("format", "--isolated", "--check", "--diff", str(tmp_path))
    assert fmt.returncode == 0, fmt.stdout[:4000]
    check = run_ruff(
        "check", "--isolated", "--extend-select", "I", "--ignore", "E501", str(tmp_path)
    )
    assert check.returncode == 0, check.stdout[:4000]


def test_viewsets_use_the_default_manager() -> None:
    """A model whose only manager is not ``objects`` gets that manager (``Model.objects``
    would be an AttributeError at import); ``Meta.default_manager_name`` wins."""
    source = textwrap.dedent(
        """
        from django.db import models


        class Live(models.Manager):
            pass


        class Article(models.Model):
            title = models.CharField(max_length=20)
            live = Live()


        class Note(models.Model):
            body = models.TextField()
            objects = models.Manager()
            live = Live()

            class Meta:
                default_manager_name = "live"
        """
    )
    module = read_source(source, app_label="press")
    views = definitions(generate(module, "viewset"), "views.py")
    assert "queryset = Article.live.all()" in views["ArticleViewSet"].code
    assert "queryset = Note.live.all()" in views["NoteViewSet"].code
