"""Django's ``Field.deconstruct()`` rules, applied to fields held as source text.

Data path: field from a migration file (``loader``) or from the model IR (``current``) →
**deconstruct** (this module: positional arguments named, defaults dropped exactly as each field
class drops them, choices normalised) → ``FieldState`` that compares like Django's
``deep_deconstruct``.
"""

from __future__ import annotations

import ast
from typing import Any

from djgen.generators.migrations.state import Code, FieldState, literal_of

_MISSING: Any = object()

#: Field.deconstruct(): keyword → default, compared with ``is`` (here: same type and value).
_IS_DEFAULTS: dict[str, Any] = {
    "verbose_name": None,
    "primary_key": False,
    "max_length": None,
    "unique": False,
    "blank": False,
    "null": False,
    "db_index": False,
    "editable": True,
    "serialize": True,
    "unique_for_date": None,
    "unique_for_month": None,
    "unique_for_year": None,
    "help_text": "",
    "db_column": None,
    "db_comment": None,
    "db_tablespace": None,
    "auto_created": False,
    "error_messages": None,
}

#: Built-in field classes by family, for the class-specific rules.
AUTO_FIELDS = {"AutoField", "BigAutoField", "SmallAutoField"}
DATE_FIELDS = {"DateField", "DateTimeField", "TimeField"}
FK_FIELDS = {"ForeignKey", "OneToOneField"}
KNOWN_FIELDS = (
    AUTO_FIELDS
    | DATE_FIELDS
    | FK_FIELDS
    | {
        "BigIntegerField",
        "BinaryField",
        "BooleanField",
        "CharField",
        "CommaSeparatedIntegerField",
        "DecimalField",
        "DurationField",
        "EmailField",
        "FileField",
        "FilePathField",
        "FloatField",
        "GeneratedField",
        "GenericIPAddressField",
        "ImageField",
        "IntegerField",
        "IPAddressField",
        "JSONField",
        "ManyToManyField",
        "NullBooleanField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
        "UUIDField",
        "Field",
    }
)

#: Positional parameters after ``self`` of each class's ``__init__``.
_POSITIONAL: dict[str, tuple[str, ...]] = {
    "ForeignKey": ("to", "on_delete", "related_name", "related_query_name", "limit_choices_to"),
    "OneToOneField": ("to", "on_delete", "to_field"),
    "ManyToManyField": ("to", "related_name", "related_query_name", "limit_choices_to"),
    "DecimalField": ("verbose_name", "name", "max_digits", "decimal_places"),
    "FileField": ("verbose_name", "name", "upload_to", "storage"),
    "ImageField": ("verbose_name", "name", "width_field", "height_field"),
    "FilePathField": (
        "verbose_name",
        "name",
        "path",
        "match",
        "recursive",
        "allow_files",
        "allow_folders",
    ),
    "DateField": ("verbose_name", "name", "auto_now", "auto_now_add"),
    "DateTimeField": ("verbose_name", "name", "auto_now", "auto_now_add"),
    "TimeField": ("verbose_name", "name", "auto_now", "auto_now_add"),
    "GenericIPAddressField": ("verbose_name", "name", "protocol", "unpack_ipv4"),
}


def lit(code: Code | None) -> Any:
    """The literal value of a Code, or ``_MISSING``."""
    if code is None:
        return _MISSING
    ok, value = literal_of(code.text)
    return value if ok else _MISSING


def _is(value: Any, default: Any) -> bool:
    return value is not _MISSING and type(value) is type(default) and value == default


def normalize_field(fs: FieldState, family: str | None = None) -> FieldState:
    """Apply ``deconstruct()``: ``family`` is the built-in class the field is (or subclasses)."""
    family = family or fs.class_name
    kwargs = dict(fs.kwargs)
    args = list(fs.args)
    # Positional arguments get their names (built-in classes only).
    if family in KNOWN_FIELDS and args:
        names = _POSITIONAL.get(family, ("verbose_name", "name", "primary_key"))
        for name, value in zip(names, args, strict=False):
            kwargs.setdefault(name, value)
        args = args[len(names) :]
        kwargs.pop("name", None)
    if family not in KNOWN_FIELDS:
        return FieldState(fs.name, fs.path, args, kwargs)
    own_rules = {"db_index"} if family in FK_FIELDS or family == "SlugField" else set()
    if family == "BinaryField":
        own_rules.add("editable")
    for key, default in _IS_DEFAULTS.items():
        if key in kwargs and key not in own_rules and _is(lit(kwargs[key]), default):
            del kwargs[key]
    if "validators" in kwargs:
        kwargs["validators"] = _as_list(kwargs["validators"])
        if lit(kwargs["validators"]) == []:
            del kwargs["validators"]
    if "choices" in kwargs:
        value = lit(kwargs["choices"])
        if value is None:
            del kwargs["choices"]
        elif value is not _MISSING:
            from djgen.generators.migrations.serialize import serialize

            kwargs["choices"] = serialize(normalize_choices(value))

    def drop(key: str, when: Any = _MISSING) -> None:
        if key in kwargs and (when is _MISSING or _is(lit(kwargs[key]), when)):
            del kwargs[key]

    def default_true(key: str) -> None:
        """An option whose default is True: drop it when True (``is not True`` is kept)."""
        drop(key, True)

    if family in AUTO_FIELDS:
        drop("blank")
        kwargs["primary_key"] = Code("True")
    elif family in ("CharField", "TextField", "EmailField", "SlugField", "URLField"):
        drop("db_collation", None)
        drop("db_collation", "")
    if family in DATE_FIELDS:
        for key in ("auto_now", "auto_now_add"):
            drop(key, False)
        if _is(lit(kwargs.get("auto_now")), True) or _is(lit(kwargs.get("auto_now_add")), True):
            drop("editable")
            drop("blank")
    elif family == "DecimalField":
        drop("max_digits", None)
        drop("decimal_places", None)
    elif family == "EmailField":
        kwargs.setdefault("max_length", Code("254"))
    elif family == "SlugField":
        drop("max_length", 50)
        db_index = lit(kwargs.get("db_index"))
        if "db_index" in kwargs and db_index is not False:
            del kwargs["db_index"]
        drop("allow_unicode", False)
    elif family == "URLField":
        drop("max_length", 200)
    elif family == "FilePathField":
        drop("max_length", 100)
        drop("path", "")
        drop("match", None)
        drop("recursive", False)
        drop("allow_files", True)
        drop("allow_folders", False)
    elif family in ("FileField", "ImageField"):
        drop("max_length", 100)
        kwargs.setdefault("upload_to", Code("''"))
        if family == "ImageField":
            drop("width_field", None)
            drop("height_field", None)
            drop("width_field", "")
            drop("height_field", "")
    elif family in ("UUIDField", "IPAddressField"):
        drop("max_length")
    elif family == "GenericIPAddressField":
        drop("max_length")
        drop("protocol", "both")
        drop("unpack_ipv4", False)
    elif family == "BinaryField" and not _is(lit(kwargs.get("editable")), True):
        drop("editable")
    elif family == "JSONField":
        drop("encoder", None)
        drop("decoder", None)
    elif family == "GeneratedField":
        drop("blank")
        drop("editable")
    elif family in FK_FIELDS or family == "ManyToManyField":
        _normalize_relation(kwargs, family)
    return FieldState(fs.name, fs.path, args, kwargs)


def _normalize_relation(kwargs: dict[str, Code], family: str) -> None:
    to = lit(kwargs.get("to"))
    if isinstance(to, str):
        if "." in to:
            app, model = to.split(".", 1)
            kwargs["to"] = Code(repr(f"{app}.{model.lower()}"))
        else:
            kwargs["to"] = Code(repr(to.lower()))
    for key in ("related_name", "related_query_name"):
        if key in kwargs and lit(kwargs[key]) is None:
            del kwargs[key]
    if "limit_choices_to" in kwargs and lit(kwargs["limit_choices_to"]) in (None, {}, [], ()):
        del kwargs["limit_choices_to"]
    if _is(lit(kwargs.get("db_constraint")), True):
        del kwargs["db_constraint"]
    if family == "ManyToManyField":
        if "db_table" in kwargs and lit(kwargs["db_table"]) is None:
            del kwargs["db_table"]
        if "through" in kwargs and lit(kwargs["through"]) is None:
            del kwargs["through"]
        if "through_fields" in kwargs and not lit(kwargs["through_fields"]):
            del kwargs["through_fields"]
        return
    # ForeignKey / OneToOneField: db_index defaults to True.
    db_index = lit(kwargs.get("db_index"))
    if "db_index" in kwargs and db_index is not False:
        del kwargs["db_index"]
    if _is(lit(kwargs.get("parent_link")), False):
        del kwargs["parent_link"]
    if "to_field" in kwargs and lit(kwargs["to_field"]) is None:
        del kwargs["to_field"]
    if family == "OneToOneField":
        kwargs.pop("unique", None)


def _as_list(code: Code) -> Code:
    try:
        node = ast.parse(code.text, mode="eval").body
    except SyntaxError:
        return code
    if isinstance(node, ast.Tuple):
        return Code(ast.unparse(ast.List(elts=node.elts, ctx=ast.Load())), code.imports)
    return code


def normalize_choices(value: Any, depth: int = 0) -> Any:
    """``django.utils.choices.normalize_choices`` for literal values."""
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, dict) and depth < 2:
        value = value.items()
    elif not (
        isinstance(value, (list, tuple))
        and depth < 2
        and not any(isinstance(x, (str, bytes)) for x in value)
    ):
        return value
    try:
        return [(k, normalize_choices(v, depth + 1)) for k, v in value]
    except (TypeError, ValueError):
        return value
