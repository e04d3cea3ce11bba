"""A bare pygls server with djgen's feature set and none of its work: the start-up yardstick.

Place in the data path: outside it. ``lsp_bench.py`` starts this beside ``djgen lsp`` to show
what djgen adds to a pygls server's start (issue 6: "within 1.2x of a bare pygls server that
registers the same features"). It advertises the same capabilities as djgen's server (incremental
sync, pull diagnostics, code actions with resolve, hover, code lens, the three commands,
configuration and watched-files notifications) and answers every request with nothing.

Run: ``python bench/bare_server.py`` (stdio).
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

COMMANDS = ("djgen.generate", "djgen.generateAll", "djgen.preview")


def create_server() -> LanguageServer:
    server = LanguageServer(
        name="bare", version="0", text_document_sync_kind=types.TextDocumentSyncKind.Incremental
    )

    @server.feature(types.INITIALIZED)
    def initialized(ls: LanguageServer, params: types.InitializedParams) -> None:
        return None

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(
        ls: LanguageServer, params: types.DidChangeConfigurationParams
    ) -> None:
        return None

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_folders(
        ls: LanguageServer, params: types.DidChangeWorkspaceFoldersParams
    ) -> None:
        return None

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: LanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        return None

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        return None

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        return None

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        return None

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        return None

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="bare", inter_file_dependencies=True, workspace_diagnostics=False
        ),
    )
    def pull_diagnostics(
        ls: LanguageServer, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        return types.RelatedFullDocumentDiagnosticReport(items=[])

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[
                types.CodeActionKind.QuickFix,
                types.CodeActionKind.Source,
                "source.djgen.generateAll",
            ],
            resolve_provider=True,
        ),
    )
    def code_action(ls: LanguageServer, params: types.CodeActionParams) -> None:
        return None

    @server.feature(types.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls: LanguageServer, action: types.CodeAction) -> types.CodeAction:
        return action

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: LanguageServer, params: types.HoverParams) -> None:
        return None

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    def code_lens(ls: LanguageServer, params: types.CodeLensParams) -> None:
        return None

    for name in COMMANDS:

        @server.command(name)
        def command(ls: LanguageServer, *args: Any) -> None:
            return None

    return server


if __name__ == "__main__":
    create_server().start_io()
