"""Drift end to end: series of model edits on the bookshop and the e2e corpus, each followed by
``djgen check`` (exactly the stale places, exit 1), ``djgen generate --fix-drift --write``
(``djgen check`` clean again), ``manage.py check`` and a real API request; plus a property test
that the fixes leave every user-written byte alone.

Data path under test: models.py → IR → generators (what they would write now) → drift (what the
target files hold) → fixes (LibCST) → files → Django.
"""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path

import pytest
from corpus import APPS
from djangoproject import DjangoProject, Request, build_project, get
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from djgen.generators.core.drift import DriftItem, analyse, fix_text
from djgen.generators.core.pipeline import plan, write
from djgen.generators.reader import read_source

NAMES = "serializer,filterset,viewset,admin"
OPTIONS = (
    "list_display",
    "list_filter",
    "search_fields",
    "raw_id_fields",
    "list_select_related",
    "ordering_fields",
)
SUFFIXES = ("Serializer", "FilterSet", "ViewSet", "Admin")


# -- an oracle independent of core.drift: the lists a file's classes hold -----------------------


def lists_of(text: str) -> dict[tuple[str, str], list[str]]:
    """(class, option) → the strings of that list, for every top-level class."""
    out: dict[tuple[str, str], list[str]] = {}
    for node in ast.parse(text).body:
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
                for inner in statement.body:
                    if isinstance(inner, ast.Assign) and isinstance(inner.value, ast.Tuple):
                        name = inner.targets[0].id  # type: ignore[attr-defined]
                        if name in ("fields", "read_only_fields"):
                            out[(node.name, f"Meta.{name}")] = [
                                e.value
                                for e in inner.value.elts  # type: ignore[attr-defined]
                            ]
            if not isinstance(statement, ast.Assign):
                continue
            name = getattr(statement.targets[0], "id", None)
            value = statement.value
            if name in OPTIONS and isinstance(value, (ast.Tuple, ast.List)):
                out[(node.name, name)] = [e.value for e in value.elts]  # type: ignore[attr-defined]
            elif name == "queryset":
                while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
                    if value.func.attr in ("select_related", "prefetch_related"):
                        out[(node.name, value.func.attr)] = [a.value for a in value.args]  # type: ignore[attr-defined]
                    value = value.func.value
            elif isinstance(value, ast.Call) and getattr(value.func, "attr", "").endswith("Filter"):
                out.setdefault((node.name, "filters"), []).append(name)  # type: ignore[arg-type]
    return out


def base(value: str) -> str:
    return value.lstrip("-^=@$").split("__")[0]


def app_lists(app: Path) -> dict[tuple[str, str, str], list[str]]:
    found = {}
    for path in sorted(app.glob("*.py")):
        if path.name == "models.py":
            continue
        for (cls, option), values in lists_of(path.read_text()).items():
            found[(path.name, cls, option)] = values
    return found


def fresh_lists(app: Path) -> dict[tuple[str, str, str], list[str]]:
    """What generating from scratch would write now (target files read as absent)."""
    found = {}
    for change in plan(app, NAMES, read_text=lambda p: None):
        if change.path.parent != app or not change.new.strip():
            continue
        for (cls, option), values in lists_of(change.new).items():
            found[(change.path.name, cls, option)] = values
    return found


def places(output: str) -> set[tuple[str, str]]:
    """(file name, message) of each line ``djgen check`` printed about drift."""
    out = set()
    for line in output.splitlines():
        path, _, rest = line.partition(":")
        if rest[:1].isdigit():
            out.add((Path(path).name, rest.split(": ", 1)[1]))
    return out


def expected_places(app: Path, model: str, *, removed=(), added=(), renamed=None, gone=None):
    """The messages ``check`` must print, from the oracle: every list element of ``model``'s
    definitions naming a removed field, every (definition, list) that a fresh generation would
    give an added field, renames, and every definition of a deleted model."""
    now = app_lists(app)
    fresh = fresh_lists(app)
    want: set[tuple[str, str]] = set()
    for (file, cls, option), values in now.items():
        if not cls.startswith(model) or cls[len(model) :] not in SUFFIXES:
            continue
        label = cls if option == "filters" else f"{cls}.{option}"
        for value in values:
            if renamed and base(value) == renamed[0]:
                want.add(
                    (
                        file,
                        f"{label} lists {value}, which {model} no longer has; "
                        f"renamed to {renamed[1]}?",
                    )
                )
            elif base(value) in removed:
                verb = "filters on" if option == "filters" else "lists"
                want.add((file, f"{label} {verb} {value}, which {model} no longer has"))
        generated = fresh.get((file, cls, option), [])
        for value in generated:
            if base(value) in added and value not in values:
                if option == "filters":
                    want.add(
                        (file, f"{cls} does not declare a filter for {value}, added to {model}")
                    )
                elif option == "Meta.fields":
                    want.add((file, f"{cls} does not list {value}, added to {model}"))
                else:
                    want.add((file, f"{cls} does not list {value} in {option}, added to {model}"))
    if gone:
        for file, cls, _ in now:
            if cls.startswith(gone) and cls[len(gone) :] in SUFFIXES:
                want.add((file, f"{cls} is for {gone}, which no longer exists"))
        for path in app.glob("urls.py"):
            if f"{gone}ViewSet" in path.read_text():
                want.add(
                    (
                        "urls.py",
                        f"the router registers {gone}ViewSet, whose model {gone} no longer exists",
                    )
                )
    return want


def user_bytes_kept(before: dict[str, str], after: dict[str, str]) -> None:
    """Every changed line of a target file is inside a list literal or a removed definition:
    outside the generated lists, the files are byte-identical."""
    for name, old in before.items():
        new = after[name]
        if old == new:
            continue
        matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            chunk = "\n".join(old.splitlines()[i1:i2] + new.splitlines()[j1:j2])
            assert "# user" not in chunk, f"{name}: a user line changed:\n{chunk}"


def check(project: DjangoProject, app: str) -> tuple[int, str]:
    result = project.djgen("check", app, "--names", NAMES, check=False)
    return result.returncode, result.stdout


def fix(project: DjangoProject, app: str) -> None:
    project.djgen("generate", NAMES, app, "--fix-drift", "--write")


USER_CODE = """

# user: a helper the user wrote, naming fields in strings that are not djgen's lists
def describe_book(book):  # user
    return {"isbn": book.pk, "pages": ("pages", "isbn")}  # user
"""


def edit_models(project: DjangoProject, app: str, fn) -> None:
    path = project.app_dir(app) / "models.py"
    path.write_text(fn(path.read_text()), encoding="utf-8")


# -- the bookshop: add, remove, rename, change type, add a relation, delete a model --------------


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> DjangoProject:
    from djangoproject import copy_example

    project = copy_example(tmp_path_factory.mktemp("drift") / "bookshop", "bookshop")
    project.generate("catalog", NAMES)
    for name in ("serializers.py", "views.py", "admin.py", "filters.py"):
        path = project.app_dir("catalog") / name
        path.write_text(path.read_text() + USER_CODE, encoding="utf-8")
    project.manage("makemigrations", "catalog", "--noinput")
    return project


STEPS = [
    (
        "add a field",
        lambda s: s.replace(
            "    title = models.CharField(max_length=200)\n",
            "    title = models.CharField(max_length=200)\n"
            '    subtitle = models.CharField(max_length=200, blank=True, default="")\n',
            1,
        ),
        {"added": ("subtitle",)},
        "subtitle",
    ),
    (
        "remove a field",
        lambda s: s.replace("    pages = models.PositiveIntegerField()\n", ""),
        {"removed": ("pages",)},
        None,
    ),
    (
        "rename a field",
        # (a default, so that makemigrations --noinput can add it: Django asks about renames)
        lambda s: s.replace(
            '    isbn = models.CharField("ISBN", max_length=13, unique=True)',
            '    isbn13 = models.CharField("ISBN", max_length=13, unique=True, default="")',
        ),
        {"renamed": ("isbn", "isbn13")},
        "isbn13",
    ),
    (
        "change a field's type",
        lambda s: s.replace(
            "    price = models.DecimalField(max_digits=8, decimal_places=2)\n",
            '    price = models.CharField(max_length=20, default="0")\n',
        ),
        {"added": ("price",)},
        "price",
    ),
    (
        "add a relation",
        lambda s: s.replace(
            "    authors = models.ManyToManyField(",
            "    editor = models.ForeignKey(\n"
            "        Author, null=True, blank=True, on_delete=models.SET_NULL,\n"
            '        related_name="edited",\n'
            "    )\n"
            "    authors = models.ManyToManyField(",
            1,
        ),
        {"added": ("editor",)},
        "editor",
    ),
    (
        "delete a model",
        lambda s: s[: s.index("class Review(")].rstrip() + "\n",
        {"gone": "Review"},
        None,
    ),
]


@pytest.mark.django
def test_bookshop_series_of_edits(shop: DjangoProject) -> None:
    app = shop.app_dir("catalog")
    assert check(shop, "catalog") == (0, ""), "freshly generated: no drift"
    for what, edit, change, served in STEPS:
        edit_models(shop, "catalog", edit)
        model = "Book"
        want = expected_places(app, model, **change)
        assert want, what
        code, output = check(shop, "catalog")
        assert code == 1, (what, output)
        assert places(output) == want, (what, output)
        before = {p.name: p.read_text() for p in app.glob("*.py")}
        fix(shop, "catalog")
        after = {p.name: p.read_text() for p in app.glob("*.py")}
        user_bytes_kept(before, after)
        assert all(USER_CODE in after[n] for n in ("serializers.py", "views.py", "admin.py"))
        assert check(shop, "catalog") == (0, ""), what
        # what was fixed now lists all a fresh generation lists (a capped list may keep more)
        fresh = fresh_lists(app)
        for key, values in app_lists(app).items():
            if key[1].startswith(model) and key in fresh:
                assert set(fresh[key]) <= set(values), (what, key)
        shop.check()
        shop.manage("makemigrations", "catalog", "--noinput")
        if served:
            (options, listing) = shop.api(
                [Request("OPTIONS", "/api/books/", user="admin"), get("/api/books/")]
            )
            assert options.status == 200 and listing.status == 200, what
            assert served in options.json["actions"]["POST"], (what, options.json)
    (response,) = shop.api([get("/api/reviews/")])
    assert response.status == 404, "the deleted model's route is gone"


def test_ignore_comment_and_all_fields_are_left_alone(tmp_path: Path) -> None:
    from djangoproject import copy_example

    project = copy_example(tmp_path / "bookshop", "bookshop")
    project.generate("catalog", NAMES)
    app = project.app_dir("catalog")
    serializers = app / "serializers.py"
    text = serializers.read_text()
    text = text.replace("class BookSerializer(", "# djgen: ignore\nclass BookSerializer(", 1)
    text = re.sub(r"(model = Author\n\s+fields = )\([^)]*\)", r'\1"__all__"', text)
    assert 'fields = "__all__"' in text
    serializers.write_text(text)
    edit_models(
        project,
        "catalog",
        lambda s: s.replace("    pages = models.PositiveIntegerField()\n", "").replace(
            "    bio = models.TextField(blank=True)\n", ""
        ),
    )
    module = read_source(
        (app / "models.py").read_text(), app_label="catalog", path=str(app / "models.py")
    )
    report = analyse(module, app, NAMES.split(","))
    files = {(i.path.name, i.definition) for i in report.items}
    assert ("serializers.py", "BookSerializer") not in files, "ignored"
    assert ("serializers.py", "AuthorSerializer") not in files, '"__all__" is the user\'s'
    assert ("views.py", "BookViewSet") in files and ("admin.py", "AuthorAdmin") in files


# -- the rest of the generated API: consumers, routing, the cache table, excludes, declared
# -- fields reading model attributes (source=, field_name= paths), owner fields -------------------

ALL_NAMES = NAMES + ",websocket,caching"


def user_elements(app: Path) -> None:
    """What a user typically adds to generated code, each naming model fields (djgen's drift
    must follow them; they are not '# user' lines: the fix edits exactly these elements)."""
    serializers = app / "serializers.py"
    text = serializers.read_text()
    text = text.replace(
        '    status_display = serializers.CharField(source="get_status_display", read_only=True)\n',
        '    status_display = serializers.CharField(source="get_status_display", read_only=True)\n'
        '    isbn_code = serializers.CharField(source="isbn", read_only=True)\n'
        '    press_name = serializers.CharField(source="publisher.name", read_only=True)\n',
        1,
    )
    text = text.replace('            "status_display",\n', '            "status_display",\n'
                        '            "isbn_code",\n            "press_name",\n', 1)  # fmt: skip
    text, count = re.subn(r"(model = Author\n\s+)fields = \([^)]*\)", r'\1exclude = ("bio",)', text)
    assert count == 1 and "isbn_code" in text
    serializers.write_text(text)
    filters = app / "filters.py"
    text = filters.read_text()
    text = text.replace(
        "    published = filters.DateFromToRangeFilter()\n",
        "    published = filters.DateFromToRangeFilter()\n"
        '    publisher_name = filters.CharFilter(field_name="publisher__name", '
        'lookup_expr="icontains")\n',
        1,
    )
    assert "publisher_name" in text
    filters.write_text(text)


def served_fields(project: DjangoProject, path: str) -> set[str]:
    (options,) = project.api([Request("OPTIONS", path, user="admin")])
    assert options.status == 200, options
    return set(options.json["actions"]["POST"])


MORE_STEPS = [
    (
        "rename a field with choices",
        lambda s: s.replace("    status = models.CharField(max_length=20, choices=", "    state = "
                            "models.CharField(max_length=20, choices="),
        "Book",
        {"renamed": ("status", "state")},
        {
            ("serializers.py", "BookSerializer.status_display reads get_status_display, which "
             "Book no longer has; renamed to state?"),
        },
        ("/api/books/", {"state", "status_display", "isbn_code"}, set()),
    ),
    (
        "rename a relation",
        lambda s: s.replace(
            "    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT, "
            'related_name="books")',
            "    press = models.ForeignKey(\n"
            '        Publisher, null=True, on_delete=models.PROTECT, related_name="books"\n'
            "    )",
        ),
        "Book",
        {"renamed": ("publisher", "press")},
        {
            ("serializers.py", "BookSerializer.press_name reads publisher.name, which Book no "
             "longer has; renamed to press?"),
            ("filters.py", "BookFilterSet lists publisher__name, which Book no longer has; "
             "renamed to press?"),
        },
        ("/api/books/", {"press", "press_name"}, {"publisher"}),
    ),
    (
        "rename the owner",
        lambda s: s.replace("    added_by = models.ForeignKey(", "    owner = models.ForeignKey("),
        "Book",
        {"renamed": ("added_by", "owner")},
        {
            ("views.py", "BookViewSet.owner_field is added_by, which Book no longer has; "
             "renamed to owner?"),
            ("consumers.py", "BookConsumer.owner_field is added_by, which Book no longer has; "
             "renamed to owner?"),
        },
        ("/api/books/", {"owner"}, {"added_by"}),
    ),
    (
        "rename an excluded field",
        lambda s: s.replace(
            "    bio = models.TextField(blank=True)", "    biography = models.TextField(blank=True)"
        ),
        "Author",
        {"renamed": ("bio", "biography")},
        {
            ("serializers.py", "AuthorSerializer.Meta.exclude excludes bio, which Author no "
             "longer has; renamed to biography?"),
        },
        # still excluded: the rename must not expose it
        ("/api/authors/", {"name"}, {"bio", "biography"}),
    ),
    (
        "remove the date field",
        lambda s: s.replace("    published = models.DateField(null=True, blank=True)\n", ""),
        "Book",
        {"removed": ("published",)},
        {("admin.py", "BookAdmin.date_hierarchy is published, which Book no longer has")},
        ("/api/books/", {"state"}, {"published"}),
    ),
    (
        "add a relation to a new model",
        lambda s: s.replace(
            "class Book(models.Model):",
            "class Series(models.Model):\n    name = models.CharField(max_length=50)\n\n\n"
            "class Book(models.Model):",
            1,
        ).replace(
            "    title = models.CharField(max_length=200)\n",
            "    title = models.CharField(max_length=200)\n"
            "    series = models.ForeignKey(Series, null=True, blank=True, "
            "on_delete=models.SET_NULL)\n",
            1,
        ),
        "Book",
        {"added": ("series",)},
        {
            ("cache.py", "DEPENDENCIES[Book] does not list Series, which Book's API now reads"),
            ("cache.py", "DEPENDENCIES has no entry for Series, whose API is cached"),
        },
        ("/api/books/", {"series"}, set()),
    ),
    (
        "rename a many-to-many field",
        lambda s: s.replace("    authors = models.ManyToManyField(", "    writers = models."
                            "ManyToManyField("),
        "Book",
        {"renamed": ("authors", "writers")},
        {
            ("cache.py", "DEPENDENCIES[Book] lists Book.authors.through, but Book no longer has "
             "authors; renamed to writers?"),
            ("cache.py", "M2M_THROUGH lists Book.authors.through, but Book no longer has "
             "authors; renamed to writers?"),
        },
        ("/api/books/", {"writers"}, {"authors"}),
    ),
    (
        "delete a model",
        lambda s: s[: s.index("class Review(")].rstrip() + "\n",
        "Book",
        {"gone": "Review"},
        {
            ("consumers.py", "ReviewConsumer is for Review, which no longer exists"),
            ("routing.py", "a route uses ReviewConsumer, whose model Review no longer exists"),
            ("cache.py", "DEPENDENCIES has an entry for Review, which no longer exists"),
        },
        ("/api/books/", {"writers"}, set()),
    ),
]  # fmt: skip


def check_all(project: DjangoProject, app: str) -> tuple[int, str]:
    result = project.djgen("check", app, "--names", ALL_NAMES, check=False)
    return result.returncode, result.stdout


@pytest.mark.django
@pytest.mark.slow
def test_consumers_cache_excludes_and_sources_series_of_edits(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from djangoproject import copy_example

    monkeypatch.setenv("REDIS_URL", redis_url)
    project = copy_example(tmp_path / "bookshop", "bookshop")
    project.generate("catalog", ALL_NAMES)
    app = project.app_dir("catalog")
    user_elements(app)
    for name in ("serializers.py", "views.py", "consumers.py", "cache.py", "routing.py"):
        path = app / name
        path.write_text(path.read_text() + USER_CODE, encoding="utf-8")
    project.manage("makemigrations", "catalog", "--noinput")
    project.check()
    assert check_all(project, "catalog") == (0, ""), "user elements that still exist: no drift"
    for what, edit, model, change, extra, (route, has, lacks) in MORE_STEPS:
        edit_models(project, "catalog", edit)
        want = expected_places(app, model, **change) | extra
        code, output = check_all(project, "catalog")
        assert code == 1, (what, output)
        assert places(output) == want, (what, output, want)
        before = {p.name: p.read_text() for p in app.glob("*.py")}
        project.djgen("generate", ALL_NAMES, "catalog", "--fix-drift", "--write")
        after = {p.name: p.read_text() for p in app.glob("*.py")}
        user_bytes_kept(before, after)
        assert check_all(project, "catalog") == (0, ""), what
        project.check()
        project.manage("makemigrations", "catalog", "--noinput")
        fields = served_fields(project, route)
        assert has <= fields and not (lacks & fields), (what, fields)
    text = (app / "routing.py").read_text()
    assert "ReviewConsumer" not in text and "BookConsumer" in text
    cache = (app / "cache.py").read_text()
    assert "Review" not in cache.replace(USER_CODE, ""), "entry and import gone"
    (response,) = project.api([get("/api/reviews/")])
    assert response.status == 404


# -- the e2e corpus ------------------------------------------------------------------------------

CORPUS_STEPS = [
    (
        "rename Person.name",
        lambda s: s.replace(
            "class Person(models.Model):\n    name = models.CharField(max_length=100)",
            "class Person(models.Model):\n"
            '    full_name = models.CharField(max_length=100, default="")',
        ),
        "Person",
        {"renamed": ("name", "full_name")},
    ),
    (
        "add a relation to Contribution",
        lambda s: s.replace(
            '    role = models.CharField(max_length=20, default="writer")\n',
            '    role = models.CharField(max_length=20, default="writer")\n'
            "    section = models.ForeignKey(\n"
            '        "relations.Category", null=True, blank=True, on_delete=models.SET_NULL,\n'
            '        related_name="contributions"\n'
            "    )\n",
        ),
        "Contribution",
        {"added": ("section",)},
    ),
    (
        "delete Tag (and Article.tags)",
        lambda s: s.replace(
            "class Tag(models.Model):\n    label = models.SlugField(unique=True)\n\n\n", ""
        ).replace("    tags = models.ManyToManyField(Tag, blank=True)\n", ""),
        "Article",
        {"removed": ("tags",), "gone": "Tag"},
    ),
]


@pytest.mark.django
def test_corpus_series_of_edits(tmp_path: Path) -> None:
    project = build_project(tmp_path / "corpus", {"relations": APPS["relations"]})
    project.generate("relations", NAMES)
    project.manage("makemigrations", "relations", "--noinput")
    app = project.app_dir("relations")
    assert check(project, "relations") == (0, "")
    for what, edit, model, change in CORPUS_STEPS:
        edit_models(project, "relations", edit)
        want = expected_places(app, model, **change)
        code, output = check(project, "relations")
        assert code == 1 and places(output) == want, (what, output, want)
        fix(project, "relations")
        assert check(project, "relations") == (0, ""), what
        project.check()
        project.manage("makemigrations", "relations", "--noinput")
    (response,) = project.api([get("/api/relations/contributions/")])
    assert response.status == 200


# -- property: the fixes touch only djgen's lists ------------------------------------------------

FIELDS = ["isbn", "status", "price", "pages", "published", "publisher", "added_by"]
NEW = {
    "subtitle": 'models.CharField(max_length=200, blank=True, default="")',
    "weight": "models.PositiveIntegerField(default=0)",
    "editor": "models.ForeignKey(Author, null=True, on_delete=models.SET_NULL, related_name='+')",
    "launched": "models.DateField(null=True)",
}
#: Renames (same field class, so drift offers each as a rename).
RENAMES = {
    "isbn": "isbn_new",
    "status": "state",
    "publisher": "press",
    "authors": "writers",
    "added_by": "owner",
}
USER_BLOCKS = [
    "# user: a comment\n",
    'HELPER_FIELDS = ("isbn", "pages")  # user\n',
    "def helper(x):  # user\n    return [x, 'price']  # user\n",
    "class UserThing:  # user\n    search_fields = ('isbn', 'nothing')  # user\n",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], str]:
    from djangoproject import copy_example

    project = copy_example(tmp_path_factory.mktemp("prop") / "bookshop", "bookshop")
    write(plan(project.app_dir("catalog"), ALL_NAMES))
    app = project.app_dir("catalog")
    project.djgen("makemigrations", str(app))  # the history renames are recognised by
    user_elements(app)
    targets = ("serializers.py", "filters.py", "views.py", "admin.py", "urls.py")
    targets += ("consumers.py", "routing.py", "cache.py")
    texts = {p.name: p.read_text() for p in app.glob("*.py") if p.name in targets}
    assert len(texts) == len(targets)
    return app, texts, (app / "models.py").read_text()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    removed=st.sets(st.sampled_from(FIELDS), max_size=4),
    renamed=st.sets(st.sampled_from(sorted(RENAMES)), max_size=3),
    added=st.sets(st.sampled_from(sorted(NEW)), max_size=3),
    blocks=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(USER_BLOCKS)), max_size=4),
    drop_review=st.booleans(),
)
def test_fixes_keep_user_bytes(generated, removed, renamed, added, blocks, drop_review) -> None:
    """Any mix of removed, renamed and added fields and a deleted model, with user code between
    the top-level statements of every target file (consumers, routing and the cache table
    included): the fixes change no user byte, and leave no drift."""
    app, texts, models_text = generated
    removed = removed - renamed
    models = without_fields(models_text, "Book", removed)
    book = models.index("class Book(")
    end = models.index("\nclass ", book + 1)
    body = models[book:end]
    for old in sorted(renamed):
        body = body.replace(f"\n    {old} = models.", f"\n    {RENAMES[old]} = models.", 1)
    models = models[:book] + body + models[end:]
    extra = "".join(f"    {name} = {NEW[name]}\n" for name in sorted(added))
    models = models.replace(
        "    title = models.CharField(max_length=200)\n",
        "    title = models.CharField(max_length=200)\n" + extra,
        1,
    )
    if drop_review:
        models = models[: models.index("class Review(")].rstrip() + "\n"
    # user code between top-level statements of every target file
    files: dict[Path, str] = {}
    for name, text in texts.items():
        lines = text.splitlines(keepends=True)
        tops = sorted(
            {
                min([n.lineno, *(d.lineno for d in getattr(n, "decorator_list", []))]) - 1
                for n in ast.parse(text).body[1:]
            }
        )
        chosen = sorted({(tops[p % len(tops)], b) for p, b in blocks}, reverse=True)
        for at, block in chosen:
            lines[at:at] = [block, "\n\n"]
        files[app / name] = "".join(lines)
    module = read_source(models, app_label="catalog", path=str(app / "models.py"))
    assert module.ok, models

    def read(path: Path) -> str | None:
        return files.get(Path(path))

    report = analyse(module, app, ALL_NAMES.split(","), read_text=read)
    assert report.items or not (removed or renamed or added or drop_review), "always drift"
    for path, items in report.by_path().items():
        old = files[path]
        new = fix_text(old, items)
        ast.parse(new)
        user_bytes_kept({path.name: old}, {path.name: new})
        for item in items:
            if item.kind == "rename":
                assert repr(item.new_name)[1:-1] in new, (item.message, path.name)
        for block, _ in ((b, 0) for _, b in blocks):
            assert old.count(block) == new.count(block), block
        again = analyse(
            module,
            app,
            ALL_NAMES.split(","),
            read_text=lambda p, n=new, q=path: n if Path(p) == q else read(p),
        )
        left = [i for i in again.items if i.path == path]
        assert not left, [i.message for i in left]
    assert all(isinstance(i, DriftItem) for i in report.items)


def without_fields(text: str, model: str, names) -> str:
    """``text`` without the field statements ``names`` of class ``model``."""
    tree = ast.parse(text)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == model)
    drop: set[int] = set()
    for statement in cls.body:
        if isinstance(statement, ast.Assign) and getattr(statement.targets[0], "id", "") in names:
            drop.update(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1))
    return "".join(
        line for number, line in enumerate(text.splitlines(keepends=True), 1) if number not in drop
    )
