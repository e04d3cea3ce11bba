"""The language server's features, one module each, registered once by ``app.create_server``.

Data path: editor requests → **features** (each imports the server core and support modules,
never another feature's internals beyond shared helpers) → analysis → LSP responses.
"""
