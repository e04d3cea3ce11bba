"""djgen's language server: editor events → IR → generators → artifacts → WorkspaceEdit."""
