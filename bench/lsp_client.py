"""A minimal LSP client over a child process's stdio, as an editor talks to a language server.

Place in the data path: the editor's end. The benchmarks drive ``djgen lsp`` (models.py buffer →
IR → diagnostics / code actions / hovers / WorkspaceEdits) through this client and time each
round trip; it is hand-written (Content-Length framing, JSON-RPC 2.0) so the client's own cost is
a few microseconds per message and nothing in it depends on the server under test.

Requests the server sends (``workspace/configuration``, ``client/registerCapability``,
``window/workDoneProgress/create``, ``workspace/applyEdit``, refreshes) get the answers a
cooperative editor would give.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

#: What an editor like VS Code says it can do, trimmed to what djgen looks at. No pull
#: diagnostics: the server pushes ``publishDiagnostics`` (with versions).
CLIENT_CAPABILITIES: dict[str, Any] = {
    "workspace": {
        "applyEdit": True,
        "workspaceEdit": {
            "documentChanges": True,
            "resourceOperations": ["create", "rename", "delete"],
        },
        "configuration": True,
        "workspaceFolders": True,
        "didChangeConfiguration": {"dynamicRegistration": True},
        "didChangeWatchedFiles": {"dynamicRegistration": True},
        "codeLens": {"refreshSupport": True},
    },
    "textDocument": {
        "synchronization": {"didSave": True, "dynamicRegistration": True},
        "publishDiagnostics": {"versionSupport": True, "relatedInformation": True},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "codeAction": {
            "codeActionLiteralSupport": {
                "codeActionKind": {
                    "valueSet": ["", "quickfix", "refactor", "source", "source.organizeImports"]
                }
            },
            "isPreferredSupport": True,
            "dataSupport": True,
            "resolveSupport": {"properties": ["edit"]},
        },
        "codeLens": {},
    },
    "window": {"workDoneProgress": True},
}


class ServerExited(RuntimeError):
    """The server process ended while the client was waiting for it."""


class LspClient:
    """One server process and the JSON-RPC conversation with it."""

    def __init__(self, proc: asyncio.subprocess.Process, started: float) -> None:
        self.proc = proc
        #: ``time.perf_counter()`` just before the process was spawned.
        self.started = started
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._watchers: list[tuple[str, Callable[[Any], bool], asyncio.Future[Any]]] = []
        #: uri → (version, diagnostics) of the latest publishDiagnostics.
        self.diagnostics: dict[str, tuple[int | None, list[dict[str, Any]]]] = {}
        self.log: list[str] = []
        self._reader = asyncio.ensure_future(self._read_loop())

    @classmethod
    async def spawn(cls, argv: Sequence[str], cwd: Path | None = None) -> LspClient:
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            cwd=str(cwd) if cwd else None,
        )
        return cls(proc, started)

    @property
    def pid(self) -> int:
        return self.proc.pid

    # -- sending -------------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message, separators=(",", ":")).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def request(self, method: str, params: Any = None, timeout: float = 120.0) -> Any:
        """Send a request and wait for its result (raises on an error response)."""
        self._next_id += 1
        request_id = self._next_id
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        assert self.proc.stdin is not None
        await self.proc.stdin.drain()
        return await asyncio.wait_for(future, timeout)

    async def notify(self, method: str, params: Any = None) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})
        assert self.proc.stdin is not None
        await self.proc.stdin.drain()

    def expect(self, method: str, predicate: Callable[[Any], bool]) -> asyncio.Future[Any]:
        """A future for the next notification ``method`` whose params satisfy ``predicate``.

        Call it *before* sending what triggers the notification, so none is missed.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._watchers.append((method, predicate, future))
        return future

    def expect_diagnostics(self, uri: str, version: int) -> asyncio.Future[Any]:
        return self.expect(
            "textDocument/publishDiagnostics",
            lambda p: p.get("uri") == uri and p.get("version") == version,
        )

    # -- session helpers -----------------------------------------------------------------------

    async def initialize(
        self, root: Path, init_options: Any = None, timeout: float = 120.0
    ) -> dict[str, Any]:
        uri = root.resolve().as_uri()
        params = {
            "processId": None,
            "clientInfo": {"name": "djgen-bench", "version": "0"},
            "rootUri": uri,
            "rootPath": str(root),
            "workspaceFolders": [{"uri": uri, "name": root.name}],
            "capabilities": CLIENT_CAPABILITIES,
            "initializationOptions": init_options,
        }
        return await self.request("initialize", params, timeout=timeout)

    async def close(self, timeout: float = 15.0) -> None:
        """shutdown + exit, then wait for the process (killed if it does not end)."""
        with contextlib.suppress(Exception):
            await self.request("shutdown", None, timeout=timeout)
            await self.notify("exit")
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reader

    # -- receiving -----------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        try:
            while True:
                length = None
                while True:
                    line = await stream.readline()
                    if not line:
                        raise ServerExited("the server closed its output")
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.lower() == "content-length":
                        length = int(value.strip())
                if length is None:
                    continue
                body = await stream.readexactly(length)
                self._dispatch(json.loads(body))
        except (ServerExited, asyncio.IncompleteReadError) as exc:
            error = exc if isinstance(exc, ServerExited) else ServerExited(str(exc))
            for future in list(self._pending.values()):
                if not future.done():
                    future.set_exception(error)
            for _, _, future in self._watchers:
                if not future.done():
                    future.set_exception(error)

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "method" not in message:
            future = self._pending.pop(message.get("id"), None)
            if future is None or future.done():
                return
            if "error" in message:
                future.set_exception(RuntimeError(f"server error: {message['error']}"))
            else:
                future.set_result(message.get("result"))
            return
        method = message["method"]
        params = message.get("params")
        if "id" in message:
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": _answer(method, params)})
            return
        if method == "textDocument/publishDiagnostics":
            self.diagnostics[params["uri"]] = (params.get("version"), params["diagnostics"])
        elif method == "window/logMessage":
            self.log.append(params.get("message", ""))
        for watcher in list(self._watchers):
            wanted, predicate, future = watcher
            if future.done():
                self._watchers.remove(watcher)
            elif wanted == method and predicate(params):
                future.set_result(params)
                self._watchers.remove(watcher)


def _answer(method: str, params: Any) -> Any:
    """The result a cooperative editor returns for a server → client request."""
    if method == "workspace/configuration":
        return [None for _ in (params or {}).get("items", [])]
    if method == "workspace/applyEdit":
        return {"applied": True}
    return None


# -- text editing, as an editor would -----------------------------------------------------------


def end_position(text: str) -> dict[str, int]:
    lines = text.split("\n")
    return {"line": len(lines) - 1, "character": _utf16_len(lines[-1])}


def _utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def offset_of(text: str, line: int, character: int) -> int:
    """An LSP position (UTF-16 units) → an index into ``text``."""
    start = 0
    for _ in range(line):
        start = text.index("\n", start) + 1
    end = text.find("\n", start)
    row = text[start : end if end >= 0 else len(text)]
    units = 0
    for index, char in enumerate(row):
        if units >= character:
            return start + index
        units += _utf16_len(char)
    return start + len(row)


class Document:
    """The editor's copy of one open document: text, version, and incremental changes."""

    def __init__(self, client: LspClient, path: Path, text: str) -> None:
        self.client = client
        self.path = path
        self.uri = path.resolve().as_uri()
        self.text = text
        self.version = 1

    async def open(self) -> asyncio.Future[Any]:
        """didOpen; returns the future of its first diagnostics."""
        future = self.client.expect_diagnostics(self.uri, self.version)
        await self.client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": self.uri,
                    "languageId": "python",
                    "version": self.version,
                    "text": self.text,
                }
            },
        )
        return future

    async def edit(
        self, start: tuple[int, int], end: tuple[int, int], new_text: str
    ) -> asyncio.Future[Any]:
        """One incremental didChange; returns the future of that version's diagnostics."""
        a = offset_of(self.text, *start)
        b = offset_of(self.text, *end)
        self.text = self.text[:a] + new_text + self.text[b:]
        self.version += 1
        future = self.client.expect_diagnostics(self.uri, self.version)
        await self.client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": self.uri, "version": self.version},
                "contentChanges": [
                    {
                        "range": {
                            "start": {"line": start[0], "character": start[1]},
                            "end": {"line": end[0], "character": end[1]},
                        },
                        "text": new_text,
                    }
                ],
            },
        )
        return future
