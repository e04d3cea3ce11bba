"""read_project + merge_project_file together, checked by Django itself (``manage.py check``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from djgen.generators.merge.project import (
    Assignment,
    BodyStatement,
    DictKey,
    ListElement,
    UrlPattern,
    merge_project_file,
)
from djgen.generators.reader.project_model import read_project

EDITS = {
    "settings": [
        ListElement("INSTALLED_APPS", '"rest_framework"', after=("django.contrib.staticfiles",)),
        ListElement("INSTALLED_APPS", '"blog"', after=("rest_framework",)),
        DictKey(
            "REST_FRAMEWORK",
            "DEFAULT_VERSIONING_CLASS",
            '"rest_framework.versioning.URLPathVersioning"',
        ),
        Assignment(
            "REDIS_URL",
            'REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")\n',
            imports=("import os",),
        ),
    ],
    "urls": [
        UrlPattern(
            'path("api/<str:version>/", include("blog.urls"))',
            key="api/<str:version>/",
            imports=("from django.urls import include",),
        )
    ],
    "apps": [
        BodyStatement(
            "BlogConfig.ready", "from . import signals  # noqa: F401\n", create="def ready(self):\n"
        )
    ],
}


def _merge(path: Path, edits: list, **kwargs) -> list[str]:
    result = merge_project_file(path.read_text(), edits, target=path.name, **kwargs)
    path.write_text(result.text)
    return [change.action for change in result.changes]


def test_generate_into_startproject_then_django_check(project: Path) -> None:
    ir = read_project(project / "blog" / "models.py")
    assert ir.settings_path and ir.urls_path and ir.app and ir.app.apps_py
    (project / "blog" / "signals.py").write_text("")
    (project / "blog" / "urls.py").write_text("urlpatterns = []\n")
    assert set(_merge(ir.settings_path, EDITS["settings"])) == {"added"}
    assert _merge(ir.urls_path, EDITS["urls"]) == ["added"]
    assert _merge(ir.app.apps_py, EDITS["apps"]) == ["added"]
    again = read_project(project / "blog")
    assert again.app is not None and again.app.installed is True
    assert again.problems == []
    assert "DEFAULT_VERSIONING_CLASS" in again.settings["REST_FRAMEWORK"].items
    check = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=project, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    # a second run changes nothing
    before = {p: p.read_text() for p in (ir.settings_path, ir.urls_path, ir.app.apps_py)}
    assert set(_merge(ir.settings_path, EDITS["settings"])) == {"kept"}
    assert _merge(ir.urls_path, EDITS["urls"]) == ["kept"]
    assert _merge(ir.app.apps_py, EDITS["apps"]) == ["kept"]
    assert before == {p: p.read_text() for p in before}


def test_settings_package_elsewhere(project: Path) -> None:
    """dev.py adds an app with ``+=``; merging base.py must not add it a second time."""
    package = project / "mysite" / "settings"
    package.mkdir()
    base = (project / "mysite" / "settings.py").read_text()
    (package / "base.py").write_text(base.replace(".parent.parent", ".parent.parent.parent"))
    (project / "mysite" / "settings.py").unlink()
    (package / "__init__.py").write_text("")
    (package / "dev.py").write_text(
        "from .base import *  # noqa: F403\n\nINSTALLED_APPS += ['rest_framework']\n"
    )
    manage = project / "manage.py"
    manage.write_text(manage.read_text().replace("'mysite.settings'", "'mysite.settings.dev'"))
    ir = read_project(project / "blog")
    assert ir.settings_path == package / "base.py"
    elsewhere = ir.provided_elsewhere()  # what the files other than base.py add
    assert elsewhere["INSTALLED_APPS"] == ("rest_framework",)
    edits = [
        ListElement("INSTALLED_APPS", '"rest_framework"'),
        ListElement("INSTALLED_APPS", '"blog"'),
    ]
    result = merge_project_file((package / "base.py").read_text(), edits, elsewhere=elsewhere)
    assert [c.action for c in result.changes] == ["kept", "added"]
    assert "another settings file" in result.changes[0].reason
    (package / "base.py").write_text(result.text)
    check = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=project, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
