"""Warm model states for the editor: each model's ``ModelState`` remembered with what its
construction read, reused while none of it changed.

Data path: model IR → ``current`` (asks **state_memo**, this module, before building a model's
state) → ``ProjectState`` → ``autodetector``. Held by the language server's process only (one
``StateMemo`` per app, in ``api``), never written to disk.

An entry is reused only when, compared with the build that made it:

- the model's IR is the same, line numbers aside (``StateMemo.ir_fingerprint``);
- the build's context is the same (app label, module, file, ``AUTH_USER_MODEL``, the import root,
  star imports);
- every name the construction looked up in the module's scope (classes, constants, imports,
  functions, choices) is bound to the same thing (a class or constant by its ``ast`` without
  positions), every other module it consulted has the same text (or is still absent), every
  primary-key name it asked for (``to_field``) and every same-app model whose bases it asked for
  are the same.

The lookups are recorded while the state is built (``Recording`` containers stand in for the
scope's dicts); a construction that enumerated a whole container is not kept. What the
construction noted as undecidable is kept with the entry and noted again on reuse.
"""

from __future__ import annotations

import ast
import threading
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

#: A lookup as recorded: (container kind, key).
Lookup = tuple[str, Any]


class Recorder:
    """The lookups of one model's construction, in order (``None`` when not recording)."""

    def __init__(self) -> None:
        self.lookups: list[Lookup] | None = None
        self.unsure = False

    def start(self) -> None:
        self.lookups = []
        self.unsure = False

    def stop(self) -> list[Lookup] | None:
        lookups, self.lookups = self.lookups, None
        return None if self.unsure else lookups

    def add(self, kind: str, key: Any) -> None:
        if self.lookups is not None:
            self.lookups.append((kind, key))

    def whole(self) -> None:
        if self.lookups is not None:
            self.unsure = True


class RecordingDict(dict):
    """A dict whose lookups are told to a ``Recorder`` (enumerating it makes the build unsure)."""

    def __init__(self, data: dict, kind: str, recorder: Recorder) -> None:
        super().__init__(data)
        self.kind = kind
        self.recorder = recorder

    def __getitem__(self, key: Any) -> Any:
        self.recorder.add(self.kind, key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self.recorder.add(self.kind, key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.recorder.add(self.kind, key)
        return super().__contains__(key)

    def __iter__(self):
        self.recorder.whole()
        return super().__iter__()

    def keys(self):
        self.recorder.whole()
        return super().keys()

    def values(self):
        self.recorder.whole()
        return super().values()

    def items(self):
        self.recorder.whole()
        return super().items()

    def __len__(self) -> int:
        self.recorder.whole()
        return super().__len__()

    def copy(self) -> dict:
        self.recorder.whole()
        return dict(super().items())

    def pop(self, *args: Any) -> Any:
        self.recorder.whole()
        return super().pop(*args)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self.recorder.add(self.kind, key)
        return super().setdefault(key, default)


class RecordingSet(set):
    """A set whose membership tests are told to a ``Recorder``."""

    def __init__(self, data: set, kind: str, recorder: Recorder) -> None:
        super().__init__(data)
        self.kind = kind
        self.recorder = recorder

    def __contains__(self, key: object) -> bool:
        self.recorder.add(self.kind, key)
        return super().__contains__(key)

    def __iter__(self):
        self.recorder.whole()
        return super().__iter__()

    def __len__(self) -> int:
        self.recorder.whole()
        return super().__len__()


@dataclass
class Entry:
    """One model's state from an earlier build, and what that build read to make it."""

    ir: Any
    context: tuple[Any, ...]
    #: (lookup, what it found then), in the order they were made.
    reads: tuple[tuple[Lookup, Any], ...]
    state: Any  # ModelState (shared: nobody mutates a built state)
    notes: tuple[str, ...]


class StateMemo:
    """Model states of one app's earlier builds (bounded: the models of the last build, two
    versions each), plus digests of IR and ``ast`` objects by identity for the next build."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.entries: dict[str, list[Entry]] = {}
        self.hits = 0
        self.misses = 0
        self._ir: dict[int, tuple[Any, Any]] = {}
        self._next_ir: dict[int, tuple[Any, Any]] = {}
        self._dumps: dict[int, tuple[ast.AST, str]] = {}
        self._next_dumps: dict[int, tuple[ast.AST, str]] = {}
        #: The history's replayed state, by the identity of its parsed migrations.
        self.history: tuple[tuple[Any, ...], Any] | None = None
        #: ``autodetector.unchanged`` by the identity of (history state, current state); emptied
        #: when the history's state is replayed again.
        self.unchanged: dict[tuple[int, int], Any] = {}

    # -- per build ---------------------------------------------------------------------------

    def begin(self) -> None:
        self._next_ir, self._next_dumps = {}, {}

    def end(self, names: set[str]) -> None:
        """Keep what this build used: the identity caches and the current models' entries."""
        self._ir, self._dumps = self._next_ir, self._next_dumps
        self._next_ir, self._next_dumps = {}, {}
        for name in [n for n in self.entries if n not in names]:
            del self.entries[name]
        if len(self.unchanged) > 4 * max(len(names), 64):
            self.unchanged.clear()

    def find(self, name: str, ir: Any, context: tuple[Any, ...], found: Any) -> Entry | None:
        """An entry for model ``name`` whose IR, context and every read still agree; ``found``
        answers a lookup in the current build."""
        for entry in self.entries.get(name, ()):
            if entry.ir != ir or entry.context != context:
                continue
            if all(found(lookup) == then for lookup, then in entry.reads):
                self.hits += 1
                return entry
        self.misses += 1
        return None

    def store(self, name: str, entry: Entry) -> None:
        kept = [e for e in self.entries.get(name, ()) if e.ir != entry.ir]
        self.entries[name] = [entry, *kept][:2]

    # -- digests -----------------------------------------------------------------------------

    def ir_fingerprint(self, obj: Any) -> Any:
        """The IR object's content without line numbers, as nested tuples: every dataclass
        field but ``span``/``name_span``, recursively. Parts are remembered by identity (the
        reader shares unchanged parts between versions: a model moved by an edit keeps its
        fields' arguments and its Meta), so a moved model costs little."""
        kind = type(obj)
        if kind in _PLAIN:
            return obj
        if kind in _NUMBERS:  # 1, 1.0 and True are equal in Python, not in a model
            return (kind.__name__, repr(obj))
        cached = self._ir.get(id(obj)) or self._next_ir.get(id(obj))
        if cached is not None and cached[0] is obj:
            self._next_ir[id(obj)] = cached
            return cached[1]
        names = _FIELDS.get(kind)
        if names is None and is_dataclass(obj):
            names = _FIELDS[kind] = tuple(
                f.name for f in fields(obj) if f.name not in ("span", "name_span")
            )
        fp = self.ir_fingerprint
        if names is not None:
            parts = [getattr(obj, n) for n in names]
            value: Any = (kind.__name__, *[v if type(v) in _PLAIN else fp(v) for v in parts])
        elif kind in (list, tuple):
            value = (kind.__name__, *[v if type(v) in _PLAIN else fp(v) for v in obj])
        elif kind is dict:
            value = ("dict", *[(fp(k), v if type(v) in _PLAIN else fp(v)) for k, v in obj.items()])
        else:
            value = (kind.__name__, repr(obj))
        self._next_ir[id(obj)] = (obj, value)
        return value

    def dump(self, node: ast.AST | None) -> str | None:
        """``ast.dump`` without positions; by identity for nodes the incremental reader kept
        (it only ever moves kept statements by lines)."""
        if node is None:
            return None
        cached = self._dumps.get(id(node)) or self._next_dumps.get(id(node))
        if cached is not None and cached[0] is node:
            self._next_dumps[id(node)] = cached
            return cached[1]
        text = ast.dump(node, include_attributes=False)
        self._next_dumps[id(node)] = (node, text)
        return text


#: Kept as they are in a fingerprint; numbers are kept with their type, by ``repr``.
_PLAIN = frozenset({str, type(None)})
_NUMBERS = frozenset({int, float, bool, complex})
#: Dataclass type → the fields a fingerprint reads.
_FIELDS: dict[type, tuple[str, ...]] = {}
