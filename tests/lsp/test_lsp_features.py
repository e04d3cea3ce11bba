"""Hover, code lens, commands, progress, file watching and configuration changes, end to end.

Data path under test: models.py → IR → generators → artifacts (hover previews, lens states) or →
merge → file changes (``djgen.generate`` / ``generateAll`` / ``preview``) → applyEdit / disk.
"""

from __future__ import annotations

import asyncio

import pytest
from lsp_session import NEOVIM, VSCODE, Session, StartSession, codes, uri, wait_for
from lsprotocol import types

from djgen.generators.core.registry import available

pytestmark = pytest.mark.skipif("serializer" not in available(), reason="no serializer generator")


def position_of(text: str, needle: str, offset: int = 0) -> types.Position:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return types.Position(line, index - (text.rfind("\n", 0, index) + 1))


async def open_models(session: Session, project) -> str:
    doc = session.files.open(project.app_dir("catalog") / "models.py")
    await session.diagnostics(doc, lambda d: ("Book", "djgen.missing-serializer") in codes(d))
    return doc


@pytest.mark.parametrize("spec", [VSCODE, NEOVIM])
async def test_hover_on_a_model_previews_the_generated_code(
    start: StartSession, project, spec: str
) -> None:
    session = await start(spec, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc = await open_models(session, project)
    text = session.files.buffers[doc][0]
    hover = await session.client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(doc), position_of(text, "class Book(", 8))
    )
    assert hover is not None
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "class BookSerializer(" in hover.contents.value
    assert "serializers.py" in hover.contents.value
    assert hover.range.start == position_of(text, "class Book(", 6)

    # On a field name: the lines that mention it.
    field = await session.client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(doc), position_of(text, "isbn = ", 1))
    )
    assert field is not None and "`Book.isbn`: `CharField`" in field.contents.value
    assert "isbn" in field.contents.value.split("```python", 1)[1]

    # Elsewhere: nothing.
    nothing = await session.client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(doc), types.Position(0, 0))
    )
    assert nothing is None


async def test_code_lens_shows_what_exists(start: StartSession, project) -> None:
    (project.app_dir("catalog") / "serializers.py").write_text(
        "from rest_framework import serializers\n\n\n"
        "class AuthorSerializer(serializers.ModelSerializer):\n    pass\n"
    )
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc = await open_models(session, project)
    lenses = await session.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(doc))
    )
    titles = {lens.command.arguments[2]: lens.command.title for lens in lenses}
    assert set(titles) == {"Author", "Publisher", "Book", "Authorship", "Review"}
    assert titles["Author"].startswith("djgen: serializer ✓ · filterset ✗")
    assert titles["Book"].startswith("djgen: serializer ✗ · filterset ✗")
    author = next(lens for lens in lenses if lens.command.arguments[2] == "Author")
    assert author.command.command == "djgen.generate"
    assert "serializer" not in author.command.arguments[0]

    # Lenses can be switched off; a configuration change asks the client to refresh them.
    before = session.client.code_lens_refreshes
    session.client.set_configuration({"codeLens": False}, section="djgen")
    session.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=None)
    )
    await wait_for(lambda: session.client.code_lens_refreshes > before, what="a code lens refresh")
    for _ in range(200):  # the refresh may be the one `initialized` asked for: poll
        lenses = await session.client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(doc))
        )
        if not lenses:
            break
        await asyncio.sleep(0.05)
    assert not lenses


async def test_generate_command_applies_an_edit_through_the_client(
    start: StartSession, project
) -> None:
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc = await open_models(session, project)
    refreshes = session.client.code_lens_refreshes
    result = await session.client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="djgen.generate", arguments=[["serializer", "filterset"], doc, "Publisher"]
        )
    )
    assert result["applied"] is True
    (params,) = session.applied_via_request
    created = [c.uri for c in params.edit.document_changes if isinstance(c, types.CreateFile)]
    app = project.app_dir("catalog")
    assert {uri(app / "serializers.py"), uri(app / "filters.py")} <= set(created)
    assert "class PublisherSerializer(" in (app / "serializers.py").read_text()
    assert "class PublisherFilter" in (app / "filters.py").read_text()
    await session.diagnostics(
        doc,
        lambda d: (
            not {
                ("Publisher", "djgen.missing-serializer"),
                ("Publisher", "djgen.missing-filterset"),
            }
            & codes(d)
        ),
    )
    # what exists changed: the lenses ("serializer ✓ · …") are asked for again
    await wait_for(
        lambda: session.client.code_lens_refreshes > refreshes, what="a code lens refresh"
    )


async def test_generate_all_reports_progress(start: StartSession, project) -> None:
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc = await open_models(session, project)
    result = await session.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="djgen.generateAll", arguments=[doc])
    )
    assert result["applied"] is True and result["files"]
    (reports,) = session.client.progress_reports.values()
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    await session.diagnostics(doc, lambda d: codes(d) == set())
    project.check().assert_ok()


async def test_preview_returns_a_diff_and_writes_nothing(start: StartSession, project) -> None:
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc = await open_models(session, project)
    text = await session.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="djgen.preview", arguments=["serializer", doc, "Book"])
    )
    assert "+++ b/catalog/serializers.py\n" in text and "+class BookSerializer(" in text
    assert not (project.app_dir("catalog") / "serializers.py").exists()
    assert not session.applied_via_request


def test_preview_headers_never_show_an_absolute_path(tmp_path) -> None:
    from types import SimpleNamespace

    from djgen.server.features.commands import render_preview

    project = tmp_path / "site"  # a Django project: named from its manage.py folder
    (project / "shop").mkdir(parents=True)
    (project / "manage.py").write_text("")
    library = tmp_path / "libs" / "reusable"  # a reusable app, no manage.py above it
    library.mkdir(parents=True)
    changes = [
        SimpleNamespace(path=project / "shop" / "serializers.py", old=None, new="x = 1\n"),
        SimpleNamespace(path=library / "serializers.py", old="", new="y = 2\n"),
    ]
    text = render_preview(changes, [tmp_path / "libs"])
    assert "+++ b/shop/serializers.py\n" in text
    assert "--- a/reusable/serializers.py\n+++ b/reusable/serializers.py\n" in text
    assert str(tmp_path).lstrip("/") not in text
    # outside every workspace folder: the file's name, not its absolute path
    alone = render_preview(changes[1:], [])
    assert "+++ b/serializers.py\n" in alone and str(tmp_path).lstrip("/") not in alone


async def test_bad_command_arguments_get_a_clear_error(start: StartSession, project) -> None:
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc = await open_models(session, project)
    with pytest.raises(Exception, match="unknown generator nope"):
        await session.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="djgen.generate", arguments=["nope", doc])
        )
    with pytest.raises(Exception, match="no model named Nobody"):
        await session.client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="djgen.generate", arguments=["serializer", doc, "Nobody"]
            )
        )
    errors = [m for m in session.client.log_messages if m.type == types.MessageType.Error]
    assert not errors, errors
    assert not session.client.messages, "no pop-ups"


async def test_watched_files_keep_diagnostics_true(start: StartSession, project) -> None:
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    (registration,) = await wait_for(
        lambda: [
            r
            for r in session.client.registrations
            if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        ],
        what="the watched files registration",
    )
    globs = [w["globPattern"] for w in registration.register_options["watchers"]]
    assert any("migrations" in g and g.endswith("/*.py") for g in globs)
    assert any("serializers" in g for g in globs)
    doc = await open_models(session, project)
    serializers = project.app_dir("catalog") / "serializers.py"
    serializers.write_text(
        "from rest_framework import serializers\n\n\n"
        "class BookSerializer(serializers.ModelSerializer):\n    pass\n"
    )
    session.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri(serializers), types.FileChangeType.Created)]
        )
    )
    await session.diagnostics(doc, lambda d: ("Book", "djgen.missing-serializer") not in codes(d))
    serializers.unlink()
    session.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri(serializers), types.FileChangeType.Deleted)]
        )
    )
    await session.diagnostics(doc, lambda d: ("Book", "djgen.missing-serializer") in codes(d))


async def test_generate_all_without_a_uri_covers_the_workspace(
    start: StartSession, project
) -> None:
    """No models file open: every models module under the folders is generated from disk."""
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    venv_models = project.root / ".venv" / "lib" / "models.py"
    venv_models.parent.mkdir(parents=True)
    venv_models.write_text("raise SystemExit\n")
    result = await session.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="djgen.generateAll", arguments=[])
    )
    app = project.app_dir("catalog")
    assert result["applied"] is True
    assert str(app / "serializers.py") in result["files"]
    assert not any(".venv" in f for f in result["files"])
    assert "class ReviewSerializer(" in (app / "serializers.py").read_text()
    project.check().assert_ok()
