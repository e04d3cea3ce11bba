"""Per-workspace-folder settings: the layers that decide what the server does for a file.

Data path: the project's ``[tool.djgen]``, initializationOptions and ``workspace/configuration``
(section ``djgen``, per folder) → **FolderSettings** (this module) → analysis, diagnostics, code
actions and the generator pipeline's config.

Layers, least specific first: defaults → ``[tool.djgen]`` (its ``generators`` and
``diagnostics`` severities, read with ``djgen.generators.core.config.load_config``) →
initializationOptions → the client's global ``djgen`` configuration → the folder's ``djgen``
configuration. The project config goes to the pipeline as is, except that an editor ``layout``
overrides its layout.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import severity_kinds
from .options import ServerOptions, parse_options


@dataclass
class FolderSettings:
    """What applies to one app: the editor options and the generator config."""

    folder: Path | None
    options: ServerOptions
    #: The project's ``DjgenConfig`` (defaults when it has none; None if it could not load).
    config: Any = None


class SettingsStore:
    """Resolves settings for any path; raw layers are set by the server as they arrive."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self._report = report
        self.initialization: Any = None
        self.global_config: Any = None
        #: folder path → raw ``djgen`` configuration object for that folder.
        self.folder_config: dict[Path, Any] = {}
        self.folders: list[Path] = []
        self._cache: dict[tuple[Path | None, Path], FolderSettings] = {}
        self._project_configs: dict[Path, Any] = {}
        self._reported: set[str] = set()

    def invalidate(self, *, project: bool = False) -> None:
        self._cache.clear()
        if project:
            self._project_configs.clear()

    def set_folders(self, folders: list[Path]) -> None:
        self.folders = sorted({f.resolve() for f in folders}, key=lambda p: len(p.parts))
        self.invalidate()

    def folder_of(self, path: Path) -> Path | None:
        """The deepest workspace folder holding ``path``."""
        path = path.resolve()
        best: Path | None = None
        for folder in self.folders:
            if path == folder or folder in path.parents:
                best = folder
        return best

    def check_initialization(self) -> None:
        """Report bad initializationOptions right away."""
        _, problems = parse_options(self.initialization, where="initializationOptions")
        self._report_all(problems)

    def for_path(self, path: Path, app_dir: Path | None = None) -> FolderSettings:
        """The settings for a file of the app in ``app_dir`` (default: the file's folder)."""
        folder = self.folder_of(path)
        start = (app_dir or path.parent).resolve()
        key = (folder, start)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        config = self.project_config(start)
        options, problems = parse_options(
            project_layer(config), where=f"[tool.djgen] above {start}"
        )
        self._report_all(problems)
        layers = [
            (self.initialization, "initializationOptions"),
            (self.global_config, "configuration"),
        ]
        if folder is not None:
            layers.append((self.folder_config.get(folder), f"configuration for {folder}"))
        for raw, where in layers:
            options, problems = parse_options(raw, options, where=where)
            self._report_all(problems)
        if config is not None and options.layout is not None and options.layout != config.layout:
            config = dataclasses.replace(config, layout=options.layout)
        settings = FolderSettings(folder=folder, options=options, config=config)
        self._cache[key] = settings
        return settings

    def project_config(self, start: Path) -> Any:
        """``[tool.djgen]`` of the project above ``start`` (cached until invalidated)."""
        if start not in self._project_configs:
            self._project_configs[start] = self._load_project_config(start)
        return self._project_configs[start]

    def _load_project_config(self, start: Path) -> Any:
        from djgen.generators.core.config import DjgenConfig, load_config

        try:
            return load_config(start)
        except Exception as exc:  # a broken pyproject.toml is the user's to fix, not a crash
            self._report_all([f"djgen: {exc} (using the defaults)"])
            return DjgenConfig()

    def _report_all(self, problems: list[str]) -> None:
        for problem in problems:
            if problem not in self._reported:
                self._reported.add(problem)
                self._report(problem)


def project_layer(config: Any) -> dict[str, Any]:
    """The editor-style options a project's ``DjgenConfig`` implies."""
    if config is None:
        return {}
    layer: dict[str, Any] = {}
    if getattr(config, "generators", None):
        layer["generators"] = list(config.generators)
    kinds = severity_kinds()
    severities = {
        k: v for k, v in (getattr(config, "diagnostics", None) or {}).items() if k in kinds
    }
    if severities:
        layer["severities"] = severities
    return layer
