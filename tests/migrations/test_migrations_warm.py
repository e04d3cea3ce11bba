"""The language server's warm migration verdict equals the cold one after every edit.

Data path: a generated models.py (``bench/models_gen.py``), edited at random as a user edits it,
read by the server's incremental reader → ``detect(per_model_only=True, warm=True)`` (memoised
model states, the history's state kept, unchanged models left out of the comparison) against
``detect(per_model_only=True)`` (everything built and compared anew) on the same IR; and, at a few
checkpoints, against Django's ``makemigrations --check --dry-run``. Seeds are fixed, so a failure
reproduces.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

from djgen.generators.migrations.api import (
    MigrationsError,
    NeedsDefault,
    detect,
    make_migration,
    warm_memo,
)
from djgen.generators.reader.incremental import IncrementalReader
from djgen.generators.reader.project import import_root_for, read_app_info

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _models_gen():
    sys.path.insert(0, str(BENCH))
    try:
        import models_gen
    finally:
        sys.path.remove(str(BENCH))
    return models_gen


_FIELD = re.compile(r"^    (\w+) = models\.\w+\(.*\)$")
_FK = re.compile(r"models\.(ForeignKey|OneToOneField)\(([\w.']+),")


def _blocks(lines: list[str]) -> list[tuple[str, int, int]]:
    """(class name, first line, end line) of every top-level class."""
    out = []
    for i, line in enumerate(lines):
        if line.startswith("class "):
            name = re.match(r"class (\w+)", line).group(1)  # type: ignore[union-attr]
            end = i + 1
            while end < len(lines) and (not lines[end] or lines[end].startswith(" ")):
                end += 1
            out.append((name, i, end))
    return out


def _edit(rng: random.Random, text: str, step: int) -> tuple[str, str]:
    """One random edit of the models text: (new text, what it did)."""
    lines = text.split("\n")
    blocks = _blocks(lines)
    concrete = [b for b in blocks if b[0] != "TimeStamped"]
    name, start, end = rng.choice(concrete)
    body = lines[start:end]
    fields = [
        (i, m.group(1)) for i, line in enumerate(body) if (m := _FIELD.match(line)) is not None
    ]
    # a field nothing else in the class names (Meta lists, constraints)
    free = [(i, f) for i, f in fields if "\n".join(body).count(f) == 1]
    kind = rng.choice(
        ["add", "add", "remove", "alter", "alter", "rename", "model", "fk", "meta", "meta",
         "constant", "abstract", "migrate", "noop"]
    )  # fmt: skip
    if kind == "add":
        lines.insert(start + 1, f"    w{step} = models.IntegerField(null=True)")
    elif kind == "remove" and free:
        i, f = rng.choice(free)
        del lines[start + i]
        return "\n".join(lines), f"remove {name}.{f}"
    elif kind == "alter" and fields:
        i, f = rng.choice(fields)
        lines[start + i] = lines[start + i][:-1] + f", help_text='h{step}')"
        return "\n".join(lines), f"alter {name}.{f}"
    elif kind == "rename" and free:
        i, f = rng.choice(free)
        lines[start + i] = lines[start + i].replace(f"    {f} = ", f"    {f}_r{step} = ", 1)
        return "\n".join(lines), f"rename {name}.{f}"
    elif kind == "model":
        target = rng.choice(concrete)[0]
        lines += [
            "",
            f"class New{step}(models.Model):",
            f"    ref = models.ForeignKey({target!r}, on_delete=models.CASCADE, "
            f"related_name='new{step}')",
            "    title = models.CharField(max_length=20)",
            "",
        ]
        return "\n".join(lines), f"add model New{step} -> {target}"
    elif kind == "fk":
        fks = [i for i, line in enumerate(lines) if _FK.search(line)]
        if fks:
            i = rng.choice(fks)
            target = rng.choice(concrete)[0]
            lines[i] = _FK.sub(lambda m: f"models.{m.group(1)}({target!r},", lines[i], count=1)
            return "\n".join(lines), f"fk target -> {target} at line {i + 1}"
    elif kind == "meta":
        meta = next((i for i, line in enumerate(body) if line == "    class Meta:"), None)
        if meta is not None:
            lines.insert(start + meta + 1, f"        verbose_name = 'v{step}'")
        else:
            lines[end:end] = ["    class Meta:", f"        db_table = 't{step}'", ""]
        return "\n".join(lines), f"meta {name}"
    elif kind == "constant":
        at = lines.index("SIZE_CHOICES = [")
        lines.insert(at + 1, f"    ('x{step}', 'X{step}'),")
        return "\n".join(lines), "SIZE_CHOICES"
    elif kind == "abstract":
        at = lines.index("class TimeStamped(models.Model):")
        lines.insert(at + 1, f"    ts{step} = models.IntegerField(null=True)")
        return "\n".join(lines), "TimeStamped"
    elif kind in ("migrate", "noop"):
        return text, kind
    return "\n".join(lines), f"{kind} {name}"


def _verdict(app: Path, module, warm: bool) -> tuple:
    try:
        v = detect(app, module=module, per_model_only=True, warm=warm)
    except MigrationsError as exc:
        return ("error", type(exc).__name__, str(exc))
    return (
        v.changed,
        v.per_model,
        v.undecidable,
        v.descriptions,
        v.dependencies,
        v.needs_default,
        v.leaf,
        v.initial,
    )


def _write_migration(app: Path) -> None:
    try:
        made = make_migration(app)
    except NeedsDefault:
        return
    if made is not None:
        (app / made[0]).write_text(made[1], encoding="utf-8")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_edits_warm_verdict_equals_cold(tmp_path, seed):
    models_gen = _models_gen()
    app = models_gen.write_project(tmp_path, 40, seed)
    if seed != 2:  # seed 2: an app without migrations yet (the unfolded verdict)
        _write_migration(app)
    path = app / "models.py"
    text = path.read_text(encoding="utf-8")
    reader = IncrementalReader(
        app_label=read_app_info(app).label, path=str(path), project_root=str(import_root_for(app))
    )
    rng = random.Random(f"warm-{seed}")
    memo = warm_memo(app)
    done: list[str] = []
    for step in range(30):
        text, what = _edit(rng, text, step)
        done.append(what)
        if what == "migrate":
            path.write_text(text, encoding="utf-8")
            _write_migration(app)
        module = reader.read(text)
        warm = _verdict(app, module, warm=True)
        cold = _verdict(app, module, warm=False)
        assert warm == cold, f"seed {seed} after {done}"
    # the warm path was taken: most model states came from the memo
    assert memo.hits > 3 * memo.misses > 0


def test_warm_memo_sees_a_changed_constant(tmp_path):
    """A field whose choices come from a module constant changes with the constant alone."""
    source = (
        "from django.db import models\n\n"
        "SIZES = [('s', 'Small')]\n\n\n"
        "class Shirt(models.Model):\n"
        "    size = models.CharField(max_length=2, choices=SIZES)\n"
    )
    models_gen = _models_gen()
    app = models_gen.write_project(tmp_path, 1, models_text=source)
    _write_migration(app)
    reader = IncrementalReader(
        app_label=read_app_info(app).label,
        path=str(app / "models.py"),
        project_root=str(import_root_for(app)),
    )
    assert detect(app, module=reader.read(source), per_model_only=True, warm=True).per_model == {}
    edited = source.replace("[('s', 'Small')]", "[('s', 'Small'), ('m', 'Medium')]")
    verdict = detect(app, module=reader.read(edited), per_model_only=True, warm=True)
    assert verdict.per_model == {"Shirt": ["alter field size"]}


@pytest.mark.django
def test_warm_verdict_agrees_with_django_at_checkpoints(django_project):
    from mig_oracle import django_dry_run

    models_gen = _models_gen()
    label = models_gen.APP_LABEL
    text = models_gen.generate_models(20, 4).text
    project = django_project({label: {"models.py": text}})
    app = project.app_dir(label)
    _write_migration(app)
    reader = IncrementalReader(
        app_label=read_app_info(app).label,
        path=str(app / "models.py"),
        project_root=str(import_root_for(app)),
    )
    rng = random.Random("warm-django")
    checked = 0
    for step in range(12):
        text, what = _edit(rng, text, step)
        if what == "migrate":
            continue
        (app / "models.py").write_text(text, encoding="utf-8")
        verdict = detect(app, module=reader.read(text), per_model_only=True, warm=True)
        if step % 4 != 3 or verdict.undecidable:
            continue
        expected = django_dry_run(project, label)
        assert verdict.changed == expected.changed, (what, expected.output)
        if expected.changed and expected.returncode != 3:  # 3: Django asks for a default
            assert verdict.descriptions == expected.lines.get(label), (what, expected.output)
        checked += 1
    assert checked >= 2


def test_warm_memo_sees_a_changed_setting(tmp_path):
    """``default_auto_field`` changes every implicit pk though no class changed: the model IR
    (what the reader made of the settings) is part of a memoised state's key."""
    models_gen = _models_gen()
    app = models_gen.write_project(tmp_path, 5, 1)
    _write_migration(app)
    path = app / "models.py"
    text = path.read_text(encoding="utf-8")

    def reader() -> IncrementalReader:
        return IncrementalReader(
            app_label=read_app_info(app).label,
            path=str(path),
            project_root=str(import_root_for(app)),
        )

    assert detect(app, module=reader().read(text), per_model_only=True, warm=True).per_model == {}
    for settings in (tmp_path / models_gen.PROJECT_PACKAGE / "settings.py", app / "apps.py"):
        settings.write_text(
            settings.read_text(encoding="utf-8").replace(
                "django.db.models.BigAutoField", "django.db.models.AutoField"
            ),
            encoding="utf-8",
        )
    module = reader().read(text)  # the server reads anew after a settings change
    warm = detect(app, module=module, per_model_only=True, warm=True)
    cold = detect(app, module=module, per_model_only=True)
    assert warm.per_model == cold.per_model
    assert set(warm.per_model) == set(models_gen.model_names(5))


def test_fingerprints_and_strict_equality_tell_equal_looking_values_apart():
    """1, 1.0 and True are equal in Python but not in a migration; spans are not content."""
    from djgen.generators.core.ir import ChoiceMember, ChoicesIR, Span
    from djgen.generators.migrations.autodetector import _strict_equal
    from djgen.generators.migrations.state import Code
    from djgen.generators.migrations.state_memo import StateMemo

    memo = StateMemo()

    def choices(value, line=1):
        return ChoicesIR("Size", "IntegerChoices", [ChoiceMember("S", value, "S")], None,
                         Span(line, 0, line + 1, 0))  # fmt: skip

    one = memo.ir_fingerprint(choices(1))
    assert one == memo.ir_fingerprint(choices(1, line=40))
    assert one != memo.ir_fingerprint(choices(True))
    assert one != memo.ir_fingerprint(choices(1.0))
    assert not _strict_equal({"a": 0.0}, {"a": -0.0})
    assert not _strict_equal([True], [1])
    assert _strict_equal({"a": Code("1"), "b": Code("2")}, {"b": Code("2"), "a": Code("1")})


def test_warm_memo_sees_another_modules_constants_choices_and_base(tmp_path):
    """Names imported from another app's module (a constant, a choices list, an abstract base):
    an edit there changes the warm verdict of the model that uses them, and of it only."""
    source = (
        "from django.db import models\n\n"
        "from common.models import KIND, LEN, Base\n\n\n"
        "class Item(Base):\n"
        "    name = models.CharField(max_length=LEN)\n"
        "    kind = models.CharField(max_length=5, choices=KIND)\n\n\n"
        "class Other(models.Model):\n"
        "    title = models.CharField(max_length=10)\n"
    )
    models_gen = _models_gen()
    app = models_gen.write_project(tmp_path, 1, models_text=source)
    common = tmp_path / "common"
    common.mkdir()
    (common / "__init__.py").write_text("", encoding="utf-8")
    other = common / "models.py"
    other.write_text(
        "from django.db import models\n\nLEN = 20\nKIND = [('a', 'A')]\n\n\n"
        "class Base(models.Model):\n    stamp = models.IntegerField(default=0)\n\n"
        "    class Meta:\n        abstract = True\n",
        encoding="utf-8",
    )
    _write_migration(app)
    memo = warm_memo(app)
    said = []
    for old, new in [
        ("", ""),
        ("LEN = 20", "LEN = 30"),
        ("[('a', 'A')]", "[('a', 'A'), ('b', 'B')]"),
        ("default=0", "default=1"),
    ]:
        other.write_text(other.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        reader = IncrementalReader(  # the server reads anew when another module changes
            app_label=read_app_info(app).label,
            path=str(app / "models.py"),
            project_root=str(import_root_for(app)),
        )
        module = reader.read(source)
        warm = detect(app, module=module, per_model_only=True, warm=True)
        assert warm.per_model == detect(app, module=module, per_model_only=True).per_model
        said.append(warm.per_model.get("Item", []))
    assert said == [
        [],
        ["alter field name"],
        ["alter field kind", "alter field name"],
        ["alter field kind", "alter field name", "alter field stamp"],
    ]
    assert memo.hits == 3  # Other, after each edit of common/models.py
