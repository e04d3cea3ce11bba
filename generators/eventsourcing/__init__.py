"""The ``eventsourcing`` generator: the project's ``eventstore`` app (see generator.py)."""
