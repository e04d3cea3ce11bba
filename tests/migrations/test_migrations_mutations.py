"""A series of model edits on one app: after each, djgen's verdict equals Django's, djgen's next
migration is the file Django would write, and with it Django is clean again and migrates.

Data path: models.py edit → reader → current state vs history state → autodetector → verdict
and migration file, against Django's ``makemigrations --dry-run --check`` in a real project.
"""

from __future__ import annotations

import pytest
from mig_oracle import (
    assert_django_agrees,
    assert_same_file,
    django_dry_run,
    migration_name,
    write_djgen_migration,
)

from djgen.generators.migrations.api import NeedsDefault, detect, make_migration

pytestmark = pytest.mark.django

BASE = """
from django.conf import settings
from django.db import models


class Genre(models.TextChoices):
    NOVEL = "novel"
    POETRY = "poetry", "Poems"


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=200)
    genre = models.CharField(max_length=10, choices=Genre.choices, default=Genre.NOVEL)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")

    class Meta:
        ordering = ["title"]
"""

#: (what, [(old, new) replacements in models.py], one-off defaults djgen is given)
MUTATIONS: list[tuple[str, list[tuple[str, str]], dict[str, str] | None]] = [
    (
        "add a field",
        [
            (
                "    genre = ",
                '    isbn = models.CharField("ISBN", max_length=13, blank=True)\n    genre = ',
            )
        ],
        None,
    ),
    (
        "alter a field",
        [("title = models.CharField(max_length=200)", "title = models.CharField(max_length=250)")],
        None,
    ),
    (
        "remove a field",
        [('    isbn = models.CharField("ISBN", max_length=13, blank=True)\n', "")],
        None,
    ),
    (
        "add a non-null field without default",
        [("    genre = ", "    pages = models.PositiveIntegerField()\n    genre = ")],
        {"pages": "0"},
    ),
    (
        "add an auto_now_add field",
        [("    genre = ", "    created = models.DateTimeField(auto_now_add=True)\n    genre = ")],
        {"created": "django.utils.timezone.now"},
    ),
    (
        "add a FK to the user model",
        [
            (
                "    author = models.ForeignKey(Author, on_delete=models.CASCADE, "
                'related_name="books")\n',
                "    author = models.ForeignKey(Author, on_delete=models.CASCADE, "
                'related_name="books")\n'
                "    added_by = models.ForeignKey(\n"
                "        settings.AUTH_USER_MODEL, null=True, blank=True,\n"
                "        on_delete=models.SET_NULL,\n"
                "    )\n",
            )
        ],
        None,
    ),
    (
        "change Meta ordering",
        [('ordering = ["title"]', 'ordering = ["-title", "genre"]')],
        None,
    ),
    (
        "change choices",
        [
            (
                '    POETRY = "poetry", "Poems"\n',
                '    POETRY = "poetry", "Poems"\n    DRAMA = "drama"\n',
            )
        ],
        None,
    ),
    (
        "add an index and a constraint",
        [
            (
                'ordering = ["-title", "genre"]',
                'ordering = ["-title", "genre"]\n'
                '        indexes = [models.Index(fields=["genre", "-title"])]\n'
                "        constraints = [\n"
                '            models.UniqueConstraint(fields=["title", "author"], '
                'name="one_title"),\n'
                '            models.CheckConstraint(condition=~models.Q(title=""), '
                'name="has_title"),\n'
                "        ]",
            )
        ],
        None,
    ),
    (
        "rename an index",
        [
            (
                'indexes = [models.Index(fields=["genre", "-title"])]',
                'indexes = [models.Index(fields=["genre", "-title"], name="genre_title_idx")]',
            )
        ],
        None,
    ),
    (
        "rename a model",
        [
            ("class Author(models.Model):", "class Writer(models.Model):"),
            ("models.ForeignKey(Author,", "models.ForeignKey(Writer,"),
        ],
        None,
    ),
    (
        "nothing that matters (method, comment, argument order, quotes)",
        [
            (
                "title = models.CharField(max_length=250)",
                "title = models.CharField(max_length=250)  # the title\n\n"
                "    def __str__(self):\n        return self.title\n",
            ),
            ('related_name="books"', "related_name='books'"),
        ],
        None,
    ),
    (
        "add models: M2M, unique_together, MTI child, proxy",
        [
            (
                "class Book(models.Model):",
                "class Shelf(models.Model):\n"
                "    label = models.CharField(max_length=20)\n"
                "    room = models.CharField(max_length=20, default='main')\n\n"
                "    class Meta:\n"
                "        unique_together = [('label', 'room')]\n\n\n"
                "class Book(models.Model):\n"
                "    shelves = models.ManyToManyField(Shelf, blank=True)",
            ),
            (
                "$END",
                "\n\nclass Ebook(__BOOK__):\n    url = models.URLField()\n"
                "\n\nclass Classic(__BOOK__):\n    class Meta:\n        proxy = True\n",
            ),
        ],
        None,
    ),
    (
        "remove a constraint, change unique_together, db_table and verbose_name",
        [
            (
                '            models.CheckConstraint(condition=~models.Q(title=""), '
                'name="has_title"),\n',
                "",
            ),
            (
                "unique_together = [('label', 'room')]",
                "unique_together = [('label',)]\n"
                "        db_table = 'shelves'\n"
                "        verbose_name = 'shelf'",
            ),
        ],
        None,
    ),
    (
        "delete models and a field",
        [
            ("\n\nclass Classic(__BOOK__):\n    class Meta:\n        proxy = True\n", ""),
            ("    shelves = models.ManyToManyField(Shelf, blank=True)", ""),
        ],
        None,
    ),
]


def _apply(source: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        old = old.replace("__BOOK__", "Book")
        new = new.replace("__BOOK__", "Book")
        if old == "$END":
            source += new
            continue
        assert old in source, f"test bug: {old!r} not in models.py"
        source = source.replace(old, new, 1)
    return source


def test_mutation_series_matches_django(django_project):
    project = django_project({"library": {"models.py": BASE}})
    app_dir = project.app_dir("library")

    made = write_djgen_migration(project, "library")
    assert made is not None and made[0] == "migrations/0001_initial.py"
    assert_django_agrees(project)

    source = BASE
    for what, edits, defaults in MUTATIONS:
        source = _apply(source, edits)
        project.write("library/models.py", source)
        verdict = detect(app_dir)
        expected = django_dry_run(project, "library")
        assert verdict.undecidable == [], what
        assert verdict.changed == expected.changed, f"{what}: {expected.output}"
        if not verdict.changed:
            assert_django_agrees(project)
            continue
        if defaults:
            # Django (no input) refuses: exit 3; djgen refuses too, naming the field.
            assert expected.returncode == 3, f"{what}: {expected.output}"
            with pytest.raises(NeedsDefault) as refused:
                make_migration(app_dir)
            assert refused.value.field_names == list(defaults)
            made = write_djgen_migration(project, "library", defaults=defaults)
            assert made is not None
        else:
            assert verdict.descriptions == expected.lines.get("library"), (what, expected.output)
            made = write_djgen_migration(project, "library")
            assert made is not None
            (name, django_text), *more = expected.files["library"].items()
            assert not more
            assert migration_name(made[0]) == name, what
            assert_same_file(made[1], django_text, what)
        assert_django_agrees(project)
        assert not detect(app_dir).changed, f"{what}: djgen still sees changes"
