"""The merge engine: generated definitions into existing files, keeping every byte of user code.

Data path: models.py → IR → generator → artifacts → **merge** (this package) → file text, written
by the CLI or sent as a WorkspaceEdit.

- ``text``: the entry point ``merge`` and the paths that need no LibCST: new files built as
  text, files that already have everything;
- ``definitions``: top-level classes, functions, assignments and calls of app files (libcst);
- ``imports``: the imports the written definitions need (``import_order``: their sections and
  sort keys, without LibCST);
- ``scan``: what a file already defines, read with ``ast`` (cheap enough for every keystroke).
"""

from __future__ import annotations

from djgen.generators.merge.scan import defined_identities
from djgen.generators.merge.text import MergeError, merge

__all__ = ["MergeError", "defined_identities", "merge"]
