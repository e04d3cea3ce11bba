"""Django's own ``MigrationOptimizer`` on seeded random operation sequences, as the oracle for
djgen's optimizer.

Data path: seed → random Django operations on a few models → Django's ``MigrationWriter``
(the sequence as a migration file, ``before``) and Django's ``MigrationOptimizer`` + writer
(``after``) → JSON on stdout → ``test_migrations_optimizer`` reads ``before`` with djgen's
loader, folds it with djgen's optimizer, writes it with djgen's writer and compares with
``after``.

Run by the test in a subprocess (Django configured there, never in the test process):
``python optimizer_oracle.py FIRST_SEED COUNT LENGTH`` prints a JSON list of
``{"seed", "before", "after"}`` (``after`` None where Django refuses a fold, as a
CreateModel with the same field twice: these random sequences need not be valid histories).
"""

from __future__ import annotations

import json
import random
import sys

import django
from django.conf import settings

APP = "shop"
MODELS = ["Author", "Book", "Shelf", "Tag"]
FIELDS = ["title", "rank", "note", "owner"]


def _field(rng: random.Random):
    from django.db import models

    kind = rng.choice(["char", "int", "fk", "fk", "m2m", "text", "fk_to"])
    if kind == "char":
        return models.CharField(max_length=rng.choice([10, 50]), blank=rng.random() < 0.3)
    if kind == "int":
        return models.IntegerField(default=rng.randint(0, 3))
    if kind == "text":
        return models.TextField(null=True, db_column=rng.choice([None, "col"]))
    if kind == "m2m":
        return models.ManyToManyField(f"{APP}.{rng.choice(MODELS).lower()}")
    target = rng.choice([*MODELS, "auth.User"])
    label = target if "." in target else f"{APP}.{target.lower()}"
    extra = {"to_field": rng.choice(FIELDS)} if kind == "fk_to" else {}
    return models.ForeignKey(label, on_delete=models.CASCADE, **extra)


def _operation(rng: random.Random, names: list[str]):
    from django.db import migrations, models

    model = rng.choice(names)
    field = rng.choice(FIELDS)
    kind = rng.choice(
        ["create", "create", "delete", "add", "add", "add", "alter", "alter", "remove",
         "rename_field", "rename_model", "add_index", "remove_index", "rename_index",
         "add_constraint", "remove_constraint", "alter_constraint", "unique_together",
         "index_together", "options", "table", "table_comment", "order_wrt", "managers"]
    )  # fmt: skip
    if kind == "create":
        fields = [("id", models.AutoField(primary_key=True))]
        for name in rng.sample(FIELDS, rng.randint(0, 3)):
            fields.append((name, _field(rng)))
        options = {}
        if rng.random() < 0.3:
            options["unique_together"] = {tuple(rng.sample(FIELDS, 2))}
        if rng.random() < 0.2:
            options["ordering"] = [rng.choice(FIELDS)]
        return migrations.CreateModel(model, fields=fields, options=options)
    if kind == "delete":
        return migrations.DeleteModel(model)
    if kind == "add":
        return migrations.AddField(model.lower(), field, _field(rng))
    if kind == "alter":
        return migrations.AlterField(model.lower(), field, _field(rng))
    if kind == "remove":
        return migrations.RemoveField(model.lower(), field)
    if kind == "rename_field":
        return migrations.RenameField(model.lower(), field, rng.choice(FIELDS))
    if kind == "rename_model":
        return migrations.RenameModel(model, rng.choice(names))
    # AddIndex names come from their own pool: Django's AddIndex.reduce renames its index in
    # place when it meets a RenameIndex of it, even when the fold is then given up (a pass
    # later the index has the new name); makemigrations never writes both in one migration.
    if kind == "add_index":
        index = models.Index(fields=[field], name=f"idx_{rng.randint(0, 3)}")
        return migrations.AddIndex(model.lower(), index)
    if kind == "remove_index":
        return migrations.RemoveIndex(
            model.lower(), rng.choice(["idx", "ren"]) + f"_{rng.randint(0, 3)}"
        )
    if kind == "rename_index":
        return migrations.RenameIndex(
            model.lower(),
            new_name=f"ren_{rng.randint(0, 3)}",
            old_name=rng.choice(["old", "ren"]) + f"_{rng.randint(0, 3)}",
        )
    if kind in ("add_constraint", "alter_constraint"):
        constraint = models.UniqueConstraint(fields=[field], name=f"uc_{rng.randint(0, 3)}")
        if kind == "add_constraint":
            return migrations.AddConstraint(model.lower(), constraint)
        return migrations.AlterConstraint(model.lower(), constraint.name, constraint)
    if kind == "remove_constraint":
        return migrations.RemoveConstraint(model.lower(), f"uc_{rng.randint(0, 3)}")
    if kind == "unique_together":
        return migrations.AlterUniqueTogether(model, {tuple(rng.sample(FIELDS, 2))})
    if kind == "index_together":
        return migrations.AlterIndexTogether(model, {tuple(rng.sample(FIELDS, 2))})
    if kind == "options":
        return migrations.AlterModelOptions(model, {"ordering": [field]})
    if kind == "table":
        return migrations.AlterModelTable(model, rng.choice([None, f"t_{model.lower()}"]))
    if kind == "table_comment":
        return migrations.AlterModelTableComment(model, "a comment")
    if kind == "managers":
        return migrations.AlterModelManagers(model, [("objects", models.Manager())])
    return migrations.AlterOrderWithRespectTo(model, rng.choice([None, field]))


def _text(operations) -> str:
    from django.db import migrations
    from django.db.migrations.writer import MigrationWriter

    migration = type("Migration", (migrations.Migration,), {"operations": operations})(
        "0001_random", APP
    )
    return MigrationWriter(migration, include_header=False).as_string()


def main(first: int, count: int, length: int) -> None:
    settings.configure(
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
        DATABASES={},
        USE_TZ=True,
    )
    django.setup()
    from django.db.migrations.optimizer import MigrationOptimizer

    out = []
    for seed in range(first, first + count):
        rng = random.Random(seed)
        names = rng.sample(MODELS, rng.randint(2, len(MODELS)))
        operations = [_operation(rng, names) for _ in range(rng.randint(2, length))]
        before = _text(operations)
        try:
            after = _text(MigrationOptimizer().optimize(operations, APP))
        except ValueError:  # a fold Django refuses (a CreateModel with a field twice)
            after = None
        out.append({"seed": seed, "before": before, "after": after})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
