"""Tests of ``[tool.djgen]`` loading and validation (``djgen.generators.core.config``).

Data path under test: pyproject.toml → **DjgenConfig** → generators.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from djgen.generators.core.config import (
    ConfigError,
    DjgenConfig,
    _read_djgen_table_minimal,
    find_pyproject,
    load_config,
    read_djgen_table,
)
from djgen.generators.core.registry import available

FULL = """\
[project]
name = "shop"

[tool.ruff]
line-length = 88

[tool.djgen]
generators = ["serializer", "viewset"]  # the API only
layout = "api"
templates = "djgen-templates"
nested_serializers = true
pagination = "cursor"
page_size = 50
settings_module = "shop.settings"

[tool.djgen.diagnostics]
serializer = "warning"
admin = "off"

[tool.other]
layout = "ignored"
"""


def write_pyproject(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pyproject.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_defaults() -> None:
    config = DjgenConfig()
    assert config.generators is None
    assert config.layout == "flat"
    assert config.templates is None and config.template_dir is None
    assert config.nested_serializers is False
    assert config.pagination == "page"
    assert config.page_size == 20
    assert config.settings_module is None
    assert dict(config.diagnostics) == {}
    assert config.target("serializers") == "serializers.py"
    assert config.models_module == ".models"
    assert DjgenConfig.from_mapping(None) == DjgenConfig()
    assert DjgenConfig.from_mapping({}) == DjgenConfig()


def test_load_every_option_from_the_nearest_pyproject(tmp_path: Path) -> None:
    write_pyproject(tmp_path, FULL)
    app = tmp_path / "shop" / "catalog"
    app.mkdir(parents=True)
    config = load_config(app)
    assert config.generators == ("serializer", "viewset")
    assert config.layout == "api"
    assert config.templates == str((tmp_path / "djgen-templates").resolve())
    assert config.nested_serializers is True
    assert config.pagination == "cursor"
    assert config.page_size == 50
    assert config.settings_module == "shop.settings"
    assert dict(config.diagnostics) == {"serializer": "warning", "admin": "off"}
    assert config.severity("admin") == "off" and config.severity("viewset") == "information"
    assert config.root == str(tmp_path)
    assert config.target("urls") == "api/urls.py"
    assert config.models_module == "..models"
    # a models.py path works as the start too
    (app / "models.py").write_text("")
    assert load_config(app / "models.py") == config


def test_nearest_pyproject_wins_even_without_a_djgen_table(tmp_path: Path) -> None:
    write_pyproject(tmp_path, FULL)
    inner = write_pyproject(tmp_path / "sub", '[project]\nname = "inner"\n')
    assert find_pyproject(tmp_path / "sub" / "app") == inner
    config = load_config(tmp_path / "sub")
    assert config == DjgenConfig(root=str(tmp_path / "sub"))


def test_no_pyproject_gives_defaults(tmp_path: Path) -> None:
    # tmp dirs live under /tmp, which has no pyproject.toml above it
    assert find_pyproject(tmp_path) is None
    assert load_config(tmp_path) == DjgenConfig()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"layuot": "api"}, "unknown djgen option 'layuot'; valid options: generators, layout"),
        ({"layout": "nested"}, "'layout' must be one of 'flat', 'api'"),
        ({"pagination": "offset"}, "'pagination' must be one of 'page', 'limit_offset', 'cursor'"),
        ({"page_size": 0}, "'page_size' must be a positive integer"),
        ({"page_size": "20"}, "'page_size' must be a positive integer"),
        ({"page_size": True}, "'page_size' must be a positive integer"),
        ({"nested_serializers": "yes"}, "'nested_serializers' must be true or false"),
        ({"generators": ["serializer", "views"]}, "unknown generator 'views'; valid generators"),
        ({"generators": 3}, "'generators' must be a list of generator names"),
        ({"diagnostics": {"serializer": "error"}}, "diagnostics.serializer must be one of"),
        ({"diagnostics": {"viewsets": "hint"}}, "unknown generator 'viewsets'"),
        ({"diagnostics": "warning"}, "'diagnostics' must be a table"),
        ({"settings_module": "my-settings"}, "'settings_module' must be a dotted module path"),
        ({"templates": 5}, "'templates' must be a string"),
    ],
)
def test_bad_options_give_clear_errors(options: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        DjgenConfig.from_mapping(options)
    assert message in str(info.value)


def test_bad_file_errors_name_the_file(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, '[tool.djgen]\npagination = "pages"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(path) in str(info.value) and "pagination" in str(info.value)
    write_pyproject(tmp_path, "[tool.djgen\nlayout = 'api'\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path)
    write_pyproject(tmp_path, "[tool]\ndjgen = 3\n")
    with pytest.raises(ConfigError, match="must be a table"):
        load_config(tmp_path)


def test_generators_option_accepts_all_and_comma_strings() -> None:
    assert DjgenConfig.from_mapping({"generators": ["all"]}).generators is None
    assert DjgenConfig.from_mapping({"generators": "serializer, admin"}).generators == (
        "serializer",
        "admin",
    )


def test_merged_overrides_only_given_keys() -> None:
    base = DjgenConfig(layout="api", page_size=10, root="/x")
    merged = base.merged({"page_size": 30, "diagnostics": {"admin": "hint"}})
    assert merged.layout == "api" and merged.page_size == 30 and merged.root == "/x"
    assert dict(merged.diagnostics) == {"admin": "hint"}
    assert base.merged(None) is base
    with pytest.raises(ConfigError):
        base.merged({"colour": "blue"})


def test_minimal_reader_for_python_310_matches_tomllib(tmp_path: Path) -> None:
    """The fallback reader (used where tomllib is missing) reads the same table."""
    text = FULL + textwrap.dedent(
        """
        [tool.djgen.extra]
        multi = [
            "a",  # comment
            "b",
        ]
        """
    )
    path = write_pyproject(tmp_path, text)
    minimal = _read_djgen_table_minimal(text, path)
    if sys.version_info >= (3, 11):
        assert minimal == read_djgen_table(path)
    assert minimal["generators"] == ["serializer", "viewset"]
    assert minimal["nested_serializers"] is True
    assert minimal["page_size"] == 50
    assert minimal["diagnostics"] == {"serializer": "warning", "admin": "off"}
    assert minimal["extra"] == {"multi": ["a", "b"]}
    inline = _read_djgen_table_minimal(
        '[tool.djgen]\ndiagnostics = { serializer = "hint", admin = "off" }\n', path
    )
    assert inline == {"diagnostics": {"serializer": "hint", "admin": "off"}}
    assert _read_djgen_table_minimal("[tool.ruff]\nx = 1\n", path) is None
    with pytest.warns(UserWarning, match="cannot read"):
        _read_djgen_table_minimal("[tool.djgen]\nwhen = 1979-05-27\n", path)


def test_enabled_generators_follow_the_option_in_contract_order() -> None:
    assert DjgenConfig().enabled_generators()[:4] == ["serializer", "filterset", "viewset", "admin"]
    config = DjgenConfig.from_mapping({"generators": ["admin", "serializer", "websocket"]})
    # a valid name is offered only once its generator is implemented
    websocket = ["websocket"] if "websocket" in available() else []
    assert config.enabled_generators() == ["serializer", "admin", *websocket]
