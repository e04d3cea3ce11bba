"""Project-file merge: add what djgen needs to settings.py, urls.py, asgi.py and apps.py.

Data path: models.py → IR → generator → artifacts → **merge** (this module: the edits of
``core.edits`` for project files, beside ``definitions``' top-level definitions) → file.

A project edit names one small thing inside a statement the user owns: an element of a list
setting (``ListElement``), a key of a dict setting (``DictKey``), a new top-level assignment
(``Assignment``), a statement in a method (``BodyStatement``), an entry of ``urlpatterns``
(``UrlPattern``). ``merge_project_file`` adds only what is missing, with LibCST, and keeps every
other byte; merging twice changes nothing. What is present is decided with ``ast`` only
(``missing`` answers "is there anything to do?" without LibCST):

- a list element counts as present when the literal list, or a literal ``+=`` / ``.append`` /
  ``.insert`` / ``.extend`` after it, holds it. An element present **only under a conditional**
  (``if DEBUG: INSTALLED_APPS += [...]``) also counts as present: the change is "kept" with a
  reason saying so. Adding it unconditionally would list it twice in that branch, which Django
  refuses for INSTALLED_APPS ("Application labels aren't unique") and which doubles middleware.
- a setting whose value (or a modification of it) is not a literal is "skipped", reason
  ``cannot merge: NAME is computed in <target> line N; add X by hand``, and nothing is written.
- a dict key the user set to another value is a "conflict": reported, the user's value kept.
- ``Assignment.replaces`` is the one edit that removes user-file bytes: it swaps a value the
  user never wrote (startproject's ``application = get_asgi_application()``) for djgen's.

Layout: an element goes into the user's layout (one per line: a new line with the neighbours'
indent, comments staying with the element below them, the trailing-comma habit kept; one line:
``", "``). A one-line collection that grows past 88 columns is split as ruff format splits it, so
a ruff-formatted file stays ruff-formatted. Strings written into a collection take the quotes
the user's strings there use. New imports go into the top import block in isort order.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from djgen.generators.core.artifacts import Import, MergeChange, MergeResult
from djgen.generators.core.edits import (
    Assignment,
    BodyStatement,
    DictKey,
    ListElement,
    ProjectEdit,
    UrlPattern,
    literal_text,
)
from djgen.generators.merge.imports import add_imports, plan_imports

__all__ = [
    "Assignment",
    "BodyStatement",
    "DictKey",
    "ListElement",
    "ProjectEdit",
    "ProjectMergeError",
    "ProjectMergeResult",
    "UrlPattern",
    "merge_project_file",
    "missing",
]

#: ruff format's default line length: a one-line list that grows past it is exploded.
LINE_LENGTH = 88
_INDENT = "    "


class ProjectMergeError(ValueError):
    """The target file (or an edit's code) does not parse; nothing was merged."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


Action = Literal["added", "replaced", "kept", "conflict", "skipped"]


#: The result of a project-file merge is the definitions merge's (text, changes, imports).
ProjectMergeResult = MergeResult


# --------------------------------------------------------------------------------------------
# ast: what the file holds
# --------------------------------------------------------------------------------------------


def _dump(node: ast.AST) -> str:
    return ast.dump(node)


def _code_dump(code: str) -> str | None:
    try:
        return _dump(ast.parse(code.strip(), mode="eval").body)
    except (SyntaxError, ValueError):
        return None


@dataclass
class _Site:
    """A top-level assignment and where it sits: module body index (ast and LibCST agree)."""

    index: int  # index in module.body
    sub: int  # index in a ``a = 1; b = 2`` line
    node: ast.stmt
    line: int
    conditional: bool


@dataclass
class _Uses:
    """Every module-level statement touching one name, in order."""

    assigns: list[_Site] = field(default_factory=list)  # plain ``NAME = …``
    mods: list[_Site] = field(default_factory=list)  # ``+=``, ``.append``, ``NAME[k] = …``
    conditional_assigns: list[_Site] = field(default_factory=list)


def _groups(tree: ast.Module) -> list[tuple[int, int]]:
    """For each ``tree.body`` statement: (index in LibCST's ``module.body``, index in its line).

    LibCST keeps ``a = 1; b = 2`` as one ``SimpleStatementLine``; ``ast`` as two statements."""
    out: list[tuple[int, int]] = []
    previous: ast.stmt | None = None
    for stmt in tree.body:
        joined = (
            previous is not None
            and out
            and _is_simple(previous)
            and _is_simple(stmt)
            and stmt.lineno == previous.end_lineno
        )
        out.append((out[-1][0], out[-1][1] + 1) if joined else (out[-1][0] + 1 if out else 0, 0))
        previous = stmt
    return out


def _is_simple(stmt: ast.stmt) -> bool:
    return not isinstance(
        stmt,
        (
            ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try,
            ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Match,
        ),
    )  # fmt: skip


def _cst_index(tree: ast.Module, index: int) -> int:
    """LibCST body index for inserting before ``tree.body[index]`` (or at the end)."""
    groups = _groups(tree)
    if index >= len(groups):
        return groups[-1][0] + 1 if groups else 0
    return groups[index][0] + (1 if groups[index][1] else 0)


def _walk(body: list[ast.stmt], index: int | None, conditional: bool) -> Iterator[tuple]:
    for position, stmt in enumerate(body):
        top = position if index is None else index
        if isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.AsyncWith, ast.Try)):
            yield top, stmt, conditional
            blocks = [stmt.body, getattr(stmt, "orelse", [])]
            if isinstance(stmt, ast.Try):
                blocks += [stmt.finalbody, *(h.body for h in stmt.handlers)]
            for block in blocks:
                yield from _walk(block, top, True)
        else:
            yield top, stmt, conditional


def _scan(tree: ast.Module) -> dict[str, _Uses]:
    """Module-level uses of each name, with their LibCST positions."""
    uses: dict[str, _Uses] = {}
    groups = _groups(tree)
    for index, stmt, conditional in _walk(tree.body, None, False):
        cst_index, sub = groups[index]
        site = _Site(cst_index, sub, stmt, stmt.lineno, conditional)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    entry = uses.setdefault(target.id, _Uses())
                    value = stmt.value
                    is_concat = (
                        isinstance(value, ast.BinOp)
                        and isinstance(value.left, ast.Name)
                        and value.left.id == target.id
                    )
                    if is_concat:
                        entry.mods.append(site)
                    elif conditional:
                        entry.conditional_assigns.append(site)
                    else:
                        entry.assigns.append(site)
                        entry.mods.clear()
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    uses.setdefault(target.value.id, _Uses()).mods.append(site)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            uses.setdefault(stmt.target.id, _Uses()).mods.append(site)
        elif (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and isinstance(stmt.value.func.value, ast.Name)
        ):
            uses.setdefault(stmt.value.func.value.id, _Uses()).mods.append(site)
    return uses


@dataclass
class _Decision:
    action: Action | Literal["add", "replace"]
    reason: str = ""
    line: int | None = None
    site: _Site | None = None  # the statement to edit (None: a new statement)
    index: int | None = None  # element position (lists) / body index (new statements)


def _value_node(site: _Site) -> ast.expr | None:
    node = site.node
    return node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None


def _list_items(node: ast.expr) -> list[ast.expr] | None:
    """Elements of a list/tuple literal (``X + [...]`` of a literal right side), else None."""
    if isinstance(node, (ast.List, ast.Tuple)) and not any(
        isinstance(e, ast.Starred) for e in node.elts
    ):
        return list(node.elts)
    return None


def _mod_items(site: _Site, name: str) -> list[ast.expr] | None:
    """Elements a modification adds to list ``name``; None when it is not literal."""
    node = site.node
    if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
        return _list_items(node.value)
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.BinOp):
        if isinstance(node.value.op, ast.Add):
            return _list_items(node.value.right)
        return None
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        method = call.func.attr  # type: ignore[attr-defined]
        if method == "append" and len(call.args) == 1 and not call.keywords:
            return [call.args[0]]
        if method == "insert" and len(call.args) == 2:
            return [call.args[1]]
        if method == "extend" and len(call.args) == 1:
            return _list_items(call.args[0])
        if method in ("copy", "index", "count"):
            return []
    return None


def _computed(name: str, site: _Site, what: str, target: str) -> _Decision:
    return _Decision(
        "skipped",
        f"cannot merge: {name} is computed in {target} line {site.line}; add {what} by hand",
        site.line,
    )


def _position(items: list[ast.expr], edit: ListElement) -> int:
    texts = [
        e.value if isinstance(e, ast.Constant) and isinstance(e.value, str) else None for e in items
    ]
    hits = [i for i, t in enumerate(texts) if t is not None and t in edit.after]
    if hits:
        return hits[-1] + 1
    hits = [i for i, t in enumerate(texts) if t is not None and t in edit.before]
    if hits:
        return hits[0]
    return 0 if edit.first else len(items)


def _decide_list(
    uses: dict[str, _Uses],
    name: str,
    wanted: str,
    matches: Callable[[ast.expr], bool],
    target: str,
    *,
    strict: bool,
    edit: ListElement | None,
    create: bool,
) -> _Decision:
    entry = uses.get(name)
    if entry is None or not entry.assigns:
        if entry is not None and entry.conditional_assigns:
            site = entry.conditional_assigns[0]
            return _Decision(
                "skipped",
                f"cannot merge: {name} is only set under a condition in {target} line"
                f" {site.line}; add {wanted} by hand",
                site.line,
            )
        if create:
            return _Decision("add")
        return _Decision("skipped", f"{name} is not set in {target}; add {name} = [{wanted}]")
    main = entry.assigns[-1]
    items = _list_items(_value_node(main))  # type: ignore[arg-type]
    if items is None:
        return _computed(name, main, wanted, target)
    if any(matches(item) for item in items):
        return _Decision("kept", line=main.line)
    if strict and entry.conditional_assigns:
        late = [s for s in entry.conditional_assigns if s.line > main.line]
        if late:
            return _computed(name, late[0], wanted, target)
    for site in entry.mods:
        added = _mod_items(site, name)
        if added is None:
            if strict:
                return _computed(name, site, wanted, target)
            continue
        if any(matches(item) for item in added):
            if site.conditional:
                return _Decision(
                    "kept",
                    f"{wanted} is in {name} only under a condition ({target} line {site.line});"
                    " djgen does not add it again: make sure it is on where the API runs",
                    site.line,
                )
            return _Decision("kept", line=site.line)
    index = _position(items, edit) if edit is not None else len(items)
    return _Decision("add", site=main, index=index)


def _dict_at(node: ast.expr | None, path: Sequence[str]) -> tuple[ast.Dict | None, int]:
    """The nested dict literal at ``path`` and how many path parts exist."""
    depth = 0
    for part in path:
        if not isinstance(node, ast.Dict):
            return None, depth
        value = next(
            (
                v
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == part
            ),
            None,
        )
        if value is None:
            return node, depth
        node = value
        depth += 1
    return (node if isinstance(node, ast.Dict) else None), depth


def _decide_dict(uses: dict[str, _Uses], edit: DictKey, target: str) -> _Decision:
    entry = uses.get(edit.setting)
    subscripts = "".join(f'["{part}"]' for part in (*edit.path, edit.key))
    what = f"{edit.setting}{subscripts} = {edit.value.strip()}"
    if entry is None or not entry.assigns:
        if entry is not None and entry.conditional_assigns:
            return _computed(edit.setting, entry.conditional_assigns[0], what, target)
        return _Decision("add")
    main = entry.assigns[-1]
    value = _value_node(main)
    # ``NAME["a"]["b"] = …`` after the literal
    for site in entry.mods:
        node = site.node
        if not isinstance(node, ast.Assign):
            if isinstance(node, (ast.Expr, ast.AugAssign)):
                return _computed(edit.setting, site, what, target)
            continue
        keys = []
        sub = node.targets[0]
        while isinstance(sub, ast.Subscript):
            if isinstance(sub.slice, ast.Constant):
                keys.append(sub.slice.value)
            else:
                return _computed(edit.setting, site, what, target)
            sub = sub.value
        if list(reversed(keys)) == [*edit.path, edit.key]:
            return _compare(node.value, edit, site.line, target)
    if not isinstance(value, ast.Dict):
        return _computed(edit.setting, main, what, target)
    node, depth = _dict_at(value, edit.path)
    if node is None:
        return _computed(edit.setting, main, what, target)
    if depth < len(edit.path):
        return _Decision("add", site=main)
    for k, v in zip(node.keys, node.values, strict=True):
        if k is None:
            return _computed(edit.setting, main, what, target)  # {**BASE, ...}
        if isinstance(k, ast.Constant) and k.value == edit.key:
            return _compare(v, edit, k.lineno, target)
    return _Decision("add", site=main)


def _same_value(node: ast.expr, code: str) -> bool:
    """Whether the user's value is djgen's (a list and a tuple of the same items are)."""
    if _dump(node) == _code_dump(code):
        return True
    try:
        mine, theirs = ast.literal_eval(code.strip()), ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False

    def canonical(value: object) -> object:
        if isinstance(value, (list, tuple)):
            return tuple(canonical(v) for v in value)
        if isinstance(value, dict):
            return {k: canonical(v) for k, v in value.items()}
        return value

    return canonical(mine) == canonical(theirs)


def _one_line(code: str) -> str:
    """Source on one line, for messages: ``(\n "a",\n)`` → ``("a",)``."""
    text = " ".join(code.split())
    for opening in "([{":
        text = text.replace(f"{opening} ", opening)
    for closing in ")]}":
        text = text.replace(f", {closing}", closing if closing != ")" else ",)")
        text = text.replace(f" {closing}", closing)
    return text


def _compare(node: ast.expr, edit: DictKey, line: int, target: str) -> _Decision:
    if _same_value(node, edit.value):
        return _Decision("kept", line=line)
    return _Decision(
        "conflict",
        f"{edit.identity} is already set in {target} line {line} to {ast.unparse(node)};"
        f" djgen would set {_one_line(edit.value)}: your value is kept",
        line,
    )


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _last_setting_index(tree: ast.Module, after: tuple[str, ...]) -> int:
    """LibCST body index where a new assignment goes: after the last top-level statement that
    assigns or calls one of ``after`` (``os.environ.setdefault``), else after the last
    UPPER_CASE assignment (the last setting), else at the end."""
    hits = []
    for index, stmt in enumerate(tree.body):
        names: set[str] = set()
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            names = {_dotted(stmt.value.func) or ""}
        if (after and names & set(after)) or (not after and any(n.isupper() for n in names)):
            hits.append(index)
    return _cst_index(tree, hits[-1] + 1 if hits else len(tree.body))


def _decide_replace(tree: ast.Module, entry: _Uses, edit: Assignment, target: str) -> _Decision:
    """``Assignment.replaces``: replace startproject's value, never the user's."""
    code = _parse_or_raise(edit.code, edit.identity)
    ours = {
        _dump(node.value)
        for node in code.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == edit.name for t in node.targets)
    }
    sites = [*entry.assigns, *entry.conditional_assigns, *entry.mods]
    values = [_value_node(site) for site in sites]
    if any(value is not None and _dump(value) in ours for value in values):
        return _Decision("kept", line=sites[-1].line)
    replaceable = {d for d in (_code_dump(r) for r in edit.replaces) if d}
    [site] = sites if len(sites) == 1 else [None]
    value = _value_node(site) if site is not None else None
    if (
        site is not None
        and not site.conditional
        and site.sub == 0
        and sum(1 for node in tree.body if node.lineno == site.line) == 1  # alone on its line
        and value is not None
        and _dump(value) in replaceable
    ):
        return _Decision("replace", site=site)
    line = sites[-1].line
    return _Decision(
        "conflict",
        f"{edit.name} is set in {target} line {line} by the user; djgen would write"
        f" {edit.code.strip().splitlines()[-1]!r}: the user's code is kept, change it by hand",
        line,
    )


def _first_use(tree: ast.Module, name: str) -> int | None:
    """LibCST index of the first top-level statement reading ``name`` when the module runs
    (a new ``name = …`` must go before it)."""
    for index, stmt in enumerate(tree.body):
        nodes = [stmt] if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
        for node in nodes:
            if any(
                isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
                for n in ast.walk(node)
            ):
                return _cst_index(tree, index)
    return None


def _method(tree: ast.Module, function: str) -> tuple[int | None, ast.ClassDef | None, int | None]:
    cls_name, _, method = function.partition(".")
    for index, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.ClassDef) and stmt.name == cls_name:
            for position, node in enumerate(stmt.body):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    node.name == method
                ):
                    return index, stmt, position
            return index, stmt, None
    return None, None, None


def _class_index(tree: ast.Module, index: int) -> int:
    return _groups(tree)[index][0]


def _subscript_keys(node: ast.Assign) -> list[object] | None:
    """``NAME["a"]["b"] = …`` → ``["a", "b"]``; None when a key is not a literal."""
    keys: list[object] = []
    sub = node.targets[0]
    while isinstance(sub, ast.Subscript):
        if not isinstance(sub.slice, ast.Constant):
            return None
        keys.append(sub.slice.value)
        sub = sub.value
    return list(reversed(keys))


def _decide_nested_list(uses: dict[str, _Uses], edit: ListElement, target: str) -> _Decision:
    """A ``ListElement`` with ``path``: the list is ``SETTING[path...]``."""
    subscripts = "".join(f'["{part}"]' for part in edit.path)
    where = f"{edit.setting}{subscripts}"
    what = f"{edit.value.strip()} to {where}"
    wanted = _code_dump(edit.value)
    entry = uses.get(edit.setting)
    if entry is None or not entry.assigns:
        if entry is not None and entry.conditional_assigns:
            return _computed(edit.setting, entry.conditional_assigns[0], what, target)
        if edit.create:
            return _Decision("add")
        return _Decision(
            "skipped",
            f"{edit.setting} is not set in {target}; add {where} = ({edit.value.strip()},)",
        )
    main = entry.assigns[-1]
    for site in entry.mods:  # ``NAME["k"] = …`` after the literal
        node = site.node
        if not isinstance(node, ast.Assign):
            return _computed(edit.setting, site, what, target)
        keys = _subscript_keys(node)
        if keys is None:
            return _computed(edit.setting, site, what, target)
        if keys == list(edit.path):
            items = _list_items(node.value)
            if items is not None and any(_dump(item) == wanted for item in items):
                return _Decision("kept", line=site.line)
            return _Decision(
                "skipped",
                f"cannot merge: {where} is set in {target} line {site.line}; add"
                f" {edit.value.strip()} there by hand",
                site.line,
            )
        if keys == list(edit.path[: len(keys)]):
            return _computed(edit.setting, site, what, target)
    node: ast.expr | None = _value_node(main)
    for part in edit.path:
        if not isinstance(node, ast.Dict):
            return _computed(edit.setting, main, what, target)
        found = next(
            (
                v
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == part
            ),
            None,
        )
        if found is None:
            if any(k is None for k in node.keys):  # ``{**BASE, …}``: BASE may hold it
                return _computed(edit.setting, main, what, target)
            return _Decision("add", site=main)
        node = found
    items = _list_items(node) if node is not None else None
    if items is None:
        return _computed(edit.setting, main, what, target)
    if any(_dump(item) == wanted for item in items):
        return _Decision("kept", line=main.line)
    return _Decision("add", site=main, index=_position(items, edit))


def _decide(tree: ast.Module, edit: ProjectEdit, target: str) -> _Decision:
    uses = _scan(tree)
    if isinstance(edit, ListElement) and edit.path:
        return _decide_nested_list(uses, edit, target)
    if isinstance(edit, ListElement):
        wanted = _code_dump(edit.value)
        return _decide_list(
            uses,
            edit.setting,
            edit.value.strip(),
            lambda item: _dump(item) == wanted,
            target,
            strict=True,
            edit=edit,
            create=edit.create,
        )
    if isinstance(edit, UrlPattern):
        wanted = _code_dump(edit.code)

        def matches(item: ast.expr) -> bool:
            if edit.key is not None:
                return (
                    isinstance(item, ast.Call)
                    and bool(item.args)
                    and isinstance(item.args[0], ast.Constant)
                    and item.args[0].value == edit.key
                )
            return _dump(item) == wanted

        return _decide_list(
            uses, edit.list, edit.code.strip(), matches, target, strict=False, edit=None,
            create=False,
        )  # fmt: skip
    if isinstance(edit, DictKey):
        return _decide_dict(uses, edit, target)
    if isinstance(edit, Assignment):
        entry = uses.get(edit.name)
        if entry is not None and (entry.assigns or entry.conditional_assigns or entry.mods):
            sites = entry.assigns or entry.conditional_assigns or entry.mods
            if edit.replaces:
                return _decide_replace(tree, entry, edit, target)
            return _Decision("kept", line=sites[0].line)
        index = _last_setting_index(tree, edit.after)
        first_use = _first_use(tree, edit.name)
        if first_use is not None:
            index = min(index, first_use)
        return _Decision("add", index=index)
    index, cls, position = _method(tree, edit.function)
    if cls is None:
        name = edit.function.partition(".")[0]
        return _Decision(
            "skipped", f"{target} has no class {name}; add {edit.code.strip()} by hand"
        )
    if position is not None:
        wanted = {_dump(n) for n in _parse_or_raise(edit.code, edit.identity).body}
        method = cls.body[position]
        if wanted <= {_dump(n) for n in method.body}:  # type: ignore[attr-defined]
            return _Decision("kept", line=method.lineno)
    elif not edit.create:
        return _Decision(
            "skipped", f"{target}: {edit.function} does not exist; add it with {edit.code.strip()}"
        )
    return _Decision("add", index=_class_index(tree, index))  # type: ignore[arg-type]


def _parse_or_raise(code: str, identity: str) -> ast.Module:
    try:
        return ast.parse(_dedent(code))
    except (SyntaxError, ValueError) as error:
        raise ProjectMergeError(f"the code for {identity} is not valid Python: {error}") from None


def _dedent(code: str) -> str:
    import textwrap

    return textwrap.dedent(code.replace("\r\n", "\n")).strip("\n") + "\n"


def _parse_file(text: str, target: str) -> ast.Module:
    try:
        return ast.parse(text)
    except SyntaxError as error:
        raise ProjectMergeError(
            f"{target}: syntax error on line {error.lineno}: {error.msg}; fix it, then run djgen"
            " again (nothing was changed)",
            line=error.lineno,
        ) from None
    except ValueError as error:
        raise ProjectMergeError(f"{target}: cannot be read as Python source: {error}") from None


def _decide_with(
    tree: ast.Module, edit: ProjectEdit, target: str, elsewhere: Mapping[str, Collection[str]]
) -> _Decision:
    """``_decide``, with what other settings files already provide counted as present."""
    name = None
    if isinstance(edit, ListElement) and not edit.path:
        name, item = edit.setting, literal_text(edit.value)
    elif isinstance(edit, DictKey) and not edit.path:
        name, item = edit.setting, edit.key
    if name is not None and item in elsewhere.get(name, ()):
        return _Decision("kept", f"{item} is in {name} in another settings file")
    return _decide(tree, edit, target)


def missing(
    text: str,
    edits: Sequence[ProjectEdit],
    *,
    target: str = "settings.py",
    elsewhere: Mapping[str, Collection[str]] | None = None,
) -> list[ProjectEdit]:
    """The edits that ``merge_project_file`` would write (``ast`` only, no LibCST).

    Each edit is judged against the text as it is: two ``DictKey`` of an absent setting are
    both listed (each would create it); a ``ListElement`` without ``create`` whose setting only
    another edit creates is not, although the merge then adds it. So the list is empty exactly
    when ``merge_project_file`` would leave the text unchanged. Raises ``ProjectMergeError``
    when the text does not parse."""
    tree = _parse_file(text.removeprefix("\ufeff"), target)
    known = elsewhere or {}
    return [
        edit
        for edit in edits
        if _decide_with(tree, edit, target, known).action in ("add", "replace")
    ]


# --------------------------------------------------------------------------------------------
# LibCST: the edits
# --------------------------------------------------------------------------------------------

_Collection = cst.List | cst.Tuple | cst.Dict | cst.Set


def _newline_ws(last_line: str, empty: Sequence[cst.EmptyLine] = ()) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(),
        empty_lines=list(empty),
        indent=True,
        last_line=cst.SimpleWhitespace(last_line),
    )


def _open_ws(node: _Collection) -> cst.BaseParenthesizableWhitespace | None:
    if isinstance(node, cst.List):
        return node.lbracket.whitespace_after
    if isinstance(node, (cst.Dict, cst.Set)):
        return node.lbrace.whitespace_after
    return node.lpar[0].whitespace_after if node.lpar else None


def _close_ws(node: _Collection) -> cst.BaseParenthesizableWhitespace | None:
    if isinstance(node, cst.List):
        return node.rbracket.whitespace_before
    if isinstance(node, (cst.Dict, cst.Set)):
        return node.rbrace.whitespace_before
    return node.rpar[-1].whitespace_before if node.rpar else None


def _with_ws(
    node: _Collection,
    open_ws: cst.BaseParenthesizableWhitespace | None = None,
    close_ws: cst.BaseParenthesizableWhitespace | None = None,
) -> _Collection:
    changes: dict[str, object] = {}
    if isinstance(node, cst.List):
        if open_ws is not None:
            changes["lbracket"] = node.lbracket.with_changes(whitespace_after=open_ws)
        if close_ws is not None:
            changes["rbracket"] = node.rbracket.with_changes(whitespace_before=close_ws)
    elif isinstance(node, (cst.Dict, cst.Set)):
        if open_ws is not None:
            changes["lbrace"] = node.lbrace.with_changes(whitespace_after=open_ws)
        if close_ws is not None:
            changes["rbrace"] = node.rbrace.with_changes(whitespace_before=close_ws)
    elif node.lpar:
        if open_ws is not None:
            changes["lpar"] = [node.lpar[0].with_changes(whitespace_after=open_ws), *node.lpar[1:]]
        if close_ws is not None:
            changes["rpar"] = [
                *node.rpar[:-1],
                node.rpar[-1].with_changes(whitespace_before=close_ws),
            ]
    return node.with_changes(**changes)


def _is_multiline(node: _Collection) -> bool:
    return isinstance(_open_ws(node), cst.ParenthesizedWhitespace)


def _element_indent(node: _Collection, depth: int) -> str:
    for ws in [_open_ws(node), *(_comma_ws(e) for e in node.elements)]:
        if isinstance(ws, cst.ParenthesizedWhitespace):
            return ws.last_line.value
    return _INDENT * (depth + 1)


def _comma_ws(element: cst.BaseElement | cst.BaseDictElement):
    comma = element.comma
    return comma.whitespace_after if isinstance(comma, cst.Comma) else None


def _insert(node: _Collection, new: cst.CSTNode, index: int, depth: int) -> _Collection:
    """``node`` with ``new`` (an element without comma) at ``index``, in the node's layout."""
    elements = list(node.elements)
    count = len(elements)
    if not elements:
        opening = _open_ws(node)
        if isinstance(opening, cst.ParenthesizedWhitespace):  # ``{\n    # comment\n}``
            closing = opening.last_line.value
            opening = opening.with_changes(last_line=cst.SimpleWhitespace(closing + _INDENT))
            node = node.with_changes(elements=[new.with_changes(comma=cst.Comma())])
            return _with_ws(node, open_ws=opening, close_ws=_newline_ws(closing))
        single_tuple = isinstance(node, cst.Tuple)
        comma = cst.Comma() if single_tuple else cst.MaybeSentinel.DEFAULT
        return node.with_changes(elements=[new.with_changes(comma=comma)])
    if _is_multiline(node):
        indent = _element_indent(node, depth)
        if index < count:
            prev = _open_ws(node) if index == 0 else _comma_ws(elements[index - 1])
            assert isinstance(prev, cst.ParenthesizedWhitespace)
            mine = cst.Comma(whitespace_after=_newline_ws(prev.last_line.value, prev.empty_lines))
            prev = prev.with_changes(empty_lines=[])
            elements.insert(index, new.with_changes(comma=mine))
            if count == 1 and not isinstance(elements[-1].comma, cst.Comma):
                # one element on its own line was ruff's form; two take a trailing comma
                elements[-1] = elements[-1].with_changes(comma=cst.Comma())
            if index == 0:
                return _with_ws(node.with_changes(elements=elements), open_ws=prev)
            elements[index - 1] = elements[index - 1].with_changes(
                comma=elements[index - 1].comma.with_changes(whitespace_after=prev)
            )
            return node.with_changes(elements=elements)
        close = _close_ws(node)
        last = elements[-1]
        # one element on its own line (ruff's form when it did not fit): two or more take a
        # trailing comma, as ruff writes them
        trailing = isinstance(last.comma, cst.Comma) or count == 1
        if isinstance(close, cst.ParenthesizedWhitespace):
            between = cst.ParenthesizedWhitespace(
                first_line=close.first_line,
                empty_lines=close.empty_lines,
                indent=True,
                last_line=cst.SimpleWhitespace(indent),
            )
            close = close.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
        else:
            between = _newline_ws(indent)
        old_comma = last.comma if isinstance(last.comma, cst.Comma) else cst.Comma()
        elements[-1] = last.with_changes(comma=old_comma.with_changes(whitespace_after=between))
        elements.append(
            new.with_changes(
                comma=cst.Comma() if trailing else cst.MaybeSentinel.DEFAULT  # type: ignore[arg-type]
            )
        )
        return _with_ws(node.with_changes(elements=elements), close_ws=close)
    # one line (or a hanging layout): ", " separators
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    last = elements[-1]
    # A one-line trailing comma is the user's choice (ruff reads it as "explode me"). The comma
    # of a one-element tuple is not, but it is the user's byte: the grown tuple is exploded one
    # element per line, which is what ruff does with that comma.
    tuple_comma = isinstance(node, cst.Tuple) and count == 1 and isinstance(last.comma, cst.Comma)
    if index < count:
        elements.insert(index, new.with_changes(comma=space))
    elif isinstance(last.comma, cst.Comma):
        elements[-1] = last.with_changes(comma=space)
        elements.append(new.with_changes(comma=last.comma))
    else:
        elements[-1] = last.with_changes(comma=space)
        elements.append(new)
    node = node.with_changes(elements=elements)
    return _reflow(node, depth, 0, force=True) if tuple_comma else node


def _reflow(
    node: _Collection,
    depth: int,
    prefix: int,
    suffix: int = 0,
    *,
    force: bool = False,
    explode: bool = False,
) -> _Collection:
    """Split a one-line collection that no longer fits in ``LINE_LENGTH`` the way ruff format
    does: two or more elements one per line with a trailing comma, a single element on its own
    line; then the same for nested collections still too long. Multi-line collections keep the
    user's layout; only their one-line children are looked at. ``explode``: split this one
    although a child already spans lines (a one-line dict whose child was just split)."""
    render = cst.Module([]).code_for_node
    code = render(node)
    inner = _INDENT * (depth + 1)
    elements = list(node.elements)
    if explode:
        force = True
    elif "\n" in code:
        indent = len(_element_indent(node, depth))
        for i, element in enumerate(elements):
            if isinstance(element.value, (cst.List, cst.Tuple, cst.Dict, cst.Set)):
                key = render(element.key) + ": " if isinstance(element, cst.DictElement) else ""
                value = _reflow(element.value, depth + 1, indent + len(key), 1)
                elements[i] = element.with_changes(value=value)
        return node.with_changes(elements=elements)
    if (prefix + len(code) + suffix <= LINE_LENGTH and not force) or not elements:
        return node
    several = len(elements) > 1 or isinstance(node, cst.Tuple)
    for i, element in enumerate(elements):
        last = i == len(elements) - 1
        if several:
            ws = cst.SimpleWhitespace("") if last else _newline_ws(inner)
            element = element.with_changes(comma=cst.Comma(whitespace_after=ws))
        else:
            element = element.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        if isinstance(element.value, (cst.List, cst.Tuple, cst.Dict, cst.Set)):
            key = render(element.key) + ": " if isinstance(element, cst.DictElement) else ""
            value = _reflow(element.value, depth + 1, len(inner) + len(key), int(several))
            element = element.with_changes(value=value)
        elements[i] = element
    node = node.with_changes(elements=elements)
    if isinstance(node, cst.Tuple) and not node.lpar:
        node = node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return _with_ws(node, open_ws=_newline_ws(inner), close_ws=_newline_ws(_INDENT * depth))


def _target_prefix(small: cst.BaseSmallStatement) -> int:
    if isinstance(small, cst.Assign):
        return sum(len(cst.Module([]).code_for_node(t)) for t in small.targets)
    return len(cst.Module([]).code_for_node(small)) - len(
        cst.Module([]).code_for_node(small.value)  # type: ignore[attr-defined]
    )


def _quote(module: cst.Module, node: _Collection | None) -> str | None:
    """The quote the user's strings use in ``node`` (or the file): ``'`` or ``"``."""
    found: list[str] = []

    class _Strings(cst.CSTVisitor):
        def visit_SimpleString(self, string: cst.SimpleString) -> None:
            found.append(string.quote)

    (node or module).visit(_Strings())
    if not found:
        return None
    return "'" if found.count("'") > found.count('"') else '"'


class _Requote(cst.CSTTransformer):
    def __init__(self, quote: str) -> None:
        self.quote = quote

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        value = updated_node.value
        body = value[len(updated_node.prefix) + len(updated_node.quote) : -len(updated_node.quote)]
        if len(updated_node.quote) != 1 or "'" in body or '"' in body or "\\" in body:
            return updated_node
        return updated_node.with_changes(
            value=f"{updated_node.prefix}{self.quote}{body}{self.quote}"
        )


def _expression(code: str, quote: str | None, identity: str) -> cst.BaseExpression:
    try:
        expression = cst.parse_expression(code.strip())
    except cst.ParserSyntaxError as error:
        raise ProjectMergeError(f"the code for {identity} is not an expression: {error}") from None
    if quote:
        expression = expression.visit(_Requote(quote))
    return expression  # type: ignore[return-value]


def _statement_line(
    module: cst.Module, site: _Site
) -> tuple[cst.SimpleStatementLine, cst.BaseSmallStatement]:
    line = module.body[site.index]
    assert isinstance(line, cst.SimpleStatementLine)
    return line, line.body[site.sub]


def _replace_value(
    module: cst.Module, site: _Site, edit_value
) -> cst.Module:  # edit_value: (value) -> value
    line, small = _statement_line(module, site)
    assert isinstance(small, (cst.Assign, cst.AnnAssign))
    value = edit_value(small.value)
    if isinstance(value, (cst.List, cst.Tuple, cst.Dict, cst.Set)):
        value = _reflow(value, 0, _target_prefix(small))
    new_small = small.with_changes(value=value)
    body = list(line.body)
    body[site.sub] = new_small
    new_line = line.with_changes(body=body)
    statements = list(module.body)
    statements[site.index] = new_line
    return module.with_changes(body=statements)


def _add_element(module: cst.Module, site: _Site, code: str, index: int, identity: str):
    def change(value: cst.BaseExpression) -> cst.BaseExpression:
        assert isinstance(value, (cst.List, cst.Tuple))
        element = cst.Element(_expression(code, _quote(module, value), identity))
        return _insert(value, element, index, 0)

    return _replace_value(module, site, change)


def _add_key(module: cst.Module, site: _Site, edit: DictKey) -> cst.Module:
    def change(value: cst.BaseExpression) -> cst.BaseExpression:
        return _add_key_in(module, value, edit, 0)  # type: ignore[arg-type]

    return _replace_value(module, site, change)


def _key_of(element: cst.BaseDictElement) -> str | None:
    if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
        value = element.key.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _render_key(key: str, quote: str | None) -> cst.BaseExpression:
    text = repr(key)
    if quote != "'" and '"' not in key and "'" not in key and "\\" not in key:
        text = f'"{key}"'
    return cst.parse_expression(text)


def _add_key_in(module: cst.Module, node: cst.Dict, edit: DictKey, depth: int) -> cst.Dict:
    quote = _quote(module, node) or _quote(module, None)
    if depth < len(edit.path):
        part = edit.path[depth]
        elements = list(node.elements)
        for i, element in enumerate(elements):
            if _key_of(element) == part and isinstance(element.value, cst.Dict):
                inner = _add_key_in(module, element.value, edit, depth + 1)  # type: ignore[union-attr]
                elements[i] = element.with_changes(value=inner)
                return node.with_changes(elements=elements)
        # the nested dict is missing: build it holding the rest of the path and the key
        value: cst.BaseExpression = _expression(edit.value, quote, edit.identity)
        for name in reversed((*edit.path[depth + 1 :], edit.key)):
            value = cst.Dict([cst.DictElement(_render_key(name, quote), value)])
        new_element = cst.DictElement(_render_key(part, quote), value)
    else:
        new_element = cst.DictElement(
            _render_key(edit.key, quote), _expression(edit.value, quote, edit.identity)
        )
    return _insert(node, new_element, len(node.elements), depth)


def _new_statements(module: cst.Module, code: str, identity: str) -> list[cst.BaseStatement]:
    _parse_or_raise(code, identity)
    try:
        parsed = cst.parse_module(_dedent(code), config=module.config_for_parsing)
    except cst.ParserSyntaxError as error:
        raise ProjectMergeError(f"the code for {identity} does not parse: {error}") from None
    return list(parsed.body)


def _insert_statements(
    module: cst.Module, index: int, statements: list[cst.BaseStatement]
) -> cst.Module:
    body = list(module.body)
    if statements and body:
        first = statements[0]
        statements[0] = first.with_changes(leading_lines=[cst.EmptyLine(), *first.leading_lines])
    body[index:index] = statements
    return module.with_changes(body=body)


def _render_dict_setting(edit: DictKey, quote: str | None) -> str:
    value: cst.BaseExpression = _expression(edit.value, quote, edit.identity)
    for name in reversed((*edit.path, edit.key)):
        value = cst.Dict([cst.DictElement(_render_key(name, quote), value)])
    value = _reflow(value, 0, len(edit.setting) + 3)  # type: ignore[arg-type]
    return f"{edit.setting} = {cst.Module([]).code_for_node(value)}\n"


def _add_to_method(module: cst.Module, edit: BodyStatement, index: int) -> cst.Module:
    cls = module.body[index]
    assert isinstance(cls, cst.ClassDef)
    method_name = edit.function.partition(".")[2]
    statements = _new_statements(module, edit.code, edit.identity)
    if not isinstance(cls.body, cst.IndentedBlock):
        raise ProjectMergeError(
            f"{edit.function.partition('.')[0]} is written on one line; put its body on its own"
            " lines, then run djgen again"
        )
    body = list(cls.body.body)
    for i, node in enumerate(body):
        if isinstance(node, cst.FunctionDef) and node.name.value == method_name:
            block = node.body
            if not isinstance(block, cst.IndentedBlock):
                raise ProjectMergeError(
                    f"{edit.function} is written on one line; put its body on its own lines,"
                    " then run djgen again"
                )
            # blank lines between the new statements carry no indentation (no trailing spaces)
            added = [
                s.with_changes(
                    leading_lines=[
                        line.with_changes(indent=False) if line.comment is None else line
                        for line in s.leading_lines
                    ]
                )
                for s in statements
            ]
            body[i] = node.with_changes(body=block.with_changes(body=[*block.body, *added]))
            break
    else:
        inner = "".join(_INDENT + line for line in _dedent(edit.code).splitlines(keepends=True))
        method = _new_statements(module, _dedent(edit.create) + inner, edit.identity)[0]
        method = method.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        body.append(method)
    new_cls = cls.with_changes(body=cls.body.with_changes(body=body))
    statements_ = list(module.body)
    statements_[index] = new_cls
    return module.with_changes(body=statements_)


def _nested_element_in(
    module: cst.Module, node: cst.Dict, edit: ListElement, index: int, depth: int
) -> cst.Dict:
    """``node`` with ``edit.value`` in the list at ``edit.path[depth:]`` (created when missing:
    nested dicts and a one-element tuple)."""
    quote = _quote(module, node) or _quote(module, None)
    part = edit.path[depth]
    elements = list(node.elements)
    for i, element in enumerate(elements):
        if _key_of(element) != part:
            continue
        value = element.value
        if depth + 1 < len(edit.path):
            assert isinstance(value, cst.Dict)
            inner: cst.BaseExpression = _nested_element_in(module, value, edit, index, depth + 1)
        else:
            assert isinstance(value, (cst.List, cst.Tuple))
            new = cst.Element(
                _expression(edit.value, _quote(module, value) or quote, edit.identity)
            )
            inner = _insert(value, new, index, depth + 1)
        elements[i] = element.with_changes(value=inner)
        node = node.with_changes(elements=elements)
        render = cst.Module([]).code_for_node
        if "\n" in render(inner) and "\n" not in render(value) and not _is_multiline(node):
            # a one-line ``("a",)`` grew and was split: ruff splits the dicts around it too
            node = _reflow(node, depth, 0, explode=True)
        return node
    created: cst.BaseExpression = _expression(f"({edit.value.strip()},)", quote, edit.identity)
    for name in reversed(edit.path[depth + 1 :]):
        created = cst.Dict([cst.DictElement(_render_key(name, quote), created)])
    return _insert(node, cst.DictElement(_render_key(part, quote), created), len(elements), depth)


def _apply(module: cst.Module, tree: ast.Module, edit: ProjectEdit, decision: _Decision):
    if isinstance(edit, ListElement) and edit.path:
        if decision.site is None:  # ListElement(create=True): the setting is missing
            quote = _quote(module, None)
            value: cst.BaseExpression = _expression(
                f"({edit.value.strip()},)", quote, edit.identity
            )
            for name in reversed(edit.path):
                value = cst.Dict([cst.DictElement(_render_key(name, quote), value)])
            value = _reflow(value, 0, len(edit.setting) + 3)  # type: ignore[arg-type]
            text = f"{edit.setting} = {cst.Module([]).code_for_node(value)}\n"
            index = _last_setting_index(tree, ())
            return _insert_statements(module, index, _new_statements(module, text, edit.identity))

        def change(value: cst.BaseExpression) -> cst.BaseExpression:
            assert isinstance(value, cst.Dict)
            return _nested_element_in(module, value, edit, decision.index or 0, 0)

        return _replace_value(module, decision.site, change)
    if isinstance(edit, (ListElement, UrlPattern)):
        code = edit.value if isinstance(edit, ListElement) else edit.code
        if decision.site is None:  # ListElement(create=True)
            quote = _quote(module, None)
            element = cst.Module([]).code_for_node(_expression(code, quote, edit.identity))
            text = f"{edit.setting} = [{element}]\n"  # type: ignore[union-attr]
            index = _last_setting_index(tree, ())
            return _insert_statements(module, index, _new_statements(module, text, edit.identity))
        return _add_element(module, decision.site, code, decision.index or 0, edit.identity)
    if isinstance(edit, DictKey):
        if decision.site is None:
            text = _render_dict_setting(edit, _quote(module, None))
            index = _last_setting_index(tree, ())
            return _insert_statements(module, index, _new_statements(module, text, edit.identity))
        return _add_key(module, decision.site, edit)
    if isinstance(edit, Assignment):
        statements = _new_statements(module, edit.code, edit.identity)
        if decision.action == "replace" and decision.site is not None:
            body = list(module.body)
            old = body[decision.site.index]
            statements[0] = statements[0].with_changes(leading_lines=old.leading_lines)
            body[decision.site.index : decision.site.index + 1] = statements
            return module.with_changes(body=body)
        return _insert_statements(module, decision.index or 0, statements)
    return _add_to_method(module, edit, decision.index or 0)


def _wanted_imports(statements: Sequence[str]) -> list[Import]:
    """One ``Import`` per imported name of the edits' import statements."""
    out: list[Import] = []
    for statement in statements:
        try:
            node = ast.parse(statement.strip()).body[0]
        except (SyntaxError, IndexError):
            raise ProjectMergeError(f"not an import statement: {statement.strip()!r}") from None
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            raise ProjectMergeError(f"not an import statement: {statement.strip()!r}")
        for alias in node.names:
            if isinstance(node, ast.Import):
                out.append(Import(alias.name, None, alias.asname))
            else:
                module = "." * node.level + (node.module or "")
                out.append(Import(module, alias.name, alias.asname))
    return list(dict.fromkeys(out))


def _add_imports(module: cst.Module, statements: Sequence[str]) -> tuple[cst.Module, list[str]]:
    """Add the imports not there yet, as the definition merge does (isort order, long
    statements wrapped, relative imports kept relative)."""
    planned = plan_imports(module, _wanted_imports(statements))
    module, added = add_imports(module, planned.to_add)
    return module, [item.render() for item in added]


def merge_project_file(
    text: str,
    edits: Sequence[ProjectEdit],
    *,
    target: str = "settings.py",
    elsewhere: Mapping[str, Collection[str]] | None = None,
) -> ProjectMergeResult:
    """Apply the missing ``edits`` to a project file's text; see the module docstring.

    ``target`` names the file in reasons and errors. ``elsewhere``: list elements / top-level
    dict keys that other settings files already provide, by setting (for a ``settings/``
    package: ``ProjectIR.settings`` read from the files other than the one edited); those
    count as present.

    Raises ``ProjectMergeError`` (nothing changed) when the text or an edit's code does not parse.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    source = text[len(bom) :]
    tree = _parse_file(source, target)
    changes: list[MergeChange] = []
    imports: list[str] = []
    module: cst.Module | None = None
    seen: set[str] = set()
    for edit in edits:
        if edit.identity in seen:
            changes.append(MergeChange(edit.identity, "kept", "listed twice"))
            continue
        seen.add(edit.identity)
        decision = _decide_with(tree, edit, target, elsewhere or {})
        if decision.action not in ("add", "replace"):
            changes.append(
                MergeChange(edit.identity, decision.action, decision.reason, decision.line)
            )
            continue
        if module is None:
            try:
                module = cst.parse_module(source)
            except cst.ParserSyntaxError as error:
                raise ProjectMergeError(
                    f"{target}: line {error.raw_line}: LibCST cannot parse this file:"
                    f" {error.message}",
                    line=error.raw_line,
                ) from None
        module = _apply(module, tree, edit, decision)
        tree = ast.parse(module.code)  # the next decision sees this edit
        done: Action = "replaced" if decision.action == "replace" else "added"
        changes.append(MergeChange(edit.identity, done))
        imports.extend(edit.imports)
    if module is None:
        return ProjectMergeResult(text, text, changes)
    module, added = _add_imports(module, imports)
    return ProjectMergeResult(bom + module.code, text, changes, added)
