"""Template rendering for generators: a jinja2 environment and filters that write ruff-stable code.

Data path: models.py → IR → generator → **render** (one template per definition) → artifacts →
merge → file or WorkspaceEdit.

Templates live beside each generator, in ``generators/<generator>/templates/<definition>.py.j2``,
and are named ``<generator>/<definition>.py.j2``; a project can override any of them by putting a
file with that relative path in the folder named by the ``templates`` option. The filters lay out
literals, lists and calls the way ``ruff format`` (and black) would at line length 88, so
generated files pass ``ruff format --check`` untouched:

- ``py``: a Python literal with double-quoted strings;
- ``pylist(indent, prefix)``: a list on one line when it fits, else one item per line with a
  trailing comma (ruff explodes collection literals that do not fit); ``pytuple`` the same for
  tuples, which class attributes use (ruff's default RUF012);
- ``pycall(indent, prefix, suffix)``: call arguments on one line, else hugged on one indented line
  (no trailing comma), else one per line with a trailing comma;
- ``pychain(indent, prefix, receiver)``: ``Book.objects.a(...).b(...)`` call chains split the
  way ruff splits them;
- ``pyassign(call, args, indent)``: ``name = call(args)``, parenthesised when ruff would;
- ``classdef(*bases)``: a class statement's first line.

``indent`` is the column the statement starts at and ``prefix`` the text written before the
bracket on the same line (e.g. ``fields = ``), so the filter can tell whether the line fits.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import jinja2

from djgen.generators.core.config import ConfigError

LINE_LENGTH = 88


class Code(str):
    """Source text to write as is (a name, an expression), not as a string literal."""

    __slots__ = ()


def py(value: Any) -> str:
    """A Python literal as ruff format writes it (double quotes, no trailing spaces)."""
    if isinstance(value, Code):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(py(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(py(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py(k)}: {py(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _string(value: str) -> str:
    text = repr(value)
    if text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1].replace("\\'", "'") + '"'
    return text


def _fits(*parts: str | int) -> bool:
    width = 0
    for part in parts:  # a loop, not sum(genexpr): called for every literal a template writes
        width += part if isinstance(part, int) else len(part)
    return width <= LINE_LENGTH


def pylist(items: Iterable[Any], indent: int = 0, prefix: str = "", suffix: str = "") -> str:
    """``[a, b]`` when ``indent + prefix + [a, b] + suffix`` fits, else exploded."""
    rendered = [py(item) for item in items]
    one_line = "[" + ", ".join(rendered) + "]"
    if not rendered or _fits(indent, prefix, one_line, suffix):
        return one_line
    inner = " " * (indent + 4)
    body = "".join(f"{inner}{item},\n" for item in rendered)
    return "[\n" + body + " " * indent + "]"


def pytuple(items: Iterable[Any], indent: int = 0, prefix: str = "", suffix: str = "") -> str:
    """``("a", "b")`` (``("a",)`` for one item) when it fits, else one item per line with a
    trailing comma, as ruff formats it. Class attributes of generated code (``fields``,
    ``search_fields``, ``permission_classes``, …) are tuples: ruff's default RUF012 flags
    mutable class attributes."""
    rendered = [py(item) if not isinstance(item, Code) else str(item) for item in items]
    if not rendered:
        return "()"
    one_line = "(" + ", ".join(rendered) + ("," if len(rendered) == 1 else "") + ")"
    if _fits(indent, prefix, one_line, suffix):
        return one_line
    inner = " " * (indent + 4)
    body = "".join(f"{inner}{item},\n" for item in rendered)
    return "(\n" + body + " " * indent + ")"


def pycall(args: Sequence[Any], indent: int = 0, prefix: str = "", suffix: str = "") -> str:
    """Call arguments ``(a, b)`` for a call whose text before the ``(`` is ``prefix`` and after
    the ``)`` is ``suffix``. Items are source text (``'read_only=True'``); non-strings go
    through ``py``."""
    rendered = [str(a) if isinstance(a, str) else py(a) for a in args]
    joined = ", ".join(rendered)
    if not rendered or _fits(indent, prefix, "(", joined, ")", suffix):
        return f"({joined})"
    inner = " " * (indent + 4)
    if _fits(inner, joined):
        return f"(\n{inner}{joined}\n{' ' * indent})"
    body = "".join(f"{inner}{item},\n" for item in rendered)
    return f"(\n{body}{' ' * indent})"


def pychain(
    calls: Sequence[tuple[str, Sequence[Any]]],
    indent: int = 0,
    prefix: str = "",
    receiver: str = "",
) -> str:
    """``receiver`` + ``first(...).second(...)`` (literal arguments) written after ``prefix``
    (e.g. ``queryset = `` and ``Book.objects.``), laid out like ruff: split only the last call
    when the text up to its ``(`` fits, else the first call, then the second when the rest of
    the line still does not fit; when even the first line is too long, the value goes in
    parentheses on its own lines if that makes it fit."""
    parts = [(name, [py(a) for a in args]) for name, args in calls]
    if not parts:
        return receiver.rstrip(".")
    if len(parts) > 2:
        raise ValueError("pychain lays out one or two calls")
    plain = receiver + _chain(parts, indent, prefix + receiver)
    if _fits(indent, prefix, plain.split("\n", 1)[0]):
        return plain
    inner_indent = indent + 4
    inner = receiver + _chain(parts, inner_indent, receiver)
    if not _fits(inner_indent, inner.split("\n", 1)[0]):
        return plain
    return f"(\n{' ' * inner_indent}{inner}\n{' ' * indent})"


def _chain(parts: list[tuple[str, list[str]]], indent: int, prefix: str) -> str:
    if len(parts) == 1:
        name, args = parts[0]
        return name + pycall(args, indent, prefix + name)
    (first, first_args), (second, second_args) = parts
    first_flat = f"{first}({', '.join(first_args)})"
    flat = f"{first_flat}.{second}({', '.join(second_args)})"
    if _fits(indent, prefix, flat):
        return flat
    head = f"{first_flat}.{second}"
    if _fits(indent, prefix, head, "("):
        return head + pycall(second_args, indent, prefix + head)
    first_text = first + pycall(first_args, indent, prefix + first, suffix=f".{second}(")
    tail = f".{second}"
    return first_text + tail + pycall(second_args, indent, ")" + tail)


def pyassign(target: str, call: str, args: Sequence[Any] | None = (), indent: int = 0) -> str:
    """``target = call(args)`` laid out like ruff: the arguments split when the line is too
    long; the value in parentheses on its own lines when even ``target = call(`` is too long
    and that makes it fit. ``args=None``: ``call`` is the whole value (a name)."""
    head = f"{target} = "

    def value(at: int, before: str) -> str:
        return call if args is None else call + pycall(args, at, before + call)

    plain = value(indent, head)
    if _fits(indent, head, plain.split("\n", 1)[0]):
        return head + plain
    inner_indent = indent + 4
    inner = value(inner_indent, "")
    if not _fits(inner_indent, inner.split("\n", 1)[0]):
        return head + plain
    return f"{head}(\n{' ' * inner_indent}{inner}\n{' ' * indent})"


def classdef(name: str, *bases: str, indent: int = 0) -> str:
    """``class Name(Base):``, with the bases hugged on their own line when it is too long."""
    head = f"class {name}"
    return head + pycall(list(bases), indent, head, ":") + ":"


#: Whether ``render`` checks a compiled template against its file before each use (one
#: ``stat`` per template per ``get_template``): on for the language server, where an override
#: can be edited while it runs; off inside ``templates_fixed``.
_reload_templates = True


@contextlib.contextmanager
def templates_fixed() -> Iterator[None]:
    """Within the block no template file is expected to change (a one-shot ``djgen generate``
    renders the same few templates once per model): each is compiled once and not checked
    against its file again."""
    global _reload_templates
    previous, _reload_templates = _reload_templates, False
    try:
        yield
    finally:
        _reload_templates = previous


def environment(override_dir: str | Path | None = None) -> jinja2.Environment:
    """The jinja2 environment for a project's override folder (cached per folder)."""
    key = str(Path(override_dir).resolve()) if override_dir else None
    return _environment(key)


@functools.lru_cache(maxsize=16)
def _environment(override_dir: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override_dir:
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.append(_GeneratorTemplates())
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(
        py=py,
        pylist=pylist,
        pytuple=pytuple,
        pycall=pycall,
        pychain=pychain,
        pyassign=pyassign,
        classdef=classdef,
    )
    env.globals.update(Code=Code)
    return env


class _GeneratorTemplates(jinja2.PrefixLoader):
    """``<generator>/<file>`` from that generator's own ``templates/`` folder (its descriptor
    says where), so a generator brings its templates with it."""

    def __init__(self) -> None:
        super().__init__({})

    def get_loader(self, template: str) -> tuple[jinja2.BaseLoader, str]:
        from djgen.generators.core.registry import descriptors

        prefix, _, name = template.partition(self.delimiter)
        if prefix not in self.mapping:
            descriptor = descriptors().get(prefix)
            if descriptor is None or descriptor.template_dir is None:
                raise jinja2.TemplateNotFound(template)
            self.mapping[prefix] = jinja2.FileSystemLoader(str(descriptor.template_dir))
        return self.mapping[prefix], name


class TemplateProblem(ConfigError):
    """A template (usually a project override) is missing or does not render; a
    ``ConfigError`` because the fix is in the project's template folder."""


def render(template: str, override_dir: str | Path | None = None, **context: Any) -> str:
    """Render ``template`` (e.g. ``serializer/model.py.j2``) to the source of one statement,
    without trailing blank lines."""
    env = environment(override_dir)
    env.auto_reload = _reload_templates
    try:
        text = env.get_template(template).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(f"template not found: {exc.name}") from None
    except jinja2.TemplateError as exc:
        source = getattr(exc, "filename", None) or template
        where = f", line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise TemplateProblem(f"template {source}{where}: {exc.message}") from None
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return "\n".join(lines) + "\n"
