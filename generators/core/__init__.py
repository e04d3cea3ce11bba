"""djgen's core: the contract every generator and front end shares.

Data path: models.py → reader → **IR** (``ir``) → registry + descriptors → generator (given a
``context``, returning **artifacts**) → merge → file or WorkspaceEdit; ``pipeline`` runs the chain,
``config`` holds the options, ``render`` the templates, ``naming`` and ``fieldinfo`` the facts
generators share.

The core imports no generator package and nothing from the language server (an import-linter
contract in pyproject.toml checks it).
"""
