"""Drift in the editor: generated code that no longer matches the models, and its quick fixes.

Data path: models.py buffer → analysis (IR) → **drift** (this feature: ``core.drift`` on the
worker, after each analysis; cached by model shape and target-file text) → diagnostics in
models.py (on the changed field, or the model when the field is gone) and in the target files
(on the stale list element) → quick fixes (``quickfix.djgen.drift``) and the file's
``source.djgen.fixDrift`` action, whose edits (LibCST, one element or option each) are computed
in ``codeAction/resolve``.

Registered through the server's extension points (``analysis_hooks``, ``diagnostic_providers``,
``published_hooks``, ``document_hooks``, ``action_providers``, ``resolve_hooks``,
``pull_providers``); it imports no other feature.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types

from djgen.generators.core.drift import (
    DRIFT_GENERATORS,
    DriftItem,
    DriftReport,
    analyse,
    fixes,
)
from djgen.generators.core.drift_cache import CACHE_NAMES
from djgen.generators.core.ir import ModuleIR

from ..analysis import Analysis
from ..core import DjgenLanguageServer
from ..documents import (
    Snapshot,
    app_dir_for,
    is_models_path,
    lsp_lines,
    path_to_uri,
    span_range,
    uri_to_path,
)
from ..edits import build_workspace_edit
from ..settings import FolderSettings

CODE = "djgen.drift"
SOURCE = "djgen"
QUICKFIX_KIND = "quickfix.djgen.drift"
FIX_KIND = "source.djgen.fixDrift"
#: Files drift diagnostics are published for (the target files of the drift generators).
TARGET_NAMES = frozenset(
    {
        "serializers.py",
        "filters.py",
        "views.py",
        "admin.py",
        "urls.py",
        "consumers.py",
        "routing.py",
        "cache.py",
    }
)

SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "information": types.DiagnosticSeverity.Information,
}


@dataclass
class DriftState:
    #: models uri → the first IR read in this session (a removed field's class, for renames).
    baselines: dict[str, ModuleIR] = field(default_factory=dict)
    #: target uris that have drift diagnostics published (cleared when they have none).
    published: set[str] = field(default_factory=set)
    tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)


def _names(settings: FolderSettings) -> list[str]:
    if not settings.options.drift_check:
        return []
    return [n for n in settings.options.generators if n in DRIFT_GENERATORS]


def _wanted(kind: str, only: list[str] | None) -> bool:
    return not only or any(kind == o or kind.startswith(f"{o}.") for o in only)


# -- analysis (worker) ---------------------------------------------------------------------------


def _analyse(
    state: DriftState, analysis: Analysis, snapshot: Snapshot, settings: FolderSettings
) -> None:
    if not analysis.module.ok:
        return
    baseline = state.baselines.setdefault(analysis.uri, analysis.module)
    report = analyse(
        analysis.module,
        analysis.app_dir,
        _names(settings),
        config=settings.config,
        read_text=snapshot.read_text,
        baseline=baseline,
    )
    versions = {path: snapshot.version(path) for path in report.texts}
    analysis.extras["drift"] = (report, versions)


def _report(analysis: Analysis | None) -> tuple[DriftReport, dict[Path, int | None]] | None:
    if analysis is None:
        return None
    return analysis.extras.get("drift")


# -- diagnostics ---------------------------------------------------------------------------------


def _label(item: DriftItem) -> str:
    if item.definition in CACHE_NAMES:
        return f"{item.definition}[{item.option}]" if item.option else item.definition
    if item.option == "source" and item.attr:
        return f"{item.definition}.{item.attr}"
    return item.definition if item.option == "filters" else f"{item.definition}.{item.option}"


def _models_diagnostics(analysis: Analysis) -> list[types.Diagnostic]:
    """One diagnostic per changed field (or gone field, on its model's name)."""
    found = _report(analysis)
    if found is None:
        return []
    groups: dict[tuple[str, str, str], list[DriftItem]] = {}
    for item in found[0].items:
        if item.field_span is None or item.kind == "deleted":
            continue
        subject = item.new_name if item.kind == "rename" else item.name
        groups.setdefault((item.model, item.kind, subject or ""), []).append(item)
    out = []
    for (model, kind, subject), items in groups.items():
        places = ", ".join(dict.fromkeys(_label(i) for i in items))
        if kind == "stale":
            message = f"{model} no longer has {subject}; still listed in {places}."
        elif kind == "rename":
            message = (
                f"{subject} looks like {items[0].name} renamed; {places} still list "
                f"{items[0].name}."
            )
        else:
            message = f"{subject} was added to {model}; not yet in {places}."
        line, col, end_line, end_col = items[0].field_span  # type: ignore[misc]
        out.append(
            types.Diagnostic(
                range=span_range(analysis.lines, line, col, end_line, end_col),
                message=message,
                severity=SEVERITY[items[0].severity],
                code=CODE,
                source=SOURCE,
                data={
                    "model": model,
                    "uri": analysis.uri,
                    "app": str(analysis.app_dir),
                    "drift": [i.key() for i in items],
                },
            )
        )
    return out


def _target_diagnostics(report: DriftReport, path: Path, app_dir: Path) -> list[types.Diagnostic]:
    text = report.texts.get(path)
    if text is None:
        return []
    lines = [line.rstrip("\r\n") for line in lsp_lines(text)]
    out = []
    for item in report.items:
        if item.path != path:
            continue
        line, col, end_line, end_col = item.span
        out.append(
            types.Diagnostic(
                range=span_range(lines, line, col, end_line, end_col),
                message=item.message + ".",
                severity=SEVERITY[item.severity],
                code=CODE,
                source=SOURCE,
                data={
                    "model": item.model,
                    "uri": path_to_uri(path),
                    "app": str(app_dir),
                    "drift": [item.key()],
                },
            )
        )
    return out


def _publish(
    ls: DjgenLanguageServer,
    state: DriftState,
    report: DriftReport,
    versions: dict[Path, int | None],
    app_dir: Path,
    only: Iterable[Path] | None = None,
) -> None:
    paths = list(only) if only is not None else list(report.texts)
    for path in paths:
        uri = path_to_uri(path)
        diagnostics = _target_diagnostics(report, path, app_dir)
        if not diagnostics and uri not in state.published:
            continue
        doc = ls.workspace.text_documents.get(uri)
        version = versions.get(path)
        if doc is not None and version is not None and doc.version != version:
            continue  # the buffer moved on: its own change re-analyses
        if diagnostics:
            state.published.add(uri)
        else:
            state.published.discard(uri)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
        )


def _published(ls: DjgenLanguageServer, state: DriftState, analysis: Analysis) -> None:
    found = _report(analysis)
    if found is not None:
        _publish(ls, state, found[0], found[1], analysis.app_dir)


# -- target files whose models document is not open -------------------------------------------


def _app_of_target(path: Path) -> Path | None:
    for folder in (path.parent, path.parent.parent):
        if (folder / "models.py").is_file() or (folder / "models" / "__init__.py").is_file():
            return folder
    return None


def _open_models(ls: DjgenLanguageServer, app_dir: Path) -> str | None:
    for uri in list(ls.workspace.text_documents):
        path = uri_to_path(uri)
        if path is not None and is_models_path(path) and app_dir_for(path) == app_dir:
            return uri
    return None


async def _fresh(
    ls: DjgenLanguageServer, state: DriftState, app_dir: Path
) -> tuple[DriftReport, Snapshot]:
    """The app's drift now: the open models buffer's IR (else models.py on disk) against the
    target files as the editor has them."""
    models_uri = _open_models(ls, app_dir)
    baseline = None
    module = None
    if models_uri is not None:
        analysis = await ls.analysis_for(models_uri)
        if analysis is not None:
            module = analysis.module
            baseline = state.baselines.get(models_uri)
    snapshot = Snapshot.of(ls.workspace)
    models_path = app_dir / "models.py"
    settings = ls.settings_for(models_path)

    def work() -> DriftReport:
        from djgen.generators.reader import read_app

        current = module if module is not None else read_app(app_dir)
        return analyse(
            current,
            app_dir,
            _names(settings),
            config=settings.config,
            read_text=snapshot.read_text,
            baseline=baseline,
        )

    return await ls.run_serial(work), snapshot


def _target_changed(ls: DjgenLanguageServer, state: DriftState, uri: str) -> None:
    """A target file opened or changed while its models document is not open: its drift is
    computed from models.py on disk (debounced) and published."""
    path = uri_to_path(uri)
    if path is None or path.name not in TARGET_NAMES or ls.pull_diagnostics:
        return
    app_dir = _app_of_target(path)
    if app_dir is None or _open_models(ls, app_dir) is not None:
        return  # the models document's analysis publishes it
    previous = state.tasks.pop(uri, None)
    if previous is not None:
        previous.cancel()
    delay = ls.settings_for(path).options.diagnostics_delay_ms / 1000

    async def run() -> None:
        try:
            await asyncio.sleep(delay)
            report, snapshot = await _fresh(ls, state, app_dir)
            versions = {p: snapshot.version(p) for p in report.texts}
            _publish(ls, state, report, versions, app_dir, only=[path])
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            ls.log_warning(f"djgen: drift of {uri} not computed: {exc!r}")

    state.tasks[uri] = asyncio.ensure_future(run())


async def _pull(state: DriftState, ls: DjgenLanguageServer, uri: str) -> list[types.Diagnostic]:
    path = uri_to_path(uri)
    if path is None or path.name not in TARGET_NAMES:
        return []
    app_dir = _app_of_target(path)
    if app_dir is None:
        return []
    report, _ = await _fresh(ls, state, app_dir)
    return _target_diagnostics(report, path.resolve(), app_dir) or _target_diagnostics(
        report, path, app_dir
    )


# -- code actions ----------------------------------------------------------------------------------


def _title(item: DriftItem) -> str:
    where = _label(item)
    if item.kind == "stale" and item.option == "source":
        return f"Remove {where} (it reads {item.name})"
    if item.kind == "stale" and item.option in ("owner_field", "date_hierarchy"):
        return f"Remove {where}"
    if item.kind == "deleted" and item.definition in CACHE_NAMES:
        return f"Remove {where} ({item.model} no longer exists)"
    if item.kind == "deleted" and item.option == "route":
        return f"Remove the routes of {item.definition}"
    if item.kind == "stale":
        return f"Remove {item.name} from {where}"
    if item.kind == "rename":
        return f"Rename {item.name} to {item.new_name} in {where}"
    if item.kind == "missing":
        return f"Add {item.name} to {where}"
    if item.option == "register":
        return f"Remove the router registration of {item.definition}"
    return f"Remove {item.definition} ({item.model} no longer exists)"


async def _actions(
    state: DriftState,
    ls: DjgenLanguageServer,
    params: types.CodeActionParams,
    only: list[str] | None,
) -> list[types.CodeAction]:
    uri = params.text_document.uri
    path = uri_to_path(uri)
    if path is None:
        return []
    if is_models_path(path):
        app_dir = app_dir_for(path)
        found = _report(await ls.analysis_for(uri))
        report = found[0] if found else None
        mine = list(report.items) if report else []
    else:
        if path.name not in TARGET_NAMES:
            return []
        app_dir = _app_of_target(path)
        if app_dir is None:
            return []
        report, _ = await _fresh(ls, state, app_dir)
        mine = [i for i in report.items if i.path.resolve() == path.resolve()]
    by_key = {i.key(): i for i in (report.items if report else [])}
    actions: list[types.CodeAction] = []
    if _wanted(QUICKFIX_KIND, only):
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            if diagnostic.code != CODE or not data.get("drift"):
                continue
            keys = [k for k in data["drift"] if k in by_key and by_key[k].fixable]
            if not keys:
                continue
            items = [by_key[k] for k in keys]
            title = (
                _title(items[0])
                if len(items) == 1
                else (f"Update {len(items)} places for {items[0].new_name or items[0].name}")
            )
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=QUICKFIX_KIND,
                    diagnostics=[diagnostic],
                    is_preferred=True,
                    data={"driftKeys": keys, "app": str(app_dir), "uri": uri},
                )
            )
    mine = [i for i in mine if i.fixable]
    if mine and _wanted(FIX_KIND, only):
        actions.append(
            types.CodeAction(
                title="Fix djgen drift in this file"
                if not is_models_path(path)
                else "Fix djgen drift for these models",
                kind=FIX_KIND,
                data={"driftKeys": [i.key() for i in mine], "app": str(app_dir), "uri": uri},
            )
        )
    if not ls.resolve_edits:
        for action in actions:
            await _resolve(state, ls, action)
    return actions


async def _resolve(state: DriftState, ls: DjgenLanguageServer, action: types.CodeAction) -> bool:
    data = action.data if isinstance(action.data, dict) else {}
    keys = data.get("driftKeys")
    app = data.get("app")
    if not isinstance(keys, list) or not isinstance(app, str):
        return False
    report, snapshot = await _fresh(ls, state, Path(app))
    changes = await ls.run_serial(functools.partial(fixes, report, keys))
    changes = [c for c in changes if c.changed]
    if changes:
        action.edit = build_workspace_edit(changes, ls.edit_support, snapshot)
    return True


def register(server: DjgenLanguageServer) -> None:
    state = DriftState()
    server.analysis_hooks.append(functools.partial(_analyse, state))
    server.diagnostic_providers.append(_models_diagnostics)
    server.published_hooks.append(functools.partial(_published, server, state))
    server.document_hooks.append(functools.partial(_target_changed, server, state))
    server.action_providers.append(functools.partial(_actions, state))
    server.resolve_hooks.append(functools.partial(_resolve, state))
    server.pull_providers.append(functools.partial(_pull, state))
