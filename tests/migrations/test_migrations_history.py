"""Replaying real migration histories statically gives the state Django's own loader gives:
Django-written migrations, a hand-written one (renames, RunPython/RunSQL, state-only changes)
and a squashed migration made by ``squashmigrations``.

Data path: migrations/*.py → loader (``ast``) → project state, held against Django's
``MigrationLoader(None).project_state()`` in a real project.
"""

from __future__ import annotations

import pytest
from djangoproject import Manage
from mig_oracle import assert_django_agrees, assert_same_file, django_dry_run

from djgen.generators.migrations.api import detect, make_migration
from djgen.generators.migrations.loader import read_history
from djgen.generators.migrations.serialize import serialize
from djgen.generators.migrations.state import Code, canon

pytestmark = pytest.mark.django

DJANGO_STATE = """
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.writer import MigrationWriter

def text(value):
    return MigrationWriter.serialize(value)[0]

loader = MigrationLoader(None, ignore_no_migrations=True)
state = loader.project_state()
models = {}
for (app, _), ms in state.models.items():
    if app != params["app"]:
        continue
    fields = {}
    for name, f in ms.fields.items():
        _, path, args, kwargs = f.deconstruct()
        fields[name] = [path, [text(a) for a in args], {k: text(v) for k, v in kwargs.items()}]
    options = {}
    for key, value in ms.options.items():
        if key in ("unique_together", "index_together"):
            options[key] = sorted(sorted([list(t) for t in value]))
        else:
            options[key] = text(value)
    models[ms.name] = {
        "fields": fields,
        "options": options,
        "bases": [text(b) for b in ms.bases],
        "managers": [[n, text(m)] for n, m in ms.managers],
    }
result = {"models": models, "leaves": [n for _, n in loader.graph.leaf_nodes(params["app"])]}
"""

V1 = """
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
"""

V2 = V1.replace(
    "    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n",
    "    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n"
    "    pages = models.IntegerField(default=0)\n\n"
    "    class Meta:\n"
    '        indexes = [models.Index(fields=["title"])]\n'
    '        unique_together = [("title", "author")]\n',
)

HAND_WRITTEN = """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("library", "{previous}")]

    operations = [
        migrations.RenameField("book", "pages", "page_count"),
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
        migrations.RunSQL(migrations.RunSQL.noop, migrations.RunSQL.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    "book", "title", models.CharField(max_length=300, null=False)
                ),
            ],
        ),
        migrations.RenameModel("Author", "Writer"),
        migrations.AlterModelOptions("book", {{"ordering": ["title"], "verbose_name": "livre"}}),
        migrations.AlterModelTable("writer", "writers"),
    ]
"""

V3 = """
from django.db import models


class Writer(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        db_table = "writers"


class Book(models.Model):
    title = models.CharField(max_length=300)
    author = models.ForeignKey(Writer, on_delete=models.CASCADE)
    page_count = models.IntegerField(default=0)

    class Meta:
        ordering = ["title"]
        verbose_name = "livre"
        indexes = [models.Index(fields=["title"], name="book_title_idx")]
        unique_together = [("title", "author")]
"""

V4 = V3.replace("    page_count", "    blurb = models.TextField(blank=True)\n    page_count")
V5 = V4.replace('        verbose_name = "livre"\n', "")


def _djgen_state(app_dir, app):
    history = read_history(app_dir / "migrations", app)
    state = history.state()
    out = {}
    for ms in state.app_models(app):
        fields = {
            name: [
                fs.path,
                [canon(a) for a in fs.args],
                {k: canon(v) for k, v in fs.kwargs.items()},
            ]
            for name, fs in ms.fields.items()
        }
        options = {}
        for key, value in ms.options.items():
            if key in ("unique_together", "index_together"):
                options[key] = sorted(sorted([list(t) for t in value]))
            elif isinstance(value, Code):
                options[key] = canon(value)
            else:
                options[key] = canon(serialize(value))
        out[ms.name] = {
            "fields": fields,
            "options": options,
            "bases": [canon(b) for b in ms.bases],
            "managers": [[n, canon(m)] for n, m in ms.managers],
        }
    return out, history.leaves


def _django_state(project, app):
    value = project.python(DJANGO_STATE, {"app": app})
    models = {}
    for name, ms in value["models"].items():
        models[name] = {
            "fields": {
                f: [path, [canon(a) for a in args], {k: canon(v) for k, v in kwargs.items()}]
                for f, (path, args, kwargs) in ms["fields"].items()
            },
            "options": {
                k: (v if isinstance(v, list) else canon(v)) for k, v in ms["options"].items()
            },
            "bases": [canon(b) for b in ms["bases"]],
            "managers": [[n, canon(m)] for n, m in ms["managers"]],
        }
    return models, value["leaves"]


def _assert_same_state(project, app):
    mine, my_leaves = _djgen_state(project.app_dir(app), app)
    theirs, their_leaves = _django_state(project, app)
    assert sorted(mine) == sorted(theirs)
    for name in theirs:
        assert mine[name]["fields"] == theirs[name]["fields"], name
        assert list(mine[name]["fields"]) == list(theirs[name]["fields"]), f"{name}: field order"
        assert mine[name]["options"] == theirs[name]["options"], name
        assert mine[name]["bases"] == theirs[name]["bases"], name
        assert mine[name]["managers"] == theirs[name]["managers"], name
    assert my_leaves == their_leaves


def test_replayed_history_equals_djangos_loader_state(django_project):
    project = django_project({"library": {"models.py": V1}})
    app_dir = project.app_dir("library")
    project.makemigrations("library")
    _assert_same_state(project, "library")

    project.write("library/models.py", V2)
    project.makemigrations("library")
    _assert_same_state(project, "library")

    previous = project.migration_files("library")[-1].removesuffix(".py")
    project.write("library/migrations/0003_by_hand.py", HAND_WRITTEN.format(previous=previous))
    project.write("library/models.py", V3)
    # Django and djgen agree that a renamed index is all the models still need.
    expected = django_dry_run(project, "library")
    verdict = detect(app_dir)
    assert verdict.descriptions == expected.lines["library"]
    project.makemigrations("library")
    _assert_same_state(project, "library")
    assert not detect(app_dir).changed

    project.write("library/models.py", V4)
    project.makemigrations("library")
    project.run_one(Manage("squashmigrations", "library", "0005", "--noinput"))
    squashed = [f for f in project.migration_files("library") if "_squashed_" in f]
    assert len(squashed) == 1
    _assert_same_state(project, "library")
    assert not detect(app_dir).changed

    # The next migration after a squash: same name, number and dependencies as Django's.
    project.write("library/models.py", V5)
    expected = django_dry_run(project, "library")
    made = make_migration(app_dir)
    assert made is not None
    (name, django_text), *_ = expected.files["library"].items()
    assert made[0] == f"migrations/{name}.py"
    assert_same_file(made[1], django_text, "after squash")
    (app_dir / made[0]).write_text(made[1], encoding="utf-8")
    assert_django_agrees(project)
    _assert_same_state(project, "library")
