"""Static model reader: models.py source → model IR (``ast`` only, never imports user code).

Data path: models.py → **reader** → IR → generator → artifacts → merge → file or WorkspaceEdit.
"""

from __future__ import annotations

from .app_reader import locate_models, read_app, read_source

__all__ = ["locate_models", "read_app", "read_source"]
