"""Hover: on a model's class name (or one of its fields), what each enabled generator would write.

Data path: cursor in models.py → analysis (IR) → generators (one pass over the enabled ones, as
``djgen generate`` runs them; artifacts, no merge) → **markdown preview** (this module) →
``textDocument/hover``.
"""

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types

from djgen.generators.core.ir import FieldIR, ModelIR, ModuleIR

from ..analysis import Analysis, installed
from ..catalog import MIGRATION
from ..core import DjgenLanguageServer
from ..diagnostics import model_range
from ..documents import span_range

#: Longest code block shown per definition, in lines.
MAX_LINES = 30


def register(server: DjgenLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: DjgenLanguageServer, params: types.HoverParams) -> types.Hover | None:
        analysis = await ls.analysis_for(params.text_document.uri)
        if analysis is None or not analysis.module.ok:
            return None
        target = hovered(analysis, params.position)
        if target is None:
            return None
        model, field, rng = target
        settings = ls.settings_for(analysis.path)
        names = installed([n for n in settings.options.generators if n != MIGRATION])
        text = await ls.run_serial(
            render_hover, analysis.module, model, field, names, settings.config
        )
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=rng
        )


def hovered(
    analysis: Analysis, position: types.Position
) -> tuple[ModelIR, FieldIR | None, types.Range] | None:
    """The model (and field) whose name is under the cursor."""
    for model in analysis.module.models:
        rng = model_range(analysis, model)
        if model.name_span is not None and _contains(rng, position):
            return model, None, rng
        for field in model.fields:
            if field.span is None or field.auto_created or field.inherited_from:
                continue
            line = field.span.line - 1
            if line != position.line or line >= len(analysis.lines):
                continue
            # The span is the field's call; its name is the assignment target on that line.
            match = re.match(rf"\s*({re.escape(field.name)})\s*[:=]", analysis.lines[line])
            if match is None:
                continue
            col = match.start(1)
            frng = span_range(analysis.lines, line + 1, col, line + 1, col + len(field.name))
            if _contains(frng, position):
                return model, field, frng
    return None


def _contains(rng: types.Range, pos: types.Position) -> bool:
    start, end = rng.start, rng.end
    if (pos.line, pos.character) < (start.line, start.character):
        return False
    return (pos.line, pos.character) <= (end.line, end.character)


def render_hover(
    module: ModuleIR, model: ModelIR, field: FieldIR | None, names: list[str], config: Any
) -> str:
    """Markdown: a heading, then per generator its target file and code for this model."""
    from djgen.generators.core.pipeline import build_context

    if config is None:
        from djgen.generators.core.config import DjgenConfig

        config = DjgenConfig()
    parts = []
    if field is None:
        parts.append(f"**djgen** · `{model.label}`")
    else:
        relation = f" → `{field.related_model}`" if field.related_model else ""
        parts.append(f"**djgen** · `{model.name}.{field.name}`: `{field.field_class}`{relation}")
    context = build_context(module, config, models=[model.name])
    generated = _generate(context, names)
    for name in names:
        artifacts = generated[name]
        if isinstance(artifacts, Exception):
            parts.append(f"*{name}*: could not generate ({artifacts})")
            continue
        for artifact in artifacts:
            code = _code_for(artifact, model.name, field)
            if code:
                parts.append(f"*{name}* → `{artifact.target}`\n```python\n{code}\n```")
    if len(parts) == 1:
        parts.append("Nothing to generate for this model with the enabled generators.")
    return "\n\n".join(parts)


def _generate(context: Any, names: list[str]) -> dict[str, list[Any] | Exception]:
    """Each generator's artifacts (or why it could not generate). One pass over all the names,
    as ``djgen generate`` and the editor's "generate all" run them: each generator sees what the
    others of the pass provide (the serializer the relationships plan, tests every layer of the
    pass), and each runs once. When that pass fails, each name alone, so that one generator
    that cannot run here does not hide the others' previews."""
    from djgen.generators.core.pipeline import run_generators

    try:
        results = run_generators(context, names)
        return {name: results[name].artifacts for name in names}
    except Exception:
        pass
    out: dict[str, list[Any] | Exception] = {}
    for name in names:
        try:
            out[name] = run_generators(context, [name])[name].artifacts
        except Exception as exc:
            out[name] = exc
    return out


def _code_for(artifact: Any, model: str, field: FieldIR | None) -> str:
    definitions = [d for d in artifact.definitions if d.model == model]
    mention = re.compile(rf"\b{re.escape(field.name)}\b") if field is not None else None
    chunks = []
    for definition in definitions:
        lines = definition.code.rstrip().splitlines()
        if mention is not None:
            lines = [line.strip() for line in lines if mention.search(line)]
            if not lines:
                continue
        if len(lines) > MAX_LINES:
            lines = [*lines[:MAX_LINES], "# …"]
        chunks.append("\n".join(lines))
    if not chunks and artifact.content and field is None:
        lines = artifact.content.rstrip().splitlines()
        chunks.append("\n".join(lines[:MAX_LINES]))
    return "\n\n".join(chunks)
