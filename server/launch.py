"""Starting the language server: command-line options → a running pygls server.

Data path: ``djgen lsp`` / ``python -m djgen.server`` → **launch** (this module) → the server
(``app.create_server``) over stdio, or TCP with ``--tcp``.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence


def build_parser(prog: str = "djgen lsp") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Run the djgen language server (stdio by default)."
    )
    parser.add_argument("--stdio", action="store_true", help="use stdio (the default)")
    parser.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="TCP host (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2087, help="TCP port (default 2087)")
    parser.add_argument(
        "--log-file", help="also write the server's own log to this file (for debugging)"
    )
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "djgen lsp") -> int:
    """Run the server until the client says exit; returns the process exit status."""
    args = build_parser(prog).parse_args(argv)
    if args.log_file:
        logging.basicConfig(filename=args.log_file, level=logging.DEBUG, filemode="w")
    else:
        logging.basicConfig(level=logging.WARNING)
    from .app import create_server

    server = create_server()
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    return 0
