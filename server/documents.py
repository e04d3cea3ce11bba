"""Where a document sits in a Django project, and the text the server sees for any file.

Data path: editor buffers and files on disk → **paths, app folders and text snapshots** (this
module) → reader (IR) and pipeline (``read_text``) → diagnostics and WorkspaceEdits.

Open buffers win over disk: a snapshot taken in the event loop maps each open document's path to
its text and version, so work done in a thread sees one consistent state.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import Workspace

from djgen.generators.core.paths import app_dir_of

from .catalog import watched


def uri_to_path(uri: str) -> Path | None:
    """The file system path of a ``file:`` URI, or None for other schemes."""
    if not uri.startswith("file:"):
        return None
    fs = to_fs_path(uri)
    return Path(fs) if fs else None


def path_to_uri(path: Path | str) -> str:
    uri = from_fs_path(str(path))
    assert uri is not None
    return uri


def is_models_path(path: Path) -> bool:
    """``…/models.py`` or a module of a ``…/models/`` package."""
    if path.suffix != ".py":
        return False
    if path.name == "models.py":
        return True
    return path.parent.name == "models"


def app_dir_for(models_path: Path) -> Path:
    """The Django app folder a models module belongs to (the pipeline's one implementation)."""
    return app_dir_of(models_path)


def affects_diagnostics(path: Path) -> bool:
    """Whether a change to this file can change what models.py diagnostics say: a file a
    generator writes or watches (its descriptor's ``watches``), settings, pyproject.toml."""
    files, folders = watched()
    if path.name in files:
        return True
    return path.suffix == ".py" and path.parent.name in folders


@dataclass
class Snapshot:
    """Open buffers at one moment: path → (text, version)."""

    buffers: dict[Path, tuple[str, int | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, workspace: Workspace) -> Snapshot:
        buffers: dict[Path, tuple[str, int | None]] = {}
        for uri, doc in list(workspace.text_documents.items()):
            path = uri_to_path(uri)
            if path is not None:
                buffers[path.resolve()] = (doc.source, doc.version)
        return cls(buffers)

    def read_text(self, path: Path | str) -> str | None:
        """An open buffer's text, else the file on disk, else None (no such file)."""
        path = Path(path).resolve()
        if path in self.buffers:
            return self.buffers[path][0]
        return read_disk(path)

    def version(self, path: Path | str) -> int | None:
        entry = self.buffers.get(Path(path).resolve())
        return entry[1] if entry else None

    def is_open(self, path: Path | str) -> bool:
        return Path(path).resolve() in self.buffers


_DISK: dict[Path, tuple[int, int, str]] = {}
_DISK_LOCK = threading.Lock()


def read_disk(path: Path) -> str | None:
    """A file's text (None when missing or unreadable), cached by modification time and size,
    since every analysis asks for the same few target files."""
    try:
        stat = path.stat()
    except OSError:
        return None
    with _DISK_LOCK:
        cached = _DISK.get(path)
    if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
        return cached[2]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    with _DISK_LOCK:
        if len(_DISK) > 2000:
            _DISK.clear()
        _DISK[path] = (stat.st_mtime_ns, stat.st_size, text)
    return text


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def lsp_lines(text: str) -> list[str]:
    """Lines as LSP (and ``ast``) count them, ends kept: only \\n, \\r\\n and \\r break a line
    (``str.splitlines`` also breaks at form feeds and other separators)."""
    return _LINE.findall(text)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def span_range(lines: list[str], line: int, col: int, end_line: int, end_col: int) -> types.Range:
    """An LSP range (UTF-16) from 1-based lines and 0-based code point columns."""
    return types.Range(
        start=_position(lines, line - 1, col),
        end=_position(lines, end_line - 1, end_col),
    )


def _position(lines: list[str], line: int, col: int) -> types.Position:
    if line < 0:
        return types.Position(line=0, character=0)
    if line >= len(lines):
        return types.Position(line=line, character=0)
    text = lines[line]
    return types.Position(line=line, character=utf16_len(text[: max(col, 0)]))
