"""Edits to options, managers, inheritance and relations, one at a time: each verdict and file
equals Django's, and Django is clean after djgen's file.

Data path: models.py edit → reader → states → autodetector → writer, against Django's
``makemigrations --dry-run`` in a real project.
"""

from __future__ import annotations

import pytest
from mig_oracle import check_step, write_djgen_migration

pytestmark = pytest.mark.django

BASE = """
from django.db import models


class Level(models.IntegerChoices):
    LOW = 1
    HIGH = 2


class Place(models.Model):
    name = models.CharField(max_length=50)
    level = models.IntegerField(choices=Level.choices, default=Level.LOW)
    note = models.CharField(max_length=20, null=True)
    code = models.CharField(max_length=5, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1), name="level_min"),
        ]
        indexes = [models.Index(fields=["name"], name="place_name_idx")]


class Shop(Place):
    open = models.BooleanField(default=True)


class Legacy(models.Model):
    key = models.CharField(max_length=10, primary_key=True)

    class Meta:
        managed = False
        db_table = "legacy"


class Item(models.Model):
    place = models.ForeignKey(Place, on_delete=models.CASCADE)
    position = models.IntegerField(default=0)
"""

STEPS = [
    (
        "a manager used in migrations",
        [
            (
                "class Item(models.Model):",
                "class ItemManager(models.Manager):\n    use_in_migrations = True\n\n\n"
                "class Item(models.Model):\n    objects = ItemManager()",
            )
        ],
    ),
    (
        "order_with_respect_to",
        [
            (
                "    position = models.IntegerField(default=0)\n",
                "    position = models.IntegerField(default=0)\n\n"
                "    class Meta:\n        order_with_respect_to = 'place'\n",
            )
        ],
    ),
    (
        "null to not null, unique, verbose name",
        [
            (
                "note = models.CharField(max_length=20, null=True)",
                "note = models.CharField('remark', max_length=20, default='')",
            ),
            (
                "code = models.CharField(max_length=5, blank=True)",
                "code = models.CharField(max_length=5, blank=True, unique=True)",
            ),
        ],
    ),
    (
        "constraint message only (AlterConstraint)",
        [
            ('name="level_min")', 'name="level_min", violation_error_message="too low")'),
        ],
    ),
    (
        "remove an index, table name of a child",
        [
            ('        indexes = [models.Index(fields=["name"], name="place_name_idx")]\n', ""),
            (
                "    open = models.BooleanField(default=True)\n",
                "    open = models.BooleanField(default=True)\n\n"
                "    class Meta:\n        db_table = 'the_shops'\n",
            ),
        ],
    ),
    (
        "unmanaged model becomes managed",
        [
            ("        managed = False\n", ""),
        ],
    ),
    (
        "FK becomes M2M",
        [
            (
                "place = models.ForeignKey(Place, on_delete=models.CASCADE)",
                "place = models.ManyToManyField(Place)",
            ),
            ("        order_with_respect_to = 'place'\n", "        ordering = ['position']\n"),
        ],
    ),
    (
        "choices change and a proxy with options",
        [
            ("    HIGH = 2\n", "    HIGH = 2\n    TOP = 3, 'Top!'\n"),
            (
                "class Legacy(models.Model):",
                "class ShopProxy(Shop):\n    class Meta:\n        proxy = True\n"
                "        verbose_name = 'shop view'\n\n\nclass Legacy(models.Model):",
            ),
        ],
    ),
    (
        "proxy options change",
        [
            ("        verbose_name = 'shop view'\n", "        ordering = ['name']\n"),
        ],
    ),
    (
        "delete an MTI child with its proxy, and an M2M field",
        [
            (
                "class Shop(Place):\n    open = models.BooleanField(default=True)\n\n"
                "    class Meta:\n        db_table = 'the_shops'\n\n\n"
                "class ShopProxy(Shop):\n    class Meta:\n        proxy = True\n"
                "        ordering = ['name']\n\n\n",
                "",
            ),
            ("    place = models.ManyToManyField(Place)\n", ""),
        ],
    ),
]


def test_option_edits_match_django(django_project):
    project = django_project({"places": {"models.py": BASE}})
    write_djgen_migration(project, "places")
    check_step(project, "places", "initial state is clean")
    source = BASE
    for what, edits in STEPS:
        for old, new in edits:
            assert old in source, f"test bug: {old!r}"
            source = source.replace(old, new, 1)
        project.write("places/models.py", source)
        check_step(project, "places", what)
