"""pytest fixtures for the language server tests (defined in ``lsp_session``).

Data path: the client drives a real server process (models.py buffer → IR → diagnostics / code
actions → WorkspaceEdit) on a copy of ``examples/bookshop``.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from lsp_session import project, start  # noqa: E402

__all__ = ["project", "start"]
