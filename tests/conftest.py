"""Shared pytest fixtures: real Django projects in temp dirs (see ``djangoproject.py``).

Data path: the end of every end-to-end test (models.py → IR → generator → artifacts → merge →
files in a project built here, then run by Django in a subprocess).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:  # `from djangoproject import ...` works in every test module
    sys.path.insert(0, _TESTS_DIR)

from djangoproject import DjangoProject, build_project, copy_example  # noqa: E402

ProjectFactory = Callable[..., DjangoProject]


@pytest.fixture
def django_project(tmp_path_factory: pytest.TempPathFactory) -> ProjectFactory:
    """A factory for throwaway Django projects; mark tests that use it ``@pytest.mark.django``.

    ``django_project({"shop": {"models.py": SOURCE}})`` builds a project with those apps;
    ``django_project(example="bookshop")`` copies ``examples/bookshop``. Keyword hooks
    (``installed_apps``, ``middleware``, ``settings``, ``settings_code``) are appended to
    settings.py. Each call gives a new project in its own temp dir.
    """

    def make(
        apps: Mapping[str, Mapping[str, str]] | None = None,
        *,
        example: str | None = None,
        installed_apps: Iterable[str] = (),
        middleware: Iterable[str] = (),
        settings: Mapping[str, Any] | None = None,
        settings_code: str = "",
    ) -> DjangoProject:
        if (apps is None) == (example is None):
            raise TypeError("give either apps or example=")
        hooks = {
            "installed_apps": installed_apps,
            "middleware": middleware,
            "settings": settings,
            "settings_code": settings_code,
        }
        root = tmp_path_factory.mktemp(example or "project")
        if example is not None:
            return copy_example(root / example, example, **hooks)
        return build_project(root, apps or {}, **hooks)

    return make


@pytest.fixture
def bookshop(django_project: ProjectFactory) -> DjangoProject:
    """A fresh copy of ``examples/bookshop`` (models only, no migrations yet)."""
    return django_project(example="bookshop")
