"""Folds operations into fewer, with exactly the result of Django's ``MigrationOptimizer``.

Data path: ``autodetector`` operations → **optimizer** (this module) → ``writer``.

The folding rules live on the operations (``Operation.reduce``). Django applies them in passes:
each operation, in order, looks ahead for the first one it folds with (``reduce`` returns a
list); it merges to the right when every operation in between let it pass (``reduce`` True), to
the left when every operation in between lets the later one pass back, else it gives up; the
first merge ends the pass and the next pass starts again from the top. That is one fold per pass
and every pair asked again in each pass: about N³ on an initial migration of N models.

``optimize`` makes the same folds in the same order without the repeated scans:

* Every operation is indexed by the names it can interact with (``_Keys``): as the left side
  (``left``: the model it is about), as the right side (``right``: its model, the models its
  fields point at, an index's name) and whether it is a barrier to everything (``barrier``:
  ``DeleteModel``, index and constraint operations, ``RunPython``, whose ``references_model`` is
  always True). An operation whose ``left`` keys meet none of another's ``right`` keys gets its
  default answer from ``reduce`` (True, "can pass", or False for the operations that never let
  anything pass) and never a fold, so only the operations it shares a key with are asked.
* Operations keep their place as a label (a float, ordered like the list); a fold removes two
  and inserts its result at the place of one, so nobody else moves.
* An operation once asked "do you fold with anything after you?" keeps its "no" until a fold
  changes what it saw: a new operation it shares a key with appears after it, or (when it gave
  up on a left merge) an operation between it and its partner is removed. Only those are asked
  again, in list order, so the next fold found is the one Django's next pass makes.

``optimize_reference`` is Django's loop as it is (the fallback for an operation this module has
no keys for, and the tests' oracle).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from djgen.generators.migrations import operations as ops
from djgen.generators.migrations.operations import Context, Operation


def optimize(operations: list[Operation], ctx: Context) -> list[Operation]:
    """The operations folded as Django's ``MigrationOptimizer.optimize`` folds them."""
    if len(operations) < 2:
        return list(operations)
    keys = [_keys(op, ctx) for op in operations]
    if any(k is None for k in keys) or any(op.elidable for op in operations):
        return optimize_reference(operations, ctx)
    try:
        return _Folder(operations, keys, ctx).run()  # type: ignore[arg-type]
    except _KeysWrong:  # an answer the keys did not predict: Django's loop is always right
        return optimize_reference(operations, ctx)


# ----------------------------------------------------------------------------- Django's loop


def optimize_reference(operations: list[Operation], ctx: Context) -> list[Operation]:
    """Django's ``MigrationOptimizer.optimize``, pass by pass (one fold per pass)."""
    # Operations are never changed in place, so a pair's "can pass / cannot" answer holds for
    # every pass: remember it (by identity; ``keep`` keeps the objects, and so their ids, alive).
    passes: dict[tuple[int, int], bool] = {}
    keep: list[list[Operation]] = []
    while True:
        keep.append(operations)
        result = _optimize_inner(operations, ctx, passes)
        if len(result) == len(operations) and all(
            a is b for a, b in zip(result, operations, strict=False)
        ):
            return result
        operations = result


def _reduce(
    operation: Operation, other: Operation, ctx: Context, passes: dict[tuple[int, int], bool]
) -> list[Operation] | bool:
    key = (id(operation), id(other))
    known = passes.get(key)
    if known is not None:
        return known
    result = operation.reduce(other, ctx)
    if not isinstance(result, list):
        passes[key] = bool(result)
    return result


def _optimize_inner(
    operations: list[Operation], ctx: Context, passes: dict[tuple[int, int], bool]
) -> list[Operation]:
    new_operations: list[Operation] = []
    for i, operation in enumerate(operations):
        right = True
        for j, other in enumerate(operations[i + 1 :]):
            result = _reduce(operation, other, ctx, passes)
            if isinstance(result, list):
                in_between = operations[i + 1 : i + j + 1]
                if right:
                    new_operations.extend(in_between)
                    new_operations.extend(result)
                elif all(_reduce(op, other, ctx, passes) is True for op in in_between):
                    new_operations.extend(result)
                    new_operations.extend(in_between)
                else:
                    new_operations.append(operation)
                    break
                new_operations.extend(operations[i + j + 2 :])
                return new_operations
            if not result:
                right = False
        else:
            new_operations.append(operation)
    return new_operations


# ----------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class _Keys:
    """What an operation can interact with in ``reduce`` (see the module docstring)."""

    #: As ``operation`` in ``operation.reduce(other)``: the names a fold or a "cannot pass"
    #: needs ``other`` to have among its ``right`` keys.
    left: frozenset
    #: As ``other``: the models it is about or points at; ``("index", name)`` for an index.
    right: frozenset
    #: The part of ``right`` a fold needs (``reduce`` returns a list only if ``left`` meets it).
    fold: frozenset
    #: ``references_model`` is True for every model: no ``left`` operation passes it.
    barrier: bool = False
    #: ``reduce`` never answers True ("can pass"): only a fold or False.
    never_passes: bool = False


def _app_models(labels: list[str | None], app_label: str) -> set[str]:
    prefix = f"{app_label}."
    return {label[len(prefix) :] for label in labels if label and label.startswith(prefix)}


def _field_models(fs, ctx: Context) -> set[str]:
    through = fs.kw_literal("through")
    labels = [fs.related_label(ctx.app_label)]
    if isinstance(through, str):
        labels.append(ops._resolve(through, ctx.app_label))
    return _app_models(labels, ctx.app_label)


_MODEL_OPTION_OPS = (
    ops.AlterModelTable,
    ops.AlterModelTableComment,
    ops.AlterTogether,
    ops.AlterOrderWithRespectTo,
    ops.AlterModelOptions,
    ops.AlterModelManagers,
)


def _keys(op: Operation, ctx: Context) -> _Keys | None:
    """The operation's keys; None for a kind this module does not know (Django's loop then)."""
    kind = type(op)
    if kind is ops.CreateModel:
        targets = _app_models(sorted(op._field_targets(ctx)), ctx.app_label)  # type: ignore[attr-defined]
        name = frozenset({op.name_lower})
        return _Keys(name, name | targets, frozenset())
    if kind is ops.DeleteModel:
        name = frozenset({op.name_lower})  # type: ignore[attr-defined]
        return _Keys(name, name, name, barrier=True)
    if kind is ops.RenameModel:
        old, new = op.old_name.lower(), op.new_name.lower()  # type: ignore[attr-defined]
        return _Keys(frozenset({new}), frozenset({old, new}), frozenset({old}))
    if kind in _MODEL_OPTION_OPS:
        name = frozenset({op.name_lower})  # type: ignore[attr-defined]
        return _Keys(name, name, name)
    if kind in (ops.AddField, ops.AlterField, ops.RemoveField):
        model = op.model_lower
        right = {model}
        if op.field is not None:  # type: ignore[attr-defined]
            right |= _field_models(op.field, ctx)  # type: ignore[attr-defined]
        return _Keys(frozenset({model}), frozenset(right), frozenset({model}))
    if kind is ops.RenameField:
        model = frozenset({op.model_lower})
        return _Keys(model, model, model)
    if kind is ops.AddIndex:
        index = ("index", op.name)  # type: ignore[attr-defined]
        model = frozenset({op.model_lower})
        return _Keys(frozenset({index}), model, model, True, True)
    if kind is ops.RemoveIndex:
        index = ("index", op.name)  # type: ignore[attr-defined]
        right = frozenset({op.model_lower, index})
        return _Keys(frozenset(), right, right, True, True)
    if kind is ops.RenameIndex:
        right = frozenset({op.model_lower, ("index", op.old_name)})  # type: ignore[attr-defined]
        return _Keys(frozenset({op.model_lower}), right, right, True, True)
    if kind in (ops.AddConstraint, ops.AlterConstraint):
        model = frozenset({op.model_lower})
        return _Keys(model, model, model, True, True)
    if kind is ops.RemoveConstraint:
        model = frozenset({op.model_lower})
        return _Keys(frozenset(), model, model, True, True)
    if kind in (ops.StateOnly, ops.SeparateDatabaseAndState):
        return _Keys(frozenset(), frozenset(), frozenset(), True, True)
    return None


# ----------------------------------------------------------------------------- the folder


class _KeysWrong(Exception):
    """``reduce`` answered what the keys said it cannot (a rule this module does not know)."""


class _Node:
    __slots__ = ("alive", "clean", "keys", "label", "op", "watch")

    def __init__(self, op: Operation, label: float, keys: _Keys):
        self.op = op
        self.label = label
        self.keys = keys
        self.alive = True
        #: Asked against the current list, and it folds with nothing.
        self.clean = False
        #: When it gave up a fold: the partner, the operation that kept it from merging to
        #: the right and the one that kept the partner from passing back. Its answer holds
        #: while these stay (and no new partner comes: see ``_Folder._invalidate``).
        self.watch: tuple[_Node, ...] = ()


def _label(node: _Node) -> float:
    return node.label


class _Sorted:
    """Nodes in label order (a list kept sorted with ``bisect``)."""

    __slots__ = ("nodes",)

    def __init__(self) -> None:
        self.nodes: list[_Node] = []

    def add(self, node: _Node) -> None:
        bisect.insort(self.nodes, node, key=_label)

    def remove(self, node: _Node) -> None:
        i = bisect.bisect_left(self.nodes, node.label, key=_label)
        assert self.nodes[i] is node
        del self.nodes[i]

    def _range(self, low: float, high: float) -> range:
        lo = bisect.bisect_right(self.nodes, low, key=_label)
        return range(lo, bisect.bisect_left(self.nodes, high, lo=lo, key=_label))

    def between(self, low: float, high: float) -> Iterator[_Node]:
        """Nodes with ``low < label < high``, in order."""
        nodes = self.nodes
        return (nodes[i] for i in self._range(low, high))

    def any_between(self, low: float, high: float) -> bool:
        return len(self._range(low, high)) > 0

    def before(self, high: float) -> list[_Node]:
        return self.nodes[: bisect.bisect_left(self.nodes, high, key=_label)]

    def after(self, low: float) -> list[_Node]:
        return self.nodes[bisect.bisect_right(self.nodes, low, key=_label) :]

    def next_after(self, low: float) -> _Node | None:
        i = bisect.bisect_right(self.nodes, low, key=_label)
        return self.nodes[i] if i < len(self.nodes) else None


class _Folder:
    def __init__(self, operations: list[Operation], keys: list[_Keys], ctx: Context):
        self.ctx = ctx
        self.order = _Sorted()
        self.by_right: dict[object, _Sorted] = {}
        self.by_left: dict[object, _Sorted] = {}
        self.barriers = _Sorted()
        self.never_passes = _Sorted()
        #: node → the nodes that gave up a fold and watch it (``_Node.watch``).
        self.watchers: dict[_Node, list[_Node]] = {}
        self.heap: list[tuple[float, int, _Node]] = []
        self.seq = itertools.count()
        for i, (op, k) in enumerate(zip(operations, keys, strict=True)):
            self._add(_Node(op, float(i), k))

    # -- structure

    def _add(self, node: _Node) -> None:
        if not self.order.nodes or self.order.nodes[-1].label < node.label:
            self.order.nodes.append(node)
        else:
            self.order.add(node)
        for key in node.keys.right:
            self.by_right.setdefault(key, _Sorted()).add(node)
        for key in node.keys.left:
            self.by_left.setdefault(key, _Sorted()).add(node)
        if node.keys.barrier:
            self.barriers.add(node)
        if node.keys.never_passes:
            self.never_passes.add(node)
        self._dirty(node)

    def _remove(self, node: _Node) -> None:
        node.alive = False
        self.order.remove(node)
        for key in node.keys.right:
            self.by_right[key].remove(node)
        for key in node.keys.left:
            self.by_left[key].remove(node)
        if node.keys.barrier:
            self.barriers.remove(node)
        if node.keys.never_passes:
            self.never_passes.remove(node)
        for watcher in self.watchers.pop(node, ()):
            if watcher.alive and watcher.clean and node in watcher.watch:
                self._dirty(watcher)

    def _dirty(self, node: _Node) -> None:
        """Ask ``node`` (again), in its place in the list order."""
        node.clean = False
        node.watch = ()
        heapq.heappush(self.heap, (node.label, next(self.seq), node))

    def _give_up(self, node: _Node, *watch: _Node) -> None:
        node.clean = True
        node.watch = watch
        for watched in watch:
            self.watchers.setdefault(watched, []).append(node)

    # -- the scan

    def run(self) -> list[Operation]:
        while self.heap:
            label, _, node = heapq.heappop(self.heap)
            if not node.alive or node.clean or node.label != label:
                continue
            self._ask(node)
        return [node.op for node in self.order.nodes]

    def _candidates(self, node: _Node) -> Iterator[_Node]:
        """Nodes after ``node`` sharing a key with its ``left`` keys, in list order."""
        streams = [
            self.by_right[key].after(node.label) for key in node.keys.left if key in self.by_right
        ]
        if len(streams) == 1:
            yield from streams[0]
            return
        last = None
        for other in heapq.merge(*streams, key=_label):
            if other is not last:
                yield other
            last = other

    def _reduce(self, a: _Node, b: _Node) -> list[Operation] | bool:
        return a.op.reduce(b.op, self.ctx)

    def _ask(self, node: _Node) -> None:
        """Django's inner loop for this operation: fold it, or mark it clean."""
        blocker: _Node | None = None  # the first that did not let it pass
        for other in self._candidates(node):
            result = self._reduce(node, other)
            if isinstance(result, list):
                if not node.keys.left & other.keys.fold:
                    raise _KeysWrong
                if blocker is None:
                    blocker = self._blocker_between(node, other)
                if blocker is None:
                    self._fold(node, other, result, left=False)
                    return
                refuser = self._refuses_back(node, other)
                if refuser is None:
                    self._fold(node, other, result, left=True)
                else:
                    self._give_up(node, other, blocker, refuser)
                return
            if not result and blocker is None:
                blocker = other
        node.clean = True

    def _blocker_between(self, node: _Node, other: _Node) -> _Node | None:
        """The first operation between ``node`` and ``other`` that does not let ``node`` pass,
        among those it shares no key with (they give their default answer); None if all do."""
        if node.keys.never_passes:
            following = self.order.next_after(node.label)
            return None if following is other else following
        for barrier in self.barriers.between(node.label, other.label):
            if node.keys.left & barrier.keys.right:
                continue  # a candidate: already asked
            result = self._reduce(node, barrier)
            if isinstance(result, list):
                raise _KeysWrong
            if not result:
                return barrier
        return None

    def _refuses_back(self, node: _Node, other: _Node) -> _Node | None:
        """Django's left merge: the first operation between that does not let ``other`` pass
        back; None if every one does."""
        if other.keys.barrier:
            for op in self.order.between(node.label, other.label):
                if self._reduce(op, other) is not True:
                    return op
            return None
        for op in self.never_passes.between(node.label, other.label):
            return op  # its ``reduce`` never says True
        refuser: _Node | None = None
        for key in other.keys.right:
            sorted_nodes = self.by_left.get(key)
            if sorted_nodes is None:
                continue
            for op in sorted_nodes.between(node.label, other.label):
                if refuser is not None and op.label >= refuser.label:
                    break
                if self._reduce(op, other) is not True:
                    refuser = op
                    break
        return refuser

    def _fold(self, node: _Node, other: _Node, result: list[Operation], *, left: bool) -> None:
        """Replace ``node`` and ``other`` by ``result``: at ``node``'s place (left merge) or at
        ``other``'s (right merge)."""
        anchor = node.label if left else other.label
        self._remove(node)
        self._remove(other)
        following = self.order.next_after(anchor)
        end = following.label if following is not None else anchor + 1.0
        relabelled = False
        step = (end - anchor) / max(1, len(result))
        if result and step <= 1e-9 * (abs(anchor) + 1.0):
            # floats ran out between two places: number everything again (and ask everyone)
            self._relabel()
            base = following.label - 1.0 if following is not None else len(self.order.nodes) - 1.0
            step = 1.0 / (len(result) + 1)
            anchor = base + step
            relabelled = True
        new_nodes: list[_Node] = []
        for k, op in enumerate(result):
            keys = _keys(op, self.ctx)
            if keys is None or op.elidable:
                raise _KeysWrong
            new_node = _Node(op, anchor + step * k, keys)
            new_nodes.append(new_node)
            self._add(new_node)
        if not relabelled:
            self._invalidate(new_nodes)

    def _relabel(self) -> None:
        self.heap = []
        self.watchers = {}
        for i, n in enumerate(self.order.nodes):
            n.label = float(i)
            self._dirty(n)

    def _invalidate(self, new_nodes: list[_Node]) -> None:
        """Ask again whoever may fold with a new operation: those before it sharing a fold
        key. (Those that gave up a fold and watched a removed one were marked by ``_remove``;
        for everyone else a removal changes nothing: it takes no fold away that was found.)"""
        for new_node in new_nodes:
            for key in new_node.keys.fold:
                sorted_nodes = self.by_left.get(key)
                if sorted_nodes is None:
                    continue
                for n in sorted_nodes.before(new_node.label):
                    if n.clean:
                        self._dirty(n)
