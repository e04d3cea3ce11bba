"""``python -m djgen.server``: run the language server (see ``launch``)."""

from __future__ import annotations

import sys

from .launch import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m djgen.server"))
