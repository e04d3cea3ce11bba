"""Merge engine, fast paths as text (no LibCST): new files built from their definitions.

Data path: models.py → IR → generator → artifacts → **merge** (this module: the entry point
``merge`` and the paths that need no LibCST tree) → file or WorkspaceEdit.

``merge`` sends each artifact down the cheapest path that gives the LibCST merge's result:

- a whole-file artifact (a migration) is written only when the file is new;
- a new target file is built as text: the docstring, the import block in isort's sections and
  ruff's order, then each definition with its marker line, placed by ``after``/``before`` and
  spaced as ruff format wants. All definitions of the artifact are parsed with one
  ``ast.parse`` (the same checks as the LibCST path: valid Python, one statement, defines its
  identity), and the names each one reads come from a scan of its tokens, so a thousand
  definitions cost one parse, not a thousand parses and tree walks;
- an existing file that already has every definition is answered from ``ast`` facts;
- anything else goes to the LibCST merge (``definitions``), imported only then.
"""

from __future__ import annotations

import ast
import keyword
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from djgen.generators.core.artifacts import (
    GENERATED_MARKER,
    Artifact,
    Definition,
    Import,
    MergeChange,
    MergeResult,
)
from djgen.generators.merge.import_order import (
    _SENTINEL_PARTS,
    _member_key,
    _statement_key,
    import_section,
    normalise_import,
    render_import,
)
from djgen.generators.merge.scan import StatementFacts, has_definition

__all__ = ["MergeError", "merge", "used_names_in"]


class MergeError(ValueError):
    """The target file (or the generated code) cannot be parsed, so nothing can be merged."""

    def __init__(self, message: str, *, line: int | None = None, col: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.col = col


def merge(existing: str | None, artifact: Artifact, *, force: bool = False) -> MergeResult:
    """Merge ``artifact`` into the text of its target file (``None``: the file is new).

    Raises ``MergeError`` (with the line number) when the file or the generated code does not
    parse; never changes user code. See ``generators/core/artifacts.py`` for the contract.
    """
    if artifact.content is not None:
        return merge_whole_file(existing, artifact)
    if existing is None:
        return merge_new_file(artifact)
    if not force and artifact.definitions:
        text = existing.removeprefix("\ufeff")
        unchanged = nothing_to_add(text, artifact)
        if unchanged is not None:
            return MergeResult(existing, existing, unchanged)
    from djgen.generators.merge.definitions import _merge_existing

    return _merge_existing(existing, artifact, force=force)


# --------------------------------------------------------------------------------------------
# Whole files, headers, files that already have everything
# --------------------------------------------------------------------------------------------


def render_header(header: str | None) -> str:
    """The module docstring for ``header`` (empty text when there is none)."""
    if not header:
        return ""
    body = "\n".join(line.rstrip() for line in header.strip().splitlines())
    body = body.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.endswith('"'):
        body += " "
    return f'"""{body}\n"""\n' if "\n" in body else f'"""{body}"""\n'


def merge_whole_file(existing: str | None, artifact: Artifact) -> MergeResult:
    content = artifact.content or ""
    if existing is None:
        return MergeResult(content, "", [MergeChange(artifact.target, "added")])
    if existing == content:
        return MergeResult(existing, existing, [MergeChange(artifact.target, "kept")])
    reason = f"{artifact.target} already exists; djgen never overwrites a whole file"
    return MergeResult(existing, existing, [MergeChange(artifact.target, "skipped", reason)])


_STRICT: dict[str, list[StatementFacts] | None] = {}


def strict_facts(text: str) -> list[StatementFacts] | None:
    """Facts of each top-level statement, None when the text does not parse; memoised by text
    (the language server asks again and again about the same large target files)."""
    if text not in _STRICT:
        try:
            facts: list[StatementFacts] | None = [
                StatementFacts([node]) for node in ast.parse(text).body
            ]
        except (SyntaxError, ValueError):
            facts = None
        if len(_STRICT) >= 16:
            _STRICT.pop(next(iter(_STRICT)))
        _STRICT[text] = facts
    return _STRICT[text]


def nothing_to_add(text: str, artifact: Artifact) -> list[MergeChange] | None:
    """The "kept" report when the file (read with ``ast`` only) already has every definition;
    None when something must be written (or the file does not parse: the full path says so)."""
    facts = strict_facts(text)
    if facts is None:
        return None
    present: set[str] = set()
    for item in facts:
        present |= item.identities
    changes: list[MergeChange] = []
    handled: set[str] = set()
    for definition in artifact.definitions:
        identity = definition.identity
        if identity in handled and definition.kind != "statement":
            changes.append(MergeChange(identity, "kept", "the artifact defines it twice"))
            continue
        handled.add(identity)
        found = (
            has_definition(definition, facts)
            if definition.kind == "statement"
            else any(i in present for i in definition.identities)
        )
        if not found:
            return None
        changes.append(MergeChange(identity, "kept"))
    return changes


# --------------------------------------------------------------------------------------------
# The names a definition reads, from its tokens
# --------------------------------------------------------------------------------------------

_STRINGS_AND_COMMENTS = re.compile(
    r"""
    (?=[rRbBuUfF'"\#])  # (fails fast where nothing can start)
    (?:(?P<prefix>[rRbBuUfF]{0,2})
    (?P<string>'\'\'(?:\\.|[^\\])*?'\'\'|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")
    | \#[^\n]*)
    """,
    re.VERBOSE,
)
#: A name not written after a dot (an attribute) nor inside another word or number.
_NAME = re.compile(r"(?<![.\w])[^\W\d]\w*")
#: ``f(x=1)`` / ``def f(a, b=2)``: keyword arguments and parameters with defaults.
_KEYWORD_ARGUMENT = re.compile(r"[(,]\s*([^\W\d]\w*)\s*=(?!=)")
_DEFINED = re.compile(r"(?<!\w)(?:def|class)\s+([^\W\d]\w*)")


def used_names_in(code: str) -> set[str]:
    """Every name ``code`` may read or bind as an ``ast.Name`` (a superset, from its tokens):
    names inside strings and comments, attribute names, keyword-argument names and
    ``def``/``class`` names are left out; parameter names and keywords other than the hard
    ones may stay. Names in f-strings' replacement fields count."""
    bare = _STRINGS_AND_COMMENTS.sub(_blank_out, code)
    counts = Counter(_NAME.findall(bare))
    counts.subtract(_KEYWORD_ARGUMENT.findall(bare))
    counts.subtract(_DEFINED.findall(bare))
    return {name for name, n in counts.items() if n > 0 and not keyword.iskeyword(name)}


def _blank_out(match: re.Match[str]) -> str:
    """A string or comment as a space; an f-string as the code of its replacement fields."""
    body = match.group("string")
    if body is None or "f" not in match.group("prefix").lower():
        return " "
    return " " + " ".join(_fstring_fields(body)) + " "


def _fstring_fields(body: str) -> list[str]:
    """The replacement fields' text of an f-string's body (quotes included)."""
    found: list[str] = []
    depth = 0
    start = 0
    index = 0
    while index < len(body):
        char = body[index]
        if char == "{":
            if depth == 0 and body.startswith("{{", index):
                index += 2
                continue
            if depth == 0:
                start = index + 1
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                field = body[start:index]
                found.append(_STRINGS_AND_COMMENTS.sub(_blank_out, field))
        index += 1
    return found


# --------------------------------------------------------------------------------------------
# New files, built as text
# --------------------------------------------------------------------------------------------


@dataclass
class _Text:
    """One definition for a new file: its text (marker included) and ``ast`` facts."""

    definition: Definition
    text: str
    facts: StatementFacts
    kind: str  # "def" or "other"


def _clean(code: str) -> str:
    return code.replace("\r\n", "\n").strip("\n") + "\n"


def _nodes_each(definitions: Sequence[Definition]) -> list[list[ast.stmt]] | None:
    """The top-level nodes of each definition's code, from one parse of them all; None when
    that parse fails or a statement crosses from one definition's lines into the next one's
    (then each is parsed alone, for the right message)."""
    codes = [_clean(d.code) for d in definitions]
    try:
        tree = ast.parse("".join(codes))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    starts: list[int] = []
    line = 1
    for code in codes:
        starts.append(line)
        line += code.count("\n")
    starts.append(line)
    groups: list[list[ast.stmt]] = [[] for _ in codes]
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            return None  # a future import changes how the rest parses: parse each alone
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
        index = bisect_right(starts, first) - 1
        if not 0 <= index < len(codes) or (node.end_lineno or node.lineno) >= starts[index + 1]:
            return None
        groups[index].append(node)
    return groups


def _text_definition(
    definition: Definition, generator: str, nodes: list[ast.stmt] | None = None
) -> _Text:
    """One definition checked as the LibCST path checks it (``nodes``: its parsed statements,
    when the caller parsed them already)."""
    code = _clean(definition.code)
    if nodes is None:
        try:
            nodes = ast.parse(code).body
        except (SyntaxError, ValueError) as error:
            raise MergeError(
                f"generator {generator!r} produced invalid Python for {definition.identity}:"
                f" {error}"
            ) from None
    if len(nodes) != 1:
        raise MergeError(
            f"generator {generator!r} produced {len(nodes)} statements for"
            f" {definition.identity}; a definition is exactly one top-level statement"
        )
    facts = StatementFacts(list(nodes))
    if not has_definition(definition, [facts]):
        raise MergeError(
            f"generator {generator!r}: the code for {definition.identity} does not define"
            f" {definition.identity} (kind {definition.kind!r})"
        )
    lines = code.splitlines(keepends=True)
    start = 0
    comments: list[str] = []
    while start < len(lines) and (
        not lines[start].strip() or lines[start].lstrip().startswith("#")
    ):
        if lines[start].strip():
            comments.append(lines[start].strip() + "\n")
        start += 1
    marker = f"{GENERATED_MARKER}: {generator}\n"
    text = "".join([*comments, marker, *lines[start:]])
    node = nodes[0]
    kind = (
        "def"
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        else "other"
    )
    return _Text(definition, text, facts, kind)


def _text_blank_lines(previous: str | None, current: str, *, close: bool) -> int:
    """Blank lines ruff format wants between two top-level statements of these kinds
    ("def", "import", "other"; ``close``: related, such as ``router.register`` after
    ``router``)."""
    if previous is None:
        return 0
    if previous == "def" or current == "def":
        return 2
    if previous == "import" and current != "import":
        return 1
    return 0 if close else 1


def needed_imports(artifact: Artifact, names: Iterable[set[str]] | None) -> list[Import]:
    """The artifact's imports that the written definitions use (all, if it has none);
    ``names``: what each written definition reads."""
    imports = [normalise_import(item) for item in artifact.imports]
    if not artifact.definitions:
        return imports
    used = list(names or ())
    if not used:
        return []
    union = set().union(*used)
    needed = []
    for item in imports:
        bound = item.alias or (item.name if item.name else item.module.split(".")[0])
        if item.module == "__future__" or bound in union:
            needed.append(item)
    return needed


def _place_new(items: list[_Text], definition: Definition) -> int:
    """Where a new definition goes among ``items``: after the last one ``after`` names (the
    scan runs from the end, so a run of ``router.register`` calls costs one step each), else
    before the first one ``before`` names, else at the end."""
    if definition.after:
        for index in range(len(items) - 1, -1, -1):
            if items[index].facts.matches_after(definition.after):
                return index + 1
    if definition.before:
        for index, item in enumerate(items):
            if item.facts.matches_before(definition.before):
                return index
    return len(items)


def merge_new_file(artifact: Artifact) -> MergeResult:
    """A new target file, built as text: what the LibCST path gives for ``existing=None``."""
    definitions = artifact.definitions
    groups = _nodes_each(definitions) if definitions else []
    items: list[_Text] = []
    changes: list[MergeChange] = []
    handled: set[str] = set()
    provided: set[str] = set()  # identities the items so far define
    for number, definition in enumerate(definitions):
        identity = definition.identity
        item = _text_definition(
            definition, artifact.generator, groups[number] if groups is not None else None
        )
        if identity in handled and definition.kind != "statement":
            changes.append(MergeChange(identity, "kept", "the artifact defines it twice"))
            continue
        handled.add(identity)
        exists = (
            has_definition(definition, (x.facts for x in items))
            if definition.kind == "statement"
            else any(i in provided for i in definition.identities)
        )
        if exists:
            changes.append(MergeChange(identity, "kept"))
            continue
        provided |= item.facts.identities
        items.insert(_place_new(items, definition), item)
        changes.append(MergeChange(identity, "added"))
    # what the written code reads, from one scan of it all (only the union matters here)
    names = used_names_in("".join(item.text for item in items))
    wanted = needed_imports(artifact, [names] if items else [])
    block = import_block(wanted, artifact.generator)
    if block is None:  # an import the text path does not write: the LibCST path does
        from djgen.generators.merge.definitions import _merge_existing

        return _merge_existing(None, artifact)
    imports_text, added = block
    header = render_header(artifact.header)
    parts = [header + ("\n" if header and imports_text else "") + imports_text]
    previous: str | None = "import" if imports_text else ("other" if header else None)
    for i, item in enumerate(items):
        close = i > 0 and items[i - 1].facts.related_to(item.definition.name)
        parts.append("\n" * _text_blank_lines(previous, item.kind, close=close))
        parts.append(item.text)
        previous = item.kind
    return MergeResult("".join(parts), "", changes, [item.render() for item in added])


# --------------------------------------------------------------------------------------------
# The import block of a new file
# --------------------------------------------------------------------------------------------

_MODULE = re.compile(r"\.*(?:[^\W\d]\w*(?:\.[^\W\d]\w*)*)?\Z")


def _resolve(module: str) -> str | None:
    """``.models`` against the sentinel package LibCST resolves relative imports with (so the
    text path sorts them as the LibCST path does); None beyond three dots."""
    dots = len(module) - len(module.lstrip("."))
    if not dots:
        return module
    if dots > len(_SENTINEL_PARTS):
        return None
    base = ".".join(_SENTINEL_PARTS[: len(_SENTINEL_PARTS) - dots + 1])
    rest = module[dots:]
    return f"{base}.{rest}" if rest else base


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _bad_import(generator: str, message: str) -> MergeError:
    return MergeError(f"generator {generator!r} asked for a bad import: {message}")


def import_block(wanted: Sequence[Import], generator: str) -> tuple[str, list[Import]] | None:
    """The import statements of a new file for ``wanted`` (deduplicated, grouped and sorted
    as ``add_imports`` writes them into an empty module) and the imports in the order it
    reports them; None for an import only the LibCST path writes (``*``, four dots)."""
    seen: set[Import] = set()
    plain: set[str] = set()
    aliased: dict[str, str] = {}
    names: dict[str, set[str]] = {}  # resolved module → names
    pairs: dict[str, list[tuple[str, str]]] = {}  # resolved module → (name, alias)
    spelled: dict[str, str] = {}  # resolved module → as written
    for item in wanted:
        if item in seen:
            continue
        seen.add(item)
        if item.module == "__future__" and item.name is None:
            raise _bad_import(generator, "Cannot import __future__ directly!")
        if item.module == "__future__" and item.alias is not None:
            raise _bad_import(generator, "Cannot import __future__ objects with aliases!")
        if not item.module or not _MODULE.match(item.module):
            raise _bad_import(generator, f"{item.module!r} is not a module name")
        resolved = _resolve(item.module)
        if resolved is None or item.name == "*":
            return None
        for part in filter(None, [item.name, item.alias, *resolved.split(".")]):
            if not _identifier(part):
                raise _bad_import(generator, f"{item.render()!r} is not Python")
        if item.name is None:
            if item.module.startswith("."):
                return None
            if item.alias is None:
                plain.add(item.module)
            else:
                aliased[item.module] = item.alias
            continue
        spelled.setdefault(resolved, item.module)
        if item.alias is None:
            names.setdefault(resolved, set()).add(item.name)
        else:
            pairs.setdefault(resolved, []).append((item.name, item.alias))
    added = [Import(m) for m in sorted(plain)]
    added += [Import(m, alias=a) for m, a in sorted(aliased.items())]
    for module in sorted(names):
        added += [Import(spelled[module], n) for n in sorted(names[module])]
    for module in sorted(pairs):
        added += [Import(spelled[module], n, a) for n, a in sorted(pairs[module])]
    statements: list[tuple[int, tuple[int, int, str], str]] = []
    for module in sorted(plain):
        statements.append(
            (import_section(module), _statement_key(module, False), f"import {module}")
        )
    for module, alias in sorted(aliased.items()):
        text = f"import {module} as {alias}"
        statements.append((import_section(module), _statement_key(module, False), text))
    members: dict[str, list[tuple[str, str | None]]] = {}
    for module in sorted(names):
        members.setdefault(module, []).extend((n, None) for n in names[module])
    for module in sorted(pairs):
        members.setdefault(module, []).extend(pairs[module])
    for module, found in members.items():
        ordered = sorted(set(found), key=lambda p: (_member_key(p[0]), p[1] or ""))
        text = render_import(spelled[module], ordered, exploded=False)
        key_module = spelled[module]
        statements.append((import_section(key_module), _statement_key(key_module, True), text))
    statements.sort(key=lambda s: (s[0], s[1]))
    lines: list[str] = []
    section = None
    for number, _key, text in statements:
        if section is not None and number != section:
            lines.append("")
        lines.append(text)
        section = number
    return ("\n".join(lines) + "\n" if lines else ""), added
