"""Incremental reading of one open document: re-parse only the top-level statements an edit touched.

Data path: models.py (a buffer, edit after edit) → **reader** (this module keeps the previous
parse and the previous ModelIRs) → IR → diagnostics.

Each ``read(text)`` compares the new lines with the previous good text, re-parses only the
top-level statements whose lines changed (with the blank/comment lines after them), shifts the
line numbers of the statements after the edit, and reuses the ModelIR of every class whose text
and dependencies are unchanged. Whenever that cannot be decided locally — the edited part does not
parse on its own, a ``__future__`` import moved — it falls back to a full parse, so the result is
always exactly what ``read_source`` gives for the same text.
"""

from __future__ import annotations

import ast
from pathlib import Path

from djgen.generators.core.ir import ModuleIR

from .app_reader import source_context
from .model_reader import ModelCache, ModuleLoader, read_with_context


class IncrementalReader:
    """Reads successive versions of one models module, reusing work between them."""

    def __init__(
        self,
        *,
        app_label: str,
        path: str | Path | None = None,
        project_root: str | Path | None = None,
        settings_module: str | None = None,
    ) -> None:
        self.cache = ModelCache()
        self._ctx = source_context(
            app_label=app_label,
            path=path,
            project_root=project_root,
            settings_module=settings_module,
            cache=self.cache,
        )
        assert self._ctx.loader is not None
        self.loader: ModuleLoader = self._ctx.loader
        self.app_label = app_label
        self._lines: list[str] | None = None
        self._stmts: list[ast.stmt] = []
        self.full_parses = 0
        self.partial_parses = 0

    def invalidate_project(self) -> None:
        """Other modules of the project changed on disk: read them again next time."""
        self.loader.reset()

    def read(self, text: str) -> ModuleIR:
        lines = text.splitlines(keepends=True)
        tree = self._parse(text, lines)
        if tree is None:
            # the text does not parse: the reader reports the syntax error; keep the last good
            # parse as the base for the next edit
            return read_with_context(text, self._ctx)
        ir = read_with_context(text, self._ctx, tree)
        self._lines = lines
        self._stmts = list(tree.body)
        return ir

    # -- parsing ---------------------------------------------------------------------------------

    def _full(self, text: str) -> ast.Module | None:
        self.full_parses += 1
        try:
            return ast.parse(text, filename=self._ctx.path or "<models>")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None

    def _parse(self, text: str, lines: list[str]) -> ast.Module | None:
        old = self._lines
        if old is None or not self._stmts:
            return self._full(text)
        n_old, n_new = len(old), len(lines)
        limit = min(n_old, n_new)
        first = 0
        while first < limit and old[first] == lines[first]:
            first += 1
        if first == n_old == n_new:
            return ast.Module(body=list(self._stmts), type_ignores=[])
        common_tail = 0
        while (
            common_tail < limit - first
            and old[n_old - 1 - common_tail] == lines[n_new - 1 - common_tail]
        ):
            common_tail += 1
        # segment k covers old lines [starts[k], starts[k + 1]) (0-based); the first starts at 0
        starts = [_start_line(s) - 1 for s in self._stmts]
        starts[0] = 0
        bounds = [*starts[1:], n_old]
        last_changed = max(first, n_old - common_tail - 1)
        a = _segment_of(starts, min(first, n_old - 1))
        b = _segment_of(starts, min(last_changed, n_old - 1))
        if a == 0 and b == len(starts) - 1:
            return self._full(text)
        delta = n_new - n_old
        seg_start, seg_end = starts[a], bounds[b] + delta
        segment = "".join(lines[seg_start:seg_end])
        try:
            parsed = ast.parse(segment, filename=self._ctx.path or "<models>")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return self._full(text)
        if a > 0 and any(
            isinstance(s, ast.ImportFrom) and s.module == "__future__" for s in parsed.body
        ):
            return self._full(text)
        for stmt in parsed.body:
            ast.increment_lineno(stmt, seg_start)
        tail = self._stmts[b + 1 :]
        if delta:
            for stmt in tail:
                ast.increment_lineno(stmt, delta)
        self.partial_parses += 1
        return ast.Module(body=[*self._stmts[:a], *parsed.body, *tail], type_ignores=[])


def _start_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None)
    if decorators:
        return min(stmt.lineno, *(d.lineno for d in decorators))
    return stmt.lineno


def _segment_of(starts: list[int], line: int) -> int:
    """Index of the segment holding 0-based ``line`` (segments sorted by start)."""
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= line:
            lo = mid
        else:
            hi = mid - 1
    return lo
