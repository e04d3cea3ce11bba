"""Field facts the API generators share: a model's full field list and what kind each field is.

Data path: models.py → IR → **field facts** (this module) → generator → artifacts → merge → file or
WorkspaceEdit.

``model_fields`` walks multi-table parents (``ModelIR.mti_parent``) and proxies
(``ModelIR.proxy_for``) inside one ``ModuleIR`` so a child's serializer, filter and admin see the
parent's fields too. ``kind`` sorts a field into the families the generators care about (text,
number, date, datetime, boolean, choice, fk, m2m, …) from its ``internal_type``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from djgen.generators.core.ir import FieldIR, ModelIR, ModuleIR

TEXT_TYPES = frozenset(
    {"CharField", "TextField", "EmailField", "SlugField", "URLField", "FilePathField"}
)
INTEGER_TYPES = frozenset(
    {
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)
NUMBER_TYPES = INTEGER_TYPES | {"FloatField", "DecimalField"}
AUTO_TYPES = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})
#: Types django-filter cannot filter usefully (and the admin should not list or filter by).
UNFILTERABLE_TYPES = frozenset({"JSONField", "FileField", "ImageField", "BinaryField"})
#: Field names never exposed, searched or listed (password hashes, tokens, keys).
SECRET_FIELD_NAMES = frozenset(
    {"password", "token", "secret", "api_key", "secret_key", "access_token", "refresh_token"}
)
#: Name endings of secrets (``reset_token``, ``webhook_secret``, ``old_password``).
SECRET_SUFFIXES = ("_token", "_secret", "_password", "_api_key")
#: Boolean flags that grant or moderate (``is_staff``, ``is_published``): read-only in public
#: serializers unless configured writable.
PRIVILEGED_FLAGS = frozenset(
    {
        "staff",
        "superuser",
        "admin",
        "approved",
        "published",
        "verified",
        "moderated",
        "banned",
        "blocked",
        "featured",
        "active",
    }
)


def is_secret(f: FieldIR) -> bool:
    """A password hash, token or key: never in a serializer, filter, search or admin list."""
    return f.name in SECRET_FIELD_NAMES or f.name.endswith(SECRET_SUFFIXES)


def is_personal(f: FieldIR) -> bool:
    """An email address: not in public serializers, search, ordering or filters by default
    (configurable per field); the admin, which only staff see, keeps it."""
    return f.internal_type == "EmailField" or (f.internal_type == "CharField" and "email" in f.name)


def is_privileged_flag(f: FieldIR) -> bool:
    """``is_staff``, ``is_approved``, ``published``, …: a boolean only moderators should set."""
    if f.internal_type not in ("BooleanField", "NullBooleanField"):
        return False
    return f.name.removeprefix("is_") in PRIVILEGED_FLAGS


#: Types that make poor list columns or sort keys.
BULKY_TYPES = frozenset({"TextField", "JSONField", "BinaryField"})


@dataclass
class ModelFields:
    """Everything a generator needs to know about one model's fields."""

    model: ModelIR
    #: The model with the table (itself, or what a proxy stands for); None when not in the module.
    concrete: ModelIR | None
    #: Inherited multi-table parents' fields first, then the model's own, parent links included.
    fields: list[FieldIR] = field(default_factory=list)
    #: False when a parent or proxy target lives outside the module, so ``fields`` is partial.
    complete: bool = True
    #: The primary key to name in code: the root parent's pk for multi-table children.
    pk: FieldIR | None = None

    @property
    def pk_name(self) -> str:
        return self.pk.name if self.pk else "id"

    @property
    def data_fields(self) -> list[FieldIR]:
        """The fields an API or admin shows: no parent links (``id`` stands for a child's
        ``<parent>_ptr``) and no password hashes (``AbstractUser.password``)."""
        return [f for f in self.fields if not f.parent_link and not is_secret(f)]


def _find(module: ModuleIR, label: str | None) -> ModelIR | None:
    if not label:
        return None
    app_label, _, name = label.rpartition(".")
    found = module.model(name)
    if found is not None and (not app_label or found.app_label == app_label):
        return found
    return None


def model_fields(module: ModuleIR, model: ModelIR) -> ModelFields:
    """The fields of ``model`` as Django sees them on the model class (parents included)."""
    complete = True
    concrete: ModelIR | None = model
    seen: set[str] = set()
    while concrete is not None and concrete.proxy:
        seen.add(concrete.name)
        target = _find(module, concrete.proxy_for)
        if target is None:
            # A proxy without a resolved target: inherit from the first model base we know.
            target = next((m for m in (_find(module, b) for b in concrete.model_bases) if m), None)
        if target is None or target.name in seen:
            concrete, complete = None, False
            break
        concrete = target
    if concrete is None:
        own = [f for f in model.fields]
        return ModelFields(model, None, own, False, next((f for f in own if f.primary_key), None))

    chain: list[ModelIR] = [concrete]
    current = concrete
    while current.mti_parent:
        parent = _find(module, current.mti_parent)
        if parent is None or parent in chain:
            complete = False
            break
        chain.append(parent)
        current = parent
    collected: list[FieldIR] = []
    names: set[str] = set()
    for link in reversed(chain):
        for f in link.fields:
            if f.name not in names:
                names.add(f.name)
                collected.append(f)
    root = chain[-1]
    pk = root.pk if complete else concrete.pk
    return ModelFields(model, concrete, collected, complete, pk)


def kind(f: FieldIR) -> str:
    """One of: "pk-auto", "auto", "fk", "o2o", "m2m", "choice", "boolean", "email", "slug",
    "text", "integer", "number", "date", "datetime", "time", "duration", "uuid",
    "unfilterable", "other" ("email": personal, see ``is_personal``; "slug": matched exactly)."""
    t = f.internal_type
    if f.relation == "m2m":
        return "m2m"
    if f.relation in ("fk", "o2o"):
        return f.relation
    if t in AUTO_TYPES:
        return "auto"
    if f.has_kwarg("choices"):
        return "choice"
    if t in ("BooleanField", "NullBooleanField"):
        return "boolean"
    if is_personal(f):
        return "email"
    if t == "SlugField":
        return "slug"
    if t in TEXT_TYPES:
        return "text"
    if t in INTEGER_TYPES:
        return "integer"
    if t in NUMBER_TYPES:
        return "number"
    if t == "DateField":
        return "date"
    if t == "DateTimeField":
        return "datetime"
    if t == "TimeField":
        return "time"
    if t == "DurationField":
        return "duration"
    if t == "UUIDField":
        return "uuid"
    if t in UNFILTERABLE_TYPES:
        return "unfilterable"
    return "other"


def is_auto_timestamp(f: FieldIR) -> bool:
    return bool(f.kwarg("auto_now") or f.kwarg("auto_now_add"))


def is_editable(f: FieldIR) -> bool:
    """``editable`` as passed, else the class's default (False for a BinaryField); a value
    that is not a literal counts as editable."""
    from djgen.generators.reader.django_fields import editable_default

    value = f.kwargs.get("editable")
    if value is None:
        return editable_default(f.internal_type)
    return not value.is_literal or value.literal is not False


def has_through(f: FieldIR) -> bool:
    return f.is_m2m and (bool(f.through) or f.has_kwarg("through"))


def points_to_user(module: ModuleIR, f: FieldIR) -> bool:
    """A relation to the user model (``settings.AUTH_USER_MODEL``, ``get_user_model()``,
    ``auth.User``)."""
    if not f.is_relation:
        return False
    target = (f.related_model or "").lower()
    if target in ("auth.user", module.auth_user_model.lower()):
        return True
    sources = [v.source for v in f.args[:1]] + ([f.kwargs["to"].source] if "to" in f.kwargs else [])
    return any("AUTH_USER_MODEL" in s or "get_user_model" in s for s in sources)


def points_to_self(model: ModelIR, f: FieldIR) -> bool:
    if not f.is_relation:
        return False
    if f.related_model in (model.label, "self"):
        return True
    first = f.args[0].source if f.args else (f.kwargs["to"].source if "to" in f.kwargs else "")
    return first.strip("\"'") == "self"


def same_module_target(module: ModuleIR, f: FieldIR) -> ModelIR | None:
    """The related model when it is defined in the same module."""
    return _find(module, f.related_model)


class UnknownModel(ValueError):
    """A model name asked for that the module does not define."""


def select_models(module: ModuleIR, names: Sequence[str] | None = None) -> list[ModelIR]:
    """The concrete (non-abstract) models to generate for, in module order; ``names`` restricts
    them. Abstract models named explicitly are skipped (they get nothing); unknown names raise
    ``UnknownModel`` with the valid names."""
    if not module.ok:
        return []
    if names is not None:
        known = {m.name for m in module.models}
        missing = [n for n in names if n not in known]
        if missing:
            valid = ", ".join(m.name for m in module.concrete_models) or "none"
            raise UnknownModel(
                f"no model {', '.join(map(repr, missing))} in {module.path}; models: {valid}"
            )
    wanted = set(names) if names is not None else None
    return [m for m in module.concrete_models if wanted is None or m.name in wanted]


def inherited_ordering(module: ModuleIR, model: ModelIR) -> list[str] | None:
    """``Meta.ordering`` as Django applies it: the model's own, else its proxy target's or
    multi-table parent's; None when none is set or it is not a list of plain names."""
    seen: set[str] = set()
    current: ModelIR | None = model
    while current is not None and current.name not in seen:
        seen.add(current.name)
        ordering = current.meta.ordering
        if ordering is not None:
            if isinstance(ordering, (list, tuple)) and all(
                isinstance(item, str) and item and item != "?" for item in ordering
            ):
                return list(ordering)
            return None
        current = _find(module, current.proxy_for or current.mti_parent)
    return None


def app_module_hint(module: ModuleIR) -> str:
    """A guess at the app's dotted module for notes (``catalog``), from the models path."""
    path = Path(module.path) if module.path else None
    if path is None:
        return module.app_label
    folder = path.parent if path.name.endswith(".py") else path
    if folder.name == "models":
        folder = folder.parent
    return folder.name or module.app_label


def cursor_ordering(module: ModuleIR, model: ModelIR) -> list[str] | None:
    """``["-<created>", "-pk"]`` for a model with a non-null ``auto_now_add`` datetime (immutable
    and growing), None otherwise (the shared ``-pk`` cursor fits)."""
    info = model_fields(module, model)
    candidates = [
        f
        for f in info.data_fields
        if kind(f) == "datetime" and f.kwarg("auto_now_add") and not f.kwarg("null")
    ]
    if not candidates:
        return None
    preferred = next((f for f in candidates if f.name in ("created", "created_at")), candidates[0])
    return [f"-{preferred.name}", "-pk"]


def owner_field(module: ModuleIR, model: ModelIR, owner_fields: Mapping[str, str]) -> str | None:
    """The field holding a model's owner: the one named in ``[tool.djgen] owner_fields``, else
    its only foreign key (or one-to-one) to the user model; None when it has no owner (or
    several candidates and none configured)."""
    info = model_fields(module, model)
    configured = owner_fields.get(model.name)
    if configured is not None:
        if not any(f.name == configured for f in info.fields):
            from djgen.generators.core.config import ConfigError

            raise ConfigError(
                f"[tool.djgen] owner_fields: {model.name} has no field {configured!r}"
            )
        return configured
    candidates = [
        f.name
        for f in info.data_fields
        if f.relation in ("fk", "o2o") and not f.parent_link and points_to_user(module, f)
    ]
    return candidates[0] if len(candidates) == 1 else None
