"""The ``websocket`` generator's descriptor (what the front ends know about it).

Data path: models.py → IR → registry (**this descriptor**) → websocket generator → artifacts (the
app's consumers.py, routing.py, broadcast.py and apps.py; the project's settings.py, asgi.py and
``<project>/api/`` realtime modules) → merge → files or WorkspaceEdit.
"""

from __future__ import annotations

from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec, OptionSpec

DESCRIPTOR = Descriptor(
    name="websocket",
    description=(
        "Django Channels consumers per model (collection and instance routes), ASGI routing "
        "with JWT socket auth, after-commit broadcasts and notify_user through channels-redis"
    ),
    entry="djgen.generators.websocket.generator:GENERATOR",
    requires=("serializer",),
    scope="project",
    targets=(
        "{app}/consumers.py",
        "{app}/routing.py",
        "{app}/broadcast.py",
        "{app}/apps.py",
        "{project}/settings.py",
        "{project}/asgi.py",
        "{project}/api/realtime.py",
        "{project}/api/ws_auth.py",
        "{project}/api/ws_routing.py",
    ),
    watches=("consumers.py", "routing.py", "broadcast.py", "asgi.py"),
    diagnostic=DiagnosticSpec(
        what="WebSocket consumer",
        title="consumer",
        severity="hint",
        hover=(
            "An async JSON consumer for ws/<app>/<model>/ and ws/<app>/<model>/<pk>/: "
            "authenticated sockets receive created/updated/deleted after each commit."
        ),
    ),
    options=(
        OptionSpec(
            "private_when",
            "list",
            (),
            'instances only their owner and staff receive, e.g. "Post.status=draft" '
            "(default: every authenticated socket receives every instance)",
        ),
    ),
    provides=("consumer_class", "routing_module"),
)
