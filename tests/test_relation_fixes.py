"""Relation fixes on models.py, without the editor: the LibCST edits keep every other byte, the
names chosen clear what Django's checks refuse, and the through conversion keeps the rows.

Data path under test: models.py → IR → ``core.relation_fixes`` (edits, clashes, the through
plan) → models.py text, and ``migrations.through`` → the ``SeparateDatabaseAndState`` migration
→ Django (``manage.py check``, ``makemigrations --check``, ``migrate`` with rows in the tables).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from djgen.generators.core import relation_fixes as fixes
from djgen.generators.migrations.through import through_migration
from djgen.generators.reader import read_source


def module_of(text: str, app_label: str = "blog"):
    return read_source(text, app_label=app_label, path=f"{app_label}/models.py")


HEADER = "from django.db import models\n\n\n"


# -- argument edits ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            "models.ForeignKey(Tag)",
            "models.ForeignKey(Tag, on_delete=models.SET_NULL, null=True)",
        ),
        (  # one argument per line with a trailing comma: the same layout, comments kept
            "models.ForeignKey(\n        Tag,  # the tag\n        blank=True,\n    )",
            "models.ForeignKey(\n        Tag,  # the tag\n        blank=True,\n"
            "        on_delete=models.SET_NULL,\n        null=True,\n    )",
        ),
        (  # no trailing comma: none added
            "models.ForeignKey(\n        Tag,\n        blank=True\n    )",
            "models.ForeignKey(\n        Tag,\n        blank=True,\n"
            "        on_delete=models.SET_NULL,\n        null=True\n    )",
        ),
        (  # null=False is replaced where it stands
            "models.ForeignKey(Tag, null=False, blank=True)",
            "models.ForeignKey(Tag, null=True, blank=True, on_delete=models.SET_NULL)",
        ),
    ],
)
def test_on_delete_edit_keeps_the_layout(call: str, expected: str) -> None:
    text = (
        HEADER
        + f"class Tag(models.Model):\n    pass\n\n\nclass Post(models.Model):\n    lead = {call}\n"
    )
    edited = fixes.add_on_delete(text, "Post", "lead", "SET_NULL")
    assert edited == text.replace(call, expected)


def test_on_delete_uses_the_module_alias_and_refuses_bare_classes() -> None:
    text = (
        "from django.db import models as m\n\n\n"
        "class Post(m.Model):\n    lead = m.ForeignKey('self')\n"
    )
    assert "m.ForeignKey('self', on_delete=m.PROTECT)" in fixes.add_on_delete(
        text, "Post", "lead", "PROTECT"
    )
    bare = (
        "from django.db.models import ForeignKey, Model\n\n\n"
        "class Post(Model):\n    lead = ForeignKey('self')\n"
    )
    with pytest.raises(fixes.RelationFixError, match="imported bare"):
        fixes.add_on_delete(bare, "Post", "lead", "CASCADE")
    assert fixes.add_related_name(bare, "Post", "lead", "followers").endswith(
        "ForeignKey('self', related_name='followers')\n"
    ), "the file's quotes"


def test_related_names_by_kind_and_clear_of_the_target() -> None:
    text = HEADER + textwrap.dedent(
        """\
        class Category(models.Model):
            entry_stories = models.IntegerField(default=0)


        class EntryStory(models.Model):
            category = models.ForeignKey(Category, on_delete=models.CASCADE)
            second = models.ForeignKey(
                Category, on_delete=models.CASCADE, related_name="entry_stories_as_second"
            )
            extra = models.ForeignKey(Category, on_delete=models.CASCADE)
            tags = models.ManyToManyField("Tag")
            cover = models.OneToOneField("Tag", on_delete=models.CASCADE)


        class Tag(models.Model):
            pass
        """
    )
    module = module_of(text)
    story = module.models[1]
    names = {f.name: fixes.related_name_for(module, story, f) for f in story.fields[1:]}
    assert names == {
        "category": "entry_stories_as_category",  # Category has a field entry_stories
        "second": "entry_stories_as_second",  # its own name is no clash with itself
        "extra": "entry_stories_as_extra",
        "tags": "entry_stories",
        "cover": "entry_story",  # snake; tags' reverse names on Tag are entrystory(_set)
    }


# -- clashes, held against Django's system checks ------------------------------------------------

CLASHES = HEADER + textwrap.dedent(
    """\
    class Person(models.Model):
        book_set = models.IntegerField(default=0)
        note = models.IntegerField(default=0)
        friends = models.ManyToManyField("self")
        followers = models.ManyToManyField("self", symmetrical=False)
        fans = models.ManyToManyField("self", symmetrical=False)


    class Book(models.Model):
        author = models.ForeignKey(Person, on_delete=models.CASCADE)
        editor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
        hidden = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="note+")
        cover = models.OneToOneField(Person, on_delete=models.CASCADE)
        translator = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="note")
        reviewer = models.ForeignKey(
            Person, on_delete=models.CASCADE, related_name="notes", related_query_name="note"
        )
        fine = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="fine_books")


    class Shelf(models.Model):
        people = models.ManyToManyField(Person, related_name="shelves")
        more = models.ManyToManyField(Person, related_name="shelves")
        owner = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+")


    class Proxy(Shelf):
        class Meta:
            proxy = True
    """
)


@pytest.mark.django
def test_clashes_are_what_djangos_checks_refuse(django_project) -> None:
    project = django_project({"people": {"models.py": CLASHES}})
    result = project.manage("check", check=False)
    django = set(re.findall(r"people\.(\w+)\.(\w+): \((fields\.E30[2-5])\)", result.output))
    assert django, result.output  # the fixture is meant to clash
    mine = {(c.model, c.field, c.check) for c in fixes.clashes(module_of(CLASHES, "people"))}
    assert mine == django


# -- the through conversion ----------------------------------------------------------------------


def test_through_plan_refuses_what_it_cannot_keep() -> None:
    long_name = "A" * 60
    text = HEADER + textwrap.dedent(
        f"""\
        class Tag(models.Model):
            pass


        class {long_name}(models.Model):
            tags = models.ManyToManyField(Tag)
            loose = models.ManyToManyField(Tag, db_constraint=False, related_name="loose")
            named = models.ManyToManyField(Tag, db_table=TABLE, related_name="named")
            through = models.ManyToManyField(Tag, through="Link", related_name="through")
        """
    )
    module = module_of(text)
    model = module.models[1]
    with pytest.raises(fixes.RelationFixError, match="longer than 63"):
        fixes.through_plan(module, model, model.field("tags"))
    with pytest.raises(fixes.RelationFixError, match="db_constraint"):
        fixes.through_plan(module, model, model.field("loose"))
    with pytest.raises(fixes.RelationFixError, match="not a literal"):
        fixes.through_plan(module, model, model.field("named"))
    with pytest.raises(fixes.RelationFixError, match="not an implicit"):
        fixes.through_plan(module, model, model.field("through"))


TAGS = HEADER + "class Tag(models.Model):\n    name = models.CharField(max_length=50)\n"
PEOPLE = HEADER + textwrap.dedent(
    """\
    class Person(models.Model):
        name = models.CharField(max_length=50)
        friends = models.ManyToManyField("self", blank=True)
        groups = models.ManyToManyField("Group", db_table="people_memberships", blank=True)
        tags = models.ManyToManyField("blog.Tag", related_name="people", blank=True)


    class Group(models.Model):
        name = models.CharField(max_length=50)
    """
)

ROWS = """
from blog.models import Tag
from people.models import Group, Person
if params == "fill":
    ann, bob, cid = (Person.objects.create(name=n) for n in ("ann", "bob", "cid"))
    ann.friends.add(bob)  # symmetrical: bob-ann too
    bob.friends.add(cid)
    staff = Group.objects.create(name="staff")
    ann.groups.add(staff)
    cid.groups.add(staff)
    ann.tags.add(Tag.objects.create(name="django"))
result = {
    "friends": sorted([p.name, f.name] for p in Person.objects.all() for f in p.friends.all()),
    "groups": sorted([p.name, g.name] for p in Person.objects.all() for g in p.groups.all()),
    "tags": sorted([p.name, t.name] for p in Person.objects.all() for t in p.tags.all()),
}
"""


@pytest.mark.django
@pytest.mark.slow
def test_through_conversions_keep_rows_self_named_table_and_other_app(django_project) -> None:
    project = django_project({"blog": {"models.py": TAGS}, "people": {"models.py": PEOPLE}})
    project.makemigrations("blog", "people")
    project.migrate()
    before = project.python(ROWS, "fill")
    assert before["friends"] == [["ann", "bob"], ["bob", "ann"], ["bob", "cid"], ["cid", "bob"]]
    app = project.app_dir("people")
    models_py = app / "models.py"
    written = []
    for field in ("friends", "groups", "tags"):
        text = models_py.read_text()
        new, plan = fixes.convert_to_through(text, module_of(text, "people"), "Person", field)

        def read_text(path: Path, new: str = new) -> str | None:
            if Path(path) == models_py:
                return new
            return Path(path).read_text() if Path(path).is_file() else None

        found = through_migration(
            app, model="Person", field=field, through=plan.name, read_text=read_text
        )
        assert found is not None
        models_py.write_text(new)
        (app / found[0]).write_text(found[1])
        written.append(found[0])
    assert written == [
        "migrations/0002_personperson_alter_person_friends.py",
        "migrations/0003_persongroup_alter_person_groups.py",
        "migrations/0004_persontag_alter_person_tags.py",
    ]
    text = models_py.read_text()
    assert "class PersonPerson(models.Model):\n    from_person = models.ForeignKey(Person, " in text
    assert (  # both point at Person: reverse accessors hidden, as in Django's implicit model
        '    to_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")\n'
        in text
    )
    assert '        db_table = "people_person_friends"\n' in text
    assert '        db_table = "people_memberships"\n' in text, "db_table moves to the Meta"
    assert 'groups = models.ManyToManyField("Group", blank=True, through="PersonGroup")' in text
    assert '    tag = models.ForeignKey("blog.Tag", on_delete=models.CASCADE)\n' in text
    assert "('blog', '0001_initial')" in (app / written[2]).read_text(), "other app's leaf"
    project.check()
    project.assert_no_missing_migrations()
    project.migrate()
    assert project.python(ROWS) == before


BLOG = HEADER + textwrap.dedent(
    """\
    class Post(models.Model):
        title = models.CharField(max_length=200)
        tags = models.ManyToManyField("Tag", blank=True)


    class Tag(models.Model):
        name = models.CharField(max_length=50)
    """
)


def test_cli_through_prints_then_writes_and_refuses_twice(tmp_path) -> None:
    from djangoproject import build_project

    project = build_project(tmp_path / "site", {"blog": {"models.py": BLOG}})
    app = str(project.app_dir("blog"))
    project.djgen("makemigrations", app)
    diff = project.djgen("through", app, "Post.tags")
    assert '+    tags = models.ManyToManyField("Tag", blank=True, through="PostTag")' in diff.stdout
    assert "0002_posttag_alter_post_tags.py" in diff.stdout
    assert "+        migrations.SeparateDatabaseAndState(\n" in diff.stdout
    assert project.migration_files("blog") == ["0001_initial.py"], "a diff writes nothing"
    project.djgen("through", app, "Post.tags", "--write")
    assert project.migration_files("blog") == [
        "0001_initial.py",
        "0002_posttag_alter_post_tags.py",
    ]
    assert "class PostTag(models.Model):" in project.read("blog/models.py")
    project.djgen("makemigrations", app, "--check")  # exit 0: nothing missing
    again = project.djgen("through", app, "Post.tags", check=False)
    assert again.returncode == 2 and "not an implicit ManyToManyField" in again.stderr
