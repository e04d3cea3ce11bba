"""The settings reader's source segments equal ``ast.get_source_segment`` (which it replaces
because that function splits the whole file on every call)."""

from __future__ import annotations

import ast

import pytest

from djgen.generators.reader.project_model import _segment

SETTINGS = '''\
"""Settings."""
import os

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "é€ not so secret")
INSTALLED_APPS = [
    "django.contrib.admin",
    "blog",  # ünïcode comment
]
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": (
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ), "PAGE_SIZE": 20}
x = {'a': 'ü', 'b': [1,
 2]}
'''


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_segments_equal_ast_get_source_segment(newline: str) -> None:
    text = SETTINGS.replace("\n", newline)
    nodes = [n for n in ast.walk(ast.parse(text)) if isinstance(n, (ast.expr, ast.stmt))]
    assert len(nodes) > 30
    for node in nodes:
        assert _segment(text, node) == (ast.get_source_segment(text, node) or ast.unparse(node))
