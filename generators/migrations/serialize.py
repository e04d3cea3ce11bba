"""Python values → source text as Django's migration serializer writes it.

Data path: ``current`` / ``autodetector`` values → **serialize** (this module) → ``Code`` in the
state → ``writer``. ``Code`` values pass through unchanged, so already-written expressions
(``django.utils.timezone.now``, ``models.Index(...)``) can sit inside lists and dicts.
"""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from typing import Any

from djgen.generators.migrations.state import Code


class Unserializable(ValueError):
    """A value Django's writer could not write either."""


def serialize(value: Any) -> Code:
    text, imports = _serialize(value)
    return Code(text, frozenset(imports))


def deconstructed(path: str, args: list[Any], kwargs: dict[str, Any]) -> Code:
    """``models.Index(fields=['a'], name='x')``: path, positional args, kwargs sorted by name."""
    name, imports = serialize_path(path)
    parts = []
    for arg in args:
        text, more = _serialize(arg)
        parts.append(text)
        imports |= more
    for key in sorted(kwargs):
        text, more = _serialize(kwargs[key])
        parts.append(f"{key}={text}")
        imports |= more
    return Code(f"{name}({', '.join(parts)})", frozenset(imports))


def serialize_path(path: str) -> tuple[str, set[str]]:
    module, name = path.rsplit(".", 1)
    if module == "django.db.models":
        return f"models.{name}", {"from django.db import models"}
    return path, {f"import {module}"}


def _serialize(value: Any) -> tuple[str, set[str]]:
    if isinstance(value, Code):
        return value.text, set(value.imports)
    if value is None or isinstance(value, (bool, int, str, bytes, complex)):
        return repr(value), set()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f'float("{value}")', set()
        return repr(value), set()
    if isinstance(value, decimal.Decimal):
        return repr(value), {"from decimal import Decimal"}
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None and value.tzinfo != datetime.timezone.utc:
            value = value.astimezone(datetime.timezone.utc)
        return repr(value), {"import datetime"}
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        return repr(value), {"import datetime"}
    if isinstance(value, uuid.UUID):
        return f"uuid.{value!r}", {"import uuid"}
    if isinstance(value, dict):
        imports: set[str] = set()
        items = []
        for k, v in sorted(value.items()):
            ks, ki = _serialize(k)
            vs, vi = _serialize(v)
            imports |= ki | vi
            items.append(f"{ks}: {vs}")
        return "{" + ", ".join(items) + "}", imports
    if isinstance(value, (list, tuple, set, frozenset)):
        items_src: list[str] = []
        imports = set()
        seq = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        for item in seq:
            s, i = _serialize(item)
            items_src.append(s)
            imports |= i
        joined = ", ".join(items_src)
        if isinstance(value, list):
            return f"[{joined}]", imports
        if isinstance(value, tuple):
            return (f"({joined},)" if len(items_src) == 1 else f"({joined})"), imports
        if isinstance(value, frozenset):
            return f"frozenset([{joined}])", imports
        return ("{" + joined + "}" if items_src else "set()"), imports
    raise Unserializable(f"cannot serialize {value!r}")
