"""Errors the generation pipeline raises for the front ends to report.

Data path: models.py → IR → generator → artifacts → merge → file; any step that cannot go on
raises a ``PlanError`` (one line for people), which the CLI prints and the server logs.
"""

from __future__ import annotations


class PlanError(Exception):
    """The models cannot be generated from (syntax error, no models.py, bad target file)."""
