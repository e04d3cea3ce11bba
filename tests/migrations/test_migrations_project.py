"""Project-level cases: dependencies on another app's migrations, a ``models/`` package, the
AppConfig's ``default_auto_field``, and the opt-in fallback that asks Django itself.

Data path: app folders in a real project → api verdict / file → Django's makemigrations.
"""

from __future__ import annotations

import pytest
from mig_oracle import (
    assert_django_agrees,
    assert_same_file,
    django_dry_run,
    write_djgen_migration,
)

from djgen.generators.migrations import django_check
from djgen.generators.migrations.api import detect

pytestmark = pytest.mark.django

AUTHORS = """
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
"""

BOOKS = """
from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey("authors.Author", on_delete=models.CASCADE)
    tags = models.ManyToManyField("auth.Group", blank=True)
"""

PACKAGE_INIT = "from .people import Person\nfrom .places import City\n"
PEOPLE = """
from django.db import models


class Person(models.Model):
    name = models.CharField(max_length=100)
    city = models.ForeignKey("places.City", on_delete=models.SET_NULL, null=True)
"""
PLACES = """
from django.db import models


class City(models.Model):
    name = models.CharField(max_length=100)
"""
SMALL_PK_APPS = """
from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"
    default_auto_field = "django.db.models.AutoField"
"""


def test_cross_app_dependencies_and_leaves(django_project):
    project = django_project({"authors": {"models.py": AUTHORS}, "books": {"models.py": BOOKS}})
    write_djgen_migration(project, "authors")
    expected = django_dry_run(project, "books")
    made = write_djgen_migration(project, "books")
    (name, django_text), *_ = expected.files["books"].items()
    assert made[0] == f"migrations/{name}.py"
    assert ("'authors', '0001_initial'") in made[1]
    assert ("'auth', '0012_alter_user_first_name_max_length'") in made[1]
    assert_same_file(made[1], django_text, "books")
    assert_django_agrees(project)


def test_models_package_and_app_default_auto_field(django_project):
    project = django_project(
        {
            "places": {
                "models/__init__.py": PACKAGE_INIT,
                "models/people.py": PEOPLE,
                "models/places.py": PLACES,
                "apps.py": SMALL_PK_APPS,
            }
        }
    )
    expected = django_dry_run(project, "places")
    verdict = detect(project.app_dir("places"))
    assert verdict.undecidable == []
    assert verdict.descriptions == expected.lines["places"]
    made = write_djgen_migration(project, "places")
    (name, django_text), *_ = expected.files["places"].items()
    assert made[0] == f"migrations/{name}.py"
    assert "models.AutoField(auto_created=True" in made[1]
    assert_same_file(made[1], django_text, "places")
    assert_django_agrees(project)


def test_django_fallback_reports_what_django_says(django_project):
    project = django_project({"authors": {"models.py": AUTHORS}})
    app_dir = project.app_dir("authors")
    cmd = django_check.command(app_dir)
    assert cmd.cwd == project.root and cmd.app_label == "authors"

    answer = django_check.run(app_dir)
    assert answer.error is None, answer.output
    assert answer.changed and answer.lines == ["+ Create model Author"]

    write_djgen_migration(project, "authors")
    answer = django_check.run(app_dir)
    assert answer.error is None and not answer.changed

    project.write("authors/models.py", AUTHORS + "\nimport not_installed_anywhere\n")
    answer = django_check.run(app_dir)
    assert answer.error is not None and "not_installed_anywhere" in answer.error


def test_django_fallback_needs_a_project(tmp_path):
    with pytest.raises(django_check.DjangoCheckError, match=r"no manage\.py"):
        django_check.command(tmp_path)


CONSTANTS = """
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_NAME = 80
COLORS = [("r", "Red"), ("g", "Green")]


class Size(models.TextChoices):
    SMALL = "s"
    LARGE_ONE = "l", _("Large!")


def default_size():
    return "s"
"""

SHIRTS = """
from django.db import models

from shirts import constants
from .constants import COLORS, MAX_NAME, Size


class Status(models.IntegerChoices):
    ON = 1
    OFF_LINE = 0


class Shirt(models.Model):
    name = models.CharField(max_length=MAX_NAME)
    color = models.CharField(max_length=1, choices=COLORS)
    size = models.CharField(max_length=1, choices=Size, default=Size.LARGE_ONE)
    size2 = models.CharField(
        max_length=1, choices=constants.Size.choices, default=constants.default_size
    )
    status = models.IntegerField(choices=Status, default=Status.ON)
"""


def test_values_from_other_project_modules(django_project):
    project = django_project({"shirts": {"models.py": SHIRTS, "constants.py": CONSTANTS}})
    expected = django_dry_run(project, "shirts")
    verdict = detect(project.app_dir("shirts"))
    assert verdict.undecidable == []
    made = write_djgen_migration(project, "shirts")
    (name, django_text), *_ = expected.files["shirts"].items()
    assert made[0] == f"migrations/{name}.py"
    assert_same_file(made[1], django_text, "shirts")
    assert_django_agrees(project)


def test_values_from_other_libraries_are_undecidable(tmp_path):
    app = tmp_path / "shop"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(
        "from django.db import models\n"
        "from somelib import LIMIT\n"
        "from somelib.enums import Color\n\n\n"
        "class Item(models.Model):\n"
        "    name = models.CharField(max_length=LIMIT)\n"
        "    color = models.CharField(max_length=3, choices=Color.choices)\n"
    )
    reasons = "\n".join(detect(app).undecidable)
    assert "somelib.LIMIT" in reasons
    assert "somelib.enums.Color.choices" in reasons


BLOG = """
from django.conf import settings
from django.db import models


class Post(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    editors = models.ManyToManyField("accounts.User", related_name="edited", blank=True)
"""


def test_swappable_user_in_another_app(django_project):
    from corpus_models import USER

    project = django_project(
        {"accounts": {"models.py": USER}, "blog": {"models.py": BLOG}},
        settings={"AUTH_USER_MODEL": "accounts.User"},
    )
    write_djgen_migration(project, "accounts")
    expected = django_dry_run(project, "blog")
    made = write_djgen_migration(project, "blog")
    assert "migrations.swappable_dependency(settings.AUTH_USER_MODEL)" in made[1]
    (name, django_text), *_ = expected.files["blog"].items()
    assert made[0] == f"migrations/{name}.py"
    assert_same_file(made[1], django_text, "blog")
    assert_django_agrees(project)


def test_unsaved_buffers_are_read_through_read_text(tmp_path):
    from djgen.generators.migrations.api import make_migration

    app = tmp_path / "shop"
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    saved = "from django.db import models\n\n\nclass Item(models.Model):\n    pass\n"
    (app / "models.py").write_text(saved)
    path, text = make_migration(app)
    (app / path).write_text(text)
    assert not detect(app).changed

    buffer = saved.replace("    pass\n", "    isbn = models.CharField(max_length=13, null=True)\n")

    def read_text(p):
        return buffer if p.name == "models.py" else None

    verdict = detect(app, read_text=read_text)
    assert verdict.per_model == {"Item": ["add field isbn"]}
    assert verdict.model_messages() == {
        "Item": "Item has changes not in migrations: add field isbn"
    }
    assert not detect(app).changed  # the file on disk is unchanged


CORE = """
from django.db import models


class TimeStamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created"]


class Named(TimeStamped):
    name = models.CharField(max_length=20)

    class Meta(TimeStamped.Meta):
        abstract = True


class Place(models.Model):
    city = models.CharField(max_length=20)
"""

SHOP_ON_CORE = """
from django.db import models

from core import models as core_models
from core.models import Named, TimeStamped


class Colored:
    color = "red"


class Item(TimeStamped):
    label = models.CharField(max_length=10)


class Thing(Colored, Named):
    size = models.IntegerField(default=0)

    class Meta(Named.Meta):
        verbose_name = "thing"


class Store(core_models.Place):
    open = models.BooleanField(default=True)
"""


def test_abstract_bases_and_parents_from_another_app(django_project):
    project = django_project({"core": {"models.py": CORE}, "shop": {"models.py": SHOP_ON_CORE}})
    write_djgen_migration(project, "core")
    expected = django_dry_run(project, "shop")
    verdict = detect(project.app_dir("shop"))
    assert verdict.undecidable == []
    assert verdict.descriptions == expected.lines["shop"]
    made = write_djgen_migration(project, "shop")
    (name, django_text), *_ = expected.files["shop"].items()
    assert made[0] == f"migrations/{name}.py"
    assert_same_file(made[1], django_text, "shop")
    assert_django_agrees(project)
