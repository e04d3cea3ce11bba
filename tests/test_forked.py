"""The forked split of independent work (``generators/core/forked.py``) and ``plan(fork=True)``:
the same results as in one process, errors raised in the parent, a dead child reported."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from djgen.generators.core import forked
from djgen.generators.core.pipeline import FORK_AT, plan

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from models_gen import write_project

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fork is allowed here whatever the machine (one core still runs both processes)."""
    monkeypatch.setattr(forked.os, "cpu_count", lambda: 2)


def test_balanced_halves_splits_by_weight() -> None:
    mine, theirs = forked.balanced_halves([5, 1, 1, 1, 1, 1, 4])
    assert sorted(mine + theirs) == list(range(7))
    totals = sorted(sum([5, 1, 1, 1, 1, 1, 4][i] for i in group) for group in (mine, theirs))
    assert totals == [7, 7]


def test_results_come_back_in_order_and_from_both_processes(two_cores: None) -> None:
    pids = forked.map_split(lambda _: os.getpid(), list(range(6)), [1] * 6)
    assert len(set(pids)) == 2 and os.getpid() in pids
    assert forked.map_split(lambda x: x * x, list(range(9)), [1] * 9) == [x * x for x in range(9)]


def test_an_error_in_the_child_is_raised_in_the_parent(two_cores: None) -> None:
    parent = os.getpid()

    def fail_in_child(item: int) -> int:
        if os.getpid() != parent:
            raise ValueError(f"bad item {item}")
        return item

    with pytest.raises(ValueError, match="bad item"):
        forked.map_split(fail_in_child, [1, 2, 3, 4], [1, 1, 1, 1])


def test_a_child_that_dies_is_an_error_not_a_half_result(two_cores: None) -> None:
    parent = os.getpid()

    def die_in_child(item: int) -> int:
        if os.getpid() != parent:
            os._exit(9)
        return item

    with pytest.raises(forked.ForkedWorkerFailed):
        forked.map_split(die_in_child, [1, 2, 3, 4], [1, 1, 1, 1])


def test_no_fork_with_other_threads_running(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked.threading, "active_count", lambda: 2)
    assert not forked.can_fork()
    assert forked.map_split(lambda _: os.getpid(), [1, 2], [1, 1]) == [os.getpid()] * 2


def test_a_forked_plan_equals_the_plan_in_one_process(
    two_cores: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = write_project(tmp_path, 200)
    names = "serializer,filterset,viewset,admin"
    alone = plan(app, names)
    assert sum(len(c.new) for c in alone) > FORK_AT * 1.2
    forks = []
    real_fork = forked.os.fork
    monkeypatch.setattr(forked.os, "fork", lambda: forks.append(1) or real_fork())
    split = plan(app, names, fork=True)
    assert forks == [1]  # the merge really was split
    assert [(c.path, c.old, c.new) for c in split] == [(c.path, c.old, c.new) for c in alone]
    assert [c.changes for c in split] == [c.changes for c in alone]
    assert [c.notes for c in split] == [c.notes for c in alone]
