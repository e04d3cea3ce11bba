"""``python -m djgen.generators``: the djgen CLI (same as the ``djgen`` command)."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
