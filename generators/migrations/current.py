"""The models' current state: model IR → ``ProjectState`` as Django's ``ModelState.from_model``
would build it.

Data path: models.py → reader → IR → **current** (this module) → ``autodetector`` (compared with
the history's state from ``loader``).

Django's rules applied here: each field deconstructed (``deconstruct``), the implicit pk and
parent links as the reader found them (``DEFAULT_AUTO_FIELD`` / ``default_auto_field``),
relations to the swappable ``AUTH_USER_MODEL`` written as ``settings.AUTH_USER_MODEL``, choices
evaluated, abstract bases flattened (and their ``Meta`` inherited with ``abstract: False``),
multi-table parents as ``bases``, index names generated like ``Index.set_name_with_model``,
managers kept only when Django would keep them. What cannot be read is collected per model.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from djgen.generators.core.ir import FieldIR, ModelIR, ModuleIR
from djgen.generators.migrations.deconstruct import KNOWN_FIELDS, normalize_field
from djgen.generators.migrations.expressions import (
    Deconstructed,
    ModuleScope,
    QNode,
    Resolver,
    Undecidable,
    to_code,
)
from djgen.generators.migrations.loader import normalize_together
from djgen.generators.migrations.state import (
    Code,
    FieldState,
    ModelState,
    ProjectState,
    normalize_path,
)
from djgen.generators.migrations.state_memo import (
    Entry,
    Lookup,
    Recorder,
    RecordingDict,
    RecordingSet,
    StateMemo,
)
from djgen.generators.reader.names import dotted_name

ReadText = Callable[[Path], "str | None"]

DEFAULT_NAMES = (
    "verbose_name",
    "verbose_name_plural",
    "db_table",
    "db_table_comment",
    "ordering",
    "unique_together",
    "permissions",
    "get_latest_by",
    "order_with_respect_to",
    "app_label",
    "db_tablespace",
    "abstract",
    "managed",
    "proxy",
    "swappable",
    "auto_created",
    "apps",
    "default_permissions",
    "select_on_save",
    "default_related_name",
    "required_db_features",
    "required_db_vendor",
    "base_manager_name",
    "default_manager_name",
    "indexes",
    "constraints",
)

_AUTH = "django.contrib.auth"
_MODELS = frozenset({"from django.db import models"})
_VALIDATORS = frozenset({"import django.contrib.auth.validators"})
_TZ = frozenset({"import django.utils.timezone"})

#: Fields of django.contrib.auth's abstract models, as Django 5.2 writes them into migrations.
CONTRIB_FIELDS: dict[str, tuple[str, dict[str, Code]]] = {
    "password": (
        "django.db.models.CharField",
        {"max_length": Code("128"), "verbose_name": Code("'password'")},
    ),
    "last_login": (
        "django.db.models.DateTimeField",
        {"blank": Code("True"), "null": Code("True"), "verbose_name": Code("'last login'")},
    ),
    "is_superuser": (
        "django.db.models.BooleanField",
        {
            "default": Code("False"),
            "help_text": Code(
                "'Designates that this user has all permissions without explicitly assigning them.'"
            ),
            "verbose_name": Code("'superuser status'"),
        },
    ),
    "username": (
        "django.db.models.CharField",
        {
            "error_messages": Code("{'unique': 'A user with that username already exists.'}"),
            "help_text": Code(
                "'Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.'"
            ),
            "max_length": Code("150"),
            "unique": Code("True"),
            "validators": Code(
                "[django.contrib.auth.validators.UnicodeUsernameValidator()]", _VALIDATORS
            ),
            "verbose_name": Code("'username'"),
        },
    ),
    "first_name": (
        "django.db.models.CharField",
        {"blank": Code("True"), "max_length": Code("150"), "verbose_name": Code("'first name'")},
    ),
    "last_name": (
        "django.db.models.CharField",
        {"blank": Code("True"), "max_length": Code("150"), "verbose_name": Code("'last name'")},
    ),
    "email": (
        "django.db.models.EmailField",
        {
            "blank": Code("True"),
            "max_length": Code("254"),
            "verbose_name": Code("'email address'"),
        },
    ),
    "is_staff": (
        "django.db.models.BooleanField",
        {
            "default": Code("False"),
            "help_text": Code("'Designates whether the user can log into this admin site.'"),
            "verbose_name": Code("'staff status'"),
        },
    ),
    "is_active": (
        "django.db.models.BooleanField",
        {
            "default": Code("True"),
            "help_text": Code(
                "'Designates whether this user should be treated as active. Unselect this "
                "instead of deleting accounts.'"
            ),
            "verbose_name": Code("'active'"),
        },
    ),
    "date_joined": (
        "django.db.models.DateTimeField",
        {
            "default": Code("django.utils.timezone.now", _TZ),
            "verbose_name": Code("'date joined'"),
        },
    ),
    "groups": (
        "django.db.models.ManyToManyField",
        {
            "blank": Code("True"),
            "help_text": Code(
                "'The groups this user belongs to. A user will get all permissions granted "
                "to each of their groups.'"
            ),
            "related_name": Code("'user_set'"),
            "related_query_name": Code("'user'"),
            "to": Code("'auth.group'"),
            "verbose_name": Code("'groups'"),
        },
    ),
    "user_permissions": (
        "django.db.models.ManyToManyField",
        {
            "blank": Code("True"),
            "help_text": Code("'Specific permissions for this user.'"),
            "related_name": Code("'user_set'"),
            "related_query_name": Code("'user'"),
            "to": Code("'auth.permission'"),
            "verbose_name": Code("'user permissions'"),
        },
    ),
}
CONTRIB_ABSTRACT = {
    "AbstractUser": {"verbose_name": Code("'user'"), "verbose_name_plural": Code("'users'")},
    "AbstractBaseUser": {},
    "PermissionsMixin": {},
}
CONTRIB_MANAGERS = {"AbstractUser": "django.contrib.auth.models.UserManager"}


#: Library field classes whose ``deconstruct()`` djgen applies itself (canonical class path →
#: builder); the class's source must be readable (installed) for the rule to apply.
LIBRARY_FIELDS: dict[str, Callable[..., FieldState]] = {
    "taggit.managers.TaggableManager": lambda b, *a: b.taggable_manager(*a),
}


@dataclass
class CurrentState:
    """The models' state, and what could not be read (model name → reasons)."""

    state: ProjectState
    app_label: str
    undecidable: dict[str, list[str]] = field(default_factory=dict)
    swappable: dict[str, str] = field(default_factory=dict)
    pk_names: dict[str, str] = field(default_factory=dict)

    def reasons(self) -> list[str]:
        return [f"{model}: {r}" for model, rs in self.undecidable.items() for r in rs]


def current_state(
    module: ModuleIR, *, read_text: ReadText | None = None, memo: StateMemo | None = None
) -> CurrentState:
    """``memo``: reuse the model states of earlier builds whose inputs did not change (the
    language server's warm state, ``state_memo``); the result is the same either way."""
    if memo is None:
        return _Builder(module, read_text).build()
    with memo.lock:
        memo.begin()
        builder = _Builder(module, read_text, memo)
        result = builder.build()
        memo.end({m.name for m in module.models})
        return result


class _Builder:
    def __init__(self, module: ModuleIR, read_text: ReadText | None, memo: StateMemo | None = None):
        self.module = module
        self.read_text = read_text
        self.scopes: dict[str, ModuleScope] = {}
        self.memo = memo
        #: While a memoised model state is built: its lookups, and what it notes.
        self.recorder = Recorder() if memo is not None else None
        self._notes: tuple[str, list[str]] | None = None
        self._notes_elsewhere = False
        #: What each lookup finds in this build (many models make the same ones).
        self._found_now: dict[Lookup, object] = {}
        self.other_scopes: dict[str, ModuleScope | None] = (
            RecordingDict({}, "others", self.recorder) if self.recorder is not None else {}
        )
        self.import_root = _import_root(module)
        self.result = CurrentState(
            ProjectState(),
            module.app_label,
            swappable={"AUTH_USER_MODEL": module.auth_user_model},
        )

    # -- sources -------------------------------------------------------------------------

    def scope(self, model: ModelIR) -> ModuleScope:
        path = model.path or self.module.path
        if path in self.scopes:
            return self.scopes[path]
        text = None
        p = Path(path) if path else None
        if p is not None and p.is_dir():
            p = p / "__init__.py"
        # the reader's parse of this very file, when it kept one: no second read or parse
        tree = self.module.trees.get(path) if path else None
        if tree is None and p is not None and self.read_text is not None:
            text = self.read_text(p)
        if tree is None and text is None and p is not None:
            try:
                text = p.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
        dotted = self.module.module or f"{self.module.app_label}.models"
        if p is not None and p.name != "models.py" and p.parent.name == "models":
            dotted = f"{dotted.rsplit('.', 1)[0] if dotted.endswith('.__init__') else dotted}"
            dotted = f"{dotted}.{p.stem}" if p.stem != "__init__" else dotted
        choices = [*self.module.choices, *_all_choices(self.module)]
        if tree is not None:
            scope = ModuleScope.from_tree(tree, dotted, choices)
        else:
            scope = ModuleScope.from_source(text or "", dotted, choices)
        scope.root = self.import_root
        scope.others = self.other_scopes
        for other in self.module.models if scope.nested_classes else ():
            # a model the reader read under a module-level if/try: the class on its line
            nested = scope.nested_classes.get(other.span.line) if other.span else None
            if nested is not None and nested.name == other.name and other.path == model.path:
                scope.classes[other.name] = nested
        if self.recorder is not None:
            rec = self.recorder
            scope.classes = RecordingDict(scope.classes, f"classes:{path}", rec)
            scope.constants = RecordingDict(scope.constants, f"constants:{path}", rec)
            scope.imports = RecordingDict(scope.imports, f"imports:{path}", rec)
            scope.choices = RecordingDict(scope.choices, f"choices:{path}", rec)
            scope.nested_classes = RecordingDict(scope.nested_classes, f"nested:{path}", rec)
            scope.functions = RecordingSet(scope.functions, f"functions:{path}", rec)
        self.scopes[path] = scope
        return scope

    # -- models --------------------------------------------------------------------------

    def build(self) -> CurrentState:
        for model in self.module.models:
            if model.abstract:
                continue
            pk = model.pk
            label = f"{model.app_label}.{model.name.lower()}"
            self.result.pk_names[label] = pk.name if pk else "id"
        for model in self.module.models:
            if model.abstract:
                continue
            self.result.state.add(self.model_state(model))
            for problem in model.problems:
                # What the reader could not read (a base class from a library it cannot
                # see, a field it does not understand) may hide fields: say so.
                if problem.severity in ("warning", "error") or "cannot" in problem.message:
                    self.note(model, problem.message)
        by_name = {m.name: m for m in self.module.models if not m.abstract}
        for problem in self.module.problems:
            # a class attribute the reader could not classify: it may be a field
            owner = by_name.get(problem.model or "")
            if owner is not None and problem.severity in ("warning", "error"):
                self.note(owner, problem.message.removeprefix(f"{owner.name}."))
        return self.result

    def note(self, model: ModelIR, reason: str) -> None:
        if self._notes is not None:
            if model.name == self._notes[0]:
                self._notes[1].append(reason)
            else:
                self._notes_elsewhere = True
        reasons = self.result.undecidable.setdefault(model.name, [])
        if reason not in reasons:
            reasons.append(reason)

    # -- the warm path (``state_memo``) ------------------------------------------------------

    def model_state(self, model: ModelIR) -> ModelState:
        """The model's state: built, or (with a memo) an earlier build's when every input it
        read is unchanged."""
        memo, recorder = self.memo, self.recorder
        if memo is None or recorder is None:
            return self._model_state(model)
        scope = self.scope(model)
        ir = memo.ir_fingerprint(model)
        context = (
            self.module.app_label,
            self.module.auth_user_model,
            self.module.module,
            self.module.path,
            model.path,
            scope.module,
            str(self.import_root),
            tuple(scope.star_modules),
        )
        entry = memo.find(model.name, ir, context, self._found)
        if entry is not None:
            for reason in entry.notes:
                self.note(model, reason)
            return entry.state
        # a fresh build reads every value itself (no cached evaluation made for another model)
        scope.cache.clear()
        for other in dict.values(self.other_scopes):
            if other is not None:
                other.cache.clear()
        recorder.start()
        self._notes, self._notes_elsewhere = (model.name, []), False
        try:
            ms = self._model_state(model)
        finally:
            lookups = recorder.stop()
            notes, self._notes = self._notes, None
        if lookups is not None and notes is not None and not self._notes_elsewhere:
            reads = tuple((lk, self._found(lk)) for lk in dict.fromkeys(lookups))
            memo.store(model.name, Entry(ir, context, reads, ms, tuple(notes[1])))
        return ms

    def _found(self, lookup: Lookup) -> object:
        """What ``lookup`` finds in this build, as it is compared with an earlier build's."""
        if lookup in self._found_now:
            return self._found_now[lookup]
        found = self._find(lookup)
        self._found_now[lookup] = found
        return found

    def _find(self, lookup: Lookup) -> object:
        assert self.memo is not None
        kind, key = lookup
        where, _, path = kind.partition(":")
        if where == "others":
            home = next(iter(dict.values(self.scopes)), None)
            other = home.other(key) if home is not None else dict.get(self.other_scopes, key)
            if other is None:
                return None
            return ("text", other.source_text) if other.source_text is not None else object()
        if where == "pk":
            return dict.get(self.result.pk_names, key)
        if where == "local":
            local = self._local_model(key)
            return None if local is None else tuple(local.model_bases)
        scope = self.scopes.get(path)
        if scope is None:
            return object()
        if where in ("classes", "constants", "nested"):
            table = {"classes": scope.classes, "constants": scope.constants}.get(
                where, scope.nested_classes
            )
            return self.memo.dump(dict.get(table, key))
        if where == "imports":
            return dict.get(scope.imports, key)
        if where == "functions":
            return set.__contains__(scope.functions, key)
        if where == "choices":
            ch = dict.get(scope.choices, key)
            return None if ch is None else self.memo.ir_fingerprint(ch)
        return object()

    def _model_state(self, model: ModelIR) -> ModelState:
        scope = self.scope(model)
        resolver = Resolver(scope, owner=model.name)
        ms = ModelState(model.app_label, model.name)
        if not model.proxy:
            for f in model.fields:
                if f.field_class == "OrderWrt":
                    continue  # ModelState.from_model leaves _order out (order_with_respect_to)
                fs = self.field_state(model, f, self._declaring_resolver(model, f, resolver))
                ms.fields[f.name] = fs
        ms.options = self.options(model, resolver, scope)
        ms.bases = self.bases(model, scope)
        ms.managers = self.managers(model, scope)
        return ms

    def field_state(self, model: ModelIR, f: FieldIR, resolver: Resolver) -> FieldState:
        contrib = self._contrib_base(model, f.inherited_from)
        if contrib and f.name in CONTRIB_FIELDS:
            path, kwargs = CONTRIB_FIELDS[f.name]
            return FieldState(f.name, path, [], dict(kwargs))
        path = normalize_path(f.class_path)
        family = f.internal_type
        if family == "CompositePrimaryKey" and path.startswith("django.db.models."):
            return self.composite_pk(model, f, resolver)
        library = self._library_field(resolver.scope, f.class_path)
        if library is not None and library[0] in LIBRARY_FIELDS:
            return LIBRARY_FIELDS[library[0]](self, model, f, resolver, library[1])
        if not f.known or family is None or family not in KNOWN_FIELDS:
            self.note(model, f"field {f.name}: {f.class_path} is not known to djgen")
            family = None
        elif not path.startswith("django."):
            own = self._own_init(resolver.scope, f.class_path)
            if own is not None:
                self.note(model, f"field {f.name}: {own} has its own __init__/deconstruct")
        kwargs: dict[str, Code] = {}
        for key, value in f.kwargs.items():
            if key == "to" and f.related_model:
                kwargs["to"] = self.relation_target(f.related_model)
                continue
            if key == "through" and f.through:
                kwargs["through"] = Code(repr(f.through))
                continue
            try:
                kwargs[key] = resolver.code(value.source)
            except (Undecidable, SyntaxError) as exc:
                self.note(model, f"field {f.name}: {key}={value.source} ({exc})")
                kwargs[key] = Code(value.source)
        if f.related_model and "to" not in kwargs:
            kwargs["to"] = self.relation_target(f.related_model)
        if f.related_model and "to_field" in kwargs:
            target = f.related_model.lower()
            if "." not in target:
                target = f"{self.module.app_label}.{target}"
            if self.recorder is not None:
                self.recorder.add("pk", target)
            if kwargs["to_field"].text.strip("'\"") == self.result.pk_names.get(target, "id"):
                del kwargs["to_field"]
        if f.primary_key:
            kwargs["serialize"] = Code("False")
        args: list[Code] = []
        for value in f.args:
            try:
                args.append(resolver.code(value.source))
            except (Undecidable, SyntaxError) as exc:
                self.note(model, f"field {f.name}: argument {value.source} ({exc})")
                args.append(Code(value.source))
        return normalize_field(FieldState(f.name, path, args, kwargs), family)

    # -- fields djgen reads from their own class's source ---------------------------------

    def _declaring_resolver(self, model: ModelIR, f: FieldIR, resolver: Resolver) -> Resolver:
        """A field inherited from an abstract base of another module (an installed one, such
        as contrib.sessions' AbstractBaseSession) is evaluated where it is written."""
        if not f.inherited_from:
            return resolver
        scope = resolver.scope
        cls = scope.classes.get(model.name)
        if cls is None:
            return resolver
        for _, resolved in self._ancestors(scope, cls):
            if resolved is not None and resolved[1].name == f.inherited_from:
                if resolved[0] is scope:
                    return resolver
                return Resolver(resolved[0], owner=f.inherited_from)
        return resolver

    def _class_def(
        self, scope: ModuleScope, dotted: str, depth: int = 0
    ) -> tuple[ModuleScope, ast.ClassDef, str] | None:
        """The class ``dotted`` names (re-exports followed), from the project or installed."""
        module, _, name = dotted.rpartition(".")
        if depth > 6 or not module:
            return None
        where = scope if module == scope.module else scope.other(module)
        if where is None:
            return None
        cls = where.classes.get(name)
        if cls is not None:
            return where, cls, f"{where.module}.{name}"
        imported = where.imports.get(name)
        if imported is not None and imported[0] != dotted:
            return self._class_def(where, imported[0], depth + 1)
        return None

    def _library_field(
        self, scope: ModuleScope, dotted: str
    ) -> tuple[str, tuple[ModuleScope, ast.ClassDef, str]] | None:
        """(canonical class path, its definition) of a field class outside django.db."""
        if dotted.startswith("django."):
            return None
        found = self._class_def(scope, dotted)
        if found is None:
            return None
        return found[2], found

    def _own_init(self, scope: ModuleScope, dotted: str, depth: int = 0) -> str | None:
        """The first class between ``dotted`` and Django's own fields that defines
        ``__init__``, ``deconstruct`` or ``contribute_to_class`` (what it writes into a
        migration is then only known at run time), or None."""
        if depth > 10 or dotted.startswith("django."):
            return None
        found = self._class_def(scope, dotted)
        if found is None:
            return None
        where, cls, _full = found
        if any(
            isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.name in ("__init__", "deconstruct", "contribute_to_class")
            for n in cls.body
        ):
            return cls.name
        for base in cls.bases:
            q = Resolver(where).qualify(ast.unparse(base).split("."))
            if q is None:
                continue
            hit = self._own_init(where, q[0], depth + 1)
            if hit is not None:
                return hit
        return None

    def composite_pk(self, model: ModelIR, f: FieldIR, resolver: Resolver) -> FieldState:
        """``CompositePrimaryKey("a", "b")``: its ``deconstruct()`` gives the field names as
        arguments and the keywords its ``__init__`` forces."""
        args: list[Code] = []
        for value in f.args:
            try:
                args.append(resolver.code(value.source))
            except (Undecidable, SyntaxError) as exc:
                self.note(model, f"field {f.name}: argument {value.source} ({exc})")
                args.append(Code(value.source))
        kwargs: dict[str, Code] = {}
        for key, value in f.kwargs.items():
            try:
                kwargs[key] = resolver.code(value.source)
            except (Undecidable, SyntaxError) as exc:
                self.note(model, f"field {f.name}: {key}={value.source} ({exc})")
                kwargs[key] = Code(value.source)
        for key, text in (
            ("blank", "True"),
            ("editable", "False"),
            ("primary_key", "True"),
            ("serialize", "False"),
        ):
            kwargs.setdefault(key, Code(text))
        return FieldState(f.name, "django.db.models.CompositePrimaryKey", args, kwargs)

    def taggable_manager(
        self,
        model: ModelIR,
        f: FieldIR,
        resolver: Resolver,
        found: tuple[ModuleScope, ast.ClassDef, str],
    ) -> FieldState:
        """django-taggit's ``TaggableManager.deconstruct()``: Field's keywords (its defaults
        read from the installed ``__init__``'s signature), ``null``/``serialize`` dropped, and
        ``through``/``to`` as ``app_label.ObjectName`` (or the string given)."""
        where, cls, full = found
        init = next(
            (n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"),
            None,
        )
        defaults: dict[str, ast.expr] = {}
        if init is not None:
            positional = init.args.args[1:]
            for arg, default in zip(
                positional[len(positional) - len(init.args.defaults) :],
                init.args.defaults,
                strict=True,
            ):
                defaults[arg.arg] = default
            params = [a.arg for a in positional]
        else:
            params = []
            self.note(model, f"field {f.name}: {full} has no __init__ djgen can read")
        library = Resolver(where)
        given: dict[str, str] = {k: v.source for k, v in f.kwargs.items()}
        for i, value in enumerate(f.args):
            if i < len(params):
                given.setdefault(params[i], value.source)
        kwargs: dict[str, Code] = {}
        for key in ("verbose_name", "help_text"):
            try:
                if key in given:
                    kwargs[key] = resolver.code(given[key])
                elif key in defaults:
                    kwargs[key] = library.code(ast.unparse(defaults[key]))
            except (Undecidable, SyntaxError) as exc:
                self.note(model, f"field {f.name}: {key} ({exc})")
        for key, default in (("verbose_name", None), ("help_text", "")):
            if key in kwargs and kwargs[key].text in (repr(default), '""'):
                del kwargs[key]
        if "blank" in given:
            try:
                blank = resolver.code(given["blank"])
            except (Undecidable, SyntaxError) as exc:
                self.note(model, f"field {f.name}: blank ({exc})")
            else:
                if blank.text != "False":
                    kwargs["blank"] = blank
        for key, label in (("through", f.through), ("to", f.related_model)):
            raw = f.kwargs.get(key)
            if raw is not None and isinstance(raw.literal, str):
                kwargs[key] = Code(repr(raw.literal))
            elif label:
                kwargs[key] = Code(repr(label))
            else:
                self.note(model, f"field {f.name}: its {key} model cannot be read")
        return FieldState(f.name, full, [], kwargs)

    def relation_target(self, label: str) -> Code:
        if label.lower() == self.module.auth_user_model.lower():
            return Code("settings.AUTH_USER_MODEL", frozenset({"from django.conf import settings"}))
        if "." in label:
            app, name = label.split(".", 1)
            return Code(repr(f"{app}.{name.lower()}"))
        return Code(repr(f"{self.module.app_label}.{label.lower()}"))

    def _contrib_base(self, model: ModelIR, name: str | None) -> bool:
        if name not in CONTRIB_ABSTRACT:
            return False
        return any(b.startswith(f"{_AUTH}.") for b in self._all_model_bases(model))

    def _all_model_bases(self, model: ModelIR) -> list[str]:
        """Dotted paths (or labels) of every ancestor class, nearest first."""
        out: list[str] = []
        todo = list(model.model_bases)
        while todo:
            base = todo.pop(0)
            if base in out:
                continue
            out.append(base)
            local = self._local_model(base)
            if local is not None:
                todo.extend(local.model_bases)
        scope = self.scope(model)
        cls = scope.classes.get(model.name)
        if cls is not None:
            for full, _ in self._ancestors(scope, cls):
                if full not in out:
                    out.append(full)
        return out

    def _resolve_class(
        self, scope: ModuleScope, source: str
    ) -> tuple[ModuleScope, ast.ClassDef, str] | None:
        """The class a base-class expression names, when its source is in the project."""
        parts = source.split(".")
        if len(parts) == 1 and parts[0] in scope.classes and parts[0] not in scope.imports:
            return scope, scope.classes[parts[0]], f"{scope.module}.{parts[0]}"
        q = Resolver(scope).qualify(parts)
        if q is None:
            return None
        full = q[0]
        module, _, name = full.rpartition(".")
        other = scope if module == scope.module else scope.other(module)
        if other is None or name not in other.classes:
            return None
        return other, other.classes[name], full

    def _ancestors(self, scope: ModuleScope, cls: ast.ClassDef, depth: int = 0):
        """(dotted path, resolved class or None) of every ancestor, depth first."""
        if depth > 12:
            return
        for node in cls.bases:
            source = ast.unparse(node)
            resolved = self._resolve_class(scope, source)
            if resolved is not None:
                yield resolved[2], resolved
                yield from self._ancestors(resolved[0], resolved[1], depth + 1)
            else:
                q = Resolver(scope).qualify(source.split("."))
                yield (q[0] if q else source), None

    def _local_model(self, label: str) -> ModelIR | None:
        if self.recorder is not None:
            self.recorder.add("local", label)
        app, _, name = label.rpartition(".")
        for m in self.module.models:
            if m.name == name and (m.app_label == app or not app):
                return m
        return None

    # -- options -------------------------------------------------------------------------

    def options(self, model: ModelIR, resolver: Resolver, scope: ModuleScope) -> dict[str, Any]:
        """Meta options as ``ModelState.from_model`` keeps them: the attributes of the model's
        Meta class (its own, or the one inherited from an abstract base), by Python rules."""
        attrs = self._meta_attrs(model)
        out: dict[str, Any] = {}
        for name in DEFAULT_NAMES:
            if name in ("app_label", "apps") or name not in attrs:
                continue
            if name == "abstract":
                out["abstract"] = Code("False")
                continue
            value, where = attrs[name]
            if isinstance(value, Code):
                out[name] = value
                continue
            res = where or resolver
            try:
                if name in ("unique_together", "index_together"):
                    together = normalize_together(_plain(res.value(value)))
                    if together:
                        out[name] = together
                elif name == "order_with_respect_to":
                    out[name] = res.value(value)
                elif name == "indexes":
                    out[name] = [self.index(model, res, node) for node in _elements(value)]
                elif name == "constraints":
                    out[name] = [self.constraint(res, node) for node in _elements(value)]
                else:
                    out[name] = res.code(value)
            except (Undecidable, SyntaxError) as exc:
                self.note(model, f"Meta.{name} ({exc})")
        out.setdefault("indexes", [])
        out.setdefault("constraints", [])
        return out

    def _meta_attrs(self, model: ModelIR) -> dict[str, tuple[Any, Resolver | None]]:
        """Attribute name → (source node or Code, resolver) of the Meta Django would use: the
        model's own, else the first abstract ancestor's (Python attribute lookup)."""
        scope = self.scope(model)
        cls = scope.classes.get(model.name)
        if cls is None:
            return {}
        own = _meta_of(cls)
        if own is not None:
            return self._collect_meta(own, scope, cls.name, 0)
        for full, resolved in self._ancestors(scope, cls):
            short = full.rsplit(".", 1)[-1]
            if full.startswith(f"{_AUTH}.") and short in CONTRIB_ABSTRACT:
                return {
                    **{k: (v, None) for k, v in CONTRIB_ABSTRACT[short].items()},
                    "abstract": (Code("False"), None),
                }
            if resolved is not None and _is_abstract(resolved[1]):
                meta = _meta_of(resolved[1])
                if meta is not None:
                    return self._collect_meta(meta, resolved[0], resolved[1].name, 0)
        return {}

    def _collect_meta(
        self, meta: ast.ClassDef, scope: ModuleScope, owner: str, depth: int
    ) -> dict[str, tuple[Any, Resolver | None]]:
        attrs: dict[str, tuple[Any, Resolver | None]] = {}
        if depth > 8:
            return attrs
        for base in reversed(meta.bases):
            text = ast.unparse(base)
            if not text.endswith(".Meta"):
                continue
            model_source = text[: -len(".Meta")]
            short = model_source.rsplit(".", 1)[-1]
            resolved = self._resolve_class(scope, model_source)
            if short in CONTRIB_ABSTRACT and (
                resolved is None or resolved[2].startswith(f"{_AUTH}.")
            ):
                attrs.update({k: (v, None) for k, v in CONTRIB_ABSTRACT[short].items()})
                attrs["abstract"] = (Code("False"), None)
                continue
            if resolved is not None:
                inner = _meta_of(resolved[1])
                if inner is not None:
                    attrs.update(
                        self._collect_meta(inner, resolved[0], resolved[1].name, depth + 1)
                    )
        resolver = Resolver(scope, owner=owner)
        for stmt in meta.body:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        attrs[target.id] = (stmt.value, resolver)
            elif (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.value is not None
            ):
                attrs[stmt.target.id] = (stmt.value, resolver)
        return attrs

    def index(self, model: ModelIR, resolver: Resolver, node: ast.expr) -> Code:
        value = resolver.value(node)
        if not isinstance(value, Deconstructed):
            raise Undecidable(f"index {ast.unparse(node)} is not an Index")
        kwargs = dict(value.kwargs)
        if "fields" in kwargs:
            kwargs["fields"] = list(kwargs["fields"])
            if not kwargs["fields"]:
                del kwargs["fields"]
        for key in ("include", "opclasses"):
            if key in kwargs:
                kwargs[key] = tuple(kwargs[key]) if key == "include" else kwargs[key]
                if not kwargs[key]:
                    del kwargs[key]
        for key in ("condition", "db_tablespace"):
            if key in kwargs and kwargs[key] is None:
                del kwargs[key]
        if not kwargs.get("name"):
            if value.args:
                raise Undecidable("an expression index needs a name")
            kwargs["name"] = self.index_name(model, kwargs.get("fields") or [])
        return Deconstructed(value.path, value.args, kwargs).code()

    def index_name(self, model: ModelIR, fields: list[str]) -> str:
        table = _option_str(model.meta.options.get("db_table")) or (
            f"{model.app_label}_{model.name.lower()}"
        )
        columns, ordered = [], []
        for name in fields:
            desc = name.startswith("-")
            fname = name[1:] if desc else name
            f = model.field(fname)
            if f is None:
                raise Undecidable(f"index on unknown field {fname}")
            column = f.kwarg("db_column") or f.attname
            columns.append(column)
            ordered.append(f"-{column}" if desc else column)
        digest = hashlib.md5(usedforsecurity=False)
        for part in [table, *ordered, "idx"]:
            digest.update(part.encode())
        name = f"{table[:11]}_{columns[0][:7]}_{digest.hexdigest()[:6]}_idx"
        if name[0] == "_" or name[0].isdigit():
            name = f"D{name[1:]}"
        return name

    def constraint(self, resolver: Resolver, node: ast.expr) -> Code:
        value = resolver.value(node)
        if not isinstance(value, Deconstructed):
            raise Undecidable(f"constraint {ast.unparse(node)} is not a constraint")
        kwargs = dict(value.kwargs)
        cls = value.path.rsplit(".", 1)[-1]
        if cls == "CheckConstraint" and "check" in kwargs and "condition" not in kwargs:
            kwargs["condition"] = kwargs.pop("check")
        if cls == "UniqueConstraint":
            for key in ("fields", "include", "opclasses"):
                if key in kwargs:
                    kwargs[key] = tuple(kwargs[key])
                    if not kwargs[key]:
                        del kwargs[key]
            for key in ("condition", "deferrable", "nulls_distinct"):
                if key in kwargs and kwargs[key] is None:
                    del kwargs[key]
        if "condition" in kwargs and isinstance(kwargs["condition"], QNode):
            kwargs["condition"] = kwargs["condition"]
        for key in ("violation_error_message", "violation_error_code"):
            if key in kwargs and kwargs[key] is None:
                del kwargs[key]
        return Deconstructed(value.path, value.args, kwargs).code()

    # -- bases and managers ----------------------------------------------------------------

    def bases(self, model: ModelIR, scope: ModuleScope) -> list[Code]:
        """``ModelState.bases``: abstract model bases replaced by their own bases, concrete
        model bases as ``'app.model'``, other classes (mixins) by import path."""
        out: list[Code] = []
        # the model bases the reader resolved, and the concrete parent it found (through an
        # abstract base that inherits it, a get_model() call, a module constant)
        parents = [model.mti_parent or model.proxy_for or ""]
        labels = {b.rsplit(".", 1)[-1]: b for b in [*model.model_bases, *parents] if b}
        unresolved_parent = [p for p in parents if p]

        def add(code: Code) -> None:
            if code.text not in [c.text for c in out]:
                out.append(code)

        def walk(where: ModuleScope, base_nodes: list[ast.expr], depth: int) -> None:
            for node in base_nodes:
                if (
                    isinstance(node, ast.Call)
                    and ast.unparse(node.func).rsplit(".", 1)[-1] == "with_metaclass"
                    and len(node.args) >= 2
                ):
                    # six.with_metaclass(Meta, *bases): the class's bases are ``bases``
                    walk(where, node.args[1:], depth)
                    continue
                source = ast.unparse(node)
                short = source.rsplit(".", 1)[-1]
                resolved = self._resolve_class(where, source)
                q = Resolver(where).qualify(source.split("."))
                full = resolved[2] if resolved else (q[0] if q else source)
                if full in ("django.db.models.Model", "django.db.models.base.Model"):
                    add(Code("models.Model", _MODELS))
                    continue
                if full.startswith(f"{_AUTH}.") and short in CONTRIB_ABSTRACT:
                    add(Code("models.Model", _MODELS))
                    continue
                if resolved is not None and _is_abstract(resolved[1]) and depth < 12:
                    walk(resolved[0], resolved[1].bases, depth + 1)
                    continue
                if short in labels and (resolved is None or _is_model_class(resolved[1])):
                    app, _, name = labels[short].rpartition(".")
                    add(Code(repr(f"{app}.{name.lower()}")))
                    continue
                try:
                    add(Resolver(where).code(source))
                except (Undecidable, SyntaxError):
                    if depth == 0 and len(base_nodes) == 1 and unresolved_parent:
                        # the only base, which the reader followed to the concrete parent
                        app, _, name = unresolved_parent.pop().rpartition(".")
                        add(Code(repr(f"{app}.{name.lower()}")))
                        continue
                    self.note(model, f"base class {source} cannot be resolved")

        cls = scope.classes.get(model.name)
        if cls is not None:
            walk(scope, cls.bases, 0)
        if not out:
            out.append(Code("models.Model", _MODELS))
        return out

    def managers(self, model: ModelIR, scope: ModuleScope) -> list[tuple[str, Code]]:
        cls = scope.classes.get(model.name)
        declared: list[tuple[str, ast.expr]] = []
        if cls is not None:
            for stmt in cls.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                    and stmt.targets[0].id in model.managers
                ):
                    declared.append((stmt.targets[0].id, stmt.value))
        if not declared:
            for base in self._all_model_bases(model):
                short = base.rsplit(".", 1)[-1]
                if base.startswith(f"{_AUTH}.") and short in CONTRIB_MANAGERS:
                    path = CONTRIB_MANAGERS[short]
                    module = path.rsplit(".", 1)[0]
                    return [("objects", Code(f"{path}()", frozenset({f"import {module}"})))]
            return []
        out: list[tuple[str, Code]] = []
        shim = None
        for i, (name, node) in enumerate(declared):
            in_migrations, code = self._manager(model, scope, node)
            if in_migrations and code is not None:
                out.append((name, code))
            elif i == 0:
                shim = (
                    name,
                    Code(
                        "django.db.models.manager.Manager()",
                        frozenset({"import django.db.models.manager"}),
                    ),
                )
                out.append(shim)
        if shim is not None and out == [shim] and shim[0] == "objects":
            return []
        return out

    def _manager(
        self, model: ModelIR, scope: ModuleScope, node: ast.expr
    ) -> tuple[bool, Code | None]:
        if not isinstance(node, ast.Call):
            return False, None
        func = node.func
        if isinstance(func, ast.Call):  # Manager.from_queryset(QS)()
            self.note(model, "manager built with from_queryset()")
            return False, None
        resolver = Resolver(scope)
        parts = dotted_name(func)
        if parts is None:
            return False, None
        q = resolver.qualify(parts.split("."))
        if q is None:
            return False, None
        full, module = q
        if full in ("django.db.models.Manager", "django.db.models.manager.Manager"):
            return False, None
        name = parts.split(".")[-1]
        if full == "django.contrib.auth.models.UserManager" or self._uses_in_migrations(
            scope, name
        ):
            if node.args or node.keywords:
                self.note(model, f"manager {ast.unparse(node)} has arguments")
            return True, Code(f"{full}()", frozenset({f"import {module}"}))
        return False, None

    def _uses_in_migrations(self, scope: ModuleScope, name: str, depth: int = 0) -> bool:
        cls = scope.classes.get(name)
        if cls is None or depth > 5:
            return False
        for stmt in cls.body:
            if (
                isinstance(stmt, ast.Assign)
                and any(
                    isinstance(t, ast.Name) and t.id == "use_in_migrations" for t in stmt.targets
                )
                and isinstance(stmt.value, ast.Constant)
            ):
                return bool(stmt.value.value)
        for base in cls.bases:
            text = ast.unparse(base)
            if text.endswith("UserManager") and not text.endswith("BaseUserManager"):
                return True
            if self._uses_in_migrations(scope, text.rsplit(".", 1)[-1], depth + 1):
                return True
        return False


def _import_root(module: ModuleIR) -> Path | None:
    """The folder ``module.module`` (``shop.models``) is importable from."""
    if not module.path or not module.module:
        return None
    root = Path(module.path)
    if root.name == "__init__.py":
        root = root.parent
    for _ in range(module.module.count(".") + 1):
        root = root.parent
    return root


def _all_choices(module: ModuleIR) -> list[Any]:
    out = []
    for m in module.models:
        out.extend(m.choices)
    return out


def _elements(source: str | ast.expr) -> list[ast.expr]:
    node = ast.parse(source.strip(), mode="eval").body if isinstance(source, str) else source
    if isinstance(node, (ast.List, ast.Tuple)):
        return list(node.elts)
    raise Undecidable(f"{ast.unparse(node)} is not a list")


def _is_abstract(cls: ast.ClassDef) -> bool:
    meta = _meta_of(cls)
    if meta is None:
        return False
    for stmt in meta.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "abstract" for t in stmt.targets)
            and isinstance(stmt.value, ast.Constant)
        ):
            return stmt.value.value is True
    return False


def _is_model_class(cls: ast.ClassDef) -> bool:
    """A class whose bases look like models (not a plain mixin): any base at all but object."""
    return any(ast.unparse(b) not in ("object",) for b in cls.bases)


def _meta_of(cls: ast.ClassDef | None) -> ast.ClassDef | None:
    if cls is None:
        return None
    return next((n for n in cls.body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None)


def _plain(value: Any) -> Any:
    if isinstance(value, Code):
        raise Undecidable(f"{value.text} is not a literal")
    return value


def _option_str(value: Any) -> str | None:
    if value is None:
        return None
    if value.is_literal and isinstance(value.literal, str):
        return value.literal
    return None


def to_code_value(value: Any) -> Code:
    return to_code(value)
