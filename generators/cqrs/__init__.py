"""The ``cqrs`` generator: commands, queries, handlers and an event bus (see generator.py)."""
