"""djgen's keyed optimizer gives exactly Django's ``MigrationOptimizer`` result: on seeded random
operation sequences (Django's optimizer as the oracle, in a subprocess), against Django's own
one-fold-per-pass loop (``optimize_reference``) on the corpus and on generated apps of a
hundred models, and on a generated app's whole initial migration against ``makemigrations``.

Data path: operations (random, or from the autodetector) → **optimizer** → writer, compared
with Django's text for the same operations.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from corpus_models import CORPUS
from mig_oracle import assert_same_file, django_dry_run, write_djgen_migration

from djgen.generators.migrations import autodetector, optimizer
from djgen.generators.migrations.api import detect
from djgen.generators.migrations.loader import parse_migration
from djgen.generators.migrations.operations import Context
from djgen.generators.migrations.writer import PlannedMigration, render

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent.parent / "bench"


def _django_cases(first: int, count: int, length: int) -> list[dict[str, object]]:
    proc = subprocess.run(
        [sys.executable, str(HERE / "optimizer_oracle.py"), str(first), str(count), str(length)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def _migration_class(text: str) -> str:
    """From ``class Migration`` on: what both writers write the same way."""
    return text[text.index("class Migration") :]


def _djgen_text(operations) -> str:
    return render(PlannedMigration("shop", "0001_random", operations))


@pytest.mark.django
@pytest.mark.parametrize(("first", "count", "length"), [(0, 300, 8), (1000, 200, 16)])
def test_random_sequences_fold_as_django_folds_them(first, count, length):
    ctx = Context("shop")
    folded = 0
    cases = [case for case in _django_cases(first, count, length) if case["after"] is not None]
    assert len(cases) > count // 2
    for case in cases:
        before = parse_migration(case["before"], "shop", "0001_random")
        assert not before.unknown, case["seed"]
        # the djgen loader reads back what Django wrote (so the inputs are the same operations)
        assert _migration_class(_djgen_text(before.operations)) == _migration_class(
            case["before"]
        ), case["seed"]
        mine = optimizer.optimize(before.operations, ctx)
        reference = optimizer.optimize_reference(before.operations, ctx)
        expected = _migration_class(case["after"])
        assert _migration_class(_djgen_text(reference)) == expected, f"seed {case['seed']}"
        assert _migration_class(_djgen_text(mine)) == expected, f"seed {case['seed']}"
        folded += len(mine) < len(before.operations)
    assert folded > len(cases) // 5  # many sequences do fold


def _operations_before_folding(app_dir: Path):
    """The autodetector's operations for the app, unfolded, and its context."""
    captured = {}

    def capture(operations, ctx):
        captured["operations"], captured["ctx"] = list(operations), ctx
        return optimizer.optimize_reference(operations, ctx)

    original = autodetector.optimize
    autodetector.optimize = capture
    try:
        detect(app_dir)
    finally:
        autodetector.optimize = original
    return captured["operations"], captured["ctx"]


def _assert_same_as_reference(app_dir: Path) -> int:
    operations, ctx = _operations_before_folding(app_dir)
    expected = optimizer.optimize_reference(operations, ctx)
    mine = optimizer.optimize(operations, ctx)
    assert [op.kind for op in mine] == [op.kind for op in expected]
    assert _djgen_text(mine) == _djgen_text(expected)
    return len(operations) - len(mine)


def test_corpus_folds_as_djangos_loop(tmp_path):
    folds = 0
    for app, source in CORPUS.items():
        app_dir = tmp_path / app
        (app_dir / "migrations").mkdir(parents=True)
        (app_dir / "__init__.py").write_text("")
        (app_dir / "migrations" / "__init__.py").write_text("")
        (app_dir / "models.py").write_text(source)
        folds += _assert_same_as_reference(app_dir)
    assert folds > 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_app_folds_as_djangos_loop(tmp_path, seed):
    sys.path.insert(0, str(BENCH))
    try:
        import models_gen
    finally:
        sys.path.remove(str(BENCH))
    app_dir = models_gen.write_project(tmp_path, 100 + 10 * seed, seed)
    assert _assert_same_as_reference(app_dir) > 50


def test_shuffled_operations_fold_as_djangos_loop(tmp_path):
    """The autodetector's order is one order; the optimizer must agree on any."""
    sys.path.insert(0, str(BENCH))
    try:
        import models_gen
    finally:
        sys.path.remove(str(BENCH))
    app_dir = models_gen.write_project(tmp_path, 40, 5)
    operations, ctx = _operations_before_folding(app_dir)
    rng = random.Random(17)
    for _ in range(5):
        rng.shuffle(operations)
        expected = optimizer.optimize_reference(operations, ctx)
        assert _djgen_text(optimizer.optimize(operations, ctx)) == _djgen_text(expected)


@pytest.mark.django
@pytest.mark.slow
def test_generated_app_initial_migration_is_djangos(django_project):
    sys.path.insert(0, str(BENCH))
    try:
        import models_gen
    finally:
        sys.path.remove(str(BENCH))
    source = models_gen.generate_models(80, 3).text
    project = django_project({models_gen.APP_LABEL: {"models.py": source}})
    expected = django_dry_run(project, models_gen.APP_LABEL)
    made = write_djgen_migration(project, models_gen.APP_LABEL)
    assert made is not None
    (name, django_text), *more = expected.files[models_gen.APP_LABEL].items()
    assert not more
    assert made[0] == f"migrations/{name}.py"
    assert_same_file(made[1], django_text, models_gen.APP_LABEL)
