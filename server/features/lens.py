"""Code lens: above each model, what exists and what is missing, with a command to generate it.

Data path: models.py → analysis (IR + what exists) → **code lenses** (this module) →
``textDocument/codeLens``; clicking runs ``djgen.generate`` for the missing generators.
"""

from __future__ import annotations

from lsprotocol import types

from ..analysis import Analysis
from ..catalog import MIGRATION
from ..core import DjgenLanguageServer
from ..diagnostics import model_range
from ..options import ServerOptions

OK = "✓"
MISSING = "✗"


def register(server: DjgenLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    async def code_lens(
        ls: DjgenLanguageServer, params: types.CodeLensParams
    ) -> list[types.CodeLens] | None:
        analysis = await ls.analysis_for(params.text_document.uri)
        if analysis is None or not analysis.module.ok:
            return None
        options = ls.settings_for(analysis.path).options
        if not options.code_lens:
            return None
        return build_lenses(analysis, options)


def model_states(analysis: Analysis, options: ServerOptions, model: str) -> list[tuple[str, bool]]:
    """(generator, exists) for each enabled generator the analysis knows about."""
    status = analysis.status.get(model, {})
    states = [(name, status[name]) for name in options.generators if name in status]
    if options.migration_check:
        states.append((MIGRATION, not analysis.migration.get(model)))
    return states


def build_lenses(analysis: Analysis, options: ServerOptions) -> list[types.CodeLens]:
    lenses = []
    for model in analysis.module.concrete_models:
        states = model_states(analysis, options, model.name)
        if not states:
            continue
        title = " · ".join(f"{name} {OK if ok else MISSING}" for name, ok in states)
        missing = [name for name, ok in states if not ok]
        rng = model_range(analysis, model)
        if missing:
            command = types.Command(
                title=f"djgen: {title}",
                command="djgen.generate",
                arguments=[missing, analysis.uri, model.name],
            )
        else:
            command = types.Command(
                title=f"djgen: {title}",
                command="djgen.preview",
                arguments=[[n for n, _ in states], analysis.uri, model.name],
            )
        lenses.append(types.CodeLens(range=rng, command=command))
    return lenses
