"""The tests generator reuses what already ran in its pass, where that is provably a re-run.

Data path under test: models.py → IR (``read_app``) → ``run_generators`` (one pass; each
generator's context carries ``results``, the pass's results so far, and records what it asked
``outputs`` and ``running``) → ``pipeline.from_pass`` → **tests generator** (takes a generator's
result from the pass instead of running it again with ``outputs={}``) → test artifacts. The
artifacts of every generator are checked equal to those of the old algorithm, which re-ran each
tested generator; generators that saw something else in the pass than they would in the re-run
(``viewset`` asks whether ``api-settings`` runs) are run again, as before.
"""

from __future__ import annotations

import copy
import pickle
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from corpus import BLOG_MODELS

from djgen.generators.core import pipeline, registry
from djgen.generators.core.config import load_config
from djgen.generators.core.context import GenerationContext, GenerationResult
from djgen.generators.core.pipeline import (
    _Outputs,
    _Running,
    _Seen,
    build_context,
    from_pass,
    plan,
    run_generators,
    write,
)
from djgen.generators.reader import read_app
from djgen.server.analysis import installed
from djgen.server.catalog import MIGRATION, default_generators

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import models_gen

pytestmark = pytest.mark.skipif(
    "serializer" not in registry.available(), reason="no serializer generator"
)

#: What hover runs when the user chose nothing.
HOVER = installed([n for n in default_generators() if n != MIGRATION])
#: Every generator but the migration (its questions need answers).
ALL = [n for n in registry.resolve("all") if n != MIGRATION]


class _Spy:
    """Counts each generator's ``generate`` calls; keeps the context the tests generator got."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: Counter[str] = Counter()
        self.tests_context: GenerationContext | None = None
        real = registry.get_generator

        def get_generator(name: str) -> Any:
            generator = real(name)
            spy = self

            class Counted:
                def generate(self, context: GenerationContext) -> GenerationResult:
                    spy.calls[name] += 1
                    if name == "tests" and spy.tests_context is None:
                        spy.tests_context = context
                    return generator.generate(context)

            return Counted()

        monkeypatch.setattr(registry, "get_generator", get_generator)


def _app(root: Path, generated: bool) -> Path:
    app = models_gen.write_project(root, 1, models_text=BLOG_MODELS)
    if generated:
        write(plan(app, ALL, defaults={}))
    return app


def _run(app: Path, names: list[str], models: list[str] | None) -> dict[str, GenerationResult]:
    module = read_app(app)
    return run_generators(build_context(module, load_config(app), models=models), names)


@pytest.fixture(scope="module", params=[False, True], ids=["fresh", "generated"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _app(tmp_path_factory.mktemp("pass"), request.param)


@pytest.mark.parametrize("models", [["Post"], None], ids=["Post", "every model"])
@pytest.mark.parametrize("names", [HOVER, ALL], ids=["hover", "all"])
def test_same_results_as_rerunning(
    app: Path, names: list[str], models: list[str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every generator's result (artifacts, provides) equals the old algorithm's, which re-ran
    each tested generator inside the tests generator."""
    reused = _run(app, names, models)
    with monkeypatch.context() as m:
        m.setattr(pipeline, "from_pass", lambda context, names: None)
        rerun = _run(app, names, models)
    assert list(reused) == list(rerun)
    for name in rerun:
        assert reused[name].artifacts == rerun[name].artifacts, name
        assert repr(reused[name].provides) == repr(rerun[name].provides), name


def test_hover_pass_runs_each_reusable_generator_once(
    app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In hover's pass, the tests generator takes serializer, filterset, admin, jwt,
    api-settings and websocket from the pass; viewset (which asks whether api-settings runs,
    and its re-run has no api-settings) and the generators not in the pass run again."""
    spy = _Spy(monkeypatch)
    asked: dict[str, bool] = {}
    real = pipeline.from_pass

    def from_pass_spy(context: GenerationContext, names: list[str]) -> Any:
        got = real(context, names)
        asked[names[0]] = got is not None
        return got

    monkeypatch.setattr(pipeline, "from_pass", from_pass_spy)
    _run(app, HOVER, ["Post"])
    reused = {"serializer", "filterset", "admin", "jwt", "api-settings", "websocket"}
    assert reused <= set(HOVER)
    assert {name for name, got in asked.items() if got} == reused
    assert {name for name, got in asked.items() if not got} == {
        "viewset",
        "relationships",
        "caching",
        "cqrs",
        "eventsourcing",
    }
    # what no re-run requires runs once: in the pass
    assert spy.calls["admin"] == spy.calls["jwt"] == spy.calls["websocket"] == 1, spy.calls
    assert spy.calls["tests"] == 1
    with_reuse = sum(spy.calls.values())
    # without reuse every tested generator runs again (with what it requires)
    spy.calls.clear()
    monkeypatch.setattr(pipeline, "from_pass", lambda context, names: None)
    _run(app, HOVER, ["Post"])
    assert spy.calls["admin"] == spy.calls["jwt"] == spy.calls["websocket"] == 2, spy.calls
    assert sum(spy.calls.values()) > with_reuse


def test_tests_alone(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``djgen generate tests``: nothing ran before it, so every tested generator is run by
    the tests generator, as before, and the result is the same as without reuse."""
    spy = _Spy(monkeypatch)
    alone = _run(app, ["tests"], None)
    assert list(alone) == ["tests"]
    assert spy.calls["tests"] == 1 and spy.calls["serializer"] >= 1
    with monkeypatch.context() as m:
        m.setattr(pipeline, "from_pass", lambda context, names: None)
        assert _run(app, ["tests"], None)["tests"].artifacts == alone["tests"].artifacts


def test_from_pass_only_when_provable(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``from_pass`` gives the pass's own result objects, and None outside a pass, for another
    selection of models, for a result with questions and for generators not in the pass."""
    spy = _Spy(monkeypatch)
    results = _run(app, HOVER, ["Post"])
    context = spy.tests_context
    assert context is not None
    got = from_pass(context, ["serializer"])
    assert got is not None and got["serializer"] is results["serializer"]
    assert from_pass(context, ["websocket"]) == {
        "serializer": results["serializer"],
        "websocket": results["websocket"],
    }
    assert from_pass(context, ["viewset"]) is None  # saw api-settings in running
    assert from_pass(context, ["relationships"]) is None  # not in the pass
    assert from_pass(replace(context, models=["Tag"]), ["serializer"]) is None
    assert from_pass(replace(context, answers={"x": "1"}), ["serializer"]) is None
    module = read_app(app)
    assert from_pass(build_context(module, load_config(app)), ["serializer"]) is None
    state = context.results._pass  # type: ignore[attr-defined]
    state.results["serializer"].questions.append(object())
    try:
        assert from_pass(context, ["serializer"]) is None
    finally:
        state.results["serializer"].questions.pop()


def test_views_record_what_was_asked() -> None:
    """``outputs`` and ``running`` record membership questions; iterating, comparing, copying
    or changing them makes the generator's view unknown (never reused)."""
    seen = _Seen()
    outputs = _Outputs({"serializer": {"a": 1}}, seen)
    running = _Running(("serializer", "viewset"), seen)
    assert outputs.get("serializer") == {"a": 1} and "relationships" not in outputs
    assert outputs["serializer"] == {"a": 1}
    assert "api-settings" not in running and "viewset" in running
    assert seen.outputs == {"serializer", "relationships"}
    assert seen.running == {"api-settings", "viewset"}
    assert not seen.opaque
    for touch in (
        lambda: list(outputs),
        lambda: dict(outputs),
        lambda: len(outputs),
        lambda: outputs.items(),
        lambda: outputs.update(x={}),
        lambda: list(running),
        lambda: running == ("serializer",),
        lambda: running[0],
        lambda: len(running),
        lambda: tuple(running),
        lambda: copy.deepcopy(running),
        lambda: pickle.dumps(outputs),
    ):
        seen.opaque = False
        touch()
        assert seen.opaque, touch
    # copied or pickled, they are plain values
    assert type(copy.copy(running)) is tuple and copy.deepcopy(running) == ("serializer", "viewset")
    assert type(pickle.loads(pickle.dumps(outputs))) is dict
