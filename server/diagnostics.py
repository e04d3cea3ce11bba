"""Diagnostics: an Analysis → LSP diagnostics on model class names, each with its quick fix data.

Data path: models.py → IR → ``Analysis`` (what exists) → **diagnostics** (this module) → pushed
with ``textDocument/publishDiagnostics`` or pulled with ``textDocument/diagnostic``; each
diagnostic's ``data`` is what the matching quick fix sends back to generate the code.
"""

from __future__ import annotations

from lsprotocol import types

from djgen.generators.core.ir import ModelIR

from .analysis import Analysis, diagnosed
from .catalog import MIGRATION, code, what
from .documents import span_range
from .options import ServerOptions

SOURCE = "djgen"

SEVERITY = {
    "hint": types.DiagnosticSeverity.Hint,
    "information": types.DiagnosticSeverity.Information,
    "warning": types.DiagnosticSeverity.Warning,
}


def code_for(generator: str) -> str:
    return code(generator)


def model_range(analysis: Analysis, model: ModelIR) -> types.Range:
    span = model.name_span or model.span
    if span is None:
        return types.Range(types.Position(0, 0), types.Position(0, 0))
    return span_range(analysis.lines, span.line, span.col, span.end_line, span.end_col)


_MISSING: dict[tuple[int, str, str, str], tuple[ModelIR, types.Diagnostic]] = {}


def _missing(analysis: Analysis, model: ModelIR, name: str, level: str) -> types.Diagnostic:
    """ "Book has no DRF serializer." — the same object again while the model is unchanged (the
    incremental reader reuses unchanged ModelIRs; their spans, and so ranges, are in them)."""
    key = (id(model), name, level, analysis.uri)
    known = _MISSING.get(key)
    if known is not None and known[0] is model:
        return known[1]
    diagnostic = types.Diagnostic(
        range=model_range(analysis, model),
        message=f"{model.name} has no {what(name)}.",
        severity=SEVERITY[level],
        code=code_for(name),
        source=SOURCE,
        data={"generator": name, "model": model.name, "uri": analysis.uri},
    )
    if len(_MISSING) > 50_000:
        _MISSING.clear()
    _MISSING[key] = (model, diagnostic)
    return diagnostic


def build_diagnostics(analysis: Analysis, options: ServerOptions) -> list[types.Diagnostic]:
    """The diagnostics for one analysis, in model order then generator order."""
    out: list[types.Diagnostic] = []
    if not analysis.module.ok:
        return out
    names = diagnosed(options.generators)
    for model in analysis.module.models:
        if not model.concrete:
            continue
        exists = analysis.status.get(model.name, {})
        for name in names:
            level = options.severity(name)
            if level == "off" or name not in exists or exists[name]:
                continue
            out.append(_missing(analysis, model, name, level))
        changes = analysis.migration.get(model.name)
        level = options.severity(MIGRATION)
        unsure = analysis.undecidable_models.get(model.name)
        if options.migration_check and unsure and level != "off":
            # the static reading cannot decide for this model: say so instead of guessing
            out.append(
                types.Diagnostic(
                    range=model_range(analysis, model),
                    message=(
                        f"djgen cannot tell statically whether {model.name}'s migrations are "
                        f"current: {'; '.join(unsure)}."
                    ),
                    severity=types.DiagnosticSeverity.Information,
                    code="djgen.migration-undecidable",
                    source=SOURCE,
                    data={"generator": MIGRATION, "model": model.name, "uri": analysis.uri},
                )
            )
        elif options.migration_check and changes and level != "off":
            out.append(
                types.Diagnostic(
                    range=model_range(analysis, model),
                    message=f"{model.name} has changes not in migrations: {', '.join(changes)}.",
                    severity=SEVERITY[level],
                    code=code_for(MIGRATION),
                    source=SOURCE,
                    data={"generator": MIGRATION, "model": model.name, "uri": analysis.uri},
                )
            )
    out.extend(_reader_problems(analysis))
    return out


def _reader_problems(analysis: Analysis) -> list[types.Diagnostic]:
    """What the reader could not classify (a typo'd field class, a library it cannot read), as
    warnings at their line: never silent, never a field dropped without a word."""
    out: list[types.Diagnostic] = []
    for problem in analysis.module.problems:
        if problem.severity == "info" or problem.span is None:
            continue
        span = problem.span
        out.append(
            types.Diagnostic(
                range=span_range(analysis.lines, span.line, span.col, span.end_line, span.end_col),
                message=problem.message,
                severity=types.DiagnosticSeverity.Warning
                if problem.severity == "warning"
                else types.DiagnosticSeverity.Error,
                code="djgen.reader",
                source=SOURCE,
                data={"generator": None, "model": problem.model, "uri": analysis.uri},
            )
        )
    return out
