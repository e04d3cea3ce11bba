"""The server's one worker thread: generator-core work off the event loop, requests first.

Data path: editor requests and debounced diagnostics → **worker** (this module) → reader (IR),
pipeline status and plans → back to the event loop as asyncio futures.

One thread, because the generator core is not promised to be thread-safe and because parallel
parses only fight over the GIL. Jobs for requests the user is waiting on (hover, code actions,
lenses) jump ahead of background diagnostics; a job cancelled before it starts never runs.
"""

from __future__ import annotations

import asyncio
import gc
import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)

#: Jobs slower than this (seconds) are logged (to the server's own log, see ``--log-file``).
SLOW = 0.25

URGENT = 0
BACKGROUND = 1

#: Young-generation threshold of the cyclic collector while a job runs (CPython's default, 700,
#: applies between jobs). A job builds what it keeps (syntax trees of the target files, the IR,
#: rendered code): at the default, the collector's passes over those objects found nothing to
#: free and took over half of the first analysis of a 300-model app with its API and tests
#: generated (20.8 s → 10.1 s in process).
JOB_GC_THRESHOLD = 100_000


class Worker:
    """A single thread running submitted calls, lowest priority number first, then FIFO."""

    def __init__(self, name: str = "djgen-worker") -> None:
        self._queue: list[tuple[int, int, Callable[[], Any], Future[Any]]] = []
        self._counter = itertools.count()
        self._ready = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], T], priority: int = BACKGROUND) -> Future[T]:
        future: Future[T] = Future()
        with self._ready:
            heapq.heappush(self._queue, (priority, next(self._counter), fn, future))
            self._ready.notify()
        return future

    async def run(self, fn: Callable[[], T], priority: int = BACKGROUND) -> T:
        """Await ``fn()`` on the worker; cancelling the await drops a job not yet started."""
        return await asyncio.wrap_future(self.submit(fn, priority))

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue:
                    self._ready.wait()
                _, _, fn, future = heapq.heappop(self._queue)
            if not future.set_running_or_notify_cancel():
                continue
            started = time.perf_counter()
            threshold = gc.get_threshold()
            gc.set_threshold(max(JOB_GC_THRESHOLD, threshold[0]), *threshold[1:])
            try:
                result = fn()
            except BaseException as exc:  # handed to the awaiting coroutine
                future.set_exception(exc)
            else:
                future.set_result(result)
            finally:
                gc.set_threshold(*threshold)
                elapsed = time.perf_counter() - started
                if elapsed > SLOW:
                    log.info("slow job (%.0f ms): %s", elapsed * 1000, _describe(fn))


def _describe(fn: Callable[[], Any]) -> str:
    func = getattr(fn, "func", fn)
    return getattr(func, "__qualname__", repr(func))
