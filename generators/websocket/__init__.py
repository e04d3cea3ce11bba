"""The ``websocket`` generator: Django Channels consumers, ASGI routing, JWT socket auth and
after-commit broadcasts through channels-redis (see ``generator``)."""
