"""The reader never drops a field silently, and reads what lives outside the project — each case
held against Django's own app registry (issue 17).

Data path: models.py → **IR** (``djgen inspect --json``), compared with what Django makes of the
same files in a real project: installed packages' sources (django-taggit's TaggableManager,
contrib.sessions' AbstractBaseSession) read statically, Django 5.2's CompositePrimaryKey, the
``_order`` field of ``order_with_respect_to``, ``%(app_label)s``/``%(class)s`` in related
(query) names, the default manager; and what cannot be read is a Problem with its line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from djangoproject import DjangoProject, build_project

sys.path.insert(0, str(Path(__file__).resolve().parent / "migrations"))
from mig_oracle import (
    assert_django_agrees,
    assert_same_file,
    django_dry_run,
    write_djgen_migration,
)

from djgen.generators.migrations.api import detect

pytestmark = pytest.mark.django

SHOP = """
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from taggit.managers import TaggableManager

from shop.compat import USER_MODEL


class Owned(models.Model):
    owner = models.ForeignKey(
        USER_MODEL,
        on_delete=models.CASCADE,
        related_name="%(app_label)s_%(class)s_set",
        related_query_name="%(app_label)s_%(class)ss",
    )
    people = models.Manager()

    class Meta:
        abstract = True


class Post(models.Model):
    title = models.CharField(max_length=100)
    tags = TaggableManager(blank=True)
    published = models.Manager()


class Note(Owned):
    body = models.TextField()


class Article(models.Model):
    title = models.CharField(max_length=100)
    objects = models.Manager()
    live = models.Manager()

    class Meta:
        default_manager_name = "live"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    body = models.TextField()

    class Meta:
        order_with_respect_to = "post"


class Membership(models.Model):
    pk = models.CompositePrimaryKey("post_id", "member")
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    member = models.CharField(max_length=30)


class Visit(AbstractBaseSession):
    account = models.IntegerField(null=True)

    @classmethod
    def get_session_store_class(cls):
        return None
"""

COMPAT = """
from django.conf import settings

USER_MODEL = getattr(settings, "AUTH_USER_MODEL", "auth.User")
"""


def inspect(project: DjangoProject, *paths: str, check: bool = True) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "djgen.generators", "inspect", "--json", *paths],
        capture_output=True,
        text=True,
        check=False,
        cwd=project.root,
        env=project._env(),
    )
    assert proc.returncode == 0 or not check, proc.stderr
    data = json.loads(proc.stdout)
    return data if isinstance(data, list) else [data]


def fields_of(model: dict[str, Any], key: str = "type") -> list[tuple[Any, ...]]:
    cls = "class" if "class" in model["fields"][0] else key
    return [
        (f["name"], f[cls], f["related_model"], f["primary_key"], f["auto_created"])
        for f in model["fields"]
    ]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> DjangoProject:
    project = build_project(
        tmp_path_factory.mktemp("trust"),
        {"shop": {"models.py": SHOP, "compat.py": COMPAT}},
        installed_apps=["taggit"],
    )
    project.check()
    return project


@pytest.fixture(scope="module")
def ours(shop: DjangoProject) -> dict[str, dict[str, Any]]:
    (module,) = inspect(shop, str(shop.app_dir("shop")))
    return {m["label"]: m for m in module["models"] if not m["abstract"]} | {
        "__problems__": module["problems"]
    }


def test_fields_match_django_registry(shop, ours):
    """TaggableManager is an M2M field to taggit.Tag through taggit.TaggedItem (not a manager),
    AbstractBaseSession's fields come from Django's installed source, CompositePrimaryKey is the
    pk (no implicit id), Comment has Django's _order, USER_MODEL is followed to auth.User."""
    django = shop.model_meta(["shop"])
    concrete = {label: m for label, m in django.items() if not m["abstract"]}
    assert sorted(concrete) == sorted(k for k in ours if k != "__problems__")
    for label, theirs in concrete.items():
        assert fields_of(ours[label]) == fields_of(theirs), label
    assert ours["__problems__"] == []
    tags = next(f for f in ours["shop.Post"]["fields"] if f["name"] == "tags")
    django_tags = next(f for f in django["shop.Post"]["fields"] if f["name"] == "tags")
    assert (
        (tags["relation"], tags["related_model"], tags["through"])
        == (
            django_tags["relation"],
            django_tags["related_model"],
            django_tags["through"],
        )
        == ("m2m", "taggit.Tag", "taggit.TaggedItem")
    )
    assert "tags" not in ours["shop.Post"]["managers"]
    assert [f["name"] for f in ours["shop.Comment"]["fields"]][-1] == "_order"
    assert [f["name"] for f in ours["shop.Visit"]["fields"]][:3] == [
        "session_key",
        "session_data",
        "expire_date",
    ]


def test_related_query_name_placeholders_and_default_manager(shop, ours):
    """``%(app_label)s``/``%(class)s`` substituted as Django's _meta has them (the kwargs keep
    the text, as deconstruct() does), and ``default_manager`` is ``_default_manager.name``."""
    django = shop.python(
        """
        from django.apps import apps
        result = {"managers": {}, "owner": None}
        for model in apps.get_app_config("shop").get_models():
            result["managers"][model._meta.label] = model._default_manager.name
        owner = apps.get_model("shop", "Note")._meta.get_field("owner")
        result["owner"] = [owner.remote_field.related_name, owner.remote_field.related_query_name,
                           owner.deconstruct()[3]["related_query_name"]]
        """
    )
    owner = next(f for f in ours["shop.Note"]["fields"] if f["name"] == "owner")
    assert (
        [
            owner["related_name"],
            owner["related_query_name"],
            owner["kwargs"]["related_query_name"],
        ]
        == django["owner"]
        == ["shop_note_set", "shop_notes", "%(app_label)s_%(class)ss"]
    )
    mine = {label: m["default_manager"] for label, m in ours.items() if label != "__problems__"}
    assert mine == django["managers"]
    assert mine["shop.Post"] == "published"
    assert mine["shop.Article"] == "live"
    assert mine["shop.Note"] == "people"


TYPO = """
from django.db import models


class Book(models.Model):
    title = models.CharFeild(max_length=100)
    pages = models.IntegerField(default=0)
"""


def test_typo_field_class_is_a_problem_and_makemigrations_cannot_decide(django_project):
    project = django_project({"library": {"models.py": TYPO}})
    # Django itself cannot load it: the attribute does not exist
    check = project.manage("check", check=False)
    assert check.returncode != 0 and "CharFeild" in check.output
    (module,) = inspect(project, str(project.app_dir("library")))
    (book,) = module["models"]
    assert [f["name"] for f in book["fields"]] == ["id", "pages"]
    (problem,) = module["problems"]
    assert problem["line"] == 6 and problem["severity"] == "warning"
    assert problem["model"] == "Book"
    assert "models.CharFeild" in problem["message"]
    assert "did you mean models.CharField?" in problem["message"]
    made = project.djgen("makemigrations", "library", check=False)
    assert made.returncode == 3, made.report()
    assert "CharFeild" in made.stderr
    assert project.migration_files("library") == []
    text = project.djgen("inspect", "library")
    assert "CharFeild" in text.stdout


HIDDEN_LIB = """
from django.db import models


class Magic(models.CharField):
    pass
"""

HELPERS = """
from django.db import models


def make_code():
    return models.CharField(max_length=5)
"""

HIDDEN = """
from django.db import models
from magiclib.fields import Magic

from wizard.helpers import make_code


class Spell(models.Model):
    name = models.CharField(max_length=20)
    power = Magic(max_length=10)
    code = make_code()
"""


def test_unreadable_library_and_function_fields_are_never_dropped(
    django_project, tmp_path, monkeypatch
):
    """Django loads a field whose class comes from a library djgen cannot see (on PYTHONPATH,
    not in a site-packages): djgen says so on its line and refuses to write a migration."""
    lib = tmp_path / "hidden"
    (lib / "magiclib").mkdir(parents=True)
    (lib / "magiclib" / "__init__.py").write_text("", encoding="utf-8")
    (lib / "magiclib" / "fields.py").write_text(HIDDEN_LIB, encoding="utf-8")
    project = django_project({"wizard": {"models.py": HIDDEN, "helpers.py": HELPERS}})
    monkeypatch.setenv("PYTHONPATH", str(lib))  # Django sees the library, djgen does not
    django = project.model_meta(["wizard"])
    assert [f["name"] for f in django["wizard.Spell"]["fields"]] == ["id", "name", "power", "code"]
    (module,) = inspect(project, str(project.app_dir("wizard")))
    lines = {p["line"]: p["message"] for p in module["problems"]}
    assert sorted(lines) == [10, 11]
    assert "magiclib.fields" in lines[10] and "cannot tell whether it is a field" in lines[10]
    assert "make_code() is a function" in lines[11]
    made = project.djgen("makemigrations", "wizard", check=False)
    assert made.returncode == 3, made.report()
    assert project.migration_files("wizard") == []


VENV_LIB = """
from django.db import models


class UpperField(models.CharField):
    pass


class SoftManager(models.Manager):
    pass
"""

VENV_MODELS = """
from django.db import models
from fancylib.fields import SoftManager, UpperField


class Label(models.Model):
    code = UpperField(max_length=10)
    soft = SoftManager()
"""


def test_project_venv_next_to_manage_py_is_read(django_project, monkeypatch):
    """A ``.venv`` with pyvenv.cfg next to manage.py: its site-packages are read statically
    (djgen itself runs in another interpreter), so the library's field class is known."""
    project = django_project({"labels": {"models.py": VENV_MODELS}})
    site = project.root / ".venv" / "lib" / "python3.11" / "site-packages"
    (site / "fancylib").mkdir(parents=True)
    (project.root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    (site / "fancylib" / "__init__.py").write_text("", encoding="utf-8")
    (site / "fancylib" / "fields.py").write_text(textwrap.dedent(VENV_LIB), encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(site))  # the project's interpreter would see it
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    django = project.model_meta(["labels"])
    (module,) = inspect(project, str(project.app_dir("labels")))
    assert module["problems"] == []
    (label,) = module["models"]
    assert fields_of(label) == fields_of(django["labels.Label"])
    code = next(f for f in label["fields"] if f["name"] == "code")
    assert code["known"] is True and code["internal_type"] == "CharField"
    assert label["managers"] == ["soft"] and label["default_manager"] == "soft"
    # and the migration is Django's
    expected = django_dry_run(project, "labels")
    made = write_djgen_migration(project, "labels")
    assert made is not None
    ((name, text),) = expected.files["labels"].items()
    assert Path(made[0]).stem == name
    assert_same_file(made[1], text, "labels")
    assert_django_agrees(project)
    assert not detect(project.app_dir("labels")).changed
