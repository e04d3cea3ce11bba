"""Folds operations into fewer, like Django's ``MigrationOptimizer``.

Data path: ``autodetector`` operations → **optimizer** (this module) → ``writer``.

The folding rules live on the operations (``Operation.reduce``); this is the scan that applies
them until nothing changes: each operation looks ahead for one it can merge with, merging to the
right when everything in between lets it pass, or to the left when the later one can move back.
"""

from __future__ import annotations

from djgen.generators.migrations.operations import Context, Operation


def optimize(operations: list[Operation], ctx: Context) -> list[Operation]:
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
