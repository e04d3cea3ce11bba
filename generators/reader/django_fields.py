"""What the reader knows about Django's own field classes, without importing Django.

Data path: models.py → **reader** (this table classifies field calls) → IR → generators.

Each built-in field class maps to the built-in class it derives from (for subclasses like
``EmailField``), its relation kind and the names of its positional parameters, so that
``models.ForeignKey("Author", models.CASCADE)`` reads the same as the keyword form.
"""

from __future__ import annotations

from dataclasses import dataclass

_FIELD_PARAMS = (
    "verbose_name",
    "name",
    "primary_key",
    "max_length",
    "unique",
    "blank",
    "null",
    "db_index",
    "rel",
    "default",
    "editable",
    "serialize",
    "unique_for_date",
    "unique_for_month",
    "unique_for_year",
    "choices",
    "help_text",
    "db_column",
    "db_tablespace",
    "auto_created",
    "validators",
    "error_messages",
    "db_comment",
    "db_default",
)


@dataclass(frozen=True)
class FieldKind:
    """One built-in field class: the class it derives from, relation kind, positional params."""

    name: str
    parent: str | None
    relation: str | None = None  # "fk", "o2o", "m2m"
    params: tuple[str, ...] = _FIELD_PARAMS
    private: bool = False  # GenericForeignKey / GenericRelation: not in local_fields


#: Built-in classes whose ``__init__`` defaults ``editable`` to False
#: (``kwargs.setdefault("editable", False)``): a BinaryField is editable only when models.py
#: says ``editable=True``; a GeneratedField never is; OrderWrt is Django's own ``_order``.
NOT_EDITABLE_BY_DEFAULT = frozenset({"BinaryField", "GeneratedField", "OrderWrt"})


def editable_default(internal_type: str | None) -> bool:
    """``editable`` of a field of this built-in class (or a subclass) when models.py does not
    pass it."""
    return internal_type not in NOT_EDITABLE_BY_DEFAULT


def _kinds(*items: FieldKind) -> dict[str, FieldKind]:
    return {k.name: k for k in items}


_VN = ("verbose_name", "name")

BUILTIN_FIELDS: dict[str, FieldKind] = _kinds(
    FieldKind("Field", None),
    FieldKind("AutoField", "IntegerField"),
    FieldKind("BigAutoField", "BigIntegerField"),
    FieldKind("SmallAutoField", "SmallIntegerField"),
    FieldKind("BooleanField", "Field"),
    FieldKind("NullBooleanField", "BooleanField"),
    FieldKind("CharField", "Field"),
    FieldKind("CommaSeparatedIntegerField", "CharField"),
    FieldKind("EmailField", "CharField"),
    FieldKind("SlugField", "CharField"),
    FieldKind("URLField", "CharField", params=_VN),
    FieldKind("TextField", "Field"),
    FieldKind("DateField", "Field", params=(*_VN, "auto_now", "auto_now_add")),
    FieldKind("DateTimeField", "DateField", params=(*_VN, "auto_now", "auto_now_add")),
    FieldKind("TimeField", "Field", params=(*_VN, "auto_now", "auto_now_add")),
    FieldKind("DurationField", "Field"),
    FieldKind("DecimalField", "Field", params=(*_VN, "max_digits", "decimal_places")),
    FieldKind("FloatField", "Field"),
    FieldKind("IntegerField", "Field"),
    FieldKind("BigIntegerField", "IntegerField"),
    FieldKind("SmallIntegerField", "IntegerField"),
    FieldKind("PositiveIntegerField", "IntegerField"),
    FieldKind("PositiveBigIntegerField", "IntegerField"),
    FieldKind("PositiveSmallIntegerField", "IntegerField"),
    FieldKind("IPAddressField", "Field"),
    FieldKind("GenericIPAddressField", "Field", params=(*_VN, "protocol", "unpack_ipv4")),
    FieldKind(
        "FilePathField",
        "Field",
        params=(*_VN, "path", "match", "recursive", "allow_files", "allow_folders"),
    ),
    FieldKind("BinaryField", "Field"),
    FieldKind("UUIDField", "Field", params=("verbose_name",)),
    FieldKind("JSONField", "Field", params=(*_VN, "encoder", "decoder")),
    FieldKind("GeneratedField", "Field", params=()),
    # Django 5.2: positional arguments are field names; ``pk = CompositePrimaryKey("a", "b")``
    FieldKind("CompositePrimaryKey", "Field", params=()),
    # the ``_order`` field Meta.order_with_respect_to adds (never written in models.py)
    FieldKind("OrderWrt", "IntegerField", params=()),
    FieldKind("FileField", "Field", params=(*_VN, "upload_to", "storage")),
    FieldKind("ImageField", "FileField", params=(*_VN, "width_field", "height_field")),
    FieldKind(
        "ForeignKey",
        "ForeignObject",
        relation="fk",
        params=(
            "to",
            "on_delete",
            "related_name",
            "related_query_name",
            "limit_choices_to",
            "parent_link",
            "to_field",
            "db_constraint",
        ),
    ),
    FieldKind(
        "OneToOneField",
        "ForeignKey",
        relation="o2o",
        params=("to", "on_delete", "to_field"),
    ),
    FieldKind(
        "ManyToManyField",
        "RelatedField",
        relation="m2m",
        params=(
            "to",
            "related_name",
            "related_query_name",
            "limit_choices_to",
            "symmetrical",
            "through",
            "through_fields",
            "db_constraint",
            "db_table",
            "swappable",
        ),
    ),
    FieldKind(
        "ForeignObject",
        "RelatedField",
        relation="fk",
        params=("to", "on_delete", "from_fields", "to_fields", "rel", "related_name"),
    ),
    FieldKind("RelatedField", "Field"),
    # django.contrib.postgres
    FieldKind("ArrayField", "Field", params=("base_field", "size")),
    FieldKind("HStoreField", "Field"),
    FieldKind("IntegerRangeField", "Field"),
    FieldKind("BigIntegerRangeField", "Field"),
    FieldKind("DecimalRangeField", "Field"),
    FieldKind("DateTimeRangeField", "Field"),
    FieldKind("DateRangeField", "Field"),
    FieldKind("CICharField", "CharField"),
    FieldKind("CIEmailField", "EmailField"),
    FieldKind("CITextField", "TextField"),
    # django.contrib.contenttypes: private fields, not in _meta.local_fields
    FieldKind(
        "GenericForeignKey",
        None,
        params=("ct_field", "fk_field", "for_concrete_model"),
        private=True,
    ),
    FieldKind(
        "GenericRelation",
        None,
        relation="m2m",
        params=("to", "object_id_field", "content_type_field", "for_concrete_model"),
        private=True,
    ),
)

#: Modules whose public names are the built-in field classes above.
FIELD_MODULES = (
    "django.db.models",
    "django.db.models.fields",
    "django.db.models.fields.related",
    "django.db.models.fields.files",
    "django.db.models.fields.json",
    "django.db.models.fields.generated",
    "django.contrib.postgres.fields",
    "django.contrib.postgres.fields.array",
    "django.contrib.postgres.fields.hstore",
    "django.contrib.postgres.fields.ranges",
    "django.contrib.postgres.fields.citext",
    "django.contrib.contenttypes.fields",
)

#: The other public names of ``django.db.models`` (Django 5.2): a class attribute made from one
#: of these is not a field; any other ``models.X(...)`` is (a typo such as ``CharFeild``).
DJANGO_MODELS_OTHER_NAMES = frozenset(
    [
        "Aggregate",
        "Avg",
        "BLANK_CHOICE_DASH",
        "BaseConstraint",
        "CASCADE",
        "Case",
        "CheckConstraint",
        "Choices",
        "Count",
        "DEFERRED",
        "DO_NOTHING",
        "Deferrable",
        "Empty",
        "Exists",
        "Expression",
        "ExpressionList",
        "ExpressionWrapper",
        "F",
        "FilteredRelation",
        "ForeignObjectRel",
        "Func",
        "Index",
        "IntegerChoices",
        "Lookup",
        "Manager",
        "ManyToManyRel",
        "ManyToOneRel",
        "Max",
        "Min",
        "Model",
        "NOT_PROVIDED",
        "ObjectDoesNotExist",
        "OneToOneRel",
        "OrderBy",
        "OuterRef",
        "PROTECT",
        "Prefetch",
        "ProtectedError",
        "Q",
        "QuerySet",
        "RESTRICT",
        "RestrictedError",
        "RowRange",
        "SET",
        "SET_DEFAULT",
        "SET_NULL",
        "StdDev",
        "Subquery",
        "Sum",
        "TextChoices",
        "Transform",
        "UniqueConstraint",
        "Value",
        "ValueRange",
        "Variance",
        "When",
        "Window",
        "WindowFrame",
        "WindowFrameExclusion",
        "aggregates",
        "base",
        "constants",
        "constraints",
        "deletion",
        "enums",
        "expressions",
        "fields",
        "functions",
        "indexes",
        "lookups",
        "manager",
        "options",
        "prefetch_related_objects",
        "query",
        "query_utils",
        "signals",
        "sql",
        "utils",
    ]
)

#: Field classes of installed libraries that are relations although their class derives from
#: ``RelatedField`` only and sets its target in ``__init__``/``contribute_to_class``: dotted
#: class path → (relation kind, name of the through model's field that points at the target,
#: the default through model as the library's ``__init__`` names it when djgen cannot read it).
#: The class itself is still read from the installed source (site_packages); this says what
#: its ``__init__`` does with ``through``/``to``.
LIBRARY_RELATIONS: dict[str, tuple[str, str, str]] = {
    "taggit.managers.TaggableManager": ("m2m", "tag", "taggit.TaggedItem"),
}

MODEL_BASES = ("django.db.models.Model", "django.db.models.base.Model")
CHOICES_BASES = {
    "django.db.models.TextChoices": "TextChoices",
    "django.db.models.IntegerChoices": "IntegerChoices",
    "django.db.models.Choices": "Choices",
    "django.db.models.enums.TextChoices": "TextChoices",
    "django.db.models.enums.IntegerChoices": "IntegerChoices",
    "django.db.models.enums.Choices": "Choices",
}
MANAGER_CLASSES = (
    "django.db.models.Manager",
    "django.db.models.manager.Manager",
    "django.contrib.auth.models.UserManager",
    "django.contrib.auth.base_user.BaseUserManager",
)
AUTO_FIELDS = ("AutoField", "BigAutoField", "SmallAutoField")

#: Models Django itself ships, by dotted class path → label.
CONTRIB_MODELS = {
    "django.contrib.auth.models.User": "auth.User",
    "django.contrib.auth.models.Group": "auth.Group",
    "django.contrib.auth.models.Permission": "auth.Permission",
    "django.contrib.contenttypes.models.ContentType": "contenttypes.ContentType",
    "django.contrib.sites.models.Site": "sites.Site",
    "django.contrib.flatpages.models.FlatPage": "flatpages.FlatPage",
    "django.contrib.redirects.models.Redirect": "redirects.Redirect",
    "django.contrib.sessions.models.Session": "sessions.Session",
    "django.contrib.admin.models.LogEntry": "admin.LogEntry",
}

#: Abstract models Django ships, flattened: the fields each contributes, in Django's creation
#: order, as (name, class, relation target label or None, keyword arguments as source text).
ContribField = tuple[str, str, "str | None", dict[str, str]]
_BASE_USER: tuple[ContribField, ...] = (
    ("password", "CharField", None, {"verbose_name": '"password"', "max_length": "128"}),
    (
        "last_login",
        "DateTimeField",
        None,
        {"verbose_name": '"last login"', "blank": "True", "null": "True"},
    ),
)
_PERMISSIONS_MIXIN: tuple[ContribField, ...] = (
    (
        "is_superuser",
        "BooleanField",
        None,
        {"verbose_name": '"superuser status"', "default": "False"},
    ),
    (
        "groups",
        "ManyToManyField",
        "auth.Group",
        {
            "verbose_name": '"groups"',
            "blank": "True",
            "related_name": '"user_set"',
            "related_query_name": '"user"',
        },
    ),
    (
        "user_permissions",
        "ManyToManyField",
        "auth.Permission",
        {
            "verbose_name": '"user permissions"',
            "blank": "True",
            "related_name": '"user_set"',
            "related_query_name": '"user"',
        },
    ),
)
_ABSTRACT_USER: tuple[ContribField, ...] = (
    (
        "username",
        "CharField",
        None,
        {"verbose_name": '"username"', "max_length": "150", "unique": "True"},
    ),
    (
        "first_name",
        "CharField",
        None,
        {"verbose_name": '"first name"', "max_length": "150", "blank": "True"},
    ),
    (
        "last_name",
        "CharField",
        None,
        {"verbose_name": '"last name"', "max_length": "150", "blank": "True"},
    ),
    (
        "email",
        "EmailField",
        None,
        {"verbose_name": '"email address"', "max_length": "254", "blank": "True"},
    ),
    ("is_staff", "BooleanField", None, {"verbose_name": '"staff status"', "default": "False"}),
    ("is_active", "BooleanField", None, {"verbose_name": '"active"', "default": "True"}),
    (
        "date_joined",
        "DateTimeField",
        None,
        {"verbose_name": '"date joined"', "default": "django.utils.timezone.now"},
    ),
)
CONTRIB_ABSTRACT_MODELS: dict[str, tuple[ContribField, ...]] = {
    "django.contrib.auth.base_user.AbstractBaseUser": _BASE_USER,
    "django.contrib.auth.models.AbstractBaseUser": _BASE_USER,
    "django.contrib.auth.models.PermissionsMixin": _PERMISSIONS_MIXIN,
    "django.contrib.auth.models.AbstractUser": _BASE_USER + _PERMISSIONS_MIXIN + _ABSTRACT_USER,
}


def builtin(name: str) -> FieldKind | None:
    return BUILTIN_FIELDS.get(name)


def builtin_ancestor(name: str) -> str | None:
    """The built-in class itself, for a built-in name; None otherwise."""
    return name if name in BUILTIN_FIELDS else None


def relation_of(name: str) -> str | None:
    kind = BUILTIN_FIELDS.get(name)
    return kind.relation if kind else None


def is_builtin_path(dotted: str) -> str | None:
    """``django.db.models.CharField`` → ``CharField``; None when not a built-in field path."""
    module, _, name = dotted.rpartition(".")
    if module in FIELD_MODULES and name in BUILTIN_FIELDS:
        return name
    return None
