"""Relation actions end to end: a real server on a blog app; actions asked on each field's line,
resolved into WorkspaceEdits that the test applies like an editor; then Django itself judges the
result (``manage.py check``, ``makemigrations --check``, ``migrate`` with rows in the old table).

Data path under test: cursor on a relation field in models.py → code actions (IR) →
``codeAction/resolve`` (LibCST edit of the buffer; for the through conversion also the
``SeparateDatabaseAndState`` migration) → WorkspaceEdit applied → files → Django.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from djangoproject import build_project
from lsp_session import VSCODE, Session, StartSession
from lsprotocol import types

ON_DELETE = "djgen.relation-on-delete"
THROUGH = "refactor.rewrite.djgen.throughModel"
RELATED = "refactor.rewrite.djgen.relatedName"
ON_DELETE_KIND = "quickfix.djgen.onDelete"
CLASH = "djgen.relation-clash"
CLASH_KIND = "quickfix.djgen.relatedName"

MISSING = """\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    posts = models.PositiveIntegerField(default=0)


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Post(models.Model):
    title = models.CharField(max_length=200)  # the title
    author = models.ForeignKey(Author)
    editor = models.ForeignKey(
        Author,
        models.CASCADE,
        related_name="edited_posts",
    )
    tags = models.ManyToManyField(Tag, blank=True)
    profile = models.OneToOneField("Author", on_delete=models.CASCADE)
"""

BLOG = """\
from django.db import models


class Post(models.Model):
    title = models.CharField(max_length=200)
    tags = models.ManyToManyField(
        "Tag",
        blank=True,
    )

    def __str__(self) -> str:
        return self.title


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
"""


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


async def actions_on(
    session: Session, doc: str, line: int, diagnostics=(), only=None
) -> list[types.CodeAction]:
    result = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(doc),
            range=types.Range(types.Position(line, 4), types.Position(line, 4)),
            context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def relation_actions(actions: list[types.CodeAction]) -> list[tuple[str, str]]:
    kinds = (ON_DELETE_KIND, CLASH_KIND, RELATED, THROUGH)
    return [(str(a.kind), a.title) for a in actions if a.kind in kinds]


async def resolve_and_apply(session: Session, action: types.CodeAction) -> types.WorkspaceEdit:
    assert action.edit is None, "edits are computed in codeAction/resolve, not before"
    resolved = await session.client.code_action_resolve_async(action)
    assert resolved.edit is not None, resolved
    session.files.apply(resolved.edit)
    return resolved.edit


async def test_on_delete_and_related_name_actions(start: StartSession, tmp_path) -> None:
    project = build_project(tmp_path / "site", {"blog": {"models.py": MISSING}})
    models_py = project.app_dir("blog") / "models.py"
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc = session.files.open(models_py)
    diagnostics = await session.diagnostics(doc, lambda ds: any(d.code == ON_DELETE for d in ds))
    errors = [d for d in diagnostics if d.code == ON_DELETE]
    author_line = line_of(MISSING, "author = models.ForeignKey(Author)")
    assert [(d.range.start.line, d.severity, d.data["field"]) for d in errors] == [
        (author_line, types.DiagnosticSeverity.Error, "author")
    ]

    # no relation action away from relation fields
    assert relation_actions(await actions_on(session, doc, line_of(MISSING, "the title"))) == []
    # the editor's call spans four lines and has its related_name: nothing on any of them
    for needle in ("editor = models", "        models.CASCADE,", '"edited_posts"'):
        assert relation_actions(await actions_on(session, doc, line_of(MISSING, needle))) == []

    # Post.profile's reverse accessor on Author is "post": Post.author's reverse query name
    clashes = [d for d in diagnostics if d.code == CLASH]
    assert [(d.range.start.line, d.severity) for d in clashes] == [
        (author_line, types.DiagnosticSeverity.Error)
    ]
    assert "fields.E305" in clashes[0].message and "Post.profile" in clashes[0].message

    offered = await actions_on(session, doc, author_line, errors + clashes)
    assert relation_actions(offered) == [
        (ON_DELETE_KIND, "Add on_delete=models.CASCADE to Post.author"),
        (ON_DELETE_KIND, "Add on_delete=models.PROTECT to Post.author"),
        (ON_DELETE_KIND, "Add on_delete=models.SET_NULL (and null=True) to Post.author"),
        # Author has a field called posts: the reverse accessor takes another name
        (CLASH_KIND, 'Add related_name="posts_as_author" on Post.author'),
    ]
    fixes = {a.title: a for a in offered}
    preferred = [a.title for a in offered if a.is_preferred]
    assert preferred == [
        "Add on_delete=models.PROTECT to Post.author",
        'Add related_name="posts_as_author" on Post.author',
    ]
    for action in (a for a in offered if a.kind in (ON_DELETE_KIND, CLASH_KIND)):
        wanted = errors if action.kind == ON_DELETE_KIND else clashes
        assert [(d.code, d.range) for d in action.diagnostics or []] == [
            (wanted[0].code, wanted[0].range)
        ]

    await resolve_and_apply(
        session, fixes["Add on_delete=models.SET_NULL (and null=True) to Post.author"]
    )
    text = session.files.buffers[doc][0]
    assert "    author = models.ForeignKey(Author, on_delete=models.SET_NULL, null=True)\n" in text
    assert text.replace(
        "ForeignKey(Author, on_delete=models.SET_NULL, null=True)", "ForeignKey(Author)"
    ) == (MISSING), "nothing else changed"
    await session.diagnostics(doc, lambda ds: not any(d.code == ON_DELETE for d in ds))

    # the M2M: a related_name and the conversion; the O2O: its snake name
    tags_line = line_of(text, "tags = models.ManyToManyField")
    assert relation_actions(await actions_on(session, doc, tags_line)) == [
        (RELATED, 'Add related_name="posts" to Post.tags'),
        (THROUGH, "Convert Post.tags to an explicit through model (PostTag)"),
    ]
    profile_line = line_of(text, "profile = models.OneToOneField")
    offered = await actions_on(session, doc, profile_line, only=["refactor.rewrite"])
    # its snake name "post" is Post.author's reverse query name on Author
    assert relation_actions(offered) == [
        (RELATED, 'Add related_name="post_as_profile" to Post.profile')
    ]
    assert relation_actions(await actions_on(session, doc, profile_line, only=["quickfix"])) == []
    await resolve_and_apply(session, offered[0])
    text = session.files.buffers[doc][0]
    assert (
        '    profile = models.OneToOneField("Author", on_delete=models.CASCADE, '
        'related_name="post_as_profile")\n' in text
    )
    # that also ends the clash; the author FK keeps its (now optional) suggestion
    await session.diagnostics(doc, lambda ds: not any(d.code == CLASH for d in ds))
    offered = await actions_on(session, doc, line_of(text, "author = models.ForeignKey"))
    assert relation_actions(offered) == [
        (RELATED, 'Add related_name="posts_as_author" to Post.author')
    ]


async def blog_session(start: StartSession, project) -> tuple[Session, str]:
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc = session.files.open(project.app_dir("blog") / "models.py")
    await session.diagnostics(doc)
    return session, doc


@pytest.mark.django
@pytest.mark.slow
async def test_through_conversion_keeps_the_rows(start: StartSession, django_project) -> None:
    project = django_project({"blog": {"models.py": BLOG}})
    project.makemigrations("blog")
    project.migrate()
    rows = project.python(
        textwrap.dedent(
            """
            from blog.models import Post, Tag
            django, orm = Tag.objects.create(name="django"), Tag.objects.create(name="orm")
            Post.objects.create(title="one").tags.set([django, orm])
            Post.objects.create(title="two").tags.set([orm])
            Post.objects.create(title="three")
            result = sorted(
                [p.title, t.name] for p in Post.objects.all() for t in p.tags.all()
            )
            """
        )
    )
    assert rows == [["one", "django"], ["one", "orm"], ["two", "orm"]]
    session, doc = await blog_session(start, project)
    text = session.files.buffers[doc][0]
    assert [a for a in await actions_on(session, doc, 4) if a.kind == THROUGH] == []
    for needle in ("tags = models", '"Tag",', "blank=True,"):  # every line of the call
        offered = await actions_on(session, doc, line_of(text, needle), only=[THROUGH])
        assert [a.title for a in offered] == [
            "Convert Post.tags to an explicit through model (PostTag)"
        ]
    edit = await resolve_and_apply(session, offered[0])
    created = [c.uri for c in edit.document_changes or [] if isinstance(c, types.CreateFile)]
    assert [u.rpartition("/")[2] for u in created] == ["0002_posttag_alter_post_tags.py"]
    session.files.save(doc)
    text = (project.app_dir("blog") / "models.py").read_text()
    assert text == BLOG.replace(
        "        blank=True,\n    )\n", '        blank=True,\n        through="PostTag",\n    )\n'
    ) + (
        "\n\n"
        "class PostTag(models.Model):\n"
        "    post = models.ForeignKey(Post, on_delete=models.CASCADE)\n"
        '    tag = models.ForeignKey("Tag", on_delete=models.CASCADE)\n'
        "\n"
        "    class Meta:\n"
        '        db_table = "blog_post_tags"\n'
        '        unique_together = (("post", "tag"),)\n'
    )
    migration = project.app_dir("blog") / "migrations" / "0002_posttag_alter_post_tags.py"
    written = migration.read_text()
    assert "migrations.SeparateDatabaseAndState(\n            state_operations=[\n" in written
    assert "database_operations" not in written, "the table stays as it is"

    # Django agrees: nothing left to migrate, the migration applies, the rows are there
    project.assert_no_missing_migrations()
    project.migrate()
    after = project.python(
        textwrap.dedent(
            """
            from blog.models import Post, PostTag
            from django.db import connection
            from django.db.migrations.loader import MigrationLoader
            from django.db.migrations.writer import MigrationWriter

            loader = MigrationLoader(connection)
            migration = loader.disk_migrations[("blog", "0002_posttag_alter_post_tags")]
            result = {
                "through": sorted([r.post.title, r.tag.name] for r in PostTag.objects.all()),
                "m2m": sorted([p.title, t.name] for p in Post.objects.all() for t in p.tags.all()),
                "django_text": MigrationWriter(migration).as_string(),
                "applied": ("blog", "0002_posttag_alter_post_tags") in loader.applied_migrations,
            }
            """
        )
    )
    assert after["through"] == rows and after["m2m"] == rows, json.dumps(after, indent=1)
    assert after["applied"]
    # byte for byte what Django's own writer writes for this migration (but the header line)
    assert after["django_text"].split("\n", 1)[1] == written.split("\n", 1)[1]
    # and a new row through the through model is unique per pair, as the implicit table was
    duplicate = project.python(
        textwrap.dedent(
            """
            from django.db import IntegrityError
            from blog.models import Post, PostTag, Tag
            try:
                two, orm = Post.objects.get(title="two"), Tag.objects.get(name="orm")
                PostTag.objects.create(post=two, tag=orm)
                result = "created"
            except IntegrityError:
                result = "refused"
            """
        )
    )
    assert duplicate == "refused"
    # the server agrees too: the models have no change the migrations lack
    version = session.files.buffers[doc][1]
    final = await session.diagnostics(doc, version=version)
    assert not [d for d in final if d.code == "djgen.migration"], final


@pytest.mark.django
async def test_on_delete_fix_makes_check_pass(start: StartSession, django_project) -> None:
    broken = BLOG.replace(
        "    title = models.CharField(max_length=200)\n",
        "    title = models.CharField(max_length=200)\n"
        '    lead = models.ForeignKey("Tag", related_name="lead_posts")\n',
    )
    project = django_project({"blog": {"models.py": broken}})
    failed = project.manage("check", check=False)
    assert failed.returncode != 0 and "on_delete" in failed.output, failed.output
    session, doc = await blog_session(start, project)
    diagnostics = await session.diagnostics(doc, lambda ds: any(d.code == ON_DELETE for d in ds))
    errors = [d for d in diagnostics if d.code == ON_DELETE]
    offered = await actions_on(session, doc, errors[0].range.start.line, errors)
    preferred = [a for a in offered if a.is_preferred]
    assert [a.title for a in preferred] == ["Add on_delete=models.PROTECT to Post.lead"]
    await resolve_and_apply(session, preferred[0])
    session.files.save(doc)
    assert (
        '    lead = models.ForeignKey("Tag", related_name="lead_posts", on_delete=models.PROTECT)\n'
        in (project.app_dir("blog") / "models.py").read_text()
    )
    project.check()
