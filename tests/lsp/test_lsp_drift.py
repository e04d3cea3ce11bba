"""Drift in the editor, end to end: a real server on a copy of the bookshop with generated code.

Data path under test: models.py buffer → IR → drift (on the worker, after the analysis) →
diagnostics in models.py (on the changed field) and in the target files (on the stale element)
→ quick fixes and ``source.djgen.fixDrift`` → ``codeAction/resolve`` (LibCST) → WorkspaceEdit
applied like an editor → the diagnostics are gone.
"""

from __future__ import annotations

import pytest
from lsp_session import VSCODE, Session, StartSession, uri, wait_for
from lsprotocol import types

from djgen.generators.core.pipeline import plan, write
from djgen.generators.core.registry import available

pytestmark = pytest.mark.skipif("serializer" not in available(), reason="no serializer generator")

NAMES = ["serializer", "filterset", "viewset", "admin"]
CODE = "djgen.drift"


def drift(diagnostics) -> list[types.Diagnostic]:
    return [d for d in diagnostics or [] if d.code == CODE]


def text_at(text: str, rng: types.Range) -> str:
    lines = text.splitlines()
    assert rng.start.line == rng.end.line
    return lines[rng.start.line][rng.start.character : rng.end.character]


def edited(text: str) -> str:
    """Rename isbn (same class: a rename in this edit session), drop pages, add subtitle."""
    return (
        text.replace('    isbn = models.CharField("ISBN"', '    isbn13 = models.CharField("ISBN"')
        .replace("    pages = models.PositiveIntegerField()\n", "")
        .replace(
            "    title = models.CharField(max_length=200)\n",
            "    title = models.CharField(max_length=200)\n"
            "    subtitle = models.CharField(max_length=200, blank=True)\n",
            1,
        )
    )


async def actions(session: Session, doc: str, diagnostics, only=None) -> list[types.CodeAction]:
    rng = (
        diagnostics[0].range
        if diagnostics
        else types.Range(types.Position(0, 0), types.Position(0, 0))
    )
    result = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(doc),
            range=rng,
            context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


@pytest.fixture
def generated(project):
    write(plan(project.app_dir("catalog"), NAMES))
    return project


async def test_drift_diagnostics_quick_fixes_and_fix_all(start: StartSession, generated) -> None:
    project = generated
    app = project.app_dir("catalog")
    serializers, views = app / "serializers.py", app / "views.py"
    user_tail = "\n\n# user code, kept byte for byte\nEXTRA = ('isbn', 'pages')\n"
    serializers.write_text(serializers.read_text() + user_tail)
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    models_py = app / "models.py"
    doc = session.files.open(models_py)
    first = await session.diagnostics(doc, version=1)
    assert not drift(first), "freshly generated: no drift"

    text = models_py.read_text()
    new = edited(text)
    version = session.files.replace(doc, new)
    diagnostics = await session.diagnostics(doc, lambda d: bool(drift(d)), version=version)
    lines = new.splitlines()
    on_models = {
        (d.message.split(";")[0], lines[d.range.start.line].split("=")[0].strip())
        for d in drift(diagnostics)
    }
    assert ("isbn13 looks like isbn renamed", "isbn13") in on_models, on_models
    assert ("Book no longer has pages", "class Book(models.Model):") in on_models, on_models
    assert ("subtitle was added to Book", "subtitle") in on_models, on_models

    # the target files: each stale element is underlined, in files that are not even open
    target = uri(serializers)
    published = await wait_for(
        lambda: drift(session.client.diagnostics.get(target)), what="serializers.py drift"
    )
    stext = serializers.read_text()
    by_text = {
        text_at(stext, d.range): d for d in published if d.range.start.line == d.range.end.line
    }
    assert '"isbn"' in by_text and '"pages"' in by_text, by_text
    assert by_text['"isbn"'].severity == types.DiagnosticSeverity.Error
    assert (
        "BookSerializer.Meta.fields lists isbn, which Book no longer has"
        in by_text['"isbn"'].message
    )
    assert any("does not list subtitle" in d.message for d in published)

    # one quick fix: rename just that element, in the open buffer
    sdoc = session.files.open(serializers)
    fixes = await actions(session, sdoc, [by_text['"isbn"']], only=["quickfix"])
    (rename,) = [a for a in fixes if a.kind == "quickfix.djgen.drift"]
    assert rename.title == "Rename isbn to isbn13 in BookSerializer.Meta.fields"
    assert rename.edit is None, "computed in resolve"
    resolved = await session.client.code_action_resolve_async(rename)
    session.files.apply(resolved.edit)
    after = session.files.buffers[sdoc][0]
    assert after == stext.replace('"isbn",', '"isbn13",', 1), "only the element changed"

    # the file's fix-all action on views.py (not open: written on disk)
    vdoc_actions = await actions(session, uri(views), [], only=["source.djgen.fixDrift"])
    (fix_all,) = vdoc_actions
    assert fix_all.title == "Fix djgen drift in this file"
    resolved = await session.client.code_action_resolve_async(fix_all)
    session.files.apply(resolved.edit)
    vtext = views.read_text()
    assert '"isbn13"' in vtext and '"pages"' not in vtext and '"subtitle"' in vtext
    await wait_for(
        lambda: not drift(session.client.diagnostics.get(uri(views))), what="views clean"
    )

    # and everything from models.py
    diagnostics = session.client.diagnostics[doc]
    (models_fix,) = await actions(
        session, doc, drift(diagnostics)[:1], only=["source.djgen.fixDrift"]
    )
    resolved = await session.client.code_action_resolve_async(models_fix)
    session.files.apply(resolved.edit)
    await session.diagnostics(doc, lambda d: not drift(d))
    for name in ("serializers.py", "filters.py", "views.py", "admin.py"):
        await wait_for(
            lambda n=name: not drift(session.client.diagnostics.get(uri(app / n))),
            what=f"{name} clean",
        )
    assert session.files.buffers[sdoc][0].endswith(user_tail), "user bytes kept"


@pytest.mark.django
async def test_a_target_file_opened_alone_gets_its_drift(start: StartSession, generated) -> None:
    """models.py not open: opening admin.py computes drift from models.py on disk (and the
    migrations, which say what the model had: publisher, which a capped list_display would now
    show instead of pages, is no new field)."""
    project = generated
    project.manage("makemigrations", "catalog", "--noinput")
    app = project.app_dir("catalog")
    models_py = app / "models.py"
    models_py.write_text(
        models_py.read_text().replace("    pages = models.PositiveIntegerField()\n", "")
    )
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    admin = app / "admin.py"
    doc = session.files.open(admin)
    found = await wait_for(lambda: drift(session.client.diagnostics.get(doc)), what="admin drift")
    assert [d.message for d in found] == [
        "BookAdmin.list_display lists pages, which Book no longer has."
    ]
    assert text_at(admin.read_text(), found[0].range) == '"pages"'
    (quick,) = await actions(session, doc, found, only=["quickfix.djgen.drift"])
    assert quick.title == "Remove pages from BookAdmin.list_display"
    resolved = await session.client.code_action_resolve_async(quick)
    session.files.apply(resolved.edit)
    assert '"pages"' not in session.files.buffers[doc][0]
    await wait_for(lambda: not drift(session.client.diagnostics.get(doc)), what="admin clean")


@pytest.mark.django
async def test_consumers_and_the_cache_table_get_their_drift(start: StartSession, project) -> None:
    """With the websocket and caching generators on: a deleted model's consumer (consumers.py)
    and its entry in the cache table (cache.py) are errors where they are, and the cache entry's
    quick fix removes exactly that entry (and the import only it used)."""
    names = [*NAMES, "websocket", "caching"]
    write(plan(project.app_dir("catalog"), names))
    app = project.app_dir("catalog")
    models_py = app / "models.py"
    text = models_py.read_text()
    models_py.write_text(text[: text.index("class Review(")].rstrip() + "\n")
    session = await start(
        VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0, "generators": names}
    )
    cache = app / "cache.py"
    doc = session.files.open(cache)
    found = await wait_for(lambda: drift(session.client.diagnostics.get(doc)), what="cache drift")
    assert [d.message for d in found] == [
        "DEPENDENCIES has an entry for Review, which no longer exists."
    ]
    assert text_at(cache.read_text(), found[0].range) == "Review"
    (quick,) = await actions(session, doc, found, only=["quickfix.djgen.drift"])
    assert quick.title == "Remove DEPENDENCIES[Review] (Review no longer exists)"
    resolved = await session.client.code_action_resolve_async(quick)
    session.files.apply(resolved.edit)
    fixed = session.files.buffers[doc][0]
    assert "Review" not in fixed
    before, after = cache.read_text().splitlines(), fixed.splitlines()
    assert len(before) - len(after) == 1, "one entry removed, the import line edited"
    consumers = app / "consumers.py"
    other = session.files.open(consumers)
    found = await wait_for(
        lambda: drift(session.client.diagnostics.get(other)), what="consumers drift"
    )
    assert [d.message for d in found] == ["ReviewConsumer is for Review, which no longer exists."]


@pytest.mark.django
async def test_drift_check_off_publishes_no_drift(start: StartSession, generated) -> None:
    """``driftCheck: false`` (what bench/lsp_bench.py compares against): no drift diagnostics."""
    app = generated.app_dir("catalog")
    models_py = app / "models.py"
    models_py.write_text(
        models_py.read_text().replace("    pages = models.PositiveIntegerField()\n", "")
    )
    session = await start(
        VSCODE, [generated.root], init_options={"diagnosticsDelayMs": 0, "driftCheck": False}
    )
    doc = session.files.open(models_py)
    published = await wait_for(
        lambda: session.client.diagnostics.get(doc), what="models diagnostics"
    )
    # with drift on, this same publication holds the diagnostic on the Book model (pages gone)
    assert published and not drift(published)
