"""Starting the server: ``djgen lsp`` (stdio), ``python -m djgen.server`` and ``--tcp``.

Data path under test: the command line → a running server that answers ``initialize`` with
djgen's capabilities.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

from lsp_session import VSCODE, StartSession, codes


async def test_djgen_lsp_serves_over_stdio(start: StartSession, project) -> None:
    session = await start(
        VSCODE,
        [project.root],
        init_options={"diagnosticsDelayMs": 0},
        command=[sys.executable, "-m", "djgen.generators", "lsp"],
    )
    doc = session.files.open(project.app_dir("catalog") / "models.py")
    await session.diagnostics(doc, lambda d: ("Book", "djgen.missing-serializer") in codes(d))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _message(sock: socket.socket) -> dict:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(head.split(b"Content-Length:")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += sock.recv(4096)
    return json.loads(body[:length])


def test_tcp(tmp_path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "djgen.server", "--tcp", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "the server never listened"
                time.sleep(0.1)
        with sock:
            body = json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}},
                }
            ).encode()
            sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            reply = _message(sock)
        assert reply["result"]["serverInfo"]["name"] == "djgen"
        capabilities = reply["result"]["capabilities"]
        assert capabilities["codeActionProvider"]["resolveProvider"] is True
        assert set(capabilities["executeCommandProvider"]["commands"]) == {
            "djgen.generate",
            "djgen.generateAll",
            "djgen.preview",
        }
    finally:
        server.kill()
        server.wait()
