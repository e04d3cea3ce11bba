"""project_model.read_project on real startproject trees and their variants."""

from __future__ import annotations

import textwrap
from pathlib import Path

from djgen.generators.reader.project_model import read_project, read_settings_text


def _settings(project: Path) -> Path:
    return project / "mysite" / "settings.py"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def test_startproject_from_models_py(project: Path) -> None:
    ir = read_project(project / "blog" / "models.py")
    assert ir.root == project
    assert ir.manage_py == project / "manage.py"
    assert ir.settings_module == "mysite.settings"
    assert ir.settings_path == ir.settings_entry == _settings(project)
    assert ir.urls_path == project / "mysite" / "urls.py"
    assert ir.asgi_path == project / "mysite" / "asgi.py"
    assert ir.wsgi_path == project / "mysite" / "wsgi.py"
    assert ir.package_dir == project / "mysite"
    assert ir.app is not None
    assert (ir.app.label, ir.app.name, ir.app.config_class) == ("blog", "blog", "BlogConfig")
    assert ir.app.installed is False
    apps = ir.settings["INSTALLED_APPS"]
    assert apps.kind == "list" and "django.contrib.staticfiles" in apps.items
    assert ir.settings["MIDDLEWARE"].kind == "list"
    assert ir.settings["DATABASES"].kind == "dict" and ir.settings["DATABASES"].items == (
        "default",
    )
    assert ir.settings["BASE_DIR"].kind == "source"
    assert ir.settings["BASE_DIR"].source == "Path(__file__).resolve().parent.parent"
    assert ir.settings["DEBUG"].value is True
    # the only problem: the app is not installed yet, with what to do
    assert len(ir.problems) == 1
    assert "'blog' is not in INSTALLED_APPS" in ir.problems[0].message
    assert ir.problems[0].path == _settings(project)


def test_from_app_folder_and_installed_by_name(project: Path) -> None:
    _edit(
        _settings(project),
        "'django.contrib.staticfiles',",
        "'django.contrib.staticfiles',\n    'blog',",
    )
    ir = read_project(project / "blog")
    assert ir.app is not None and ir.app.installed is True and ir.app.installed_as == "blog"
    assert ir.problems == []


def test_installed_by_app_config_and_label(project: Path) -> None:
    _edit(
        _settings(project),
        "'django.contrib.staticfiles',",
        "'django.contrib.staticfiles',\n    'blog.apps.BlogConfig',",
    )
    _edit(project / "blog" / "apps.py", "name = 'blog'", "name = 'blog'\n    label = 'weblog'")
    ir = read_project(project / "blog" / "models.py")
    assert ir.app is not None
    assert ir.app.installed_as == "blog.apps.BlogConfig"
    assert ir.app.label == "weblog"


def _settings_package(project: Path, *, via_init: bool) -> Path:
    package = project / "mysite" / "settings"
    package.mkdir()
    base = (
        _settings(project)
        .read_text()
        .replace(
            "Path(__file__).resolve().parent.parent",
            "Path(__file__).resolve().parent.parent.parent",
        )
    )
    (package / "base.py").write_text(base)
    _settings(project).unlink()
    dev = textwrap.dedent(
        """\
        from .base import *  # noqa: F403

        DEBUG = True
        INSTALLED_APPS += ["debug_toolbar"]
        MIDDLEWARE.insert(0, "debug_toolbar.middleware.DebugToolbarMiddleware")
        REDIS_URL = env("REDIS_URL")
        """
    )
    (package / "dev.py").write_text(dev)
    if via_init:
        (package / "__init__.py").write_text("from .dev import *  # noqa: F403\n")
    else:
        (package / "__init__.py").write_text("")
        _edit(project / "manage.py", "'mysite.settings'", "'mysite.settings.dev'")
    return package


def test_settings_package_dev_star_imports_base(project: Path) -> None:
    package = _settings_package(project, via_init=False)
    ir = read_project(project / "blog")
    assert ir.settings_module == "mysite.settings.dev"
    assert ir.settings_entry == package / "dev.py"
    assert ir.settings_path == package / "base.py"  # the file that defines INSTALLED_APPS
    assert ir.settings_files == (package / "dev.py", package / "base.py")
    assert ir.settings["INSTALLED_APPS"].items[-1] == "debug_toolbar"
    assert ir.settings["MIDDLEWARE"].items[0] == "debug_toolbar.middleware.DebugToolbarMiddleware"
    assert ir.settings["REDIS_URL"].source == 'env("REDIS_URL")'
    assert ir.settings["REDIS_URL"].path == package / "dev.py"
    assert ir.urls_path == project / "mysite" / "urls.py"
    assert ir.package_dir == project / "mysite"


def test_settings_package_init_star_imports(project: Path) -> None:
    package = _settings_package(project, via_init=True)
    ir = read_project(project / "blog")
    assert ir.settings_module == "mysite.settings"
    assert ir.settings_entry == package / "__init__.py"
    assert ir.settings_path == package / "base.py"
    assert "debug_toolbar" in ir.settings["INSTALLED_APPS"].items


def test_computed_installed_apps(project: Path) -> None:
    _edit(_settings(project), "INSTALLED_APPS = [", "DJANGO_APPS = [")
    _edit(
        _settings(project),
        "MIDDLEWARE = [",
        "LOCAL_APPS = ['blog']\nINSTALLED_APPS = DJANGO_APPS + LOCAL_APPS\n\nMIDDLEWARE = [",
    )
    ir = read_project(project / "blog")
    value = ir.settings["INSTALLED_APPS"]
    assert value.kind == "source" and value.source == "DJANGO_APPS + LOCAL_APPS"
    assert ir.app is not None and ir.app.installed is None
    [problem] = ir.problems
    assert problem.path == _settings(project)
    assert problem.line == value.line
    assert "INSTALLED_APPS is computed" in problem.message and "by hand" in problem.message


def test_non_literal_append_is_not_static(project: Path) -> None:
    with _settings(project).open("a") as handle:
        handle.write("\nINSTALLED_APPS.append(EXTRA_APP)\n")
    ir = read_project(project / "blog")
    assert ir.settings["INSTALLED_APPS"].kind == "not_static"
    assert "INSTALLED_APPS.append" in ir.problems[0].message


def test_syntax_error_in_settings(project: Path) -> None:
    with _settings(project).open("a") as handle:
        handle.write("\nBROKEN = [\n")
    ir = read_project(project / "blog" / "models.py")
    assert ir.settings_entry == _settings(project)
    [problem] = ir.problems
    assert problem.path == _settings(project)
    assert "syntax error" in problem.message and problem.line is not None


def test_missing_root_urlconf(project: Path) -> None:
    _edit(_settings(project), "ROOT_URLCONF = 'mysite.urls'\n", "")
    ir = read_project(project / "blog")
    assert ir.urls_path is None
    assert any(
        "ROOT_URLCONF is not set; add ROOT_URLCONF = 'mysite.urls'" in p.message
        for p in ir.problems
    )


def test_asgi_application_setting(project: Path) -> None:
    with _settings(project).open("a") as handle:
        handle.write("\nASGI_APPLICATION = 'mysite.asgi.application'\n")
    ir = read_project(project / "blog")
    assert ir.asgi_path == project / "mysite" / "asgi.py"
    assert ir.settings["ASGI_APPLICATION"].value == "mysite.asgi.application"


def test_unknown_settings_module_and_no_manage(project: Path, tmp_path: Path) -> None:
    _edit(project / "manage.py", "'mysite.settings'", "'nowhere.settings'")
    ir = read_project(project / "blog")
    assert ir.settings_path is None
    assert "'nowhere.settings' but no such file" in ir.problems[0].message
    lonely = tmp_path / "lonely" / "app"
    lonely.mkdir(parents=True)
    ir = read_project(lonely)
    assert ir.root is None and "no manage.py" in ir.problems[0].message


def test_bad_inputs_never_raise(project: Path) -> None:
    (project / "manage.py").write_bytes(b"\xff\xfe\x00garbage")
    ir = read_project(project / "blog")
    assert ir.problems and ir.settings_path is None
    assert read_project(project / "does" / "not" / "exist").problems


def test_read_settings_text_values() -> None:
    values = read_settings_text(
        textwrap.dedent(
            """\
            import os
            INSTALLED_APPS = ("a", "b")
            INSTALLED_APPS += ("c",)
            MIDDLEWARE = ["m1"]
            MIDDLEWARE.insert(0, "m0")
            MIDDLEWARE.append("m2")
            if DEBUG:
                MIDDLEWARE += ["debug"]
            REST_FRAMEWORK = {"DEFAULT_VERSION": "v1", "PAGE_SIZE": 20}
            REST_FRAMEWORK["DEFAULT_VERSIONING_CLASS"] = "x.Y"
            SECRET = os.environ.get("DJANGO_SECRET_KEY", "dev")
            HOSTS = [h for h in os.environ.get("H", "").split(",")]
            """
        )
    )
    assert values["INSTALLED_APPS"].kind == "tuple"
    assert values["INSTALLED_APPS"].value == ("a", "b", "c")
    assert values["MIDDLEWARE"].value == ("m0", "m1", "m2")
    assert values["MIDDLEWARE"].conditional == ("debug",)
    assert values["REST_FRAMEWORK"].items == (
        "DEFAULT_VERSION",
        "PAGE_SIZE",
        "DEFAULT_VERSIONING_CLASS",
    )
    assert values["REST_FRAMEWORK"].value["PAGE_SIZE"] == "20"  # type: ignore[index]
    assert values["SECRET"].source == 'os.environ.get("DJANGO_SECRET_KEY", "dev")'
    assert values["HOSTS"].kind == "source"
    assert values["INSTALLED_APPS"].line == 2
