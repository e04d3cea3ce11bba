"""Hover previews, in process: what ``render_hover`` shows is what ``djgen generate`` writes.

Data path under test: models.py → IR (``read_app``) → generators (one pass over the enabled
names, as ``djgen generate`` and the editor's "generate all" run them) → **markdown preview**
(``server/features/hover.py``). The end-to-end hover (an editor's request over stdio) is in
``test_lsp_features.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from corpus import BLOG_MODELS

from djgen.generators.core import registry
from djgen.generators.core.config import load_config
from djgen.generators.core.pipeline import build_context, plan, run_generators, write
from djgen.generators.reader import read_app
from djgen.server.analysis import installed
from djgen.server.catalog import MIGRATION, default_generators
from djgen.server.features.hover import _code_for, render_hover

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import models_gen

pytestmark = pytest.mark.skipif(
    "serializer" not in registry.available(), reason="no serializer generator"
)

#: What the editor enables when the user chose nothing (hover never runs the migration).
NAMES = installed([n for n in default_generators() if n != MIGRATION])


def _app(root: Path) -> Path:
    return models_gen.write_project(root, 1, models_text=BLOG_MODELS)


def _hover(app: Path, model: str, names: list[str]) -> str:
    module = read_app(app)
    found = module.model(model)
    assert found is not None
    return render_hover(module, found, None, names, load_config(app))


def _each_alone(app: Path, model: str, names: list[str]) -> str:
    """The hover as it was built before: every generator run alone."""
    module = read_app(app)
    found = module.model(model)
    assert found is not None
    context = build_context(module, load_config(app), models=[model])
    parts = [f"**djgen** · `{found.label}`"]
    for name in names:
        for artifact in run_generators(context, [name])[name].artifacts:
            code = _code_for(artifact, model, None)
            if code:
                parts.append(f"*{name}* → `{artifact.target}`\n```python\n{code}\n```")
    return "\n\n".join(parts)


def _generated(app: Path, model: str, names: list[str]) -> dict[str, list[str]]:
    """Per generator, the code ``djgen generate <names>`` writes for ``model``."""
    module = read_app(app)
    context = build_context(module, load_config(app))
    out: dict[str, list[str]] = {}
    for name, result in run_generators(context, names).items():
        out[name] = [
            d.code.rstrip() for a in result.artifacts for d in a.definitions if d.model == model
        ]
    return out


def test_on_a_generated_app_the_hover_is_what_it_was(tmp_path: Path) -> None:
    app = _app(tmp_path)
    write(plan(app, [n for n in registry.available() if n != MIGRATION]))
    for model in ("Category", "Post", "Tag"):
        assert _hover(app, model, NAMES) == _each_alone(app, model, NAMES), model


def test_the_preview_is_what_generate_writes_with_the_relationships_plan(tmp_path: Path) -> None:
    app = _app(tmp_path)
    names = ["relationships", "serializer", "viewset"]
    text = _hover(app, "Post", names)
    written = _generated(app, "Post", names)
    serializer = next(c for c in written["serializer"] if c.startswith("class PostSerializer("))
    # the nested category the plan adds, as generate writes it (run alone, it had none)
    assert 'category_detail = CategorySerializer(source="category", read_only=True)' in serializer
    assert serializer in text
    assert "category_detail" not in _each_alone(app, "Post", ["serializer"])
    viewset = next(c for c in written["viewset"] if c.startswith("class PostViewSet("))
    assert "\n".join(viewset.splitlines()[:30]) in text


def test_tests_preview_covers_the_layers_of_the_pass_on_a_fresh_app(tmp_path: Path) -> None:
    app = _app(tmp_path)  # nothing generated yet
    text = _hover(app, "Post", NAMES)
    assert "*tests* → `test_djgen_serializer.py`" in text
    assert "*tests* → `test_djgen_filterset.py`" in text
    # each generator alone, the tests found no layer in the app
    assert "test_djgen_serializer.py" not in _each_alone(app, "Post", NAMES)
    for name, codes in _generated(app, "Post", NAMES).items():
        for code in codes:
            assert "\n".join(code.splitlines()[:30]) in text, (name, code[:60])


def test_a_generator_that_fails_does_not_hide_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app(tmp_path)
    real = registry.get_generator

    class Failing:
        def generate(self, context: Any) -> Any:
            raise RuntimeError("boom")

    monkeypatch.setattr(
        registry, "get_generator", lambda name: Failing() if name == "admin" else real(name)
    )
    text = _hover(app, "Post", NAMES)
    assert "*admin*: could not generate (boom)" in text
    assert "class PostSerializer(" in text and "class PostViewSet(" in text
