"""The merge engine: generated definitions into existing files, keeping every byte of user code.

Data path: models.py → IR → generator → artifacts → **merge** (this package) → file text, written
by the CLI or sent as a WorkspaceEdit.

- ``definitions``: top-level classes, functions, assignments and calls of app files (libcst, with
  an ``ast``-only fast path when nothing is missing);
- ``imports``: the imports the written definitions need;
- ``scan``: what a file already defines, read with ``ast`` (cheap enough for every keystroke).
"""

from __future__ import annotations

from djgen.generators.merge.definitions import MergeError, merge
from djgen.generators.merge.scan import defined_identities

__all__ = ["MergeError", "defined_identities", "merge"]
