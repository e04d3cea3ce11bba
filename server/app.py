"""The composition root: the server object with every feature registered, once.

Data path: editor events → **create_server** (this module wires ``core.DjgenLanguageServer`` to
the feature modules in ``features/``) → analysis → diagnostics / code actions / hovers / lenses /
commands → WorkspaceEdit.
"""

from __future__ import annotations

from .core import DjgenLanguageServer
from .features import actions, commands, drift, hover, lens, lifecycle, relations, sync

FEATURES = (lifecycle, sync, actions, commands, hover, lens, drift, relations)


def create_server() -> DjgenLanguageServer:
    """A server with every feature registered."""
    server = DjgenLanguageServer()
    for feature in FEATURES:
        feature.register(server)
    return server
