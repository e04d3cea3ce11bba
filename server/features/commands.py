"""Commands: ``djgen.generate``, ``djgen.generateAll`` and ``djgen.preview``.

Data path: ``workspace/executeCommand`` → **command** (this module) → pipeline (generators →
artifacts → merge) → file changes → ``workspace/applyEdit`` (or files written on disk when the
client cannot take the edit), or, for preview, a unified diff returned as text.

Arguments (positional, JSON): ``djgen.generate(generator | [generators], uri, model?)``,
``djgen.generateAll(uri?)`` (no uri: every models module under the workspace folders),
``djgen.preview(generator | [generators] | "all", uri, model?)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from djgen.generators.core.paths import project_relative, unified_diff, walk

from ..analysis import installed
from ..catalog import generator_names
from ..core import DjgenLanguageServer, NeedsDefaultError, UserError
from ..documents import is_models_path, path_to_uri, uri_to_path
from ..migration_defaults import ask_defaults

#: Folders never searched for models modules.


class CommandError(UserError):
    """Bad command arguments: the message is for the user (an InvalidParams response)."""


def register(server: DjgenLanguageServer) -> None:
    @server.command("djgen.generate")
    async def generate(ls: DjgenLanguageServer, *args: Any) -> dict[str, Any]:
        names, uri, model = _generator_args(ls, args, "djgen.generate")
        models = [model] if model else None
        try:
            changes, snapshot = await ls.plan_changes(uri, names, models)
        except NeedsDefaultError as exc:
            answers = await ask_defaults(ls, exc.module, exc.questions)
            if answers is None:
                raise CommandError(f"{exc.message} (no default chosen)") from None
            changes, snapshot = await ls.plan_changes(uri, names, models, defaults=answers)
        what = ", ".join(names) + (f" for {model}" if model else "")
        result = await ls.apply_changes(changes, snapshot, f"djgen: generate {what}")
        ls.log_info(f"djgen: generated {what}: {len(changes)} file(s) changed")
        return result

    @server.command("djgen.generateAll")
    async def generate_all(ls: DjgenLanguageServer, *args: Any) -> dict[str, Any]:
        if args and not isinstance(args[0], str):
            raise CommandError("djgen.generateAll takes an optional models file URI")
        uris = [args[0]] if args else _workspace_models(ls)
        token = await ls.progress_begin("djgen: generating")
        files: list[str] = []
        applied = True
        try:
            for index, uri in enumerate(uris):
                path = uri_to_path(uri)
                if path is None or not is_models_path(path):
                    raise CommandError(f"not a models module: {uri}")
                names = installed(ls.settings_for(path).options.generators)
                ls.progress_report(
                    token, f"{path.parent.name}: {', '.join(names)}", 100 * index // len(uris)
                )
                changes, snapshot = await ls.plan_changes(uri, names, None)
                result = await ls.apply_changes(changes, snapshot, f"djgen: generate all ({uri})")
                files.extend(result["files"])
                applied = applied and result["applied"]
        finally:
            ls.progress_end(token, f"{len(files)} file(s) changed")
        return {"files": files, "applied": applied}

    @server.command("djgen.preview")
    async def preview(ls: DjgenLanguageServer, *args: Any) -> str:
        names, uri, model = _generator_args(ls, args, "djgen.preview")
        changes, _ = await ls.plan_changes(uri, names, [model] if model else None)
        return render_preview(changes, ls.workspace_folders())


def _generator_args(
    ls: DjgenLanguageServer, args: tuple[Any, ...], command: str
) -> tuple[list[str], str, str | None]:
    usage = f"{command} takes (generator or list of generators, models file URI, model name?)"
    if len(args) < 2 or not isinstance(args[1], str):
        raise CommandError(usage)
    generator, uri = args[0], args[1]
    model = args[2] if len(args) > 2 else None
    if model is not None and not isinstance(model, str):
        raise CommandError(usage)
    path = uri_to_path(uri)
    if path is None or not is_models_path(path):
        raise CommandError(f"{command}: not a models module: {uri}")
    if generator == "all":
        names = installed(ls.settings_for(path).options.generators)
    elif isinstance(generator, str):
        names = [generator]
    elif isinstance(generator, list) and all(isinstance(g, str) for g in generator):
        names = list(generator)
    else:
        raise CommandError(usage)
    unknown = [n for n in names if n not in generator_names()]
    if unknown:
        raise CommandError(
            f"{command}: unknown generator {', '.join(unknown)} "
            f"(known: {', '.join(generator_names())})"
        )
    return names, uri, model


def _workspace_models(ls: DjgenLanguageServer) -> list[str]:
    found: list[str] = []
    for folder in ls.workspace_folders():
        for top, _, files in walk(folder):
            for name in files:
                path = top / name
                if is_models_path(path) and name != "__init__.py":
                    found.append(path_to_uri(path))
    return found


def render_preview(changes: list[Any], folders: Sequence[Path] = ()) -> str:
    """A unified diff of every file change (new files diff against nothing), each file named as
    the user knows it: relative to its project (manage.py), else to its workspace folder."""
    if not changes:
        return "Nothing to generate: everything already exists.\n"
    chunks = [
        unified_diff(change.old, change.new, _shown_name(Path(change.path), folders))
        for change in changes
    ]
    return "\n".join(chunks)


def _shown_name(path: Path, folders: Sequence[Path]) -> str:
    if any((folder / "manage.py").is_file() for folder in path.parents):
        return project_relative(path)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        if path.is_relative_to(folder):
            return path.relative_to(folder).as_posix()
    return path.name
