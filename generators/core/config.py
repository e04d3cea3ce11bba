"""Project options for generation: ``[tool.djgen]`` in the nearest pyproject.toml, or a mapping.

Data path: models.py → IR → generator (**options** from this module shape what it writes) →
artifacts → merge → file or WorkspaceEdit.

``load_config(start_dir)`` finds the nearest pyproject.toml at or above ``start_dir`` and reads its
``[tool.djgen]`` table; ``DjgenConfig.from_mapping`` builds the same object from a plain mapping
(the language server's initializationOptions / workspace configuration). Bad input raises
``ConfigError`` with a message naming the key and the valid choices, never a traceback from deep
inside.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

Layout = Literal["flat", "api"]
Pagination = Literal["page", "limit_offset", "cursor"]
Severity = Literal["off", "hint", "information", "warning"]

LAYOUTS: tuple[str, ...] = ("flat", "api")
PAGINATIONS: tuple[str, ...] = ("page", "limit_offset", "cursor")
SEVERITIES: tuple[str, ...] = ("off", "hint", "information", "warning")

#: The files the API generators write, by role, in the "flat" layout; "api" puts them in api/.
_FILES = {
    "serializers": "serializers.py",
    "filters": "filters.py",
    "pagination": "pagination.py",
    "views": "views.py",
    "urls": "urls.py",
    "permissions": "permissions.py",
}


class ConfigError(ValueError):
    """An option in ``[tool.djgen]`` or the editor's settings is missing, unknown or wrong."""


@dataclass(frozen=True)
class DjgenConfig:
    """Options for every generator; the defaults are what an empty ``[tool.djgen]`` means."""

    #: Enabled generator names (None: every available generator).
    generators: tuple[str, ...] | None = None
    #: "flat": serializers.py, filters.py, … in the app folder; "api": an ``api/`` package.
    layout: Layout = "flat"
    #: A folder of per-project template overrides (absolute once loaded from a pyproject.toml).
    templates: str | None = None
    #: Nest read-only serializers of FK / one-to-one targets in the same module.
    nested_serializers: bool = False
    #: The pagination class the viewsets use.
    pagination: Pagination = "page"
    page_size: int = 20
    #: The Django settings module, for the migrations generator (``bookshop.settings``).
    settings_module: str | None = None
    #: Severity of each generator's "missing" diagnostic in the editor.
    diagnostics: Mapping[str, Severity] = field(default_factory=dict)
    #: Model name → the field that holds its owner (``{Post = "author"}``); a model not named
    #: here is owned when it has exactly one foreign key to the user model.
    owner_fields: Mapping[str, str] = field(default_factory=dict)
    #: ``[tool.djgen.<generator>]`` tables, validated against each generator's descriptor.
    generator_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Where the options came from (the folder of the pyproject.toml), when read from a file.
    root: str | None = None

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any] | None, *, base_dir: str | Path | None = None
    ) -> DjgenConfig:
        """Validate ``data`` (snake_case keys) into a config; relative ``templates`` resolve
        against ``base_dir`` when given."""
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ConfigError(f"djgen options must be a table/mapping, not {_type_name(data)}")
        valid = _option_names()
        values: dict[str, Any] = {}
        per_generator: dict[str, Mapping[str, Any]] = {}
        for key, raw in data.items():
            descriptor = _generator_table(key)
            if descriptor is not None and key not in valid:
                try:
                    per_generator[key] = descriptor.check_options(raw)
                except ValueError as exc:
                    raise ConfigError(str(exc)) from None
                continue
            if key not in valid:
                raise ConfigError(
                    f"unknown djgen option {key!r}; valid options: {', '.join(valid)}"
                )
            values[key] = _CHECKS[key](key, raw)
        if per_generator:
            values["generator_options"] = per_generator
        if base_dir is not None:
            values["root"] = str(Path(base_dir))
            if values.get("templates"):
                values["templates"] = str((Path(base_dir) / values["templates"]).resolve())
        return cls(**values)

    def merged(self, data: Mapping[str, Any] | None) -> DjgenConfig:
        """A copy with the options in ``data`` (validated like ``from_mapping``) on top."""
        if not data:
            return self
        overrides = DjgenConfig.from_mapping(data)
        tables = {**self.generator_options}
        for name, table in overrides.generator_options.items():
            tables[name] = {**tables.get(name, {}), **table}
        plain = {key: getattr(overrides, key) for key in data if key in _CHECKS}
        return replace(self, generator_options=tables, **plain)

    def options_for(self, generator: str) -> dict[str, Any]:
        """``[tool.djgen.<generator>]`` over the descriptor's defaults."""
        from djgen.generators.core.registry import descriptors

        descriptor = descriptors().get(generator)
        defaults = descriptor.option_defaults() if descriptor is not None else {}
        return {**defaults, **self.generator_options.get(generator, {})}

    # -- questions generators ask ------------------------------------------------------------

    def target(self, role: str) -> str:
        """The file (relative to the app folder) for ``role``: "serializers", "filters",
        "pagination", "views" or "urls"."""
        name = _FILES[role]
        return f"api/{name}" if self.layout == "api" else name

    @property
    def models_module(self) -> str:
        """The relative module generated code imports models from."""
        return "..models" if self.layout == "api" else ".models"

    def enabled_generators(self) -> list[str]:
        """The generators to offer (the ``generators`` option, else every available one) that
        are implemented, in the contract order."""
        from djgen.generators.core.registry import available

        names = available()
        if self.generators is None:
            return names
        return [name for name in names if name in self.generators]

    def severity(self, generator: str, default: Severity = "information") -> Severity:
        return self.diagnostics.get(generator, default)

    @property
    def template_dir(self) -> Path | None:
        return Path(self.templates) if self.templates else None


# -- validation of each option ---------------------------------------------------------------


def _type_name(value: Any) -> str:
    return type(value).__name__


def _check_generators(key: str, raw: Any) -> tuple[str, ...] | None:
    from djgen.generators.core.registry import known_names

    GENERATOR_NAMES = known_names()

    if raw is None:
        return None
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    if not isinstance(raw, Sequence) or not all(isinstance(item, str) for item in raw):
        raise ConfigError(f"djgen option {key!r} must be a list of generator names")
    if "all" in raw:
        return None
    for name in raw:
        if name not in GENERATOR_NAMES:
            raise ConfigError(
                f"djgen option {key!r}: unknown generator {name!r}; "
                f"valid generators: {', '.join(GENERATOR_NAMES)}"
            )
    return tuple(raw)


def _check_choice(choices: tuple[str, ...]):
    def check(key: str, raw: Any) -> str:
        if raw not in choices:
            raise ConfigError(
                f"djgen option {key!r} must be one of {', '.join(map(repr, choices))}, not {raw!r}"
            )
        return raw

    return check


def _check_bool(key: str, raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ConfigError(f"djgen option {key!r} must be true or false, not {raw!r}")
    return raw


def _check_page_size(key: str, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise ConfigError(f"djgen option {key!r} must be a positive integer, not {raw!r}")
    return raw


def _check_optional_str(key: str, raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ConfigError(f"djgen option {key!r} must be a string, not {_type_name(raw)}")
    return raw or None


def _check_settings_module(key: str, raw: Any) -> str | None:
    value = _check_optional_str(key, raw)
    if value is not None and not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", value):
        raise ConfigError(f"djgen option {key!r} must be a dotted module path, not {value!r}")
    return value


def _check_owner_fields(key: str, raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v.isidentifier() for k, v in raw.items()
    ):
        raise ConfigError(
            f"djgen option {key!r} must be a table of model name = field name, "
            f'like {{ Post = "author" }}, not {raw!r}'
        )
    return dict(raw)


def _check_diagnostics(key: str, raw: Any) -> dict[str, str]:
    from djgen.generators.core.registry import known_names

    GENERATOR_NAMES = known_names()

    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"djgen option {key!r} must be a table of generator = severity, not {_type_name(raw)}"
        )
    out: dict[str, str] = {}
    for name, severity in raw.items():
        if name not in GENERATOR_NAMES:
            raise ConfigError(
                f"djgen option {key!r}: unknown generator {name!r}; "
                f"valid generators: {', '.join(GENERATOR_NAMES)}"
            )
        if severity not in SEVERITIES:
            raise ConfigError(
                f"djgen option {key}.{name} must be one of {', '.join(map(repr, SEVERITIES))}, "
                f"not {severity!r}"
            )
        out[name] = severity
    return out


_CHECKS = {
    "generators": _check_generators,
    "layout": _check_choice(LAYOUTS),
    "templates": _check_optional_str,
    "nested_serializers": _check_bool,
    "pagination": _check_choice(PAGINATIONS),
    "page_size": _check_page_size,
    "settings_module": _check_settings_module,
    "diagnostics": _check_diagnostics,
    "owner_fields": _check_owner_fields,
}


def _generator_table(key: str):
    """The descriptor of the generator a ``[tool.djgen.<key>]`` table configures, if any."""
    from djgen.generators.core.registry import descriptors

    return descriptors().get(key)


def _option_names() -> list[str]:
    return [f.name for f in fields(DjgenConfig) if f.name in _CHECKS]


# -- reading pyproject.toml --------------------------------------------------------------------


def find_pyproject(start_dir: str | Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start_dir`` (a folder or a file in it)."""
    start = Path(start_dir).resolve()
    if start.is_file() or not start.exists():
        start = start.parent
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(start_dir: str | Path) -> DjgenConfig:
    """``[tool.djgen]`` of the nearest pyproject.toml at or above ``start_dir``; defaults when
    there is none. Raises ``ConfigError`` for a malformed file or bad options."""
    pyproject = find_pyproject(start_dir)
    if pyproject is None:
        return DjgenConfig()
    table = read_djgen_table(pyproject)
    if table is None:
        return DjgenConfig(root=str(pyproject.parent))
    try:
        return DjgenConfig.from_mapping(table, base_dir=pyproject.parent)
    except ConfigError as exc:
        raise ConfigError(f"{pyproject}: [tool.djgen]: {exc}") from None


def read_djgen_table(pyproject: Path) -> dict[str, Any] | None:
    """The ``[tool.djgen]`` table of a pyproject.toml, None when it has none."""
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {pyproject}: {exc}") from None
    if sys.version_info >= (3, 11):
        import tomllib

        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{pyproject} is not valid TOML: {exc}") from None
        table = document.get("tool", {}).get("djgen")
        if table is not None and not isinstance(table, dict):
            raise ConfigError(f"{pyproject}: tool.djgen must be a table")
        return table
    return _read_djgen_table_minimal(text, pyproject)


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=\s*(.*)$")


def _read_djgen_table_minimal(text: str, pyproject: Path) -> dict[str, Any] | None:
    """A tiny reader for ``[tool.djgen]`` on Python 3.10 (no tomllib, and tomli is not a
    dependency): handles ``key = value`` lines with strings, integers, booleans, arrays of those
    (possibly over several lines) and the ``[tool.djgen.diagnostics]`` sub-table or an inline
    table of strings. Anything else is skipped with a warning."""
    table: dict[str, Any] | None = None
    current: dict[str, Any] | None = None
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("[["):
            name = header.group(1).replace(" ", "")
            if name == "tool.djgen":
                table = table if table is not None else {}
                current = table
            elif name.startswith("tool.djgen."):
                table = table if table is not None else {}
                sub = name[len("tool.djgen.") :]
                current = table.setdefault(sub, {})
            else:
                current = None
            continue
        if current is None:
            continue
        match = _KEY_VALUE.match(line)
        if not match:
            if line.strip() and not line.strip().startswith("#"):
                warnings.warn(
                    f"{pyproject}: djgen skipped a line it cannot read: {line.strip()}",
                    stacklevel=2,
                )
            continue
        key, value = match.group(1).strip('"'), match.group(2)
        # Arrays may continue over several lines until the brackets balance.
        while value.count("[") > value.count("]") and index < len(lines):
            value += "\n" + lines[index]
            index += 1
        try:
            current[key] = _toml_value(value)
        except ValueError:
            warnings.warn(
                f"{pyproject}: djgen skipped [tool.djgen] {key}: cannot read {value!r}",
                stacklevel=2,
            )
    return table


def _toml_value(value: str) -> Any:
    # Drop comments outside strings, then read the value as a Python literal.
    source = re.sub(r"#[^\"'\n]*$", "", value.strip(), flags=re.MULTILINE).strip()
    inline = re.fullmatch(r"\{(.*)\}", source, flags=re.DOTALL)
    if inline:
        out: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in inline.group(1).split(","))):
            key, _, item = part.partition("=")
            out[key.strip().strip('"')] = _toml_value(item)
        return out
    source = re.sub(r"\btrue\b", "True", source)
    source = re.sub(r"\bfalse\b", "False", source)
    try:
        return ast.literal_eval(source)
    except (SyntaxError, ValueError) as exc:
        raise ValueError(source) from exc
