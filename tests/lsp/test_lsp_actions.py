"""Code actions end to end: quick fixes and source actions, resolved into WorkspaceEdits that the
test applies like an editor; afterwards the file is re-analysed and the diagnostic is gone.

Data path under test: cursor in models.py → code actions → ``codeAction/resolve`` → pipeline
(generators → artifacts → libcst merge) → WorkspaceEdit (or the command fallback) → files.
"""

from __future__ import annotations

import pytest
from lsp_session import (
    NEOVIM,
    VSCODE,
    Session,
    StartSession,
    all_codes,
    capabilities,
    codes,
    uri,
    wait_for,
)
from lsprotocol import types

from djgen.generators.core.registry import available

pytestmark = pytest.mark.skipif("serializer" not in available(), reason="no serializer generator")

DIAGNOSED = [g for g in ("serializer", "filterset", "viewset", "admin") if g in available()]


async def open_models(session: Session, project) -> tuple[str, list[types.Diagnostic]]:
    doc = session.files.open(project.app_dir("catalog") / "models.py")
    diagnostics = await session.diagnostics(
        doc, lambda d: ("Book", "djgen.missing-serializer") in codes(d)
    )
    return doc, diagnostics


async def actions_at(
    session: Session,
    doc: str,
    diagnostics: list[types.Diagnostic],
    model: str,
    only: list[str] | None = None,
) -> list[types.CodeAction]:
    mine = [d for d in diagnostics if d.data["model"] == model]
    result = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(doc),
            range=mine[0].range,
            context=types.CodeActionContext(diagnostics=mine, only=only),
        )
    )
    assert all(isinstance(a, types.CodeAction) for a in result or [])
    return list(result or [])


def by_kind(actions: list[types.CodeAction], kind: str) -> types.CodeAction:
    found = [a for a in actions if a.kind == kind]
    assert len(found) == 1, [a.kind for a in actions]
    return found[0]


async def gone(session: Session, doc: str, model: str, generator: str) -> None:
    await session.diagnostics(doc, lambda d: (model, f"djgen.missing-{generator}") not in codes(d))


@pytest.mark.parametrize("spec", [VSCODE, NEOVIM])
async def test_quick_fix_resolves_to_an_edit_that_creates_the_file(
    start: StartSession, project, spec: str
) -> None:
    session = await start(spec, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc, diagnostics = await open_models(session, project)
    actions = await actions_at(session, doc, diagnostics, "Book")
    kinds = {a.kind for a in actions}
    assert {f"quickfix.djgen.{g}" for g in DIAGNOSED} <= kinds
    assert "source.djgen.generateAll" in kinds
    fix = by_kind(actions, "quickfix.djgen.serializer")
    assert fix.title == "Generate serializer for Book"
    assert fix.edit is None, "edits are computed lazily in resolve"
    assert [d.code for d in fix.diagnostics or []] == ["djgen.missing-serializer"]

    resolved = await session.client.code_action_resolve_async(fix)
    assert resolved.edit is not None and resolved.edit.document_changes
    serializers = project.app_dir("catalog") / "serializers.py"
    create, text_edit = resolved.edit.document_changes
    assert isinstance(create, types.CreateFile) and create.uri == uri(serializers)
    assert create.options.ignore_if_exists
    assert isinstance(text_edit, types.TextDocumentEdit)
    assert text_edit.text_document.uri == uri(serializers)
    assert text_edit.text_document.version is None, "not open: unversioned"

    session.files.apply(resolved.edit)
    assert "class BookSerializer(" in serializers.read_text()
    await gone(session, doc, "Book", "serializer")
    assert ("Author", "djgen.missing-serializer") in codes(session.client.diagnostics[doc])


async def test_edits_to_open_buffers_are_versioned_and_count_before_saving(
    start: StartSession, project
) -> None:
    serializers = project.app_dir("catalog") / "serializers.py"
    serializers.write_text('"""Serializers."""\n')
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    buffer = session.files.open(serializers)
    session.files.replace(buffer, '"""Serializers, edited in the editor."""\n')
    doc, diagnostics = await open_models(session, project)
    actions = await actions_at(session, doc, diagnostics, "Author")
    fix = by_kind(actions, "quickfix.djgen.serializer")
    resolved = await session.client.code_action_resolve_async(fix)
    (text_edit,) = resolved.edit.document_changes
    assert isinstance(text_edit, types.TextDocumentEdit)
    assert text_edit.text_document.version == 2, "the open buffer's version"
    session.files.apply(resolved.edit)
    text = session.files.buffers[buffer][0]
    assert text.startswith('"""Serializers, edited in the editor."""')
    assert "class AuthorSerializer(" in text
    assert serializers.read_text() == '"""Serializers."""\n', "only the buffer changed"
    await gone(session, doc, "Author", "serializer")


async def test_context_only_filters_the_kinds(start: StartSession, project) -> None:
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc, diagnostics = await open_models(session, project)
    source = await actions_at(session, doc, diagnostics, "Book", only=["source"])
    assert [a.kind for a in source] == ["source.djgen.generateAll"]
    one = await actions_at(session, doc, diagnostics, "Book", only=["quickfix.djgen.serializer"])
    assert [a.kind for a in one] == ["quickfix.djgen.serializer"]
    none = await actions_at(session, doc, diagnostics, "Book", only=["refactor"])
    assert none == []


async def test_generate_all_source_action_gives_a_project_that_passes_check(
    start: StartSession, project
) -> None:
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc, diagnostics = await open_models(session, project)
    action = by_kind(
        await actions_at(session, doc, diagnostics, "Book", only=["source.djgen"]),
        "source.djgen.generateAll",
    )
    resolved = await session.client.code_action_resolve_async(action)
    created = {
        c.uri for c in resolved.edit.document_changes or [] if isinstance(c, types.CreateFile)
    }
    assert uri(project.app_dir("catalog") / "serializers.py") in created
    session.files.apply(resolved.edit)
    await session.diagnostics(doc, lambda d: codes(d) == set())
    result = project.check()
    assert result.ok, result.report()


async def test_client_without_resolve_gets_the_edit_at_once(start: StartSession, project) -> None:
    caps = capabilities(VSCODE)
    caps.text_document.code_action.resolve_support = None
    session = await start(caps, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc, diagnostics = await open_models(session, project)
    actions = await actions_at(session, doc, diagnostics, "Book")
    fix = by_kind(actions, "quickfix.djgen.serializer")
    assert fix.edit is not None and fix.edit.document_changes
    session.files.apply(fix.edit)
    await gone(session, doc, "Book", "serializer")


async def test_client_without_resource_operations_gets_a_command_that_writes_files(
    start: StartSession, project
) -> None:
    caps = capabilities(VSCODE)
    caps.workspace.workspace_edit = types.WorkspaceEditClientCapabilities(document_changes=False)
    session = await start(caps, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc, diagnostics = await open_models(session, project)
    actions = await actions_at(session, doc, diagnostics, "Book")
    fix = by_kind(actions, "quickfix.djgen.serializer")
    assert fix.edit is None
    assert fix.command is not None and fix.command.command == "djgen.generate"
    await session.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=fix.command.command, arguments=fix.command.arguments)
    )
    serializers = project.app_dir("catalog") / "serializers.py"
    assert "class BookSerializer(" in serializers.read_text()
    await gone(session, doc, "Book", "serializer")

    # The file exists now: the next fix can be a plain `changes` edit… but this client cannot
    # create files at all, so it keeps the command; executing it edits the existing file.
    actions = await actions_at(session, doc, diagnostics, "Author")
    fix = by_kind(actions, "quickfix.djgen.serializer")
    await session.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=fix.command.command, arguments=fix.command.arguments)
    )
    text = serializers.read_text()
    assert "class BookSerializer(" in text and "class AuthorSerializer(" in text
    await gone(session, doc, "Author", "serializer")


async def test_command_edits_open_buffers_through_apply_edit(start: StartSession, project) -> None:
    """Without documentChanges, open buffers are edited with a `changes` edit over applyEdit."""
    serializers = project.app_dir("catalog") / "serializers.py"
    serializers.write_text('"""Serializers."""\n')
    caps = capabilities(VSCODE)
    caps.workspace.workspace_edit = types.WorkspaceEditClientCapabilities(document_changes=False)
    session = await start(caps, [project.root], init_options={"diagnosticsDelayMs": 0})
    buffer = session.files.open(serializers)
    doc, _ = await open_models(session, project)
    await session.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="djgen.generate", arguments=["serializer", doc, "Book"])
    )
    (params,) = session.applied_via_request
    assert params.edit.changes and list(params.edit.changes) == [buffer]
    assert "class BookSerializer(" in session.files.buffers[buffer][0]
    await wait_for(lambda: True)
    await gone(session, doc, "Book", "serializer")


@pytest.mark.django
@pytest.mark.skipif("migration" not in available(), reason="no migration generator")
async def test_unmigrated_changes_are_diagnosed_and_fixed(start: StartSession, project) -> None:
    """Opt-in migration check: the bookshop has no migrations, so every model is reported;
    the "Generate migration" quick fix writes one that Django finds complete."""
    session = await start(
        VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0, "migrationCheck": True}
    )
    doc = session.files.open(project.app_dir("catalog") / "models.py")
    models = {"Author", "Publisher", "Book", "Authorship", "Review"}
    diagnostics = await session.diagnostics(
        doc, lambda d: {m for m, c in all_codes(d) if c == "djgen.migration"} == models
    )
    book = next(d for d in diagnostics if d.code == "djgen.migration" and d.data["model"] == "Book")
    assert book.data["generator"] == "migration"
    assert "create model" in book.message
    fix = by_kind(await actions_at(session, doc, diagnostics, "Book"), "quickfix.djgen.migration")
    assert fix.title == "Generate migration for Book"
    resolved = await session.client.code_action_resolve_async(fix)
    created = [c.uri for c in resolved.edit.document_changes if isinstance(c, types.CreateFile)]
    assert len(created) == 1 and "/migrations/0001_" in created[0]
    session.files.apply(resolved.edit)
    await session.diagnostics(
        doc, lambda d: not any(c == "djgen.migration" for _, c in all_codes(d))
    )
    project.assert_no_missing_migrations()

    # Change a model in the buffer (unsaved): the diagnostic is back for that model only.
    text = session.files.buffers[doc][0]
    pages = "    pages = models.PositiveIntegerField()\n"
    edited = text.replace(pages, pages + "    subtitle = models.CharField(max_length=50)\n")
    session.files.replace(doc, edited)
    diagnostics = await session.diagnostics(
        doc, lambda d: {m for m, c in all_codes(d) if c == "djgen.migration"} == {"Book"}
    )
    (book,) = [d for d in diagnostics if d.code == "djgen.migration"]
    assert "subtitle" in book.message


@pytest.mark.skipif("migration" not in available(), reason="no migration generator")
async def test_undecidable_migration_state_is_said_not_guessed(
    start: StartSession, project
) -> None:
    """A field class from an unknown library: the static check cannot decide for that model,
    and the diagnostic says so (information) instead of claiming changes."""
    session = await start(
        VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0, "migrationCheck": True}
    )
    doc = session.files.open(project.app_dir("catalog") / "models.py")
    await session.diagnostics(doc, lambda d: ("Book", "djgen.migration") in all_codes(d))
    text = session.files.buffers[doc][0]
    pages = "    pages = models.PositiveIntegerField()\n"
    edited = text.replace(pages, pages + "    phone = PhoneNumberField(blank=True)\n").replace(
        "from django.db import models\n",
        "from django.db import models\n"
        "from phonenumber_field.modelfields import PhoneNumberField\n",
    )
    assert edited != text
    session.files.replace(doc, edited)
    diagnostics = await session.diagnostics(
        doc, lambda d: ("Book", "djgen.migration-undecidable") in all_codes(d)
    )
    (book,) = [d for d in diagnostics if d.data["model"] == "Book" and "migration" in d.code]
    assert book.severity == types.DiagnosticSeverity.Information
    assert "PhoneNumberField" in book.message


@pytest.mark.django
@pytest.mark.skipif("migration" not in available(), reason="no migration generator")
async def test_migration_quick_fix_asks_for_a_one_off_default(start: StartSession, project) -> None:
    """A non-null field added without a default: like Django's makemigrations, the quick fix
    asks (window/showMessageRequest) for the value existing rows get, then writes a migration
    that Django applies and finds complete."""
    project.makemigrations()
    session = await start(
        VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0, "migrationCheck": True}
    )
    asked: list[types.ShowMessageRequestParams] = []

    @session.client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def show_message_request(params: types.ShowMessageRequestParams) -> types.MessageActionItem:
        asked.append(params)
        return params.actions[0]

    doc = session.files.open(project.app_dir("catalog") / "models.py")
    await session.diagnostics(doc, lambda d: ("Book", "djgen.missing-serializer") in codes(d))
    text = session.files.buffers[doc][0]
    pages = "    pages = models.PositiveIntegerField()\n"
    session.files.replace(
        doc, text.replace(pages, pages + "    subtitle = models.CharField(max_length=50)\n")
    )
    diagnostics = await session.diagnostics(
        doc, lambda d: ("Book", "djgen.migration") in all_codes(d)
    )
    fix = by_kind(await actions_at(session, doc, diagnostics, "Book"), "quickfix.djgen.migration")
    resolved = await session.client.code_action_resolve_async(fix)
    assert resolved.edit is None and resolved.command is not None  # it has to ask first
    await session.client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=resolved.command.command, arguments=resolved.command.arguments
        )
    )
    assert len(asked) == 1 and "Book.subtitle" in asked[0].message
    assert [a.title for a in asked[0].actions] == ["''", "Cancel"]
    # save the models buffer, as the user would, before Django looks at it
    (project.app_dir("catalog") / "models.py").write_text(session.files.buffers[doc][0])
    (migration,) = [p for p in (project.app_dir("catalog") / "migrations").glob("0002_*.py")]
    assert "preserve_default=False" in migration.read_text()
    project.migrate()
    project.assert_no_missing_migrations()


async def test_project_wiring_is_one_diagnostic_on_the_first_model_with_a_settings_edit(
    start: StartSession, project
) -> None:
    """api-settings is a project generator: its diagnostic sits on the first model only, and
    its quick fix edits settings.py and urls.py (and creates the project's api/ modules)."""
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc, _ = await open_models(session, project)
    diagnostics = await session.diagnostics(
        doc, lambda d: ("Author", "djgen.missing-api-settings") in all_codes(d)
    )
    wiring_codes = {p for p in all_codes(diagnostics) if p[1] == "djgen.missing-api-settings"}
    assert wiring_codes == {("Author", "djgen.missing-api-settings")}, "first model only"
    (wiring,) = [d for d in diagnostics if d.code == "djgen.missing-api-settings"]
    assert wiring.message == "Author has no API routed under /api/v1/ (settings.py, urls.py)."
    actions = await actions_at(session, doc, [wiring], "Author")
    fix = by_kind(actions, "quickfix.djgen.api-settings")
    resolved = await session.client.code_action_resolve_async(fix)
    assert resolved.edit is not None
    session.files.apply(resolved.edit)
    settings = (project.root / "bookshop" / "settings.py").read_text()
    assert '"corsheaders.middleware.CorsMiddleware"' in settings
    assert "bookshop.api.errors.api_exception_handler" in settings
    assert "api/<str:version>/" in (project.root / "bookshop" / "urls.py").read_text()
    assert (project.root / "bookshop" / "api" / "errors.py").is_file()
    await session.diagnostics(
        doc, lambda d: ("Author", "djgen.missing-api-settings") not in all_codes(d)
    )


async def test_settings_py_offers_the_project_wiring_for_each_app(
    start: StartSession, project
) -> None:
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    settings_py = project.root / "bookshop" / "settings.py"
    doc = session.files.open(settings_py)
    actions = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(doc),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    (action,) = [a for a in actions or [] if a.kind == "quickfix.djgen.api-settings"]
    assert action.title == "Add production API settings and routes for the catalog app"
    resolved = await session.client.code_action_resolve_async(action)
    assert resolved.edit is not None
    session.files.apply(resolved.edit)
    buffer, _ = session.files.buffers[doc]  # the open settings.py changed in the editor
    assert '"drf_spectacular"' in buffer and buffer.startswith('"""Settings for the bookshop')
    assert (project.root / "bookshop" / "api" / "urls.py").is_file()
