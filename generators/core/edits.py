"""Project edits: the small changes djgen makes inside statements of project files.

Data path: models.py → IR → generator → artifacts (an ``Artifact`` carries ``edits`` for
settings.py, urls.py, asgi.py and apps.py) → merge (``djgen.generators.merge.project`` applies
what is missing) → file or WorkspaceEdit.

Each edit names one thing inside a statement the user owns: an element of a list setting
(``ListElement``), a key of a dict setting (``DictKey``), a new top-level assignment
(``Assignment``), a statement in a method (``BodyStatement``), an entry of ``urlpatterns``
(``UrlPattern``). ``imports`` are whole import statements (``"import os"``,
``"from django.urls import include"``) the edit's code needs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


def literal_text(code: str) -> str:
    """A literal's value as text (``'"a"'`` → ``a``), else the code stripped."""
    try:
        value = ast.literal_eval(code.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return code.strip()
    return value if isinstance(value, str) else repr(value)


@dataclass(frozen=True)
class ListElement:
    """An element of a list/tuple setting: ``INSTALLED_APPS`` gets ``"rest_framework"``.

    Placed right after the last of ``after`` found in the literal, else right before the first of
    ``before``, else first (``first=True``) or last. ``create``: when the setting is not assigned
    at all, add ``SETTING = [value]`` (else the change is skipped).

    ``path``: the list is a value inside a dict setting, ``path`` naming the keys down to it:
    ``ListElement("REST_FRAMEWORK", '"…JWTAuthentication"',
    path=("DEFAULT_AUTHENTICATION_CLASSES",), first=True)``. A missing key on the way is created,
    the list as a tuple holding just this element (``create``: also a missing setting)."""

    setting: str
    value: str  # source of the element, e.g. '"rest_framework"'
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    first: bool = False
    create: bool = False
    imports: tuple[str, ...] = ()
    path: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        keys = "".join(f"[{part}]" for part in self.path)
        return f"{self.setting}{keys}[{literal_text(self.value)}]"


@dataclass(frozen=True)
class DictKey:
    """A key of a dict setting, ``path`` naming nested dicts: ``CACHES["default"]["BACKEND"]``
    is ``DictKey("CACHES", "BACKEND", '"django_redis.cache.RedisCache"', path=("default",))``.

    A missing setting (or a missing nested dict) is created holding just this key."""

    setting: str
    key: str
    value: str  # source of the value
    path: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        return self.setting + "".join(f"[{part}]" for part in (*self.path, self.key))


@dataclass(frozen=True)
class Assignment:
    """A new top-level statement assigning ``name`` (kept as is when ``name`` is assigned)."""

    name: str
    code: str  # complete source, e.g. 'REDIS_URL = os.environ.get("REDIS_URL", "redis://...")\n'
    #: Place it after the last statement assigning one of these; default: after the last
    #: top-level UPPER_CASE assignment (the last setting), else at the end.
    after: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    #: Values (source) djgen may replace, e.g. startproject's ``get_asgi_application()`` for
    #: asgi.py's ``application``: a single plain assignment of one of them is replaced by
    #: ``code`` ("replaced"); any other value the user wrote is a "conflict", and kept.
    replaces: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        return self.name


@dataclass(frozen=True)
class BodyStatement:
    """A statement in a method: ``function="BlogConfig.ready"``; ``create`` is the ``def`` line
    used when the method does not exist yet (added at the end of the class)."""

    function: str
    code: str
    create: str = ""
    imports: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        return f"{self.function}: {self.code.strip()}"


@dataclass(frozen=True)
class UrlPattern:
    """An entry of ``urlpatterns`` (or ``list``). Present when an entry (in the literal or a
    literal ``+=``/``.append``) is a call whose first argument is the string ``key``, or, without
    ``key``, an entry with the same normalised code."""

    code: str  # e.g. 'path("api/<str:version>/", include("mysite.api.urls"))'
    key: str | None = None  # e.g. "api/<str:version>/"
    list: str = "urlpatterns"
    imports: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        return f"{self.list}[{self.key if self.key is not None else self.code.strip()}]"


ProjectEdit = ListElement | DictKey | Assignment | BodyStatement | UrlPattern
