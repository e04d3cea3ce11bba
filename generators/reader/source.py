"""Source text access for the reader: node → text and node → span, linear in file size.

Data path: models.py → **reader** (this module slices the source for ``Value.source`` and builds
``Span``s) → IR → generators.

``ast.get_source_segment`` re-splits the whole file on every call, which is quadratic on large
models modules; this keeps the split lines once. ``ast`` columns are UTF-8 byte offsets; spans
are converted to character offsets.
"""

from __future__ import annotations

import ast

from djgen.generators.core.ir import Span


class SourceText:
    def __init__(self, text: str) -> None:
        self.text = text
        self._lines = text.splitlines(keepends=True)
        self._encoded: dict[int, bytes] = {}
        #: All ASCII (most models.py files): byte offsets are character offsets, so a segment
        #: is a slice of the lines as they are, with nothing to encode or decode.
        self._ascii = text.isascii()

    def _line_bytes(self, lineno: int) -> bytes:
        cached = self._encoded.get(lineno)
        if cached is None:
            cached = self._lines[lineno - 1].encode("utf-8") if lineno <= len(self._lines) else b""
            self._encoded[lineno] = cached
        return cached

    def _char_col(self, lineno: int, byte_col: int) -> int:
        if self._ascii:
            return byte_col
        line = self._lines[lineno - 1] if lineno <= len(self._lines) else ""
        if line.isascii():
            return byte_col
        return len(self._line_bytes(lineno)[:byte_col].decode("utf-8", errors="replace"))

    def segment(self, node: ast.AST) -> str:
        start, end = node.lineno, node.end_lineno  # type: ignore[attr-defined]
        col, end_col = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        if end is None or end_col is None:
            return ast.unparse(node)
        if self._ascii and end <= len(self._lines):
            lines = self._lines
            if start == end:
                return lines[start - 1][col:end_col]
            return "".join(
                [lines[start - 1][col:], *lines[start : end - 1], lines[end - 1][:end_col]]
            )
        if start == end:
            return self._line_bytes(start)[col:end_col].decode("utf-8", errors="replace")
        parts = [self._line_bytes(start)[col:]]
        parts.extend(self._line_bytes(n) for n in range(start + 1, end))
        parts.append(self._line_bytes(end)[:end_col])
        return b"".join(parts).decode("utf-8", errors="replace")

    def whole_lines(self, node: ast.AST) -> str:
        """The full lines a node stands on (cheap: no re-encoding)."""
        end = node.end_lineno or node.lineno  # type: ignore[attr-defined]
        return "".join(self._lines[node.lineno - 1 : end])  # type: ignore[attr-defined]

    def span(self, node: ast.AST) -> Span:
        line = node.lineno  # type: ignore[attr-defined]
        end_line = node.end_lineno or line  # type: ignore[attr-defined]
        end_col = node.end_col_offset  # type: ignore[attr-defined]
        return Span(
            line,
            self._char_col(line, node.col_offset),  # type: ignore[attr-defined]
            end_line,
            self._char_col(end_line, end_col if end_col is not None else 0),
        )

    def name_span(self, node: ast.ClassDef | ast.FunctionDef) -> Span:
        """The span of the name in ``class Name`` / ``def Name``."""
        line = node.lineno
        text = self._lines[line - 1] if line <= len(self._lines) else ""
        keyword = "class" if isinstance(node, ast.ClassDef) else "def"
        start = self._char_col(line, node.col_offset)
        idx = text.find(keyword, start)
        if idx >= 0:
            idx = idx + len(keyword)
            while idx < len(text) and text[idx] in " \t":
                idx += 1
            if text.startswith(node.name, idx):
                return Span(line, idx, line, idx + len(node.name))
        return Span(line, start, line, start + len(keyword))
