"""The reader's and renderer's shortcuts give what the general code gives.

Place in the data path: models.py → reader (``choices.literal``, ``SourceText``) → IR →
generator → ``render`` (``templates_fixed``): each shortcut is checked against the slow path it
skips, on every expression of a real models file and of hand-picked edge cases.
"""

from __future__ import annotations

import ast
import os
import sys
import time
from pathlib import Path

from djgen.generators.core import render as render_module
from djgen.generators.core.ir import NOT_LITERAL
from djgen.generators.reader.choices import literal
from djgen.generators.reader.source import SourceText

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import models_gen  # noqa: E402

EDGE_CASES = """
x = (set(), set(1), set(a=1), -1, +1.0, -(1), 1 + 2j, 1 - 2j, 1 + 2, {1: 2}, {1}, [a], f(),
     a.b, lambda: 1, "a" "b", b"", ..., not 1, {**a}, (1, [2, {3}]), a[0], f"{a}", -a, ~1,
     {1: a}, [1, *a], x if y else z, (yield), await_, None, True)
"""
NON_ASCII = '''
class Café(models.Model):
    nom = models.CharField("Nom élevé", max_length=20, help_text="""déjà
    vu""")
    ok = models.BooleanField(default=True)
'''


def _reference(node: ast.AST) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return NOT_LITERAL


def _sources() -> list[str]:
    texts = [EDGE_CASES, NON_ASCII]
    for path in sorted((ROOT / "examples").rglob("models.py")):
        texts.append(path.read_text(encoding="utf-8"))
    texts.append(models_gen.generate_models(120).text)
    return texts


def _trees() -> list[tuple[str, ast.Module]]:
    return [(text, ast.parse(text)) for text in _sources()]


def test_literal_equals_literal_eval_on_every_expression() -> None:
    checked = 0
    for _, tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.expr):
                continue
            got, want = literal(node), _reference(node)
            assert (got is NOT_LITERAL) == (want is NOT_LITERAL), ast.dump(node)
            if got is not NOT_LITERAL:
                assert type(got) is type(want) and got == want, ast.dump(node)
            checked += 1
    assert checked > 1000


def test_ascii_segment_equals_byte_segment() -> None:
    checked = 0
    for text, tree in _trees():
        fast, slow = SourceText(text), SourceText(text)
        slow._ascii = False  # the byte-offset path every non-ASCII file takes
        for node in ast.walk(tree):
            if getattr(node, "end_col_offset", None) is None or not hasattr(node, "lineno"):
                continue
            assert fast.segment(node) == slow.segment(node), ast.dump(node)
            assert fast.span(node) == slow.span(node), ast.dump(node)
            checked += 1
    assert checked > 1000
    assert not SourceText(NON_ASCII)._ascii


def test_templates_fixed_compiles_once_and_reload_comes_back(tmp_path: Path) -> None:
    override = tmp_path / "serializer"
    override.mkdir()
    template = override / "probe.py.j2"
    template.write_text("one = {{ value | py }}\n", encoding="utf-8")

    def write(text: str) -> None:  # a later mtime, so a reloading loader sees the change
        template.write_text(text, encoding="utf-8")
        later = time.time() + 5
        os.utime(template, (later, later))

    with render_module.templates_fixed():
        assert render_module.render("serializer/probe.py.j2", tmp_path, value=1) == "one = 1\n"
        write("two = {{ value | py }}\n")
        # inside the block the compiled template is used as it is
        assert render_module.render("serializer/probe.py.j2", tmp_path, value=1) == "one = 1\n"
    # outside it, an edited override (the language server's case) is read again
    assert render_module.render("serializer/probe.py.j2", tmp_path, value=1) == "two = 1\n"
    assert render_module._reload_templates is True


def test_generate_runs_without_the_collector_and_turns_it_back_on(monkeypatch) -> None:
    import gc

    from djgen.generators import cli

    seen: list[bool] = []

    def fake_generate(args: object) -> int:
        seen.append(gc.isenabled())
        raise cli.CLIError("stop here")

    monkeypatch.setattr(cli, "cmd_generate", fake_generate)
    threshold = gc.get_threshold()
    try:
        assert gc.isenabled()
        assert cli.main(["generate", "serializer", str(ROOT / "examples")]) == cli.EXIT_USAGE
        assert seen == [False]
        assert gc.isenabled()  # back on for an in-process caller, even after an error
    finally:
        gc.set_threshold(*threshold)
