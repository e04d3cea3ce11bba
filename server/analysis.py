"""Document analysis: a models buffer's text → its IR and what already exists for each model.

Data path: models.py buffer → reader (**IR**, ``ast`` only) → pipeline ``status`` (generators'
definitions vs ``defined_identities`` of the target files) and, when enabled, the migrations
detector → an ``Analysis`` (this module) → diagnostics, code actions, lenses, hovers.

Everything here is cheap (no libcst) and thread-safe: the server runs ``analyze`` in a worker
thread on a ``Snapshot`` of the open buffers. IRs are cached per (uri, version); a text that does
not parse keeps the last good IR of that document, so diagnostics do not flap while typing.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from djgen.generators.core.ir import ModuleIR, Problem
from djgen.generators.reader.incremental import IncrementalReader
from djgen.generators.reader.project import import_root_for, read_app_info

from .catalog import MIGRATION, missing_kinds
from .documents import Snapshot, app_dir_for, lsp_lines
from .settings import FolderSettings


@dataclass
class Analysis:
    """What the server knows about one version of one models document."""

    uri: str
    version: int | None
    path: Path
    app_dir: Path
    #: The last IR that parsed: this version's, or an earlier one when ``syntax_error`` is set.
    module: ModuleIR
    #: The lines of the text ``module`` was read from (for LSP ranges).
    lines: list[str]
    #: This version's syntax error (the IR is then from an earlier version), else None.
    syntax_error: Problem | None = None
    #: model → generator → whether its definitions already exist.
    status: dict[str, dict[str, bool]] = field(default_factory=dict)
    #: model → changes not in migrations (empty unless the migration check is on and decidable).
    migration: dict[str, list[str]] = field(default_factory=dict)
    #: Why the migration check could not decide, if it could not.
    undecidable: list[str] = field(default_factory=list)
    #: The same, by model: model → reasons.
    undecidable_models: dict[str, list[str]] = field(default_factory=dict)
    #: Problems met while analysing (logged, never raised).
    errors: list[str] = field(default_factory=list)
    #: What features computed for this version (``analysis_hooks``), by feature.
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def has_ir(self) -> bool:
        return self.module.ok


@dataclass
class _Parsed:
    version: int | None
    text: str
    module: ModuleIR
    lines: list[str]


class AnalysisCache:
    """Per-document incremental readers and IRs, plus the last good IR for each document."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, _Parsed] = {}
        self._good: dict[str, _Parsed] = {}
        self._readers: dict[str, IncrementalReader] = {}

    def forget(self, uri: str) -> None:
        with self._lock:
            self._last.pop(uri, None)
            self._good.pop(uri, None)
            self._readers.pop(uri, None)

    def invalidate_project(self, *, settings: bool = False, changed: str | None = None) -> None:
        """Other modules changed (``settings``: settings or apps.py may have too; ``changed``:
        the document that changed, whose own reader keeps its cache)."""
        with self._lock:
            if settings:
                self._readers.clear()
                return
            for uri, reader in self._readers.items():
                if uri != changed:
                    reader.invalidate_project()

    def _reader(self, uri: str, path: Path) -> IncrementalReader:
        with self._lock:
            reader = self._readers.get(uri)
            if reader is None:
                reader = self._readers[uri] = new_reader(path)
            return reader

    def parse(self, uri: str, version: int | None, text: str, path: Path) -> tuple[_Parsed, bool]:
        """The IR to use for this text, and whether the text itself parsed."""
        with self._lock:
            last = self._last.get(uri)
        if last is not None and last.version == version and last.text == text:
            parsed = last
        else:
            lines = [line.rstrip("\r\n") for line in lsp_lines(text)]
            parsed = _Parsed(version, text, read_module(self._reader(uri, path), text, path), lines)
            with self._lock:
                self._last[uri] = parsed
        if parsed.module.ok:
            with self._lock:
                self._good[uri] = parsed
            return parsed, True
        with self._lock:
            good = self._good.get(uri)
        return (good or parsed), False


def new_reader(path: Path) -> IncrementalReader:
    """An incremental reader for one models document (its app, project and settings)."""
    app_dir = app_dir_for(path)
    return IncrementalReader(
        app_label=read_app_info(app_dir).label,
        path=str(path),
        project_root=str(import_root_for(app_dir)),
    )


def read_module(reader: IncrementalReader, text: str, path: Path) -> ModuleIR:
    """The reader's IR for a models module's text (never raises): only the top-level statements
    an edit touched are parsed again (``djgen.generators.reader.incremental``)."""
    try:
        return reader.read(text)
    except Exception as exc:  # the reader promises not to raise; stay up if it does
        return ModuleIR(
            path=str(path),
            app_label=reader.app_label,
            syntax_error=Problem(message=f"djgen could not read this module: {exc}"),
        )


def analyze(
    cache: AnalysisCache,
    uri: str,
    version: int | None,
    text: str,
    path: Path,
    snapshot: Snapshot,
    settings: FolderSettings,
) -> Analysis:
    """Analyse one version of a models document (thread-safe)."""
    parsed, parsed_ok = cache.parse(uri, version, text, path)
    app_dir = app_dir_for(path)
    analysis = Analysis(
        uri=uri,
        version=version,
        path=path,
        app_dir=app_dir,
        module=parsed.module,
        lines=parsed.lines,
        syntax_error=None if parsed_ok else text_syntax_error(cache, uri, parsed),
    )
    if not parsed.module.ok:
        return analysis
    options = settings.options
    names = [name for name in options.generators if name != MIGRATION]
    if names:
        analysis.status = existing_status(
            parsed.module, app_dir, names, snapshot, settings.config, analysis.errors
        )
    if options.migration_check:
        check_migrations(analysis, snapshot)
    return analysis


def text_syntax_error(cache: AnalysisCache, uri: str, parsed: _Parsed) -> Problem:
    with cache._lock:
        last = cache._last.get(uri)
    if last is not None and last.module.syntax_error is not None:
        return last.module.syntax_error
    return parsed.module.syntax_error or Problem(message="syntax error")


def existing_status(
    module: ModuleIR,
    app_dir: Path,
    names: list[str],
    snapshot: Snapshot,
    config: Any,
    errors: list[str],
) -> dict[str, dict[str, bool]]:
    """model → generator → whether it exists, from the pipeline's ``status``."""
    from djgen.generators.core.pipeline import status

    names = installed(names)
    try:
        return status(module, app_dir, names, config=config, read_text=snapshot.read_text)
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        errors.append(
            f"djgen: could not check existing code in {app_dir}: {exc!r} "
            f"(at {Path(where.filename).name}:{where.lineno})"
        )
        return {}


def check_migrations(analysis: Analysis, snapshot: Snapshot) -> None:
    """Fill ``analysis.migration`` from the migrations detector, when it is installed."""
    try:
        from djgen.generators.migrations.api import detect
    except ImportError:
        return
    try:
        verdict = detect(
            analysis.app_dir,
            module=analysis.module,
            read_text=snapshot.read_text,
            per_model_only=True,
            # this process asks again after every edit: unchanged models' states stay warm
            warm=True,
        )
    except Exception as exc:  # MigrationsError (bad migration files) or a detector bug
        analysis.errors.append(f"djgen: migration check skipped for {analysis.app_dir}: {exc}")
        return
    analysis.migration = {m: list(c) for m, c in verdict.per_model.items() if c}
    analysis.undecidable = list(verdict.undecidable)
    analysis.undecidable_models = verdict.undecidable_messages()
    for reason in analysis.undecidable:
        analysis.errors.append(f"djgen: cannot tell whether migrations are current: {reason}")


def diagnosed(names: tuple[str, ...]) -> list[str]:
    """The enabled generators whose absence is a diagnostic."""
    return [name for name in missing_kinds() if name in names]


def installed(names: list[str] | tuple[str, ...]) -> list[str]:
    """The names whose generator is implemented (others are skipped, not errors)."""
    from djgen.generators.core.registry import available

    present = set(available())
    return [name for name in names if name in present]
