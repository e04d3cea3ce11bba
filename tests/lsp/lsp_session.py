"""Helpers for the language server's end-to-end tests: a real server process, a pytest-lsp
client with a real editor's capability set, and a copy of ``examples/bookshop`` to work on.

Data path: the client drives the server (models.py buffer → IR → diagnostics / code actions →
WorkspaceEdit); ``EditorFiles`` plays the editor's part of applying WorkspaceEdits to files on
disk and telling the server about them, so each test sees the whole loop.
"""

from __future__ import annotations

import asyncio
import copy
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Union

import pytest
import pytest_asyncio
from djangoproject import DjangoProject, copy_example
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path, to_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER_COMMAND = [
    sys.executable,
    "-m",
    "djgen.server",
    *(["--log-file", os.environ["DJGEN_LSP_LOG"]] if os.environ.get("DJGEN_LSP_LOG") else []),
]
VSCODE = "visual-studio-code@v1.65.2"
NEOVIM = "neovim@v0.7.0"
#: How long a test waits for the server to publish something.
WAIT = 20.0


def uri(path: Path | str) -> str:
    value = from_fs_path(str(path))
    assert value is not None
    return value


def capabilities(spec: str) -> types.ClientCapabilities:
    """A fresh copy of a real client's capability set (tests may edit it)."""
    return copy.deepcopy(client_capabilities(spec))


class EditorFiles:
    """The editor side of WorkspaceEdits: buffers the client has open, and files on disk."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        #: uri → (text, version) of documents opened through ``open``.
        self.buffers: dict[str, tuple[str, int]] = {}
        self.applied: list[types.WorkspaceEdit] = []

    def open(self, path: Path, text: str | None = None) -> str:
        doc_uri = uri(path)
        text = path.read_text(encoding="utf-8") if text is None else text
        self.buffers[doc_uri] = (text, 1)
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=doc_uri, language_id="python", version=1, text=text
                )
            )
        )
        return doc_uri

    def replace(self, doc_uri: str, text: str) -> int:
        """Replace a buffer's whole text (one incremental change); returns the new version."""
        old, _ = self.buffers[doc_uri]
        end = _end_position(old)
        self.change(
            doc_uri,
            [
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(0, 0), end), text=text
                )
            ],
            text,
        )
        return self.buffers[doc_uri][1]

    def change(self, doc_uri: str, changes: list[Any], new_text: str) -> int:
        _, version = self.buffers[doc_uri]
        version += 1
        self.buffers[doc_uri] = (new_text, version)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=doc_uri, version=version),
                content_changes=changes,
            )
        )
        return version

    def save(self, doc_uri: str) -> None:
        text, _ = self.buffers[doc_uri]
        Path(to_fs_path(doc_uri)).write_text(text, encoding="utf-8")
        self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(doc_uri))
        )

    def apply(self, edit: types.WorkspaceEdit) -> list[Path]:
        """Apply a WorkspaceEdit like an editor: open buffers change (and the server hears of
        it), other files change on disk (and the server gets a watched-files event)."""
        self.applied.append(edit)
        touched: list[Path] = []
        events: list[types.FileEvent] = []
        for change in edit.document_changes or []:
            if isinstance(change, types.CreateFile):
                path = Path(to_fs_path(change.uri))
                if not path.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text("", encoding="utf-8")
                    events.append(types.FileEvent(change.uri, types.FileChangeType.Created))
            elif isinstance(change, types.TextDocumentEdit):
                doc = change.text_document
                if doc.uri in self.buffers and doc.version is not None:
                    assert doc.version == self.buffers[doc.uri][1], "edit for a stale version"
                touched.append(self._apply_edits(doc.uri, change.edits, events))
            else:
                raise AssertionError(f"unexpected document change {change!r}")
        for change_uri, edits in (edit.changes or {}).items():
            touched.append(self._apply_edits(change_uri, edits, events))
        if events:
            self.client.workspace_did_change_watched_files(
                types.DidChangeWatchedFilesParams(changes=events)
            )
        return touched

    def _apply_edits(self, doc_uri: str, edits: list[Any], events: list[types.FileEvent]) -> Path:
        path = Path(to_fs_path(doc_uri))
        if doc_uri in self.buffers:
            text = apply_text_edits(self.buffers[doc_uri][0], edits)
            whole = types.TextDocumentContentChangeWholeDocument(text=text)
            self.change(doc_uri, [whole], text)
        else:
            assert path.exists(), f"edit for a file that does not exist: {path}"
            text = apply_text_edits(path.read_text(encoding="utf-8"), edits)
            path.write_text(text, encoding="utf-8")
            events.append(types.FileEvent(doc_uri, types.FileChangeType.Changed))
        return path


def _end_position(text: str) -> types.Position:
    lines = text.split("\n")
    return types.Position(len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2)


def offset_of(text: str, position: types.Position) -> int:
    """A UTF-16 LSP position → an index into ``text``."""
    lines = text.split("\n")
    if position.line >= len(lines):
        return len(text)
    start = sum(len(line) + 1 for line in lines[: position.line])
    line = lines[position.line]
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return start + index
        units += len(char.encode("utf-16-le")) // 2
    return start + len(line)


def apply_text_edits(text: str, edits: list[Any]) -> str:
    """Apply LSP TextEdits (non-overlapping, positions in the original text)."""
    spans = sorted(
        ((offset_of(text, e.range.start), offset_of(text, e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


async def wait_for(
    predicate: Callable[[], Any], timeout: float = WAIT, what: str = "condition"
) -> Any:
    """Poll until ``predicate()`` is truthy (returns it) or fail after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


#: The generators whose diagnostics the generic LSP suites are about; every other diagnostic
#: (migrations, on by default; api-settings, websocket, …) is checked by its own tests through
#: ``all_codes``.
BASE_CODES = frozenset(
    {
        "djgen.missing-serializer",
        "djgen.missing-filterset",
        "djgen.missing-viewset",
        "djgen.missing-admin",
    }
)


def codes(diagnostics: Any) -> set[tuple[str, str]]:
    """{(model, code)} of the base generators' djgen diagnostics."""
    return {pair for pair in all_codes(diagnostics) if pair[1] in BASE_CODES}


def all_codes(diagnostics: Any) -> set[tuple[str, str]]:
    """{(model, code)} of every djgen diagnostic."""
    return {(d.data["model"], d.code) for d in diagnostics or [] if d.source == "djgen"}


class Session:
    """One running server with its client and the editor's files."""

    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client = client
        self.root = root
        self.files = EditorFiles(client)
        self.applied_via_request: list[types.ApplyWorkspaceEditParams] = []

    async def diagnostics(
        self, doc_uri: str, predicate: Callable[[Any], bool] = lambda d: True, version: Any = None
    ) -> list[types.Diagnostic]:
        """The next published diagnostics of ``doc_uri`` that satisfy ``predicate``."""

        def ready() -> Any:
            if doc_uri not in self.client.diagnostics:
                return None
            diagnostics = self.client.diagnostics[doc_uri]
            if version is not None and self.published_version(doc_uri) != version:
                return None
            return [diagnostics] if predicate(diagnostics) else None

        return (await wait_for(ready, what=f"diagnostics for {doc_uri}"))[0]

    def published_version(self, doc_uri: str) -> int | None:
        return self._versions.get(doc_uri)

    _versions: dict[str, int | None]


StartSession = Callable[..., Awaitable[Session]]


def _make_client() -> LanguageClient:
    """pytest-lsp's test client, minus the handlers each session installs itself."""
    client = LanguageClient(converter_factory=default_converter)
    features = {
        method: handler
        for method, handler in DEFAULT_CLIENT_FEATURES.items()
        if method not in (types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, types.WORKSPACE_APPLY_EDIT)
    }
    register_lsp_features(client, features)
    # lsprotocol 2025.0.0 structures every code action that carries a `command` as a Command
    # (it only checks for the key); a Command's `command` is a string, a CodeAction's is not.
    converter = client.protocol._converter

    def code_action_or_command(obj: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(
        Union[types.Command, types.CodeAction],  # noqa: UP007 (the key lsprotocol uses)
        code_action_or_command,
    )

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(params: None) -> None:
        client.code_lens_refreshes += 1  # type: ignore[attr-defined]

    client.registrations = []  # type: ignore[attr-defined]
    client.code_lens_refreshes = 0  # type: ignore[attr-defined]
    return client


@pytest.fixture
def project(tmp_path: Path) -> DjangoProject:
    """A fresh copy of examples/bookshop."""
    return copy_example(tmp_path / "bookshop", "bookshop")


@pytest_asyncio.fixture
async def start() -> AsyncIterator[StartSession]:
    """``await start(spec_or_capabilities, folders, init_options=…, configuration=…)``."""
    sessions: list[Session] = []

    async def _start(
        caps: str | types.ClientCapabilities,
        folders: list[Path],
        *,
        init_options: Any = None,
        configuration: dict[str, Any] | None = None,
        apply_edits: bool = True,
        command: list[str] | None = None,
    ) -> Session:
        config = ClientServerConfig(
            server_command=command or SERVER_COMMAND, client_factory=_make_client
        )
        client = await config.start()
        assert isinstance(client, LanguageClient)
        session = Session(client, folders[0])
        session._versions = {}
        if configuration:
            for scope, value in configuration.items():
                client.set_configuration(value, section="djgen", scope_uri=scope)

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            session._versions[params.uri] = params.version
            client.diagnostics[params.uri] = params.diagnostics

        if apply_edits:

            @client.feature(types.WORKSPACE_APPLY_EDIT)
            def apply_edit(
                params: types.ApplyWorkspaceEditParams,
            ) -> types.ApplyWorkspaceEditResult:
                session.applied_via_request.append(params)
                session.files.apply(params.edit)
                return types.ApplyWorkspaceEditResult(applied=True)

        if isinstance(caps, str):
            caps = capabilities(caps)
        await client.initialize_session(
            types.InitializeParams(
                capabilities=caps,
                root_uri=uri(folders[0]),
                workspace_folders=[types.WorkspaceFolder(uri=uri(f), name=f.name) for f in folders],
                initialization_options=init_options,
            )
        )
        sessions.append(session)
        return session

    yield _start
    for session in sessions:
        try:
            await asyncio.wait_for(session.client.shutdown_session(), 10)
        finally:
            await session.client.stop()
