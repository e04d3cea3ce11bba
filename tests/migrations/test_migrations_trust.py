"""Migrations of models whose fields live outside the project or are made by Django itself, each
file equal to Django's ``makemigrations`` (issue 17).

Data path: models.py (django-taggit's TaggableManager, contrib.sessions' AbstractBaseSession, a
CompositePrimaryKey, order_with_respect_to, related names with ``%(class)s`` placeholders from
an abstract base, a model whose only manager is not ``objects``) → reader (installed sources
read statically) → states → autodetector → writer, against Django in a real project with
django-taggit installed.
"""

from __future__ import annotations

import pytest
from mig_oracle import check_step, django_dry_run

from djgen.generators.migrations.api import detect

pytestmark = pytest.mark.django

MODELS = """
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase


class Owned(models.Model):
    owner = models.ForeignKey(
        "auth.User",
        on_delete=models.CASCADE,
        related_name="%(app_label)s_%(class)s_set",
        related_query_name="%(app_label)s_%(class)ss",
    )

    class Meta:
        abstract = True


class Post(Owned):
    title = models.CharField(max_length=100)
    tags = TaggableManager()
    published = models.Manager()


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)


class Article(Owned):
    title = models.CharField(max_length=100)
    tags = TaggableManager(through=TaggedArticle, blank=True, verbose_name="labels")


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


@pytest.fixture
def project(django_project):
    return django_project({"blog": {"models.py": MODELS}}, installed_apps=["taggit"])


def test_initial_migration_equals_django_and_later_edits(project):
    """The initial file equals Django's (TaggableManager as Django's deconstruct() writes it,
    with taggit's leaf migration as dependency; AbstractBaseSession's fields from Django's
    source; the CompositePrimaryKey; no _order field; placeholders kept as written), Django is
    clean after it, and then edits one at a time."""
    expected = django_dry_run(project, "blog")
    text = expected.files["blog"]["0001_initial"]
    assert "taggit.managers.TaggableManager(help_text='A comma-separated list of tags.'" in text
    assert "('taggit', '0006_" in text
    assert "through='blog.TaggedArticle', to='taggit.Tag', verbose_name='labels'" in text
    assert "'_order'" not in text and "CompositePrimaryKey('post_id', 'member'" in text
    verdict = check_step(project, "blog", "initial")
    assert verdict.initial and not verdict.undecidable
    # Django's own view of the result: nothing missing, no spurious AlterField
    assert not detect(project.app_dir("blog")).changed

    models_py = project.app_dir("blog") / "models.py"
    edits = [
        (
            "related_query_name placeholder changed",
            '"%(app_label)s_%(class)ss"',
            '"%(class)s_owned"',
        ),
        ("tags made optional", "tags = TaggableManager()", "tags = TaggableManager(blank=True)"),
        ("tags help text", 'verbose_name="labels")', 'verbose_name="labels", help_text="x")'),
    ]
    for what, old, new in edits:
        source = models_py.read_text(encoding="utf-8")
        assert old in source, what
        models_py.write_text(source.replace(old, new), encoding="utf-8")
        check_step(project, "blog", what)


def test_unfollowable_relation_target_cannot_be_decided(django_project):
    """A relation target computed by a call: Django knows it at run time, djgen says it cannot
    decide (no guessed label, exit 3, no file)."""
    source = MODELS.split("class Owned")[0] + (
        "\n\ndef target():\n    return 'auth.Group'\n\n\n"
        "class Team(models.Model):\n"
        "    group = models.ForeignKey(target(), on_delete=models.CASCADE)\n"
    )
    project = django_project({"teams": {"models.py": source}}, installed_apps=["taggit"])
    django = project.model_meta(["teams"])
    group = next(f for f in django["teams.Team"]["fields"] if f["name"] == "group")
    assert group["related_model"] == "auth.Group"
    verdict = detect(project.app_dir("teams"))
    assert any("target()" in reason for reason in verdict.undecidable), verdict.undecidable
    made = project.djgen("makemigrations", "teams", check=False)
    assert made.returncode == 3, made.report()
    assert project.migration_files("teams") == []
    inspected = project.djgen("inspect", "teams", "--json")
    assert '"related_model": null' in inspected.stdout
