"""Differences between the history's state and the models' state, as Django's
``MigrationAutodetector`` finds them in non-interactive mode (``makemigrations --noinput``).

Data path: ``loader`` state + ``current`` state → **autodetector** (this module) → operations
(sorted and optimised like Django) → ``writer``.

Non-interactive Django asks no questions: ``ask_rename`` / ``ask_rename_model`` answer no, so a
renamed model or field is a delete and a create, exactly as here. A non-null field added without
a default (or an ``auto_now_add`` field) makes Django stop; here it is reported through
``needs_default`` unless a one-off default was given.
"""

from __future__ import annotations

import graphlib
import re
from dataclasses import dataclass, field
from typing import Any

from djgen.generators.migrations import operations as ops
from djgen.generators.migrations.operations import ALTER_OPTION_KEYS, Context, code_kwarg
from djgen.generators.migrations.optimizer import optimize
from djgen.generators.migrations.state import (
    Code,
    FieldState,
    ModelState,
    ProjectState,
    canon,
    option_literal,
)

CREATE, REMOVE, ALTER, REMOVE_ORDER_WRT, ALTER_FOO_TOGETHER = (
    "create",
    "remove",
    "alter",
    "remove_order_wrt",
    "alter_foo_together",
)
Dependency = tuple[str, str, "str | None", str]

_NO_EMPTY_STRINGS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "FloatField",
    "DecimalField",
    "BooleanField",
    "NullBooleanField",
    "DateField",
    "DateTimeField",
    "TimeField",
    "DurationField",
    "UUIDField",
    "GenericIPAddressField",
    "IPAddressField",
    "JSONField",
    "ForeignKey",
    "OneToOneField",
}
_TIME_FIELDS = {"DateField", "DateTimeField", "TimeField"}
_AUTO_FIELDS = {"AutoField", "BigAutoField", "SmallAutoField"}


@dataclass
class NeedsDefaultField:
    model: str
    field: str
    auto_now_add: bool


@dataclass
class Changes:
    """The operations for one app, in Django's order, and the migration's dependencies."""

    operations: list[ops.Operation]
    dependencies: list[tuple[str, str]]
    needs_default: list[NeedsDefaultField] = field(default_factory=list)


@dataclass
class Detector:
    from_state: ProjectState
    to_state: ProjectState
    app_label: str
    swappable: dict[str, str] = field(default_factory=dict)  # setting → "app.Model"
    pk_names: dict[str, str] = field(default_factory=dict)
    #: One-off defaults for added non-null fields: "field" or "model.field" → Python source.
    defaults: dict[str, str] = field(default_factory=dict)
    #: Leaf migration of other apps, for cross-app dependencies.
    other_leaves: dict[str, str | None] = field(default_factory=dict)
    family: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Fold the operations as Django's optimizer does (the file djgen writes); off for a verdict
    #: on an app without migrations, where only "which models are new" is asked.
    optimize: bool = True
    #: Leave out of the comparison the kept models whose two states are identical (they give
    #: no operation: ``unchanged``); the warm editor verdict on hundreds of models.
    skip_unchanged: bool = False
    #: ``unchanged`` answers by the identity of the two states (both kept alive in the value),
    #: for a caller whose states are reused, never mutated, between detections.
    unchanged_memo: dict[tuple[int, int], tuple[ModelState, ModelState, bool]] | None = None

    def __post_init__(self) -> None:
        self.generated: list[ops.Operation] = []
        self.deps: dict[int, list[Dependency]] = {}
        self.needs_default: list[NeedsDefaultField] = []

    # -- helpers -------------------------------------------------------------------------

    def add(
        self, op: ops.Operation, dependencies: list[Dependency] | None = None, beginning=False
    ) -> None:
        self.deps[id(op)] = list(dependencies or [])
        if beginning:
            self.generated.insert(0, op)
        else:
            self.generated.append(op)

    def _keys(self, state: ProjectState) -> tuple[set, set, set]:
        models, proxies, unmanaged = set(), set(), set()
        for key, ms in state.models.items():
            if key[0] != self.app_label:
                continue
            if not ms.managed:
                unmanaged.add(key)
            elif ms.proxy:
                proxies.add(key)
            else:
                models.add(key)
        return models, proxies, unmanaged

    def _changed(self, keys: set[tuple[str, str]]) -> set[tuple[str, str]]:
        return {k for k in keys if not self._unchanged(k)}

    def _unchanged(self, key: tuple[str, str]) -> bool:
        old, new = self.from_state.models[key], self.to_state.models[key]
        memo = self.unchanged_memo
        if memo is None:
            return unchanged(old, new)
        pair = (id(old), id(new))
        hit = memo.get(pair)
        if hit is not None and hit[0] is old and hit[1] is new:
            return hit[2]
        answer = unchanged(old, new)
        memo[pair] = (old, new, answer)
        return answer

    def field_key(self, fs: FieldState) -> tuple[Any, ...]:
        return fs.key(self.swappable)

    def _family(self, model: str, fs: FieldState) -> str:
        return self.family.get((model, fs.name), fs.class_name)

    def _remote(self, model: str, fs: FieldState) -> str | None:
        return fs.related_label(self.app_label, self.swappable)

    def _fk_deps(self, model: str, fs: FieldState) -> list[Dependency]:
        to = fs.kwargs.get("to")
        deps: list[Dependency] = []
        if to is not None and to.text.strip().startswith("settings."):
            deps.append(("__setting__", to.text.strip()[9:], None, CREATE))
        else:
            label = self._remote(model, fs)
            if label:
                app, name = label.split(".", 1)
                deps.append((app, name, None, CREATE))
        through = fs.kw_literal("through")
        if isinstance(through, str):
            app, _, name = through.rpartition(".")
            deps.append((app or self.app_label, name.lower(), None, CREATE))
        return deps

    def _model_deps(self, model: str) -> list[Dependency]:
        ms = self.to_state.models[(self.app_label, model)]
        deps: list[Dependency] = []
        for fs in ms.fields.values():
            if fs.is_relation:
                deps.extend(self._fk_deps(model, fs))
        return deps

    def _resolve(self, dep: Dependency) -> tuple[Dependency, bool]:
        if dep[0] != "__setting__":
            return dep, False
        target = self.swappable.get(dep[1], "auth.User")
        app, name = target.split(".", 1)
        return (app, name.lower(), dep[2], dep[3]), True

    @staticmethod
    def check_dependency(op: ops.Operation, dep: Dependency) -> bool:
        _, model, fname, kind = dep
        model = model.lower()
        if fname is None and kind == CREATE:
            return isinstance(op, ops.CreateModel) and op.name_lower == model
        if fname is not None and kind == CREATE:
            return (
                isinstance(op, ops.CreateModel)
                and op.name_lower == model
                and any(fname == n for n, _ in op.fields)
            ) or (
                isinstance(op, ops.AddField)
                and op.model_lower == model
                and op.name_lower == fname.lower()
            )
        if fname is not None and kind == REMOVE:
            return (
                isinstance(op, ops.RemoveField)
                and op.model_lower == model
                and op.name_lower == fname.lower()
            )
        if fname is None and kind == REMOVE:
            return isinstance(op, ops.DeleteModel) and op.name_lower == model
        if fname is not None and kind == ALTER:
            return (
                isinstance(op, ops.AlterField)
                and op.model_lower == model
                and op.name_lower == fname.lower()
            )
        if fname is not None and kind == REMOVE_ORDER_WRT:
            return (
                isinstance(op, ops.AlterOrderWithRespectTo)
                and op.name_lower == model
                and (op.order_with_respect_to or "").lower() != fname.lower()
            )
        if fname is not None and kind == ALTER_FOO_TOGETHER:
            return isinstance(op, ops.AlterTogether) and op.name_lower == model
        return False

    # -- detection -----------------------------------------------------------------------

    def changes(self) -> Changes:
        old_models, old_proxies, old_unmanaged = self._keys(self.from_state)
        new_models, new_proxies, new_unmanaged = self._keys(self.to_state)
        self.old_models, self.old_proxies, self.old_unmanaged = (
            old_models,
            old_proxies,
            old_unmanaged,
        )
        self.new_models, self.new_proxies, self.new_unmanaged = (
            new_models,
            new_proxies,
            new_unmanaged,
        )
        self.kept_models = old_models & new_models
        self.kept_proxies = old_proxies & new_proxies
        self.kept_unmanaged = old_unmanaged & new_unmanaged
        if self.skip_unchanged:
            self.kept_models = self._changed(self.kept_models)
            self.kept_proxies = self._changed(self.kept_proxies)
            self.kept_unmanaged = self._changed(self.kept_unmanaged)
        self.old_field_keys = {
            (app, m, f)
            for app, m in self.kept_models
            for f in self.from_state.models[(app, m)].fields
        }
        self.new_field_keys = {
            (app, m, f)
            for app, m in self.kept_models
            for f in self.to_state.models[(app, m)].fields
        }
        self.through_users: dict[tuple[str, str], tuple[str, str, str]] = {}
        for app, m in sorted(old_models):
            for fname, fs in self.from_state.models[(app, m)].fields.items():
                through = fs.kw_literal("through")
                if isinstance(through, str):
                    tapp, _, tname = through.rpartition(".")
                    self.through_users[(tapp or app, tname.lower())] = (app, m, fname)

        self.generate_deleted_models()
        self.generate_created_models()
        self.generate_deleted_proxies()
        self.generate_created_proxies()
        self.generate_altered_options()
        self.generate_altered_managers()
        self.generate_altered_db_table_comment()
        self.create_altered_indexes()
        self.create_altered_constraints()
        self.generate_removed_constraints()
        self.generate_removed_indexes()
        self.generate_renamed_indexes()
        self.generate_removed_altered_together("unique_together")
        self.generate_removed_fields()
        self.generate_added_fields()
        self.generate_altered_fields()
        self.generate_altered_order_with_respect_to()
        self.generate_altered_together("unique_together")
        self.generate_added_indexes()
        self.generate_added_constraints()
        self.generate_altered_constraints()
        self.generate_altered_db_table()

        operations = self._sort()
        dependencies = self._external_dependencies(operations)
        ctx = Context(self.app_label, self.pk_names)
        if self.optimize:
            operations = optimize(operations, ctx)
        return Changes(operations, dependencies, self.needs_default)

    def _sort(self) -> list[ops.Operation]:
        ts: graphlib.TopologicalSorter = graphlib.TopologicalSorter()
        # ``check_dependency`` only matches operations on the dependency's model: look there
        # (in generation order, so the sorter sees the same edges in the same order)
        by_model: dict[str | None, list[ops.Operation]] = {}
        for op in self.generated:
            by_model.setdefault(op.model_lower, []).append(op)
        for op in self.generated:
            ts.add(op)
            for dep in self.deps[id(op)]:
                dep = self._resolve(dep)[0]
                if dep[0] != self.app_label:
                    continue
                candidates = by_model.get(dep[1].lower(), ())
                ts.add(op, *(x for x in candidates if self.check_dependency(x, dep)))
        return list(ts.static_order())

    def _external_dependencies(self, operations: list[ops.Operation]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for op in operations:
            for original in self.deps[id(op)]:
                dep, swappable = self._resolve(original)
                if dep[0] == self.app_label:
                    continue
                if swappable:
                    item = (original[0], original[1])
                else:
                    leaf = self.other_leaves.get(dep[0])
                    item = (dep[0], leaf or "__first__")
                if item not in out:
                    out.append(item)
        return out

    # -- models --------------------------------------------------------------------------

    def _swappable_first(self, key: tuple[str, str]) -> tuple[str, str]:
        ms = self.to_state.models.get(key)
        if ms is not None:
            base_names = {b.text.rsplit(".", 1)[-1] for b in ms.bases}
            label = f"{key[0]}.{key[1]}"
            if (
                option_literal(ms.options.get("swappable"))
                or "AbstractUser" in base_names
                or "AbstractBaseUser" in base_names
                or self.swappable.get("AUTH_USER_MODEL", "auth.User").lower() == label
            ):
                return ("___" + key[0], "___" + key[1])
        return key

    def generate_deleted_models(self) -> None:
        new_keys = self.new_models | self.new_unmanaged
        deleted = sorted(self.old_models - new_keys)
        deleted_unmanaged = sorted(self.old_unmanaged - new_keys)
        for app, name in [*deleted, *deleted_unmanaged]:
            ms = self.from_state.models[(app, name)]
            related = {f: fs for f, fs in ms.fields.items() if fs.is_relation}
            if ms.options.get("unique_together"):
                self.add(ops.AlterUniqueTogether(name, None))
            for fname in sorted(related):
                self.add(ops.RemoveField(name, fname))
            deps: list[Dependency] = []
            label = f"{app}.{name}"
            for (oapp, oname), other in self.from_state.models.items():
                for fname, fs in other.fields.items():
                    if fs.related_label(oapp, self.swappable) == label:
                        deps.append((oapp, oname, fname, REMOVE))
                        if not fs.many_to_many:
                            deps.append((oapp, oname, fname, ALTER))
            for fname in sorted(related):
                deps.append((app, name, fname, REMOVE))
            through_user = self.through_users.get((app, name))
            if through_user:
                deps.append((*through_user, REMOVE))
            self.add(ops.DeleteModel(ms.name), list(dict.fromkeys(deps)))

    def generate_created_models(self) -> None:
        old_keys = self.old_models | self.old_unmanaged
        added = sorted(self.new_models - old_keys, key=self._swappable_first, reverse=True)
        added_unmanaged = sorted(
            self.new_unmanaged - old_keys, key=self._swappable_first, reverse=True
        )
        for app, name in [*added, *added_unmanaged]:
            ms = self.to_state.models[(app, name)]
            related: dict[str, FieldState] = {}
            primary_key_rel = None
            for fname, fs in ms.fields.items():
                if fs.is_relation:
                    if fs.kw_literal("primary_key") is True:
                        primary_key_rel = fs
                    elif fs.kw_literal("parent_link") is not True:
                        related[fname] = fs
                if isinstance(fs.kw_literal("through"), str):
                    related[fname] = fs
            options = dict(ms.options)
            indexes = options.pop("indexes", [])
            constraints = options.pop("constraints", [])
            unique_together = options.pop("unique_together", None)
            order_wrt = options.pop("order_with_respect_to", None)
            deps: list[Dependency] = [(app, name, None, REMOVE)]
            for base in ms.base_labels():
                bapp, bname = base.split(".", 1)
                deps.append((bapp, bname, None, CREATE))
                old_base = self.from_state.models.get((bapp, bname))
                new_base = self.to_state.models.get((bapp, bname))
                if old_base and new_base:
                    removed = (set(old_base.fields) - set(new_base.fields)) & set(ms.fields)
                    for fname in removed:
                        deps.append((bapp, bname, fname, REMOVE))
            if primary_key_rel is not None:
                label = self._remote(name, primary_key_rel)
                if label:
                    papp, pname = label.split(".", 1)
                    deps.append((papp, pname, None, CREATE))
            self.add(
                ops.CreateModel(
                    ms.name,
                    [(n, f) for n, f in ms.fields.items() if n not in related],
                    options,
                    list(ms.bases),
                    list(ms.managers),
                ),
                deps,
                beginning=True,
            )
            if not ms.managed:
                continue
            for fname, fs in sorted(related.items()):
                fdeps = self._fk_deps(name, fs)
                fdeps.append((app, name, None, CREATE))
                self.add(ops.AddField(name, fname, fs), list(dict.fromkeys(fdeps)))
            if order_wrt:
                self.add(
                    ops.AlterOrderWithRespectTo(name, order_wrt),
                    [(app, name, order_wrt, CREATE), (app, name, None, CREATE)],
                )
            related_deps: list[Dependency] = [(app, name, f, CREATE) for f in sorted(related)]
            related_deps.append((app, name, None, CREATE))
            for index in indexes:
                self.add(ops.AddIndex(name, index), related_deps)
            for constraint in constraints:
                self.add(ops.AddConstraint(name, constraint), related_deps)
            if unique_together:
                self.add(ops.AlterUniqueTogether(name, unique_together), related_deps)

    def generate_deleted_proxies(self) -> None:
        for app, name in sorted(self.old_proxies - self.new_proxies):
            ms = self.from_state.models[(app, name)]
            self.add(ops.DeleteModel(ms.name))

    def generate_created_proxies(self) -> None:
        for app, name in sorted(self.new_proxies - self.old_proxies):
            ms = self.to_state.models[(app, name)]
            deps: list[Dependency] = [(app, name, None, REMOVE)]
            for base in ms.base_labels():
                bapp, bname = base.split(".", 1)
                deps.append((bapp, bname, None, CREATE))
            self.add(
                ops.CreateModel(ms.name, [], dict(ms.options), list(ms.bases), list(ms.managers)),
                deps,
            )

    def _same(self, a: Any, b: Any) -> bool:
        return _value_key(a, self.swappable) == _value_key(b, self.swappable)

    def generate_altered_options(self) -> None:
        keys = (
            self.kept_models
            | self.kept_proxies
            | self.kept_unmanaged
            | (self.old_unmanaged & self.new_models)
            | (self.old_models & self.new_unmanaged)
        )
        for app, name in sorted(keys):
            old = self.from_state.models[(app, name)]
            new = self.to_state.models[(app, name)]
            old_options = {k: v for k, v in old.options.items() if k in ALTER_OPTION_KEYS}
            new_options = {k: v for k, v in new.options.items() if k in ALTER_OPTION_KEYS}
            if not self._same(old_options, new_options):
                self.add(ops.AlterModelOptions(name, new_options))

    def generate_altered_managers(self) -> None:
        for app, name in sorted(self.kept_models):
            old = self.from_state.models[(app, name)]
            new = self.to_state.models[(app, name)]
            if not self._same(old.managers, new.managers):
                self.add(ops.AlterModelManagers(name, list(new.managers)))

    def generate_altered_db_table_comment(self) -> None:
        for app, name in sorted(self.kept_models | self.kept_proxies | self.kept_unmanaged):
            old = self.from_state.models[(app, name)].options.get("db_table_comment")
            new = self.to_state.models[(app, name)].options.get("db_table_comment")
            if not self._same(old, new):
                self.add(ops.AlterModelTableComment(name, new))

    # -- indexes and constraints -----------------------------------------------------------

    def create_altered_indexes(self) -> None:
        self.altered_indexes: dict[tuple[str, str], dict[str, list[Any]]] = {}
        for app, name in sorted(self.kept_models):
            old = self.from_state.models[(app, name)].indexes
            new = self.to_state.models[(app, name)].indexes
            old_keys = [self._ckey(c) for c in old]
            new_keys = [self._ckey(c) for c in new]
            added = [c for c, k in zip(new, new_keys, strict=False) if k not in old_keys]
            removed = [c for c, k in zip(old, old_keys, strict=False) if k not in new_keys]
            renamed, drop_added, drop_removed = [], [], []
            for new_index in added:
                new_name = code_kwarg(new_index, "name")
                new_wo = self._ckey(new_index, without_name=True)
                for old_index in removed:
                    old_name = code_kwarg(old_index, "name")
                    if self._ckey(old_index, without_name=True) == new_wo and new_name != old_name:
                        renamed.append((old_name, new_name, None))
                        drop_added.append(new_index)
                        drop_removed.append(old_index)
            added = [c for c in added if not any(c is d for d in drop_added)]
            removed = [c for c in removed if not any(c is d for d in drop_removed)]
            self.altered_indexes[(app, name)] = {
                "added": added,
                "removed": removed,
                "renamed": renamed,
            }

    def _ckey(self, code: Code, without_name: bool = False) -> str:
        if not without_name:
            return canon(code, self.swappable)
        import ast

        try:
            node = ast.parse(code.text.strip(), mode="eval").body
        except SyntaxError:
            return code.text
        if isinstance(node, ast.Call):
            node.keywords = [k for k in node.keywords if k.arg != "name"]
        return canon(Code(ast.unparse(node)), self.swappable)

    def generate_added_indexes(self) -> None:
        for (_app, name), alt in self.altered_indexes.items():
            deps = self._model_deps(name)
            for index in alt["added"]:
                self.add(ops.AddIndex(name, index), deps)

    def generate_removed_indexes(self) -> None:
        for (_app, name), alt in self.altered_indexes.items():
            for index in alt["removed"]:
                self.add(ops.RemoveIndex(name, code_kwarg(index, "name")))

    def generate_renamed_indexes(self) -> None:
        for (_app, name), alt in self.altered_indexes.items():
            for old_name, new_name, old_fields in alt["renamed"]:
                self.add(ops.RenameIndex(name, new_name, old_name, old_fields))

    def create_altered_constraints(self) -> None:
        self.altered_constraints: dict[tuple[str, str], dict[str, list[Code]]] = {}
        for app, name in sorted(self.kept_models):
            old = self.from_state.models[(app, name)].constraints
            new = self.to_state.models[(app, name)].constraints
            old_keys = [self._ckey(c) for c in old]
            new_keys = [self._ckey(c) for c in new]
            altered, altered_names = [], []
            for oc, ok in zip(old, old_keys, strict=False):
                for nc, nk in zip(new, new_keys, strict=False):
                    if (
                        ok != nk
                        and code_kwarg(oc, "name") == code_kwarg(nc, "name")
                        and self._ckey(_strip_non_db(oc)) == self._ckey(_strip_non_db(nc))
                    ):
                        altered.append(nc)
                        altered_names.append(code_kwarg(nc, "name"))
            added = [
                c
                for c, k in zip(new, new_keys, strict=False)
                if k not in old_keys and code_kwarg(c, "name") not in altered_names
            ]
            removed = [
                c
                for c, k in zip(old, old_keys, strict=False)
                if k not in new_keys and code_kwarg(c, "name") not in altered_names
            ]
            self.altered_constraints[(app, name)] = {
                "added": added,
                "removed": removed,
                "altered": altered,
            }

    def generate_added_constraints(self) -> None:
        for (_app, name), alt in self.altered_constraints.items():
            deps = self._model_deps(name)
            for c in alt["added"]:
                self.add(ops.AddConstraint(name, c), deps)

    def generate_removed_constraints(self) -> None:
        for (_app, name), alt in self.altered_constraints.items():
            for c in alt["removed"]:
                self.add(ops.RemoveConstraint(name, code_kwarg(c, "name")))

    def generate_altered_constraints(self) -> None:
        for (_app, name), alt in self.altered_constraints.items():
            deps = self._model_deps(name)
            for c in alt["altered"]:
                self.add(ops.AlterConstraint(name, code_kwarg(c, "name"), c), deps)

    # -- unique_together -------------------------------------------------------------------

    def _altered_together(self, option: str):
        for app, name in sorted(self.kept_models):
            old_ms = self.from_state.models[(app, name)]
            new_ms = self.to_state.models[(app, name)]
            old = set(old_ms.options.get(option) or ())
            new = set(new_ms.options.get(option) or ())
            if old != new:
                deps: list[Dependency] = []
                for together in new:
                    for fname in together:
                        fs = new_ms.fields.get(fname)
                        if fs is not None and fs.is_relation:
                            deps.extend(self._fk_deps(name, fs))
                yield old, new, name, deps

    def generate_removed_altered_together(self, option: str) -> None:
        for old, new, name, deps in self._altered_together(option):
            removal = new & old
            if removal or old:
                self.add(ops.AlterUniqueTogether(name, removal), deps)

    def generate_altered_together(self, option: str) -> None:
        for old, new, name, deps in self._altered_together(option):
            removal = new & old
            if new != removal:
                self.add(ops.AlterUniqueTogether(name, new), deps)

    # -- fields ----------------------------------------------------------------------------

    def generate_removed_fields(self) -> None:
        for app, name, fname in sorted(self.old_field_keys - self.new_field_keys):
            self._removed_field(app, name, fname)

    def _removed_field(self, app: str, name: str, fname: str) -> None:
        self.add(
            ops.RemoveField(name, fname),
            [(app, name, fname, REMOVE_ORDER_WRT), (app, name, fname, ALTER_FOO_TOGETHER)],
        )

    def generate_added_fields(self) -> None:
        for app, name, fname in sorted(self.new_field_keys - self.old_field_keys):
            self._added_field(app, name, fname)

    def _added_field(self, app: str, name: str, fname: str) -> None:
        ms = self.to_state.models[(app, name)]
        fs = ms.fields[fname]
        deps: list[Dependency] = [(app, name, fname, REMOVE)]
        if fs.is_relation:
            deps.extend(self._fk_deps(name, fs))
        family = self._family(name, fs)
        kw = fs.kw_literal
        preserve = (
            kw("null") is True
            or "default" in fs.kwargs
            or "db_default" in fs.kwargs
            or fs.many_to_many
            or (kw("blank") is True and family not in _NO_EMPTY_STRINGS)
            or (family in _TIME_FIELDS and kw("auto_now") is True)
            or family in _AUTO_FIELDS
        )
        if not preserve:
            auto_now_add = family in _TIME_FIELDS and kw("auto_now_add") is True
            given = self.defaults.get(f"{ms.name}.{fname}", self.defaults.get(fname))
            if given is None:
                self.needs_default.append(NeedsDefaultField(ms.name, fname, auto_now_add))
            else:
                fs = FieldState(fs.name, fs.path, list(fs.args), dict(fs.kwargs))
                fs.kwargs["default"] = one_off_default(given)
        self.add(ops.AddField(name, fname, fs, preserve), deps)

    def generate_altered_fields(self) -> None:
        for app, name, fname in sorted(self.old_field_keys & self.new_field_keys):
            old = self.from_state.models[(app, name)].fields[fname]
            new = self.to_state.models[(app, name)].fields[fname]
            deps: list[Dependency] = []
            if new.is_relation:
                deps.extend(self._fk_deps(name, new))
            if self.field_key(old) == self.field_key(new):
                continue
            if old.many_to_many == new.many_to_many:
                self.add(ops.AlterField(name, fname, new), deps)
            else:
                self._removed_field(app, name, fname)
                self._added_field(app, name, fname)

    def generate_altered_order_with_respect_to(self) -> None:
        for app, name in sorted(self.kept_models):
            old = self.from_state.models[(app, name)].options.get("order_with_respect_to")
            new = self.to_state.models[(app, name)].options.get("order_with_respect_to")
            if old != new:
                deps: list[Dependency] = [(app, name, new, CREATE)] if new else []
                self.add(ops.AlterOrderWithRespectTo(name, new), deps)

    def generate_altered_db_table(self) -> None:
        for app, name in sorted(self.kept_models | self.kept_proxies | self.kept_unmanaged):
            old = self.from_state.models[(app, name)].options.get("db_table")
            new = self.to_state.models[(app, name)].options.get("db_table")
            if not self._same(old, new):
                self.add(ops.AlterModelTable(name, new))


def unchanged(old: ModelState, new: ModelState) -> bool:
    """Whether a kept model's comparison cannot give an operation: the two states are the same
    value for value and type for type (so every comparison above sees equal inputs), and no two
    constraints share a name (``create_altered_constraints`` pairs constraints by name across
    positions)."""
    if old is new:
        return _distinct_constraint_names(new)
    return (
        old.app_label == new.app_label
        and old.name == new.name
        and _strict_equal(old.fields, new.fields)
        and _strict_equal(old.options, new.options)
        and _strict_equal(old.bases, new.bases)
        and _strict_equal(old.managers, new.managers)
        and _distinct_constraint_names(new)
    )


def _distinct_constraint_names(ms: ModelState) -> bool:
    constraints = ms.options.get("constraints") or []
    if len(constraints) < 2:
        return True
    names = [code_kwarg(c, "name") if isinstance(c, Code) else None for c in constraints]
    return None not in names and len(set(names)) == len(names)


_SCALARS = (str, int, float, bool, type(None))


def _strict_equal(a: Any, b: Any) -> bool:
    """``a == b`` with types equal at every level (``True`` is not ``1``); False for values of
    kinds it does not know."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return repr(a) == repr(b)  # 0.0 == -0.0, but the comparisons read repr
    if isinstance(a, _SCALARS):
        return a == b
    if isinstance(a, Code):
        # the comparisons read a value's text only (its imports are for writing it)
        return a.text == b.text
    if isinstance(a, FieldState):
        return (
            a.name == b.name
            and a.path == b.path
            and _strict_equal(a.args, b.args)
            and _strict_equal(a.kwargs, b.kwargs)
        )
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_strict_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        # as mappings: the comparisons look keys up or sort them (fields, keywords, options)
        return len(a) == len(b) and all(
            type(k) is str and k in b and _strict_equal(v, b[k]) for k, v in a.items()
        )
    if isinstance(a, (set, frozenset)):
        return a == b and all(_plain_strings(x) for x in a) and all(_plain_strings(x) for x in b)
    return False


def _plain_strings(value: Any) -> bool:
    if type(value) is str:
        return True
    return type(value) is tuple and all(type(x) is str for x in value)


#: Short spellings accepted for one-off defaults.
_DEFAULT_ALIASES = {"timezone.now": "django.utils.timezone.now", "now": "django.utils.timezone.now"}


def one_off_default(text: str) -> Code:
    """A ``--default`` value (a Python expression) as Code with the imports its dotted names
    need: ``django.utils.timezone.now`` imports ``django.utils.timezone``."""
    import ast

    text = _DEFAULT_ALIASES.get(text.strip(), text.strip())
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"--default value {text!r} is not a Python expression") from exc
    imports = set()
    inner_nodes: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            inner_nodes.add(id(node.value))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and id(node) not in inner_nodes
            and isinstance(node.value, (ast.Name, ast.Attribute))
        ):
            parts = []
            inner: ast.AST = node
            while isinstance(inner, ast.Attribute):
                parts.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name):
                parts.append(inner.id)
                dotted = list(reversed(parts))
                if len(dotted) >= 2:
                    imports.add(f"import {'.'.join(dotted[:-1])}")
    return Code(text, frozenset(imports))


def _strip_non_db(code: Code) -> Code:
    import ast

    try:
        node = ast.parse(code.text.strip(), mode="eval").body
    except SyntaxError:
        return code
    if isinstance(node, ast.Call):
        node.keywords = [
            k
            for k in node.keywords
            if k.arg not in ("violation_error_code", "violation_error_message")
        ]
    return Code(ast.unparse(node))


def _value_key(value: Any, swappable: dict[str, str]) -> Any:
    if isinstance(value, Code):
        return ("code", canon(value, swappable))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, _value_key(v, swappable)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_value_key(v, swappable) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(v) for v in value)))
    if isinstance(value, ModelState):
        return ("model", value.key)
    return ("value", repr(value))


def suggest_name(operations: list[ops.Operation], initial: bool, now: str) -> str:
    """Django's ``Migration.suggest_name``."""
    if initial:
        return "initial"
    raw = [op.fragment for op in operations]
    fragments = [re.sub(r"\W+", "_", f) for f in raw if f]
    if not fragments or len(fragments) != len(operations):
        return f"auto_{now}"
    name = fragments[0]
    for fragment in fragments[1:]:
        candidate = f"{name}_{fragment}"
        if len(candidate) > 52:
            name = f"{name}_and_more"
            break
        name = candidate
    return name
