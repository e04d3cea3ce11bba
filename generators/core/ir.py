"""The model IR: what the reader makes of a models module, and what every generator reads.

Data path: models.py → **IR** (this module, built by ``djgen.generators.reader``) → generator →
artifacts → merge → file or WorkspaceEdit.

Everything here is plain data (dataclasses), cheap to build, compare and serialise. Lines are
1-based and columns 0-based, as ``ast`` reports them; the language server converts to LSP
positions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

RelationKind = Literal["fk", "o2o", "m2m"]

#: Marker for values the reader could not turn into a Python literal.
NOT_LITERAL: Any = type("NotLiteral", (), {"__repr__": lambda self: "<not literal>"})()


@dataclass(frozen=True)
class Span:
    """A source range: ``line``/``end_line`` 1-based, ``col``/``end_col`` 0-based (UTF-8 chars)."""

    line: int
    col: int
    end_line: int
    end_col: int


@dataclass
class Value:
    """An argument as written: its source text, and its literal value when it has one."""

    source: str
    literal: Any = NOT_LITERAL

    @property
    def is_literal(self) -> bool:
        return self.literal is not NOT_LITERAL

    def to_json(self) -> Any:
        """The literal value when there is one (tuples become lists), else the source text."""
        if not self.is_literal:
            return self.source
        return _jsonable(self.literal)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (bytes, complex)):
        return repr(value)
    return value


@dataclass
class Problem:
    """Something the reader could not understand; kept, never raised."""

    message: str
    span: Span | None = None
    model: str | None = None
    severity: Literal["error", "warning", "info"] = "warning"


@dataclass
class ChoiceMember:
    name: str
    value: Any
    label: str


@dataclass
class ChoicesIR:
    """An inline ``TextChoices`` / ``IntegerChoices`` / ``Choices`` class."""

    name: str
    kind: str  # "TextChoices", "IntegerChoices" or "Choices"
    members: list[ChoiceMember]
    owner: str | None  # enclosing model name, None at module level
    span: Span | None = None


@dataclass
class FieldIR:
    """One model field, as Django's ``_meta`` would list it."""

    name: str
    #: The class name Django reports (``type(field).__name__``): ``CharField``, ``MoneyField``.
    field_class: str
    #: The nearest Django built-in field class this one is (or subclasses), e.g. ``CharField`` for
    #: a custom ``class Upper(models.CharField)``; None when unknown (third-party class).
    internal_type: str | None
    #: Where the class comes from: ``django.db.models.CharField``, ``myapp.fields.Money``, or
    #: the bare source text when it cannot be resolved.
    class_path: str
    args: list[Value] = field(default_factory=list)
    kwargs: dict[str, Value] = field(default_factory=dict)
    relation: RelationKind | None = None
    related_model: str | None = None  # "app_label.Model"
    on_delete: str | None = None  # "CASCADE", "PROTECT", …, or source text
    related_name: str | None = None
    #: ``related_query_name`` as Django's ``_meta`` has it (``%(app_label)s``/``%(class)s``
    #: substituted for the model); ``kwargs`` keep the text as written (migrations do too).
    related_query_name: str | None = None
    through: str | None = None  # "app_label.Model"
    primary_key: bool = False
    auto_created: bool = False  # the implicit pk or a parent link
    parent_link: bool = False
    inherited_from: str | None = None  # the abstract base model that declared it
    known: bool = True  # False when the field class is not understood
    span: Span | None = None

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def is_relation(self) -> bool:
        return self.relation is not None

    @property
    def is_m2m(self) -> bool:
        return self.relation == "m2m"

    @property
    def attname(self) -> str:
        """The column attribute (``author_id`` for a FK)."""
        return f"{self.name}_id" if self.relation in ("fk", "o2o") else self.name

    def kwarg(self, name: str, default: Any = None) -> Any:
        """A keyword argument's literal value, or ``default`` when absent or not literal."""
        value = self.kwargs.get(name)
        if value is None or not value.is_literal:
            return default
        return value.literal

    def has_kwarg(self, name: str) -> bool:
        return name in self.kwargs

    @property
    def choices(self) -> Value | None:
        return self.kwargs.get("choices")


@dataclass
class MetaIR:
    abstract: bool = False
    proxy: bool = False
    managed: bool = True
    ordering: list[str] | None = None
    db_table: str | None = None
    verbose_name: str | None = None
    verbose_name_plural: str | None = None
    app_label: str | None = None
    unique_together: list[list[str]] | None = None
    order_with_respect_to: str | None = None
    get_latest_by: Any = None
    default_related_name: str | None = None
    #: Index / constraint expressions, as source text.
    indexes: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    #: Every Meta attribute as written.
    options: dict[str, Value] = field(default_factory=dict)
    #: What the setting ``Meta.swappable`` names swaps this model for ("app.Model"), when it
    #: does: Django's ``get_models()`` leaves the model out and it has no table.
    swapped: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.options.items():
            out[key] = value.to_json()
        return out


@dataclass
class ModelIR:
    name: str
    app_label: str
    #: Base classes as written (source text).
    bases: list[str]
    #: Labels of model bases that the reader resolved ("app.Model"); a concrete one is the
    #: multi-table parent.
    model_bases: list[str] = field(default_factory=list)
    meta: MetaIR = field(default_factory=MetaIR)
    #: Concrete fields in Django's order: local_fields then local_many_to_many.
    fields: list[FieldIR] = field(default_factory=list)
    choices: list[ChoicesIR] = field(default_factory=list)
    span: Span | None = None  # the whole class statement
    name_span: Span | None = None  # just the class name, for diagnostics
    #: The concrete parent of multi-table inheritance ("app.Model"), if any.
    mti_parent: str | None = None
    #: For a proxy, the concrete model it stands for ("app.Model").
    proxy_for: str | None = None
    #: The module file the class is in (for models/ packages).
    path: str | None = None
    managers: list[str] = field(default_factory=list)
    #: The name of the model's ``_default_manager``: ``Meta.default_manager_name``, else the
    #: first manager declared on the class or inherited from its bases, else ``objects``
    #: (the one Django adds). None when it cannot be read statically.
    default_manager: str | None = "objects"
    problems: list[Problem] = field(default_factory=list)
    #: Names of methods defined on the class (``__str__``, ``get_absolute_url``, …).
    methods: list[str] = field(default_factory=list)

    @property
    def abstract(self) -> bool:
        return self.meta.abstract

    @property
    def proxy(self) -> bool:
        return self.meta.proxy

    @property
    def concrete(self) -> bool:
        """Has a table of its own or a proxy onto one: what generators write code for."""
        return not self.meta.abstract and self.meta.swapped is None

    @property
    def label(self) -> str:
        return f"{self.app_label}.{self.name}"

    @property
    def pk(self) -> FieldIR | None:
        for f in self.fields:
            if f.primary_key:
                return f
        return None

    def field(self, name: str) -> FieldIR | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


@dataclass
class ModuleIR:
    """A whole models module (or ``models/`` package): the reader's result."""

    path: str
    app_label: str
    models: list[ModelIR] = field(default_factory=list)
    choices: list[ChoicesIR] = field(default_factory=list)  # module-level choices classes
    problems: list[Problem] = field(default_factory=list)
    #: Set when the source did not parse: nothing else is trustworthy.
    syntax_error: Problem | None = None
    #: Dotted module name ("catalog.models"), "" when unknown.
    module: str = ""
    #: Field classes defined in the module: class name → built-in ancestor (None: unknown).
    custom_fields: dict[str, str | None] = field(default_factory=dict)
    #: The settings the reader used (DEFAULT_AUTO_FIELD, AUTH_USER_MODEL) and where from.
    default_auto_field: str = "django.db.models.AutoField"
    auth_user_model: str = "auth.User"
    #: The ``ast`` of each file read (path → tree), for consumers that evaluate expressions
    #: (migrations) without parsing again. Not part of equality or repr.
    trees: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.syntax_error is None

    def model(self, name: str) -> ModelIR | None:
        """The first model named ``name``, or None.

        Answered from a name index built on first use (an attribute outside the dataclass
        fields, so equality, repr and ``to_dict`` do not see it). The index belongs to one
        ``models`` list object at one length: a new list or a changed length rebuilds it; a hit
        is used only while the list still holds that model, with that name, at that position;
        a miss scans the list (a model renamed or put in place since)."""
        models = self.models
        index = self.__dict__.get("_model_index")
        if index is None or index[0] is not models or index[1] != len(models):
            by_name: dict[str, tuple[int, ModelIR]] = {}
            for position, m in enumerate(models):
                by_name.setdefault(m.name, (position, m))
            index = self.__dict__["_model_index"] = (models, len(models), by_name)
        hit = index[2].get(name)
        if hit is not None:
            position, m = hit
            if models[position] is m and m.name == name:
                return m
        for m in models:
            if m.name == name:
                return m
        return None

    @property
    def concrete_models(self) -> list[ModelIR]:
        return [m for m in self.models if m.concrete]


def to_dict(obj: Any) -> dict[str, Any]:
    """``dataclasses.asdict`` for IR objects (for debugging and equality in tests)."""
    return asdict(obj)
