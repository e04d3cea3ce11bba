"""The ``tests`` generator: Django tests for every layer djgen generated in an app."""
