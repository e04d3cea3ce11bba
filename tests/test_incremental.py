"""Incremental reading equals a fresh full read, after long random edit sequences.

Place in the data path: models.py buffer → **IR** (incremental) compared with models.py → IR
(full ``read_source``) for every intermediate text.
"""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

from djgen.generators.reader import read_source
from djgen.generators.reader.incremental import IncrementalReader

EXAMPLE = Path(__file__).resolve().parent.parent / "examples/bookshop/catalog/models.py"

SNIPPETS = [
    "x",
    "\n",
    "    ",
    "(",
    ")",
    ":",
    '"""',
    "#",
    "    extra = models.IntegerField(default=1)\n",
    "    note = models.CharField(max_length=5)\n",
    "\nclass Added(models.Model):\n    title = models.CharField(max_length=9)\n",
    "\nclass Child(Book):\n    pages2 = models.IntegerField()\n",
    "\nclass Base(models.Model):\n    a = models.IntegerField()\n\n"
    "    class Meta:\n        abstract = True\n",
    "from django.db import models as m\n",
    "@decorator\n",
    "class Meta:\n        ordering = ['x']\n",
]


def _synthetic(n: int) -> str:
    parts = ["from django.conf import settings\nfrom django.db import models\n"]
    for i in range(n):
        parent = (
            f"    parent = models.ForeignKey(Model{i - 1}, on_delete=models.CASCADE)\n" if i else ""
        )
        base = f"Model{i - 1}" if i % 7 == 3 else "models.Model"
        parts.append(
            f"\n\nclass Model{i}({base}):\n"
            f"    class Status(models.TextChoices):\n        A = 'a', 'A'\n\n"
            f"    name{i} = models.CharField(max_length=20)\n{parent}"
            f"    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,"
            f" related_name='+')\n"
        )
    return "".join(parts)


def _edit(text: str, rng: random.Random) -> str:
    """A random edit: mostly whole lines or statements (as typing a model does), some junk."""
    if not text:
        return rng.choice(SNIPPETS)
    lines = text.splitlines(keepends=True)
    roll = rng.random()
    i = rng.randrange(len(lines))
    if roll < 0.3:  # insert a snippet at a line start
        return "".join([*lines[:i], rng.choice(SNIPPETS[8:]), *lines[i:]])
    if roll < 0.45:  # delete whole lines
        return "".join(lines[:i] + lines[i + rng.randint(1, 3) :])
    if roll < 0.6:  # change a number in place
        digits = [k for k, ch in enumerate(text) if ch.isdigit()]
        if digits:
            k = rng.choice(digits)
            return text[:k] + str(rng.randrange(10)) + text[k + 1 :]
    if roll < 0.7:  # duplicate a line
        return "".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
    pos = rng.randrange(len(text) + 1)
    if roll < 0.85:  # a character-level insertion
        return text[:pos] + rng.choice(SNIPPETS) + text[pos:]
    if roll < 0.97:  # a character-level deletion
        return text[:pos] + text[min(len(text), pos + rng.randint(1, 40)) :]
    return text[:pos]  # truncation


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize(
    ("name", "seed", "steps"),
    [("example", 1, 600), ("example", 2, 600), ("synthetic", 3, 300)],
)
def test_incremental_equals_full_read(name, seed, steps):
    rng = random.Random(seed)
    text = EXAMPLE.read_text() if name == "example" else _synthetic(40)
    original = last_good = text
    path = str(EXAMPLE)
    reader = IncrementalReader(app_label="catalog", path=path)
    for step in range(steps):
        # as when typing: a broken text is often mended again; now and then start afresh
        if step % 100 == 99:
            text = original
        elif rng.random() < 0.5 and not _parses(text):
            text = last_good
        else:
            text = _edit(text, rng)
        if _parses(text):
            last_good = text
        got = reader.read(text)
        want = read_source(text, app_label="catalog", path=path)
        assert got == want, f"step {step}: incremental read differs from a full read"
    assert reader.partial_parses > steps // 5
    assert reader.cache.hits > 0


def test_one_line_edit_reuses_everything_else():
    text = _synthetic(50)
    reader = IncrementalReader(app_label="big")
    reader.read(text)
    edited = text.replace(
        "name10 = models.CharField(max_length=20)", "name10 = models.CharField(max_length=21)"
    )
    hits = reader.cache.hits
    ir = reader.read(edited)
    assert reader.partial_parses == 1
    assert reader.cache.hits - hits >= 45
    assert ir == read_source(edited, app_label="big")
    assert ir.model("Model10").field("name10").kwarg("max_length") == 21
