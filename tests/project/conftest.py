"""Fixtures for the project-model and project-merge tests: real projects made by
``django-admin startproject`` + ``startapp`` in temp folders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
DJANGO_ADMIN = BIN / "django-admin"


def make_project(where: Path, project: str = "mysite", app: str = "blog") -> Path:
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(DJANGO_ADMIN), "startproject", project, "."], cwd=where, check=True)
    subprocess.run([sys.executable, "manage.py", "startapp", app], cwd=where, check=True)
    return where


@pytest.fixture(scope="session")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One startproject + startapp per session; copy it before changing anything."""
    return make_project(tmp_path_factory.mktemp("pristine"))


@pytest.fixture
def project(pristine: Path, tmp_path: Path) -> Path:
    target = tmp_path / "proj"
    shutil.copytree(pristine, target)
    return target


@pytest.fixture(scope="session")
def startproject_texts(pristine: Path) -> dict[str, str]:
    """The real texts of settings.py, urls.py, asgi.py and the app's apps.py."""
    return {
        "settings.py": (pristine / "mysite" / "settings.py").read_text(),
        "urls.py": (pristine / "mysite" / "urls.py").read_text(),
        "asgi.py": (pristine / "mysite" / "asgi.py").read_text(),
        "apps.py": (pristine / "blog" / "apps.py").read_text(),
    }
