"""Model source expressions → the text Django's migration writer would produce for their values.

Data path: models.py expression (a field kwarg, a Meta option, an index) → **expressions**
(this module: names followed through the module's imports, choices and constants evaluated,
lazy strings made plain, deconstructible calls written with full paths) → ``Code`` → state.

What cannot be known without running the code (a lambda, a call into an unknown library, a
value computed at import time) raises ``Undecidable`` with a reason, never a guess.
"""

from __future__ import annotations

import ast
import datetime
import decimal
import operator
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from djgen.generators.core.ir import NOT_LITERAL, ChoicesIR
from djgen.generators.migrations.deconstruct import KNOWN_FIELDS
from djgen.generators.migrations.serialize import Unserializable, deconstructed, serialize
from djgen.generators.migrations.state import Code
from djgen.generators.reader.choices import choice_members
from djgen.generators.reader.names import dotted_parts

GETTEXT = {
    "gettext",
    "gettext_lazy",
    "ugettext",
    "ugettext_lazy",
    "gettext_noop",
    "ugettext_noop",
}
PGETTEXT = {"pgettext", "pgettext_lazy"}
DELETION = {"CASCADE", "PROTECT", "RESTRICT", "SET_NULL", "SET_DEFAULT", "DO_NOTHING"}
BUILTIN_TYPES = {
    "dict",
    "list",
    "set",
    "tuple",
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "frozenset",
}
#: Deconstructible classes under django.db.models, as their deconstruct() path names them.
MODEL_CLASSES = {
    "Index",
    "UniqueConstraint",
    "CheckConstraint",
    "F",
    "Value",
    "Deferrable",
    "Manager",
}
#: Expression classes re-exported as ``django.db.models.X`` (their deconstruct path).
EXPRESSION_CLASSES = {
    "F",
    "Value",
    "Func",
    "ExpressionWrapper",
    "When",
    "Case",
    "OrderBy",
    "Q",
}
_FUNCTIONS = {
    "comparison": "Cast Coalesce Collate Greatest Least NullIf",
    "datetime": "Extract ExtractYear ExtractIsoYear ExtractMonth ExtractDay ExtractWeek "
    "ExtractWeekDay ExtractIsoWeekDay ExtractQuarter ExtractHour ExtractMinute ExtractSecond "
    "Now Trunc TruncYear TruncQuarter TruncMonth TruncWeek TruncDay TruncDate TruncTime "
    "TruncHour TruncMinute TruncSecond",
    "math": "Abs ACos ASin ATan ATan2 Ceil Cos Cot Degrees Exp Floor Ln Log Mod Pi Power "
    "Radians Random Round Sign Sin Sqrt Tan",
    "text": "Chr ConcatPair Concat Left Length Lower LPad LTrim MD5 Ord Repeat Replace Reverse "
    "Right RPad RTrim SHA1 SHA224 SHA256 SHA384 SHA512 StrIndex Substr Trim Upper",
    "window": "CumeDist DenseRank FirstValue Lag LastValue Lead NthValue Ntile PercentRank "
    "Rank RowNumber",
    "json": "JSONArray JSONObject",
}
#: django.db.models.functions.X → the module that defines it (what deconstruct() reports).
FUNCTION_MODULES = {
    name: f"django.db.models.functions.{module}"
    for module, names in _FUNCTIONS.items()
    for name in names.split()
}
_CONNECTORS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Mod: "%%",
    ast.Pow: "^",
}
#: Class attributes that are plain functions Django writes by path.
CLASS_METHODS = {
    "datetime.date.today",
    "datetime.datetime.now",
    "datetime.datetime.today",
    "datetime.datetime.utcnow",
}
#: Modules whose lowercase names are classes, not submodules (``datetime.date.today``).
CLASS_MODULES = {"datetime": {"date", "datetime", "time", "timedelta", "timezone"}}


class Undecidable(ValueError):
    """The value cannot be known statically."""


@dataclass
class ModuleScope:
    """What a models module's names stand for."""

    module: str  # dotted name of the module ("shop.models")
    imports: dict[str, tuple[str, bool]] = field(default_factory=dict)  # name → (path, is_module)
    constants: dict[str, ast.expr] = field(default_factory=dict)
    functions: set[str] = field(default_factory=set)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    #: Modules star-imported (``from x import *``), in order.
    star_modules: list[str] = field(default_factory=list)
    #: Classes under module-level ``if``/``try`` blocks, by line.
    nested_classes: dict[int, ast.ClassDef] = field(default_factory=dict)
    choices: dict[str, ChoicesIR] = field(default_factory=dict)
    #: (owner model, source) → Code or the Undecidable it raised.
    cache: dict[tuple[str | None, str], Any] = field(default_factory=dict)
    #: The folder the project's modules import from (to read constants of other modules).
    root: Path | None = None
    others: dict[str, ModuleScope | None] = field(default_factory=dict)
    #: The text another module's scope was read from (``other``): what a memoised model state
    #: that consulted this module depends on (``state_memo``).
    source_text: str | None = field(default=None, repr=False, compare=False)

    def other(self, module: str) -> ModuleScope | None:
        """The scope of another module of the project (None when it is not in the project)."""
        if module in self.others:
            return self.others[module]
        scope = None
        if self.root is not None or module.startswith("django.contrib."):
            from djgen.generators.reader.project import find_module_file
            from djgen.generators.reader.site_packages import (
                find_installed_module,
                site_packages,
            )

            path = None
            if self.root is not None and not module.startswith("django."):
                path = find_module_file(module, self.root)
            if path is None and (
                not module.startswith("django.")
                or (
                    module.startswith("django.contrib.")
                    and not module.startswith("django.contrib.auth")
                )
            ):
                # installed packages are read like the project's modules
                path = find_installed_module(module, site_packages(self.root))
            if path is not None:
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    text = None
                if text is not None:
                    scope = ModuleScope.from_source(text, module, None)
                    scope.source_text = text
                    scope.root = self.root
                    scope.others = self.others
        self.others[module] = scope
        return scope

    @classmethod
    def from_source(cls, source: str, module: str, choices: list[ChoicesIR] | None) -> ModuleScope:
        """``choices``: the reader's choices classes; None reads them from ``source`` here."""
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return cls(module)
        return cls.from_tree(tree, module, choices)

    @classmethod
    def from_tree(
        cls, tree: ast.Module, module: str, choices: list[ChoicesIR] | None
    ) -> ModuleScope:
        """``from_source`` on a tree the reader already parsed."""
        scope = cls(module)
        package = module.rsplit(".", 1)[0] if "." in module else ""
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        scope.imports[alias.asname] = (alias.name, True)
                    else:
                        head = alias.name.split(".")[0]
                        scope.imports[head] = (head, True)
            elif (isinstance(node, ast.ImportFrom) and node.module is not None) or (
                isinstance(node, ast.ImportFrom) and node.level
            ):
                base = node.module or ""
                if node.level:
                    parts = module.split(".")
                    prefix = ".".join(parts[: len(parts) - node.level])
                    base = f"{prefix}.{base}".strip(".") if base else prefix
                for alias in node.names:
                    if alias.name == "*":
                        scope.star_modules.append(base)
                        continue
                    scope.imports[alias.asname or alias.name] = (f"{base}.{alias.name}", False)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    scope.constants[target.id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if node.value is not None:
                    scope.constants[node.target.id] = node.value
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scope.functions.add(node.name)
            elif isinstance(node, ast.ClassDef):
                scope.classes[node.name] = node
        del package
        # classes under module-level if/try blocks (models defined conditionally): by line, so
        # the reader's choice of branch picks the class (``_Builder.scope``)
        stack = [n for n in tree.body if isinstance(n, (ast.If, ast.Try))]
        while stack:
            block = stack.pop()
            bodies = [block.body, block.orelse, getattr(block, "finalbody", [])]
            bodies += [h.body for h in getattr(block, "handlers", [])]
            for node in (n for body in bodies for n in body):
                if isinstance(node, ast.ClassDef):
                    scope.nested_classes[node.lineno] = node
                elif isinstance(node, (ast.If, ast.Try)):
                    stack.append(node)
        if choices is None:
            choices = [c for c in map(_choices_class, scope.classes.values()) if c is not None]
        for ch in choices:
            key = f"{ch.owner}.{ch.name}" if ch.owner else ch.name
            scope.choices[key] = ch
            scope.choices.setdefault(ch.name, ch)
        return scope


_CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}


def _choices_class(cls: ast.ClassDef) -> ChoicesIR | None:
    """A ``TextChoices`` / ``IntegerChoices`` class read from source (labels as Django derives
    them); None when it is not one or a member or label is not literal."""
    bases = {ast.unparse(b).rsplit(".", 1)[-1] for b in cls.bases}
    if not bases & _CHOICES_BASES:
        return None
    kind = next(iter(bases & _CHOICES_BASES))
    try:
        members = choice_members(cls, kind, _literal_label, lambda func: False)
    except ValueError:
        return None
    if any(m.value is NOT_LITERAL for m in members):
        return None
    return ChoicesIR(cls.name, kind, members, None)


def _literal_label(node: ast.expr) -> str:
    """A label written as a string or a gettext call with a string; ``ValueError`` otherwise."""
    if isinstance(node, ast.Call) and node.args:
        node = node.args[-1]
    return str(ast.literal_eval(node))


class Resolver:
    """Evaluates expressions of one models module the way Django would deconstruct them."""

    def __init__(self, scope: ModuleScope, owner: str | None = None):
        self.scope = scope
        self.owner = owner  # the model class the expression sits in (for inner choices)
        self._depth = 0

    # -- names ---------------------------------------------------------------------------

    def qualify(self, parts: list[str]) -> tuple[str, str] | None:
        """(full dotted path, module to import) for an imported name chain, or None."""
        head = parts[0]
        if head not in self.scope.imports:
            if head in self.scope.functions or head in self.scope.classes:
                return ".".join([self.scope.module, *parts]), self.scope.module
            for star in reversed(self.scope.star_modules):  # the last import * binding it
                other = self.scope.other(star)
                if other is None or other is self.scope:
                    continue
                if head in other.classes or head in other.functions or head in other.constants:
                    return ".".join([star, *parts]), star
                if head in other.imports:
                    return Resolver(other).qualify(parts)
            return None
        path, is_module = self.scope.imports[head]
        rest = parts[1:]
        if is_module:
            full = ".".join([path, *rest])
            module_parts = [path]
            for i, part in enumerate(rest[:-1]):
                if part[:1].isupper() or part in CLASS_MODULES.get(".".join(module_parts), ()):
                    break
                module_parts.append(rest[i])
            module = ".".join(module_parts) if rest else path.rsplit(".", 1)[0]
            return full, module
        module, name = path.rsplit(".", 1)
        full = ".".join([path, *rest])
        if rest and not name[:1].isupper() and name not in CLASS_MODULES.get(module, ()):
            return full, path
        return full, module

    def path_of(self, node: ast.AST) -> str | None:
        parts = dotted_parts(node)
        if parts is None:
            return None
        q = self.qualify(parts)
        return q[0] if q else ".".join(parts)

    # -- evaluation ----------------------------------------------------------------------

    def code(self, source: str | ast.AST) -> Code:
        if isinstance(source, str):
            key = (self.owner, source)
            cached = self.scope.cache.get(key)
            if cached is None:
                try:
                    cached = self._code(ast.parse(source.strip(), mode="eval").body)
                except (Undecidable, SyntaxError) as exc:
                    cached = exc
                self.scope.cache[key] = cached
            if isinstance(cached, Exception):
                raise cached
            return cached
        return self._code(source)

    def value(self, source: str | ast.AST) -> Any:
        """A plain Python value, or Code when the value only exists as an expression."""
        node = ast.parse(source.strip(), mode="eval").body if isinstance(source, str) else source
        return self._value(node)

    def _code(self, node: ast.AST) -> Code:
        return to_code(self._value(node))

    def _value(self, node: ast.AST) -> Any:
        self._depth += 1
        try:
            if self._depth > 30:
                raise Undecidable("expression too deep")
            return self._eval(node)
        finally:
            self._depth -= 1

    def _eval(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = [self._value(e) for e in node.elts]
            if isinstance(node, ast.List):
                return items
            if isinstance(node, ast.Tuple):
                return tuple(items)
            return _Set(items)
        if isinstance(node, ast.Dict):
            out = {}
            for k, v in zip(node.keys, node.values, strict=False):
                if k is None:
                    raise Undecidable("dict unpacking")
                out[self._value(k)] = self._value(v)
            return out
        if isinstance(node, ast.UnaryOp):
            operand = self._value(node.operand)
            ops = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
            if type(node.op) in ops and not isinstance(operand, Code):
                return ops[type(node.op)](operand)
            if isinstance(node.op, ast.Invert) and isinstance(operand, QNode):
                return operand.invert()
            raise Undecidable(f"cannot evaluate {ast.unparse(node)}")
        if isinstance(node, ast.BinOp):
            left, right = self._value(node.left), self._value(node.right)
            if isinstance(left, QNode) and isinstance(right, QNode):
                if isinstance(node.op, ast.BitAnd):
                    return left.combine(right, "AND")
                if isinstance(node.op, ast.BitOr):
                    return left.combine(right, "OR")
                if isinstance(node.op, ast.BitXor):
                    return left.combine(right, "XOR")
            if (isinstance(left, Deconstructed) or isinstance(right, Deconstructed)) and type(
                node.op
            ) in _CONNECTORS:
                return Deconstructed(
                    "django.db.models.expressions.CombinedExpression",
                    [_as_expression(left), _CONNECTORS[type(node.op)], _as_expression(right)],
                    {},
                )
            ops = {
                ast.Add: operator.add,
                ast.Sub: operator.sub,
                ast.Mult: operator.mul,
                ast.Div: operator.truediv,
                ast.FloorDiv: operator.floordiv,
                ast.Mod: operator.mod,
                ast.Pow: operator.pow,
            }
            if (
                type(node.op) in ops
                and isinstance(left, (int, float, str, decimal.Decimal, datetime.timedelta))
                and isinstance(right, (int, float, str, decimal.Decimal, datetime.timedelta))
            ):
                try:
                    return ops[type(node.op)](left, right)
                except Exception as exc:
                    raise Undecidable(f"cannot evaluate {ast.unparse(node)}") from exc
            raise Undecidable(f"cannot evaluate {ast.unparse(node)}")
        if isinstance(node, ast.Lambda):
            raise Undecidable("a lambda cannot be written into a migration")
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self._name(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.JoinedStr):
            raise Undecidable(f"f-string {ast.unparse(node)} is computed at import time")
        raise Undecidable(f"cannot evaluate {ast.unparse(node)}")

    def _choices(self, name: str) -> ChoicesIR | None:
        if self.owner and f"{self.owner}.{name}" in self.scope.choices:
            return self.scope.choices[f"{self.owner}.{name}"]
        return self.scope.choices.get(name)

    def _name(self, node: ast.AST) -> Any:
        parts = dotted_parts(node)
        if parts is None:
            raise Undecidable(f"cannot evaluate {ast.unparse(node)}")
        # Choices classes: Status.choices, Status.DRAFT(.value/.label), Model.Status.X
        for split in (2, 1):
            ch = self._choices(".".join(parts[:split])) if len(parts) > split else None
            if ch is not None:
                return self._choice_attr(ch, parts[split:])
        ch = self._choices(".".join(parts))
        if ch is not None:  # choices=Status (Django 5: the class itself)
            return [(m.value, m.label) for m in ch.members]
        if len(parts) == 1:
            name = parts[0]
            if name in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[name]
            if name in self.scope.constants and name not in self.scope.imports:
                return self._value(self.scope.constants[name])
            if name in BUILTIN_TYPES and name not in self.scope.imports:
                return Code(name)
        q = self.qualify(parts)
        if q is None:
            if parts[0] == "settings":
                raise Undecidable(f"{'.'.join(parts)} comes from settings")
            raise Undecidable(f"{'.'.join(parts)} is not defined statically")
        full, module = q
        normalized = full
        for prefix in ("django.db.models.deletion.", "django.db.models."):
            if full.startswith(prefix) and full[len(prefix) :] in DELETION:
                return Code(
                    f"django.db.models.deletion.{full[len(prefix) :]}",
                    frozenset({"import django.db.models.deletion"}),
                )
        if full == "django.conf.settings.AUTH_USER_MODEL":
            return Code("settings.AUTH_USER_MODEL", frozenset({"from django.conf import settings"}))
        if full.startswith("django.conf.settings."):
            raise Undecidable(f"{full[12:]} comes from settings")
        rest = full[len(module) + 1 :].split(".") if full.startswith(module + ".") else []
        other = self.scope.other(module) if module != self.scope.module else None
        if other is not None and rest:
            # A name from another module of the project: its value when it is a constant,
            # its choices, or a reference when it is a function or class defined there.
            head = rest[0]
            ch = other.choices.get(".".join(rest[:2])) or other.choices.get(head)
            if ch is not None:
                tail = rest[2:] if other.choices.get(".".join(rest[:2])) else rest[1:]
                if not tail:
                    return [(m.value, m.label) for m in ch.members]
                return self._choice_attr(ch, tail)
            if head in other.constants and len(rest) == 1:
                return Resolver(other)._value(other.constants[head])
            if (head in other.functions or head in other.classes) and len(rest) == 1:
                return Code(normalized, frozenset({f"import {module}"}))
            raise Undecidable(f"{full} is computed when {module} is imported")
        if len(rest) > 1 and rest[0][:1].isupper() and full not in CLASS_METHODS:
            raise Undecidable(f"{full} is an attribute computed at import time")
        if rest and rest[-1].isupper() and len(rest[-1]) > 1:
            raise Undecidable(f"{full} is a constant of another library")
        return Code(normalized, frozenset({f"import {module}"}))

    def _choice_attr(self, ch: ChoicesIR, rest: list[str]) -> Any:
        if rest == ["choices"]:
            return [(m.value, m.label) for m in ch.members]
        member = next((m for m in ch.members if m.name == rest[0]), None)
        if member is None:
            raise Undecidable(f"{ch.name}.{'.'.join(rest)} is not a member")
        if len(rest) == 1 or rest[1:] == ["value"]:
            return member.value
        if rest[1:] == ["label"]:
            return member.label
        raise Undecidable(f"{ch.name}.{'.'.join(rest)} cannot be evaluated")

    def _call(self, node: ast.Call) -> Any:
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in ("asc", "desc")
            and not node.args
        ):
            target = self._value(node.func.value)
            if isinstance(target, Deconstructed):
                kwargs = {kw.arg: self._value(kw.value) for kw in node.keywords if kw.arg}
                if node.func.attr == "desc":
                    kwargs = {"descending": True, **kwargs}
                return Deconstructed("django.db.models.OrderBy", [target], kwargs)
        parts = dotted_parts(node.func)
        if parts is None:
            raise Undecidable(f"cannot evaluate {ast.unparse(node)}")
        q = self.qualify(parts)
        full = q[0] if q else ".".join(parts)
        name = parts[-1]
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            kw.arg is None for kw in node.keywords
        ):
            raise Undecidable(f"cannot evaluate {ast.unparse(node)}")
        if name in GETTEXT or full.rsplit(".", 1)[-1] in GETTEXT:
            return self._string_arg(node, 0)
        if name in PGETTEXT or full.rsplit(".", 1)[-1] in PGETTEXT:
            return self._string_arg(node, 1)
        args = [self._value(a) for a in node.args]
        kwargs = {kw.arg: self._value(kw.value) for kw in node.keywords if kw.arg}
        plain = all(not isinstance(v, (Code, QNode)) for v in [*args, *kwargs.values()])
        if full in ("decimal.Decimal",) and plain:
            return decimal.Decimal(*args)
        if full in ("datetime.date", "datetime.datetime", "datetime.time", "datetime.timedelta"):
            if plain and not kwargs.get("tzinfo"):
                return getattr(datetime, full.split(".")[1])(*args, **kwargs)
            raise Undecidable(f"{ast.unparse(node)} is computed at import time")
        if full == "uuid.UUID" and plain:
            return uuid.UUID(*args, **kwargs)
        if full in ("django.db.models.Q", "django.db.models.query_utils.Q"):
            return QNode.from_call(args, kwargs)
        cls_name = full.rsplit(".", 1)[-1]
        if (
            full.startswith("django.db.models.functions.")
            or (full.startswith("django.db.models.") and full.count(".") == 3)
        ) and cls_name in FUNCTION_MODULES:
            return Deconstructed(f"{FUNCTION_MODULES[cls_name]}.{cls_name}", args, kwargs)
        if full.startswith("django.db.models.") and full.count(".") == 3:
            cls = full.rsplit(".", 1)[1]
            if cls in KNOWN_FIELDS:  # output_field=models.IntegerField()
                from djgen.generators.migrations.deconstruct import normalize_field
                from djgen.generators.migrations.state import FieldState

                fs = normalize_field(
                    FieldState(
                        "",
                        f"django.db.models.{cls}",
                        [to_code(a) for a in args],
                        {k: to_code(v) for k, v in kwargs.items()},
                    )
                )
                return deconstructed(fs.path, list(fs.args), dict(fs.kwargs))
            if cls in ("SET",):
                return deconstructed("django.db.models.SET", args, {})
            if (
                cls in MODEL_CLASSES
                or cls in EXPRESSION_CLASSES
                or cls.endswith(("Constraint", "Index"))
            ):
                return Deconstructed(f"django.db.models.{cls}", args, kwargs)
        if full.startswith("django.core.validators."):
            return Deconstructed(full, args, kwargs)
        if full.startswith("django.contrib.auth.validators."):
            return Deconstructed(full, args, kwargs)
        if q is not None and q[1] == self.scope.module:
            raise Undecidable(f"{ast.unparse(node)} calls project code at import time")
        raise Undecidable(f"{ast.unparse(node)}: {full} is not known to djgen")

    def _string_arg(self, node: ast.Call, index: int) -> Any:
        if len(node.args) <= index:
            raise Undecidable(f"cannot evaluate {ast.unparse(node)}")
        value = self._value(node.args[index])
        if not isinstance(value, str):
            raise Undecidable(f"cannot evaluate {ast.unparse(node)}")
        return value


def _as_expression(value: Any) -> Any:
    """What ``Combinable._combine`` does to a plain operand: wrap it in ``Value``."""
    if isinstance(value, (Deconstructed, QNode)):
        return value
    return Deconstructed("django.db.models.Value", [value], {})


class _Set(list):
    """A set display whose items may be Code (serialized sorted by repr, like Django)."""


@dataclass
class Deconstructed:
    """A deconstructible object: path, positional args, keyword args (values, not text)."""

    path: str
    args: list[Any]
    kwargs: dict[str, Any]

    def code(self) -> Code:
        return deconstructed(
            self.path,
            [to_serializable(a) for a in self.args],
            {k: to_serializable(v) for k, v in self.kwargs.items()},
        )


@dataclass
class QNode:
    """``django.db.models.Q`` as a tree (children, connector, negated)."""

    children: list[Any]
    connector: str = "AND"
    negated: bool = False

    @classmethod
    def from_call(cls, args: list[Any], kwargs: dict[str, Any]) -> QNode:
        connector = kwargs.pop("_connector", None) or "AND"
        negated = bool(kwargs.pop("_negated", False))
        return cls([*args, *sorted(kwargs.items())], connector, negated)

    def copy(self) -> QNode:
        return QNode(list(self.children), self.connector, self.negated)

    def invert(self) -> QNode:
        obj = self.copy()
        obj.negated = not obj.negated
        return obj

    def _add(self, data: Any, conn: str) -> None:
        if self.connector != conn:
            obj = self.copy()
            self.connector = conn
            self.children = [obj, data]
        elif (
            isinstance(data, QNode)
            and not data.negated
            and (data.connector == conn or len(data.children) == 1)
        ):
            self.children.extend(data.children)
        else:
            self.children.append(data)

    def combine(self, other: QNode, conn: str) -> QNode:
        if not other.children:
            return self.copy()
        if not self.children:
            return other.copy()
        obj = QNode([], conn)
        obj._add(self, conn)
        obj._add(other, conn)
        return obj

    def code(self) -> Code:
        kwargs: dict[str, Any] = {}
        if self.connector != "AND":
            kwargs["_connector"] = self.connector
        if self.negated:
            kwargs["_negated"] = True
        return deconstructed(
            "django.db.models.Q", [to_serializable(c) for c in self.children], kwargs
        )


def to_serializable(value: Any) -> Any:
    """Replace Deconstructed / QNode / _Set inside a value with Code, recursively."""
    if isinstance(value, (Deconstructed, QNode)):
        return value.code()
    if isinstance(value, _Set):
        return {to_serializable(v) if not isinstance(v, Code) else v for v in value}
    if isinstance(value, list):
        return [to_serializable(v) for v in value]
    if isinstance(value, tuple):
        return tuple(to_serializable(v) for v in value)
    if isinstance(value, dict):
        return {k: to_serializable(v) for k, v in value.items()}
    return value


def to_code(value: Any) -> Code:
    try:
        return serialize(to_serializable(value))
    except (Unserializable, TypeError) as exc:
        raise Undecidable(str(exc)) from exc
