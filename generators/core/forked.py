"""Independent work split between this process and one forked copy of it.

Place in the data path: between generation and the written files — models.py → IR → generators
→ artifacts → **merge of each target file** (``pipeline.plan`` hands the files here when a
one-shot ``djgen generate`` has a lot to merge) → files. Target files merge independently of one
another, and most of a big merge is ``ast.parse`` of the generated code (the check that it is
one valid statement per definition), which holds the interpreter lock: on a machine with two
cores a second process halves it, where threads would not.

Only where ``os.fork`` exists and only in a process that runs no other threads (the CLI: the
language server never calls this), so the child starts with the parent's memory (the model
IR, the compiled templates) and nothing to import or pickle on the way in; on the way out the
results are pickled through a pipe. An exception in the child is raised again in the parent;
a child that dies without an answer is an error, never a silent half result.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["ForkedWorkerFailed", "balanced_halves", "map_split"]

T = TypeVar("T")
R = TypeVar("R")


class ForkedWorkerFailed(RuntimeError):
    """The forked worker ended without handing back its results."""


def can_fork() -> bool:
    """Whether a forked copy can safely do part of the work: fork exists, a second core is
    there, and this process runs no other thread (a fork copies only the calling thread)."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1


def balanced_halves(weights: Sequence[int]) -> tuple[list[int], list[int]]:
    """The indexes of ``weights`` in two groups of about equal total (largest first, each to
    the lighter group), each group in the original order."""
    groups: tuple[list[int], list[int]] = ([], [])
    totals = [0, 0]
    for index in sorted(range(len(weights)), key=lambda i: -weights[i]):
        lighter = 0 if totals[0] <= totals[1] else 1
        groups[lighter].append(index)
        totals[lighter] += weights[index]
    return sorted(groups[0]), sorted(groups[1])


def map_split(function: Callable[[T], R], items: Sequence[T], weights: Sequence[int]) -> list[R]:
    """``[function(item) for item in items]``, the items split by ``weights`` between this
    process and a forked child (serially here when a fork cannot help or is not safe)."""
    if len(items) < 2 or not can_fork():
        return [function(item) for item in items]
    mine, theirs = balanced_halves(weights)
    if not mine or not theirs:
        return [function(item) for item in items]
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its share, pickled into the pipe, then gone without cleanup
        os.close(read_end)
        status = 0
        try:
            try:
                answer: tuple[str, object] = ("ok", [function(items[i]) for i in theirs])
            except BaseException as exc:  # handed to the parent as it is
                answer = ("error", exc)
            try:
                payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # an exception that does not pickle: its text then
                payload = pickle.dumps(("error", ForkedWorkerFailed(repr(exc))))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        except BaseException:  # the parent reports the missing answer
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        results: dict[int, R] = {i: function(items[i]) for i in mine}
    except BaseException:
        _reap(pid, read_end)
        raise
    payload = _read_all(read_end)
    _, status = os.waitpid(pid, 0)
    if not payload:
        raise ForkedWorkerFailed(f"the forked worker ended without results (status {status})")
    kind, value = pickle.loads(payload)
    if kind == "error":
        assert isinstance(value, BaseException)
        raise value
    assert isinstance(value, list)
    results.update(zip(theirs, value, strict=True))
    return [results[i] for i in range(len(items))]


def _read_all(fd: int) -> bytes:
    with os.fdopen(fd, "rb") as pipe:
        return pipe.read()


def _reap(pid: int, fd: int) -> None:
    """Wait for the child after the parent's own share failed (its answer is not needed)."""
    try:
        _read_all(fd)
    finally:
        os.waitpid(pid, 0)
