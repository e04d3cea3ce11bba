"""The djgen language server: one pygls server object holding the session's state.

Data path: editor events → **DjgenLanguageServer** (this module: lifecycle, settings, the
per-document debounce and the analysis cache) → analysis (IR) → diagnostics / code actions /
hovers / lenses / commands → WorkspaceEdit.

Features (``server/features/``: sync, actions, commands, hover, lens, lifecycle) are registered
once, by ``djgen.server.app.create_server``; this module holds what they share and imports none
of them (an import-linter contract checks it).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer

from .analysis import Analysis, AnalysisCache, analyze
from .diagnostics import build_diagnostics
from .documents import (
    Snapshot,
    affects_diagnostics,
    app_dir_for,
    is_models_path,
    uri_to_path,
)
from .edits import EditSupport, build_workspace_edit, split_for_disk, write_files
from .settings import FolderSettings, SettingsStore
from .worker import BACKGROUND, URGENT, Worker

log = logging.getLogger(__name__)

T = TypeVar("T")

VERSION = "0.1.0"


class UserError(JsonRpcInvalidParams):
    """A request djgen cannot do, for a reason the user can fix (sent as InvalidParams and
    logged as a warning, never as an internal error)."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message)


class NeedsDefaultError(UserError):
    """Generation needs answers only the user can give (the migration's one-off defaults)."""

    def __init__(self, message: str, questions: list[Any], module: Any) -> None:
        super().__init__(message)
        self.questions = questions
        self.module = module


@dataclass
class AnalysisJob:
    """An analysis on its way: what waiters await, and the worker's handle to drop it."""

    future: asyncio.Future[Analysis]
    urgent: bool
    work: concurrent.futures.Future[Analysis]


class DjgenLanguageServer(LanguageServer):
    """pygls server with djgen's session state (features are added by ``create_server``)."""

    def __init__(self) -> None:
        super().__init__(
            name="djgen",
            version=VERSION,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.settings = SettingsStore(report=self.log_warning)
        self.cache = AnalysisCache()
        #: uri → (generation, analysis) of the newest analysed version.
        self.analyses: dict[str, tuple[int, Analysis]] = {}
        #: Bumped whenever something outside models buffers changes (files, settings).
        self.generation = 0
        self.tasks: dict[str, asyncio.Task[None]] = {}
        #: (uri, version, generation) → the analysis being computed for it.
        self.inflight: dict[tuple[str, int | None, int], AnalysisJob] = {}
        self.worker = Worker()
        self.warned: set[str] = set()
        # Client abilities, set at initialize.
        self.pull_diagnostics = False
        self.edit_support = EditSupport(document_changes=False, create_files=False)
        self.resolve_edits = False
        self.configuration_support = False
        self.progress_support = False
        self.apply_edit_support = False
        # Extension points for features (``features/drift.py``); each is a list of callables.
        #: (analysis, snapshot, settings) → None, run on the worker after each analysis.
        self.analysis_hooks: list[Callable[..., None]] = []
        #: analysis → extra diagnostics for the models document.
        self.diagnostic_providers: list[Callable[[Analysis], list[types.Diagnostic]]] = []
        #: analysis → None, after a models document's diagnostics were published.
        self.published_hooks: list[Callable[[Analysis], None]] = []
        #: uri → None, when a document that is not a models module opens, changes or closes.
        self.document_hooks: list[Callable[[str], None]] = []
        #: async (server, params, only) → code actions for any document.
        self.action_providers: list[Callable[..., Any]] = []
        #: async (server, action) → whether it filled the action's edit.
        self.resolve_hooks: list[Callable[..., Any]] = []
        #: async (server, uri) → pulled diagnostics of a document that is not a models module.
        self.pull_providers: list[Callable[..., Any]] = []

    # -- logging (window/logMessage; never pop-ups for routine failures) ----------------------

    def log_info(self, message: str) -> None:
        self._log(message, types.MessageType.Info)

    def log_warning(self, message: str) -> None:
        self._log(message, types.MessageType.Warning)

    def log_error(self, message: str) -> None:
        self._log(message, types.MessageType.Error)

    def _log(self, message: str, kind: types.MessageType) -> None:
        level = {types.MessageType.Error: logging.ERROR, types.MessageType.Warning: logging.WARNING}
        log.log(level.get(kind, logging.INFO), message)
        with contextlib.suppress(Exception):  # no client attached (e.g. during shutdown)
            self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def warn_once(self, message: str) -> None:
        """Log a warning unless it was already logged since the last outside change (analysis
        problems repeat on every keystroke)."""
        if message not in self.warned:
            self.warned.add(message)
            self.log_warning(message)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log errors instead of pygls' default pop-up; bad arguments are only warnings."""
        if isinstance(error, JsonRpcInvalidParams):
            self.log_warning(f"djgen: {error.message}")
            return
        self.log_error(f"djgen internal error ({getattr(source, '__name__', source)}): {error!r}")

    # -- client abilities ----------------------------------------------------------------------

    def read_capabilities(self, params: types.InitializeParams) -> None:
        caps = params.capabilities
        text = caps.text_document
        workspace = caps.workspace
        self.pull_diagnostics = bool(text and text.diagnostic is not None)
        self.edit_support = EditSupport.of(caps)
        resolve = text.code_action.resolve_support if text and text.code_action else None
        self.resolve_edits = bool(resolve and "edit" in resolve.properties)
        self.configuration_support = bool(workspace and workspace.configuration)
        self.progress_support = bool(caps.window and caps.window.work_done_progress)
        self.apply_edit_support = bool(workspace and workspace.apply_edit)

    def supports(self, *path: str) -> bool:
        """Whether a client capability (attribute path) is set and truthy."""
        node: Any = self.client_capabilities
        for name in path:
            node = getattr(node, name, None)
            if node is None:
                return False
        return bool(node)

    # -- settings ------------------------------------------------------------------------------

    def workspace_folders(self) -> list[Path]:
        folders = []
        for folder in self.workspace.folders.values():
            path = uri_to_path(folder.uri)
            if path is not None:
                folders.append(path)
        if not folders and self.workspace.root_path:
            folders.append(Path(self.workspace.root_path))
        return folders

    async def fetch_configuration(self) -> None:
        """Ask the client for the ``djgen`` section, globally and per workspace folder."""
        self.settings.set_folders(self.workspace_folders())
        if not self.configuration_support:
            return
        folders = self.settings.folders
        items = [types.ConfigurationItem(section="djgen")] + [
            types.ConfigurationItem(section="djgen", scope_uri=_uri(f)) for f in folders
        ]
        try:
            values = await self.workspace_configuration_async(
                types.ConfigurationParams(items=items)
            )
        except Exception as exc:
            self.log_warning(f"djgen: could not read the client's configuration: {exc}")
            return
        values = list(values or [])
        self.settings.global_config = values[0] if values else None
        self.settings.folder_config = {
            folder: value
            for folder, value in zip(folders, values[1:], strict=False)
            if value is not None
        }
        self.settings.invalidate()

    def settings_for(self, path: Path) -> FolderSettings:
        app_dir = app_dir_for(path) if is_models_path(path) else path.parent
        return self.settings.for_path(path, app_dir)

    # -- analysis ------------------------------------------------------------------------------

    def is_models_uri(self, uri: str) -> bool:
        path = uri_to_path(uri)
        return path is not None and is_models_path(path)

    async def run_serial(self, fn: Callable[..., T], *args: Any, urgent: bool = True) -> T:
        """Run generator-core work on the worker thread (requests first, see ``worker``)."""
        return await self.worker.run(functools.partial(fn, *args), URGENT if urgent else BACKGROUND)

    async def analysis_for(self, uri: str, *, urgent: bool = True) -> Analysis | None:
        """The analysis of the open document's current version (cached), or None.

        Callers asking for the same version share one computation; a computation still queued
        for an older version is dropped when a newer version arrives, and its waiters retry.
        ``urgent`` (a request the user waits for) puts the work ahead of background analyses.
        """
        while True:
            doc = self.workspace.text_documents.get(uri)
            path = uri_to_path(uri)
            if doc is None or path is None or not is_models_path(path):
                return None
            cached = self.analyses.get(uri)
            if cached and cached[0] == self.generation and cached[1].version == doc.version:
                return cached[1]
            key = (uri, doc.version, self.generation)
            job = self.inflight.get(key)
            if job is None or (urgent and not job.urgent and job.work.cancel()):
                job = self._start_analysis(key, doc.source, path, urgent)
            try:
                return await asyncio.shield(job.future)
            except asyncio.CancelledError:
                if job.future.cancelled():
                    continue  # dropped (newer version, or moved ahead of the queue): retry
                raise

    def _start_analysis(
        self, key: tuple[str, int | None, int], text: str, path: Path, urgent: bool
    ) -> AnalysisJob:
        uri, version, generation = key
        for other, job in list(self.inflight.items()):
            if other[0] == uri and other != key:
                job.work.cancel()  # drops it if the worker has not started it yet
        snapshot = Snapshot.of(self.workspace)
        settings = self.settings_for(path)
        work = self.worker.submit(
            functools.partial(
                _analyze_with_hooks,
                tuple(self.analysis_hooks),
                functools.partial(
                    analyze, self.cache, uri, version, text, path, snapshot, settings
                ),
                snapshot,
                settings,
            ),
            URGENT if urgent else BACKGROUND,
        )
        job = AnalysisJob(asyncio.wrap_future(work), urgent, work)
        self.inflight[key] = job

        def done(future: asyncio.Future[Analysis]) -> None:
            if self.inflight.get(key) is job:
                del self.inflight[key]
            if future.cancelled() or future.exception() is not None:
                return
            analysis = future.result()
            for error in analysis.errors:
                self.warn_once(error)
            current = self.workspace.text_documents.get(uri)
            if current is not None and current.version == version:
                before = self.analyses.get(uri)
                self.analyses[uri] = (generation, analysis)
                if before is not None and (
                    before[1].status != analysis.status or before[1].migration != analysis.migration
                ):
                    self.refresh_code_lenses()

        job.future.add_done_callback(done)
        return job

    def diagnostics_for(self, analysis: Analysis) -> list[types.Diagnostic]:
        out = build_diagnostics(analysis, self.settings_for(analysis.path).options)
        for provider in self.diagnostic_providers:
            try:
                out.extend(provider(analysis))
            except Exception:
                self.log_error(f"djgen: diagnostics of {analysis.uri}:\n{traceback.format_exc()}")
        return out

    def schedule(self, uri: str, *, immediate: bool = False) -> None:
        """(Re)start the debounced analysis of a models document; pushes diagnostics."""
        previous = self.tasks.pop(uri, None)
        if previous is not None:
            previous.cancel()
        if self.pull_diagnostics:
            return
        path = uri_to_path(uri)
        if path is None:
            return
        delay = 0 if immediate else self.settings_for(path).options.diagnostics_delay_ms
        task = asyncio.ensure_future(self._analyze_and_publish(uri, delay))
        self.tasks[uri] = task
        task.add_done_callback(lambda t, uri=uri: self._task_done(uri, t))

    def _task_done(self, uri: str, task: asyncio.Task[None]) -> None:
        if self.tasks.get(uri) is task:
            del self.tasks[uri]

    async def _analyze_and_publish(self, uri: str, delay_ms: int) -> None:
        try:
            if delay_ms:
                await asyncio.sleep(delay_ms / 1000)
            doc = self.workspace.text_documents.get(uri)
            if doc is None:
                return
            analysis = await self.analysis_for(uri, urgent=False)
            current = self.workspace.text_documents.get(uri)
            if analysis is None or current is None or current.version != analysis.version:
                return  # stale: a newer version is on its way
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=uri, version=analysis.version, diagnostics=self.diagnostics_for(analysis)
                )
            )
            for hook in self.published_hooks:
                hook(analysis)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.log_error(f"djgen: analysing {uri} failed:\n{traceback.format_exc()}")

    def document_changed(self, uri: str, *, immediate: bool = False) -> None:
        """A buffer changed: re-analyse it, or the models documents it affects."""
        path = uri_to_path(uri)
        if path is None:
            return
        if is_models_path(path):
            # other documents may inherit from this module: they read it again when asked
            self.cache.invalidate_project(changed=uri)
            self.schedule(uri, immediate=immediate)
        else:
            for hook in self.document_hooks:
                hook(uri)
            if affects_diagnostics(path):
                self.outside_changed(immediate=immediate)

    def outside_changed(self, *, immediate: bool = False, project: bool = False) -> None:
        """Something besides models buffers changed: re-analyse every open models document."""
        self.generation += 1
        self.warned.clear()
        self.settings.invalidate(project=project)
        self.cache.invalidate_project(settings=project)
        if self.pull_diagnostics:
            if self.supports("workspace", "diagnostics", "refresh_support"):
                self.workspace_diagnostic_refresh(None)
        else:
            for uri in list(self.workspace.text_documents):
                if self.is_models_uri(uri):
                    self.schedule(uri, immediate=immediate)
        self.refresh_code_lenses()

    def refresh_code_lenses(self) -> None:
        """Ask the client to fetch code lenses again (what exists changed), when it can."""
        if self.supports("workspace", "code_lens", "refresh_support"):
            self.workspace_code_lens_refresh(None)

    def document_closed(self, uri: str) -> None:
        task = self.tasks.pop(uri, None)
        if task is not None:
            task.cancel()
        self.analyses.pop(uri, None)
        self.cache.forget(uri)
        if self.is_models_uri(uri) and not self.pull_diagnostics:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )
        else:
            self.document_changed(uri)

    # -- generation ----------------------------------------------------------------------------

    async def plan_changes(
        self,
        uri: str,
        names: Sequence[str],
        models: Sequence[str] | None,
        snapshot: Snapshot | None = None,
        defaults: dict[str, str] | None = None,
    ) -> tuple[list[Any], Snapshot]:
        """The pipeline's file changes for generators ``names`` on the models file ``uri``
        (``defaults``: one-off migration defaults the user chose; ``NeedsDefaultError`` when
        the migration needs some)."""
        from djgen.generators.core.context import QuestionsPending
        from djgen.generators.core.pipeline import PlanError, plan

        path = uri_to_path(uri)
        if path is None or not is_models_path(path):
            raise UserError(f"not a models module: {uri}")
        settings = self.settings_for(path)
        app_dir = app_dir_for(path)
        module = None  # not open: the pipeline reads the app from disk
        if uri in self.workspace.text_documents:
            analysis = await self.analysis_for(uri)
            if analysis is None or not analysis.module.ok or analysis.syntax_error is not None:
                raise UserError(f"{uri} has a syntax error; fix it first")
            module = analysis.module
        snapshot = snapshot or Snapshot.of(self.workspace)
        try:
            changes = await self.run_serial(
                functools.partial(
                    plan,
                    app_dir,
                    list(names),
                    models=list(models) if models else None,
                    config=settings.config,
                    read_text=snapshot.read_text,
                    module=module,
                    defaults=defaults,
                )
            )
        except QuestionsPending as exc:
            raise NeedsDefaultError(str(exc), exc.questions, module) from None
        except PlanError as exc:
            raise UserError(str(exc)) from None
        return [c for c in changes if c.old != c.new], snapshot

    async def apply_changes(
        self, changes: Sequence[Any], snapshot: Snapshot, label: str
    ) -> dict[str, Any]:
        """Apply file changes: one ``workspace/applyEdit`` when the client can take it, else
        write files that are not open straight to disk and edit the open buffers."""
        result: dict[str, Any] = {"files": [str(c.path) for c in changes], "applied": True}
        if not changes:
            return result
        edit = build_workspace_edit(changes, self.edit_support, snapshot)
        if edit is not None and self.apply_edit_support:
            response = await self.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=edit, label=label)
            )
            result["applied"] = bool(response and response.applied)
            if not result["applied"]:
                reason = getattr(response, "failure_reason", None)
                self.log_warning(f"djgen: the editor did not apply {label!r}: {reason}")
            return result
        buffers, disk = split_for_disk(changes, snapshot)
        written = await asyncio.to_thread(write_files, disk)
        result["written"] = [str(p) for p in written]
        if buffers:
            edit = build_workspace_edit(buffers, self.edit_support, snapshot)
            if edit is not None and self.apply_edit_support:
                response = await self.workspace_apply_edit_async(
                    types.ApplyWorkspaceEditParams(edit=edit, label=label)
                )
                result["applied"] = bool(response and response.applied)
            else:
                result["applied"] = False
                self.log_warning(
                    f"djgen: cannot edit open buffers for {label!r}: "
                    + ", ".join(str(c.path) for c in buffers)
                )
        if written:
            self.outside_changed()
        return result

    async def progress_begin(self, title: str) -> str | None:
        if not self.progress_support:
            return None
        token = f"djgen-{uuid.uuid4()}"
        try:
            await self.work_done_progress.create_async(token)
        except Exception:
            return None
        self.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title=title, percentage=0, cancellable=False)
        )
        return token

    def progress_report(self, token: str | None, message: str, percentage: int) -> None:
        if token is not None:
            self.work_done_progress.report(
                token, types.WorkDoneProgressReport(message=message, percentage=percentage)
            )

    def progress_end(self, token: str | None, message: str) -> None:
        if token is not None:
            self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))


def _analyze_with_hooks(
    hooks: tuple[Callable[..., None], ...],
    run: Callable[[], Analysis],
    snapshot: Snapshot,
    settings: FolderSettings,
) -> Analysis:
    """``analyze``, then each feature's analysis hook (on the worker; a failing hook is an
    analysis error, logged once, never a lost analysis)."""
    analysis = run()
    for hook in hooks:
        try:
            hook(analysis, snapshot, settings)
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            analysis.errors.append(
                f"djgen: {getattr(hook, '__name__', hook)} failed: {exc!r} "
                f"(at {Path(where.filename).name}:{where.lineno})"
            )
    return analysis


def _uri(path: Path) -> str:
    from .documents import path_to_uri

    return path_to_uri(path)
