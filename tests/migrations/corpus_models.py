"""Models files for the migrations tests: every field class, relations, inheritance, Meta
options, indexes, constraints, choices, managers. Each is one app's whole models.py.

Data path: inputs at the start (models.py) of tests that end in Django's own makemigrations.
"""

from __future__ import annotations

FIELDS = """
import datetime
import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_TITLE = 120


def default_code():
    return "X"


class Everything(models.Model):
    big = models.BigIntegerField(default=0)
    small = models.SmallIntegerField(null=True)
    pos = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    pos_small = models.PositiveSmallIntegerField(default=0)
    pos_big = models.PositiveBigIntegerField(null=True, blank=True)
    integer = models.IntegerField(validators=(MinValueValidator(0), MaxValueValidator(10)))
    flt = models.FloatField(default=1.5)
    dec = models.DecimalField(max_digits=10, decimal_places=3, default=Decimal("0.000"))
    flag = models.BooleanField(default=True)
    maybe = models.BooleanField(null=True)
    char = models.CharField(_("label"), max_length=MAX_TITLE, db_index=True)
    code = models.CharField(max_length=5, default=default_code, unique=True)
    text = models.TextField(blank=True, help_text=_("Free text"))
    email = models.EmailField(max_length=200, blank=True)
    slug = models.SlugField(max_length=60, unique=True)
    slug_plain = models.SlugField(db_index=False, blank=True)
    url = models.URLField(max_length=300, blank=True)
    day = models.DateField(default=datetime.date(2020, 1, 1))
    today = models.DateField(default=datetime.date.today)
    moment = models.DateTimeField(default=timezone.now)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    at = models.TimeField(null=True)
    span = models.DurationField(default=datetime.timedelta(minutes=5))
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    ip = models.GenericIPAddressField(protocol="IPv4", null=True)
    ip_any = models.GenericIPAddressField(unpack_ipv4=True, null=True, blank=True)
    file = models.FileField(upload_to="files/%Y/", blank=True)
    plain_file = models.FileField(max_length=200, blank=True)
    path = models.FilePathField(path="/tmp", blank=True)
    data = models.JSONField(default=dict, blank=True)
    items = models.JSONField(default=list)
    raw = models.BinaryField(null=True)
    raw_editable = models.BinaryField(editable=True, blank=True, default=b"")
    column = models.IntegerField(db_column="the_column", null=True, db_comment="a column")
    secret = models.CharField(max_length=10, editable=False, default="", serialize=False)
    msgs = models.CharField(max_length=10, blank=True, error_messages={"blank": "no"})

    class Meta:
        verbose_name = _("everything")
        verbose_name_plural = "everythings"
        get_latest_by = "created"
        db_table_comment = "all the fields"
"""

RELATIONS = """
from django.conf import settings
from django.db import models


class Country(models.Model):
    code = models.CharField(max_length=2, primary_key=True)
    name = models.CharField(max_length=100)


class Person(models.Model):
    name = models.CharField(max_length=100)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="people")
    friends = models.ManyToManyField("self", blank=True)
    mentor = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="mentees")
    groups = models.ManyToManyField("auth.Group", blank=True, related_query_name="member")


class Club(models.Model):
    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(Person, through="Membership", related_name="clubs")
    owner = models.ForeignKey("Person", on_delete=models.RESTRICT, to_field="id",
                              related_name="owned", db_constraint=False)


class Membership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    club = models.ForeignKey(Club, on_delete=models.CASCADE)
    since = models.DateField(null=True)
    role = models.CharField(max_length=20, default="member")

    class Meta:
        unique_together = ("person", "club")
        ordering = ["-since"]


class Visit(models.Model):
    country = models.ForeignKey(Country, on_delete=models.DO_NOTHING, db_index=False)
    who = models.ForeignKey(Person, models.CASCADE, limit_choices_to={"name__startswith": "A"})
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           related_name="+")
"""

INHERITANCE = """
from django.db import models


class Stamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created"]


class Named(Stamped):
    name = models.CharField(max_length=50)

    class Meta(Stamped.Meta):
        abstract = True
        get_latest_by = "created"


class Place(models.Model):
    address = models.CharField(max_length=200)


class Restaurant(Place):
    serves_pizza = models.BooleanField(default=False)


class Pizzeria(Restaurant):
    oven = models.CharField(max_length=20, blank=True)


class Shop(Named):
    open = models.BooleanField(default=True)


class Kiosk(Named):
    size = models.IntegerField(default=1)

    class Meta:
        ordering = ["size"]


class Booth(Stamped):
    label = models.CharField(max_length=10)

    class Meta(Stamped.Meta):
        verbose_name = "booth"


class ShopProxy(Shop):
    class Meta:
        proxy = True
        ordering = ["name"]


class Legacy(models.Model):
    key = models.AutoField(primary_key=True)
    note = models.CharField(max_length=10)

    class Meta:
        managed = False
        db_table = "legacy_table"


class Linked(Place):
    place_link = models.OneToOneField(Place, on_delete=models.CASCADE, parent_link=True,
                                      related_name="linked_child")
    extra = models.IntegerField(default=0)
"""

META = """
from django.db import models
from django.db.models import Q, F
from django.db.models.functions import Lower


class Status(models.TextChoices):
    DRAFT = "draft"
    LIVE = "live", "Live now"
    GONE = "gone_away"


class Level(models.IntegerChoices):
    LOW = 1
    HIGH = 2, "High!"


class Article(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", "News"
        OPINION = "op", "Opinion"

    title = models.CharField(max_length=100)
    slug = models.SlugField()
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    level = models.IntegerField(choices=Level.choices, default=Level.LOW)
    kind = models.CharField(max_length=4, choices=Kind.choices, blank=True)
    grouped = models.CharField(
        max_length=3,
        choices=[("Audio", [("mp3", "MP3"), ("ogg", "OGG")]), ("vid", "Video")],
        blank=True,
    )
    mapped = models.CharField(max_length=3, choices={"a": "A", "b": "B"}, blank=True)
    score = models.IntegerField(default=0)
    start = models.IntegerField(default=0)
    end = models.IntegerField(default=1)

    objects = models.Manager()

    class Meta:
        ordering = ("-score", "title")
        unique_together = [["slug", "status"], ("title", "kind")]
        indexes = [
            models.Index(fields=["title"]),
            models.Index(fields=["-score", "status"], name="score_status_idx"),
            models.Index(fields=["slug"], name="partial_slug_idx", condition=Q(score__gt=0)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0), name="score_non_negative"),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")) | Q(end=0), name="start_before_end"
            ),
            models.UniqueConstraint(fields=["title", "slug"], name="uniq_title_slug"),
            models.UniqueConstraint(
                fields=["body"], condition=~Q(status="draft"), name="uniq_live_body"
            ),
        ]
        permissions = [("publish_article", "Can publish")]
        default_permissions = ("add", "change")
        default_related_name = "articles"
        db_table = "news_article"


class Tagged(models.Model):
    name = models.CharField(max_length=20)
    article = models.ForeignKey(Article, on_delete=models.CASCADE)

    class Meta:
        order_with_respect_to = "article"
        indexes = [models.Index(fields=["article", "name"])]
"""

MANAGERS = """
from django.db import models


class PublishedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(published=True)


class MigratedManager(models.Manager):
    use_in_migrations = True


class Post(models.Model):
    published = models.BooleanField(default=False)

    live = PublishedManager()
    objects = models.Manager()


class Note(models.Model):
    text = models.TextField()

    objects = MigratedManager()


class Plain(models.Model):
    text = models.TextField()

    objects = PublishedManager()
"""

EXPRESSIONS = """
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Lower, Now, Upper


class Thing(models.Model):
    name = models.CharField(max_length=50, db_default="x")
    made = models.DateTimeField(db_default=Now())
    a = models.IntegerField(default=1)
    b = models.IntegerField(default=2)
    total = models.GeneratedField(
        expression=F("a") + F("b") * 2, output_field=models.IntegerField(), db_persist=True
    )
    shout = models.GeneratedField(
        expression=Upper("name"), output_field=models.CharField(max_length=50), db_persist=False
    )
    label = models.GeneratedField(
        expression=Concat("name", Value("!")),
        output_field=models.CharField(max_length=60),
        db_persist=True,
    )
    related = models.ForeignKey(
        "self", null=True, on_delete=models.SET(None), related_name="%(class)s_set"
    )

    class Meta:
        indexes = [
            models.Index(Lower("name"), name="lower_name_idx"),
            models.Index(fields=["a"], include=["b"], name="cover_idx"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="uniq_lower_name"),
            models.CheckConstraint(
                condition=Q(a__lt=F("b")), name="a_lt_b", violation_error_message="nope"
            ),
        ]
        ordering = [F("a").desc(nulls_last=True), "b", F("name").asc()]
"""

USER = """
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    bio = models.TextField(blank=True)


class Profile(models.Model):
    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE)
    nickname = models.CharField(max_length=30)
"""

CORPUS = {
    "fieldsapp": FIELDS,
    "relapp": RELATIONS,
    "inheritapp": INHERITANCE,
    "metaapp": META,
    "managerapp": MANAGERS,
    "exprapp": EXPRESSIONS,
}
