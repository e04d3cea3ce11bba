"""Varied models modules for end-to-end tests: the shapes of Django as it is used.

Place in the data path: the input end (models.py → IR → …). Each entry is an app for
``build_project``: ``{app_label: {relative path: source}}``. Every app here is valid Django 5.2 and
passes ``manage.py check`` on its own beside the contrib apps.
"""

from __future__ import annotations

from pathlib import Path

ALL_FIELDS = '''\
import uuid

from django.db import models


class Everything(models.Model):
    big = models.BigIntegerField(default=0)
    binary = models.BinaryField(null=True)
    flag = models.BooleanField(default=False)
    name = models.CharField("Name", max_length=50)
    day = models.DateField(null=True, blank=True)
    moment = models.DateTimeField(auto_now=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    span = models.DurationField(null=True)
    email = models.EmailField(blank=True)
    upload = models.FileField(upload_to="uploads/", blank=True)
    path = models.FilePathField(path="/tmp", blank=True)
    ratio = models.FloatField(null=True)
    address = models.GenericIPAddressField(null=True)
    count = models.IntegerField(default=0)
    payload = models.JSONField(default=dict)
    pbig = models.PositiveBigIntegerField(default=0)
    pint = models.PositiveIntegerField(default=0)
    psmall = models.PositiveSmallIntegerField(default=0)
    slug = models.SlugField(unique=True)
    small = models.SmallIntegerField(default=0)
    body = models.TextField(blank=True)
    at = models.TimeField(null=True)
    url = models.URLField(blank=True)
    token = models.UUIDField(default=uuid.uuid4, editable=False)

    def __str__(self):
        return self.name


class NoText(models.Model):
    """A model without any text field."""

    value = models.IntegerField()
    measured = models.DateTimeField()
    valid = models.BooleanField(default=True)
'''

RELATIONS = """\
from django.conf import settings
from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=80)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["name"]


class Tag(models.Model):
    label = models.SlugField(unique=True)


class Article(models.Model):
    title = models.CharField(max_length=200)
    category = models.ForeignKey(Category, models.PROTECT, related_name="articles")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    tags = models.ManyToManyField(Tag, blank=True)
    contributors = models.ManyToManyField(
        "Person", through="Contribution", related_name="articles"
    )
    related = models.ManyToManyField("self", blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["title"], name="article_title_idx")]


class Person(models.Model):
    name = models.CharField(max_length=100)
    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, null=True)


class Contribution(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE)
    person = models.ForeignKey("relations.Person", on_delete=models.CASCADE)
    role = models.CharField(max_length=20, default="writer")

    class Meta:
        unique_together = ("article", "person")
"""

INHERITANCE = '''\
import uuid

from django.db import models


class Stamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created"]


class Owned(Stamped):
    owner_name = models.CharField(max_length=50)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="%(class)s_children")

    class Meta(Stamped.Meta):
        abstract = True


class Describable:
    """A mixin that is not a model."""

    def describe(self):
        return str(self)


class Place(Owned):
    name = models.CharField(max_length=50)
    address = models.CharField(max_length=80)


class Restaurant(Describable, Place):
    serves_pizza = models.BooleanField(default=False)


class Pizzeria(Restaurant):
    ovens = models.PositiveSmallIntegerField(default=1)


class PlaceProxy(Place):
    class Meta:
        proxy = True
        ordering = ["name"]


class ProxyOfProxy(PlaceProxy):
    class Meta:
        proxy = True


class Ticket(Stamped):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    updated = None
    code = models.CharField(max_length=10, primary_key=False, unique=True)


class Coded(models.Model):
    code = models.CharField(max_length=8, primary_key=True)
    label = models.CharField(max_length=40)


class Branch(Place):
    place = models.OneToOneField(Place, on_delete=models.CASCADE, parent_link=True,
                                 related_name="branch_of")
    opened = models.DateField(null=True)
'''

ALIASES = """\
import django.db.models as m
from django.db import models as dj
from django.db.models import CASCADE, CharField as CF, ForeignKey


class UpperCharField(CF):
    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value.upper() if value else value


class Shelf(dj.Model):
    code = UpperCharField(max_length=10)
    name = CF(max_length=40)


class Box(m.Model):
    shelf = ForeignKey(Shelf, CASCADE)
    label: str = CF(max_length=20, blank=True)
    weight = m.DecimalField("weight", None, 6, 2)
"""

PACKAGE_INIT = """\
from .base import Entity
from .things import Gadget, Widget

__all__ = ["Entity", "Gadget", "Widget"]
"""

PACKAGE_BASE = """\
from django.db import models


class Entity(models.Model):
    title = models.CharField(max_length=100)

    class Meta:
        abstract = True
"""

PACKAGE_THINGS = """\
from django.db import models

from .base import Entity


class Widget(Entity):
    size = models.IntegerField(default=1)


class Gadget(Entity):
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="gadgets")
    active = models.BooleanField(default=True)
"""

GENERIC = """\
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Note(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    text = models.TextField()


class Page(models.Model):
    class Kind(models.IntegerChoices):
        ARTICLE = 1, "Article"
        NEWS = 2

    kind = models.IntegerField(choices=Kind.choices, default=Kind.ARTICLE)
    notes = GenericRelation(Note)
    slug = models.SlugField()
"""

CROSS_APP = """\
from django.db import models

from relations.models import Tag
from shapes.models import Entity


class Listing(Entity):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    price = models.DecimalField(max_digits=9, decimal_places=2)
"""

CROSS_APP_APPS = """\
from django.apps import AppConfig


class MarketConfig(AppConfig):
    default_auto_field = "django.db.models.SmallAutoField"
    name = "market"
"""

#: Apps that go together in one project (market imports from relations and shapes).
APPS: dict[str, dict[str, str]] = {
    "fields_app": {"models.py": ALL_FIELDS},
    "relations": {"models.py": RELATIONS},
    "inherit": {"models.py": INHERITANCE},
    "aliases": {"models.py": ALIASES},
    "shapes": {
        "models/__init__.py": PACKAGE_INIT,
        "models/base.py": PACKAGE_BASE,
        "models/things.py": PACKAGE_THINGS,
    },
    "generic": {"models.py": GENERIC},
    "market": {"models.py": CROSS_APP, "apps.py": CROSS_APP_APPS},
}

CUSTOM_USER = """\
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    bio = models.TextField(blank=True)


class Profile(models.Model):
    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE)
    website = models.URLField(blank=True)
"""

USER_APPS: dict[str, dict[str, str]] = {
    "accounts": {"models.py": CUSTOM_USER},
    "blog": {
        "models.py": """\
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models


class Post(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    editor = models.ForeignKey(get_user_model(), null=True, on_delete=models.SET_NULL,
                               related_name="edited_posts")
    title = models.CharField(max_length=100)
"""
    },
}


#: The blog app of the generated-project contract (Category, Post owned by its author, Tag), as
#: the end-to-end suites build it with `startproject mysite` + `startapp blog` (kept in
#: examples/blog/models.py, which the benchmarks read too).
BLOG_MODELS = (Path(__file__).resolve().parents[1] / "examples" / "blog" / "models.py").read_text(
    encoding="utf-8"
)
