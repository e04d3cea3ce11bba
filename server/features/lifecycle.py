"""Session lifecycle: initialize, configuration, workspace folders and watched files.

Data path: the client's initialize request, ``workspace/configuration`` answers and file-system
events → **settings and invalidation** (this module) → re-analysis of open models documents.
"""

from __future__ import annotations

from lsprotocol import types

from ..catalog import watched_globs
from ..core import DjgenLanguageServer
from ..documents import affects_diagnostics, uri_to_path

WATCH_REGISTRATION_ID = "djgen-watched-files"


def register(server: DjgenLanguageServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: DjgenLanguageServer, params: types.InitializeParams) -> None:
        ls.read_capabilities(params)
        ls.settings.initialization = params.initialization_options
        ls.settings.set_folders(ls.workspace_folders())
        ls.settings.check_initialization()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: DjgenLanguageServer, params: types.InitializedParams) -> None:
        await ls.fetch_configuration()
        if ls.supports("workspace", "did_change_watched_files", "dynamic_registration"):
            await _watch_files(ls)
        if ls.supports("workspace", "did_change_configuration", "dynamic_registration"):
            try:
                await ls.client_register_capability_async(
                    types.RegistrationParams(
                        registrations=[
                            types.Registration(
                                id="djgen-configuration",
                                method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                                register_options=types.DidChangeConfigurationRegistrationOptions(
                                    section="djgen"
                                ),
                            )
                        ]
                    )
                )
            except Exception as exc:
                ls.log_warning(f"djgen: could not register for configuration changes: {exc}")
        ls.log_info("djgen language server ready")
        ls.outside_changed(immediate=True)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: DjgenLanguageServer, params: types.DidChangeConfigurationParams
    ) -> None:
        if ls.configuration_support:
            await ls.fetch_configuration()
        else:
            settings = params.settings
            if isinstance(settings, dict) and "djgen" in settings:
                settings = settings["djgen"]
            ls.settings.global_config = settings
        ls.outside_changed(project=True)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(
        ls: DjgenLanguageServer, params: types.DidChangeWorkspaceFoldersParams
    ) -> None:
        await ls.fetch_configuration()
        ls.outside_changed(project=True)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: DjgenLanguageServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        relevant = False
        project = False
        for event in params.changes:
            path = uri_to_path(event.uri)
            if path is None or not affects_diagnostics(path):
                continue
            relevant = True
            project = project or path.name == "pyproject.toml"
        if relevant:
            ls.outside_changed(project=project)


async def _watch_files(ls: DjgenLanguageServer) -> None:
    watchers = [types.FileSystemWatcher(glob_pattern=glob) for glob in watched_globs()]
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id=WATCH_REGISTRATION_ID,
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(
                            watchers=watchers
                        ),
                    )
                ]
            )
        )
    except Exception as exc:
        ls.log_warning(f"djgen: could not watch generated files: {exc}")
