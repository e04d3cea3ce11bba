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


def pytest_collection_modifyitems(items: list) -> None:
    """pytest-lsp's checks that the server respects the client's capabilities are failures here."""
    import pytest

    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here:
            item.add_marker(pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"))
