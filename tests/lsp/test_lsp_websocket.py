"""The websocket generator in the editor: the missing-consumer hint on each model, the
"Generate consumer for <Model>" quick fix (resolved into a WorkspaceEdit that creates
consumers.py with that model's consumer only) and the consumer in the model's hover preview.

Data path under test: models.py → IR → websocket descriptor (diagnostic spec) → diagnostics →
code action → ``codeAction/resolve`` → pipeline (generators → artifacts → merge) → WorkspaceEdit
→ files; hover → the same artifacts rendered as a preview.
"""

from __future__ import annotations

import pytest
from lsp_session import VSCODE, StartSession, all_codes
from lsprotocol import types

from djgen.generators.core.registry import available

pytestmark = pytest.mark.skipif("websocket" not in available(), reason="no websocket generator")

MODELS = ("Author", "Publisher", "Book", "Authorship", "Review")
CODE = "djgen.missing-websocket"


def position_of(text: str, needle: str, offset: int = 0) -> types.Position:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return types.Position(line, index - (text.rfind("\n", 0, index) + 1))


async def test_hint_quick_fix_and_hover_for_each_model(start: StartSession, project) -> None:
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc = session.files.open(project.app_dir("catalog") / "models.py")
    diagnostics = await session.diagnostics(
        doc, lambda d: all((m, CODE) in all_codes(d) for m in MODELS)
    )
    hints = [d for d in diagnostics if d.code == CODE]
    assert sorted(d.data["model"] for d in hints) == sorted(MODELS)
    assert {d.severity for d in hints} == {types.DiagnosticSeverity.Hint}
    assert all(d.message == f"{d.data['model']} has no WebSocket consumer." for d in hints), [
        d.message for d in hints
    ]

    book = [d for d in hints if d.data["model"] == "Book"]
    actions = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(doc),
            range=book[0].range,
            context=types.CodeActionContext(diagnostics=book),
        )
    )
    kinds = {a.kind for a in actions or []}
    assert "source.djgen.generateAll" in kinds
    (fix,) = [a for a in actions or [] if a.kind == "quickfix.djgen.websocket"]
    assert fix.title == "Generate consumer for Book"

    text = session.files.buffers[doc][0]
    hover = await session.client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(doc), position_of(text, "class Book(", 8))
    )
    assert hover is not None and "class BookConsumer(ModelEventsConsumer):" in hover.contents.value

    resolved = await session.client.code_action_resolve_async(fix)
    assert resolved.edit is not None and resolved.edit.document_changes
    session.files.apply(resolved.edit)
    consumers = (project.app_dir("catalog") / "consumers.py").read_text()
    assert "class BookConsumer(ModelEventsConsumer):" in consumers
    assert "    model = Book\n" in consumers and "serializer_class = BookSerializer" in consumers
    assert "class AuthorConsumer(" not in consumers, "only the model the fix was for"
    routing = (project.app_dir("catalog") / "routing.py").read_text()
    assert 'path("book/<int:pk>/", consumers.BookConsumer.as_asgi())' in routing
    assert "ws_routing" in (project.root / "bookshop" / "asgi.py").read_text()

    await session.diagnostics(
        doc, lambda d: ("Book", CODE) not in all_codes(d) and ("Author", CODE) in all_codes(d)
    )
