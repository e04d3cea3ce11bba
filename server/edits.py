"""WorkspaceEdits: the pipeline's file changes → the edit shape this client can apply.

Data path: models.py → IR → generators → artifacts → merge → ``FileChange`` (old and new text of
each file) → **WorkspaceEdit** (this module) → ``codeAction/resolve`` or ``workspace/applyEdit``.

Shapes, best first:

- ``documentChanges``: ``CreateFile`` (ignoreIfExists) for new files, then a ``TextDocumentEdit``
  per file, versioned for open buffers (so a stale edit is refused, not misapplied);
- ``changes`` (uri → edits) when the client has no ``documentChanges``; it cannot create files;
- nothing (``None``) when the client cannot express the change: the caller then writes files
  through the ``djgen.generate`` command instead.

Edits are minimal line hunks (``difflib``; on large files a forward walk), so cursors and folds
outside them survive.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from .documents import Snapshot, lsp_lines, path_to_uri, utf16_len


@dataclass(frozen=True)
class EditSupport:
    """What the client can apply."""

    document_changes: bool
    create_files: bool

    @classmethod
    def of(cls, capabilities: types.ClientCapabilities | None) -> EditSupport:
        workspace = capabilities.workspace if capabilities else None
        edit = workspace.workspace_edit if workspace else None
        if edit is None:
            return cls(document_changes=False, create_files=False)
        operations = [str(getattr(op, "value", op)) for op in (edit.resource_operations or [])]
        # Neovim advertises resourceOperations but never the documentChanges flag, although its
        # apply_workspace_edit handles documentChanges; resource operations only exist inside
        # documentChanges, so advertising them implies it.
        document_changes = bool(edit.document_changes) or bool(operations)
        return cls(document_changes=document_changes, create_files="create" in operations)

    def can_apply(self, changes: Sequence[Any]) -> bool:
        """Whether an edit can carry all of ``changes`` (new files need CreateFile)."""
        if any(change.old is None for change in changes):
            return self.document_changes and self.create_files
        return True


#: From this many lines (old and new together), hunks are found by a forward walk that
#: re-synchronises after each difference instead of ``difflib`` (whose matcher takes about a
#: second on a 24,000-line file into which a merge inserted one class).
WALK_FROM_LINES = 2000
#: How far apart (old lines skipped + new lines skipped) the walk looks for the next match.
_WALK_WINDOW = 400
#: Lines that must agree after a difference for the walk to call the texts in step again.
_WALK_SYNC = 3


def _walk_hunks(a: list[str], b: list[str]) -> list[tuple[int, int, int, int]] | None:
    """(i1, i2, j1, j2) hunks replacing ``a[i1:i2]`` by ``b[j1:j2]`` that turn ``a`` into ``b``:
    equal lines are skipped, and after a difference the nearest point where ``_WALK_SYNC``
    lines (or the ends) agree again is taken. None when no such point is within the window."""

    def in_step(i: int, j: int) -> bool:
        for k in range(_WALK_SYNC):
            if i + k == len(a) or j + k == len(b):
                return i + k == len(a) and j + k == len(b)
            if a[i + k] != b[j + k]:
                return False
        return True

    hunks: list[tuple[int, int, int, int]] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if i < len(a) and j < len(b) and a[i] == b[j]:
            i += 1
            j += 1
            continue
        if i == len(a) or j == len(b):  # one side is used up: the rest of the other is the hunk
            hunks.append((i, len(a), j, len(b)))
            break
        found = None
        for distance in range(1, _WALK_WINDOW):
            for skip_a in range(distance + 1):
                x, y = i + skip_a, j + distance - skip_a
                if x <= len(a) and y <= len(b) and in_step(x, y):
                    found = (x, y)
                    break
            if found:
                break
        if found is None:
            return None
        hunks.append((i, found[0], j, found[1]))
        i, j = found
    return hunks


def text_edits(old: str, new: str) -> list[types.TextEdit]:
    """Minimal line-hunk edits turning ``old`` into ``new`` (UTF-16 positions); on large files,
    small hunks found by a forward walk (see ``WALK_FROM_LINES``)."""
    old_lines = lsp_lines(old)
    new_lines = lsp_lines(new)
    edits: list[types.TextEdit] = []
    hunks = None
    if len(old_lines) + len(new_lines) >= WALK_FROM_LINES:
        hunks = _walk_hunks(old_lines, new_lines)
    if hunks is None:
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        hunks = [
            (i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
        ]
    for i1, i2, j1, j2 in hunks:
        edits.append(
            types.TextEdit(
                range=types.Range(_line_start(old_lines, i1), _line_start(old_lines, i2)),
                new_text="".join(new_lines[j1:j2]),
            )
        )
    return edits


def _line_start(lines: list[str], index: int) -> types.Position:
    """Position of the start of line ``index``; past the end, the end of the text."""
    if index < len(lines):
        return types.Position(line=index, character=0)
    if lines and not lines[-1].endswith(("\n", "\r")):
        return types.Position(line=len(lines) - 1, character=utf16_len(lines[-1]))
    return types.Position(line=len(lines), character=0)


def build_workspace_edit(
    changes: Sequence[Any], support: EditSupport, snapshot: Snapshot
) -> types.WorkspaceEdit | None:
    """The edit for ``changes`` (pipeline ``FileChange``s), or None when it cannot be expressed."""
    changes = [c for c in changes if c.old != c.new]
    if not support.can_apply(changes):
        return None
    if support.document_changes:
        document_changes: list[Any] = []
        for change in changes:
            uri = path_to_uri(change.path)
            if change.old is None:
                document_changes.append(
                    types.CreateFile(
                        uri=uri, options=types.CreateFileOptions(ignore_if_exists=True)
                    )
                )
            document_changes.append(
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=snapshot.version(change.path)
                    ),
                    edits=list(text_edits(change.old or "", change.new)),
                )
            )
        return types.WorkspaceEdit(document_changes=document_changes)
    return types.WorkspaceEdit(
        changes={path_to_uri(c.path): text_edits(c.old or "", c.new) for c in changes}
    )


def split_for_disk(changes: Sequence[Any], snapshot: Snapshot) -> tuple[list[Any], list[Any]]:
    """(changes to open buffers, changes to write straight to disk) for the command fallback."""
    buffers = [c for c in changes if c.old != c.new and snapshot.is_open(c.path)]
    disk = [c for c in changes if c.old != c.new and not snapshot.is_open(c.path)]
    return buffers, disk


def write_files(changes: Sequence[Any]) -> list[Path]:
    """Write each change's new text to disk (creating folders); returns the paths written."""
    written = []
    for change in changes:
        path = Path(change.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(change.new, encoding="utf-8")
        written.append(path)
    return written
