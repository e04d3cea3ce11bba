"""Code actions: quick fixes per missing generator and the file's "generate all" source action.

Data path: cursor in models.py → analysis (IR + what exists) → **CodeActions** (this module;
cheap, no libcst) → ``codeAction/resolve`` runs the pipeline (generators → artifacts → libcst
merge) and turns its file changes into a WorkspaceEdit for this client.

Kinds are namespaced (``quickfix.djgen.serializer``, ``source.djgen.generateAll``) and filtered by
``context.only``. Clients that cannot resolve ``edit`` get it computed eagerly; clients that
cannot create files get the ``djgen.generate`` command, which writes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types

from djgen.generators.core.ir import ModelIR

from ..analysis import Analysis, installed
from ..catalog import MIGRATION, project_generators, title
from ..core import DjgenLanguageServer, NeedsDefaultError
from ..diagnostics import code_for
from ..documents import is_models_path, path_to_uri, uri_to_path
from ..edits import build_workspace_edit

QUICKFIX_PREFIX = "quickfix.djgen."
GENERATE_ALL_KIND = "source.djgen.generateAll"
GENERATE_COMMAND = "djgen.generate"
GENERATE_ALL_COMMAND = "djgen.generateAll"


def wanted(kind: str, only: list[str] | None) -> bool:
    """LSP kind filtering: ``only`` entries match the kind itself or any parent of it."""
    if not only:
        return True
    return any(kind == o or kind.startswith(f"{o}.") for o in only)


def models_at(analysis: Analysis, rng: types.Range) -> list[ModelIR]:
    """The models whose class statement overlaps the range (0-based LSP lines)."""
    found = []
    for model in analysis.module.models:
        if model.span is None or not model.concrete:
            continue
        first, last = model.span.line - 1, model.span.end_line - 1
        if first <= rng.end.line and rng.start.line <= last:
            found.append(model)
    return found


def missing_generators(ls: DjgenLanguageServer, analysis: Analysis, model: str) -> list[str]:
    """Enabled generators with nothing written yet for ``model`` (migration: unmigrated)."""
    options = ls.settings_for(analysis.path).options
    status = analysis.status.get(model, {})
    names = [name for name in options.generators if name in status and not status[name]]
    if options.migration_check and analysis.migration.get(model):
        names.append(MIGRATION)
    return names


def register(server: DjgenLanguageServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[
                types.CodeActionKind.QuickFix,
                types.CodeActionKind.RefactorRewrite,  # the relations feature's rewrites
                types.CodeActionKind.Source,
                GENERATE_ALL_KIND,
            ],
            resolve_provider=True,
        ),
    )
    async def code_action(
        ls: DjgenLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        only = [str(getattr(k, "value", k)) for k in params.context.only or []] or None
        path = uri_to_path(uri)
        extra: list[types.CodeAction] = []
        for provider in ls.action_providers:  # other features' actions (drift)
            extra.extend(await provider(ls, params, only) or [])
        if path is not None and not is_models_path(path):
            return [*(project_file_actions(ls, path, only) or []), *extra] or None
        analysis = await ls.analysis_for(uri)
        if analysis is None or not analysis.module.ok or analysis.syntax_error is not None:
            return extra or None  # while the text does not parse, generating would use a stale IR
        actions: list[types.CodeAction] = []
        for model in models_at(analysis, params.range):
            for name in missing_generators(ls, analysis, model.name):
                kind = f"{QUICKFIX_PREFIX}{name}"
                if not wanted(kind, only):
                    continue
                fixes = [
                    d
                    for d in params.context.diagnostics
                    if d.code == code_for(name)
                    and isinstance(d.data, dict)
                    and d.data.get("model") == model.name
                ]
                actions.append(
                    types.CodeAction(
                        title=f"Generate {title(name)} for {model.name}",
                        kind=kind,
                        diagnostics=fixes or None,
                        is_preferred=bool(fixes) or None,
                        data={"generator": name, "model": model.name, "uri": uri},
                    )
                )
        if analysis.module.concrete_models and wanted(GENERATE_ALL_KIND, only):
            actions.append(
                types.CodeAction(
                    title="Generate all djgen code for this file",
                    kind=GENERATE_ALL_KIND,
                    data={"generator": "all", "model": None, "uri": uri},
                )
            )
        if not ls.edit_support.create_files:
            # The client cannot create files through an edit: the command writes them.
            for action in actions:
                action.command = command_for(action.data)
        elif not ls.resolve_edits:
            for action in actions:
                await resolve_edit(ls, action)
        return actions + extra

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(
        ls: DjgenLanguageServer, action: types.CodeAction
    ) -> types.CodeAction:
        if action.edit is None and action.command is None:
            for hook in ls.resolve_hooks:
                if await hook(ls, action):
                    return action
            await resolve_edit(ls, action)
        return action


#: (settings or urls file, generation) → the apps' models files whose project it is.
_PROJECT_APPS: dict[tuple[Path, int], list[Path]] = {}


def _apps_of_project_file(ls: DjgenLanguageServer, path: Path) -> list[Path]:
    """The models files of the apps whose project's settings.py or urls.py is ``path`` (found
    statically, cached until something outside the models buffers changes)."""
    from djgen.generators.core.paths import walk
    from djgen.generators.reader.project_model import read_project

    key = (path.resolve(), ls.generation)
    if key in _PROJECT_APPS:
        return _PROJECT_APPS[key]
    root = next((p for p in path.parents if (p / "manage.py").is_file()), None)
    found: list[Path] = []
    if root is not None:
        for here, dirs, files in walk(root):
            dirs[:] = [d for d in dirs if d != "migrations"]
            if "models.py" not in files:
                continue
            project = read_project(here)
            wired = {project.settings_path, project.urls_path, project.settings_entry}
            if key[0] in {p.resolve() for p in wired if p is not None}:
                found.append(here / "models.py")
    if len(_PROJECT_APPS) > 100:
        _PROJECT_APPS.clear()
    _PROJECT_APPS[key] = found
    return found


def project_file_actions(
    ls: DjgenLanguageServer, path: Path, only: list[str] | None
) -> list[types.CodeAction] | None:
    """On a project's settings.py or urls.py: per project generator (a descriptor with scope
    "project", e.g. api-settings) and app of the project, "Add <title> for the <app> app",
    resolved lazily like the quick fixes."""
    names = [n for n in project_generators() if wanted(f"{QUICKFIX_PREFIX}{n}", only)]
    if not names:
        return None
    actions = [
        types.CodeAction(
            title=f"Add {title(name)} for the {models.parent.name} app",
            kind=f"{QUICKFIX_PREFIX}{name}",
            data={"generator": name, "model": None, "uri": path_to_uri(models)},
        )
        for models in _apps_of_project_file(ls, path)
        for name in names
    ]
    if not ls.edit_support.create_files:
        for action in actions:
            action.command = command_for(action.data)
    return actions or None


def command_for(data: Any) -> types.Command:
    if data.get("generator") == "all":
        return types.Command(
            title="Generate all", command=GENERATE_ALL_COMMAND, arguments=[data["uri"]]
        )
    return types.Command(
        title=f"Generate {data['generator']}",
        command=GENERATE_COMMAND,
        arguments=[data["generator"], data["uri"], data["model"]],
    )


async def resolve_edit(ls: DjgenLanguageServer, action: types.CodeAction) -> None:
    """Fill ``action.edit`` by running the pipeline; fall back to the command when needed."""
    data = action.data if isinstance(action.data, dict) else {}
    uri = data.get("uri")
    generator = data.get("generator")
    if not isinstance(uri, str) or not isinstance(generator, str):
        ls.log_warning(f"djgen: code action {action.title!r} has no djgen data; ignored.")
        return
    if uri not in ls.workspace.text_documents and generator not in project_generators():
        # (the project action of settings.py names a models file that need not be open)
        ls.log_warning(f"djgen: {uri} is no longer open; cannot compute {action.title!r}.")
        return
    if generator == "all":
        analysis = await ls.analysis_for(uri)
        names = installed(ls.settings_for(analysis.path).options.generators) if analysis else []
        models = None
    else:
        names = [generator]
        models = [data["model"]] if data.get("model") else None
    try:
        changes, snapshot = await ls.plan_changes(uri, names, models)
    except NeedsDefaultError:
        # the migration needs one-off defaults: the command asks the user, then applies
        action.command = command_for(data)
        return
    except Exception as exc:
        ls.log_warning(f"djgen: could not generate for {action.title!r}: {exc!r}")
        return
    edit = build_workspace_edit(changes, ls.edit_support, snapshot)
    if edit is None:
        action.command = command_for(data)
    else:
        action.edit = edit
