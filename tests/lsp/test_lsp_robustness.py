"""Robustness: thousands of random edits streamed through didChange.

Data path under test: a flood of incremental changes (insertions, deletions, truncations, junk,
astral characters) to the bookshop's models.py and to a large models.py → debounced analysis →
diagnostics. The server must not crash or log an error, must answer every request interleaved
with the edits within a second, and must end with the diagnostics a fresh server computes for
the final texts.
"""

from __future__ import annotations

import ast
import random
import shutil
import time
from pathlib import Path

import pytest
from lsp_session import VSCODE, StartSession, codes, uri
from lsprotocol import types

pytestmark = pytest.mark.slow

SEED = 20261122
EDITS = {"catalog": 2000, "library": 1000}
BATCH = 25
#: Characters random junk is made of (no str.splitlines separators besides "\n").
JUNK = "abcxyz_ ()[]{}:=.,'\"#\n\t\\0123456789éß中😀𝄞"


def big_models(count: int = 150) -> str:
    """A large models.py: ``count`` models with relations between them."""
    parts = ['"""A large models module."""\n\nfrom django.db import models\n']
    for i in range(count):
        parts.append(f"\n\nclass Thing{i}(models.Model):\n")
        parts.append(f"    name = models.CharField(max_length={10 + i % 50})\n")
        parts.append("    count = models.IntegerField(default=0)\n")
        if i:
            parts.append(
                f"    parent = models.ForeignKey(Thing{i - 1}, on_delete=models.CASCADE,"
                f' related_name="children_{i}")\n'
            )
        parts.append("\n    class Meta:\n        ordering = ['name']\n")
    return "".join(parts)


def position_at(text: str, offset: int) -> types.Position:
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return types.Position(line, len(text[start:offset].encode("utf-16-le")) // 2)


def line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]


def random_edit(rng: random.Random, text: str, original: str) -> tuple[int, int, str]:
    """(start, end, replacement) in code point offsets."""
    kind = rng.random()
    starts = line_starts(text)
    if kind < 0.30:  # a junk insertion somewhere
        at = rng.randint(0, len(text))
        return at, at, "".join(rng.choice(JUNK) for _ in range(rng.randint(1, 12)))
    if kind < 0.50:  # delete a span of characters
        at = rng.randint(0, len(text))
        return at, min(len(text), at + rng.randint(1, 40)), ""
    if kind < 0.65:  # a plausible field line at a line start
        at = rng.choice(starts)
        name = f"f{rng.randint(0, 999)}"
        return at, at, f"    {name} = models.CharField(max_length=10)\n"
    if kind < 0.75:  # delete whole lines
        first = rng.randrange(len(starts))
        last = min(len(starts) - 1, first + rng.randint(1, 8))
        end = starts[last] if last > first else len(text)
        return starts[first], end, ""
    if kind < 0.85:  # truncate at a line boundary
        return rng.choice(starts), len(text), ""
    if kind < 0.93:  # a new model at the end
        name = f"Extra{rng.randint(0, 999)}"
        return (
            len(text),
            len(text),
            f"\n\nclass {name}(models.Model):\n    x = models.IntegerField()\n",
        )
    return 0, len(text), original  # back to the original


def parseable_prefix(text: str) -> str:
    lines = text.splitlines(keepends=True)
    for end in range(len(lines), -1, -1):
        candidate = "".join(lines[:end])
        try:
            ast.parse(candidate)
        except SyntaxError:
            continue
        return candidate
    return ""


#: An answer later than this is a stall (a blocked event loop, a lock never released), not
#: slowness: the threshold is a liveness check with room for a loaded CI machine, not a benchmark
#: (latency is measured in bench/lsp_bench.py).
STALL_SECONDS = 5.0


async def timed(request, failures: list[str], what: str) -> None:
    """Await a request; note it when it stalled (never cancel it)."""
    started = time.monotonic()
    await request
    elapsed = time.monotonic() - started
    if elapsed > STALL_SECONDS:
        failures.append(f"{what}: answered after {elapsed:.2f} s")


async def test_random_edit_storm(
    start: StartSession, project, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    library = project.root / "library"
    library.mkdir()
    (library / "__init__.py").write_text("")
    (library / "models.py").write_text(big_models())
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 50})
    docs = {
        "catalog": session.files.open(project.app_dir("catalog") / "models.py"),
        "library": session.files.open(library / "models.py"),
    }
    for doc in docs.values():
        await session.diagnostics(doc, lambda d: bool(codes(d)))
    originals = {app: session.files.buffers[doc][0] for app, doc in docs.items()}

    rng = random.Random(SEED)
    failures: list[str] = []
    plan = [app for app, count in EDITS.items() for _ in range(count)]
    rng.shuffle(plan)
    for index, app in enumerate(plan):
        doc = docs[app]
        text = session.files.buffers[doc][0]
        begin, end, new = random_edit(rng, text, originals[app])
        change = types.TextDocumentContentChangePartial(
            range=types.Range(position_at(text, begin), position_at(text, end)), text=new
        )
        session.files.change(doc, [change], text[:begin] + new + text[end:])
        if index % BATCH == BATCH - 1:
            text = session.files.buffers[doc][0]
            position = position_at(text, rng.randint(0, len(text)))
            ident = types.TextDocumentIdentifier(doc)
            request = rng.choice(["hover", "codeAction", "codeLens"])
            if request == "hover":
                call = session.client.text_document_hover_async(types.HoverParams(ident, position))
            elif request == "codeAction":
                call = session.client.text_document_code_action_async(
                    types.CodeActionParams(
                        ident,
                        types.Range(position, position),
                        types.CodeActionContext(diagnostics=[]),
                    )
                )
            else:
                call = session.client.text_document_code_lens_async(types.CodeLensParams(ident))
            await timed(call, failures, f"{request} after edit {index}")

    # End on parseable texts, so a fresh server has something to say about them.
    finals = {}
    for app, doc in docs.items():
        text = session.files.buffers[doc][0]
        final = parseable_prefix(text)
        if final != text:
            session.files.replace(doc, final)
        finals[app] = final
    for doc in docs.values():
        version = session.files.buffers[doc][1]
        await session.diagnostics(doc, lambda d: True, version=version)

    assert session.client.error is None, session.client.error
    errors = [m.message for m in session.client.log_messages if m.type == types.MessageType.Error]
    assert not errors, errors[:3]
    assert not failures, failures[:10]
    stderr = capfd.readouterr().err  # the server's stderr, forwarded by pytest-lsp
    assert "Traceback" not in stderr and "ERROR" not in stderr, stderr[-3000:]

    # A fresh server, on a copy of the project with the final texts saved, agrees.
    fresh_root = tmp_path / "fresh" / "bookshop"
    shutil.copytree(project.root, fresh_root)
    (fresh_root / "catalog" / "models.py").write_text(finals["catalog"])
    (fresh_root / "library" / "models.py").write_text(finals["library"])
    fresh = await start(VSCODE, [fresh_root], init_options={"diagnosticsDelayMs": 0})
    compared: dict[str, int] = {}
    for app, doc in docs.items():
        fresh_doc = fresh.files.open(fresh_root / app / "models.py")
        assert fresh_doc == uri(fresh_root / app / "models.py")
        await fresh.diagnostics(fresh_doc, lambda d: True, version=1)
        mine = [_key(d) for d in session.client.diagnostics[doc]]
        theirs = [_key(d) for d in fresh.client.diagnostics[fresh_doc]]
        assert mine == theirs, app
        compared[app] = len(theirs)
    assert any(compared.values()), f"nothing left to compare: {compared}"


def _key(diagnostic: types.Diagnostic) -> tuple:
    data = dict(diagnostic.data)
    data.pop("uri")
    r = diagnostic.range
    return (
        (r.start.line, r.start.character, r.end.line, r.end.character),
        diagnostic.code,
        diagnostic.message,
        diagnostic.severity,
        sorted(data.items()),
    )
