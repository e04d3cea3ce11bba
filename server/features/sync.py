"""Document sync and diagnostics delivery: buffer events → debounced analysis → diagnostics.

Data path: didOpen / didChange / didSave / didClose → **scheduling** (this module, via the
server's per-document debounce) → analysis (IR) → diagnostics, pushed with
``textDocument/publishDiagnostics`` or answered to ``textDocument/diagnostic`` when the client
pulls (never both for one client).
"""

from __future__ import annotations

from lsprotocol import types

from ..core import DjgenLanguageServer


def register(server: DjgenLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DjgenLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.document_changed(params.text_document.uri, immediate=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: DjgenLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.document_changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: DjgenLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.document_changed(params.text_document.uri, immediate=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DjgenLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.document_closed(params.text_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="djgen", inter_file_dependencies=True, workspace_diagnostics=False
        ),
    )
    async def pull_diagnostics(
        ls: DjgenLanguageServer, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        analysis = await ls.analysis_for(params.text_document.uri)
        items = ls.diagnostics_for(analysis) if analysis is not None else []
        if analysis is None:  # not a models module: what features say about it (drift)
            for provider in ls.pull_providers:
                items.extend(await provider(ls, params.text_document.uri) or [])
        return types.RelatedFullDocumentDiagnosticReport(items=items)
