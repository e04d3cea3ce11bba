"""``djgen makemigrations``: one analysis per run, and ``--check`` answered from the verdict cache
only while nothing it read has changed.

Data path: app folder → CLI (``djgen.generators.cli.main``) → ``verdict_cache`` (hit: the stored
lines and exit code) or ``api.detect`` (miss: analysed, recorded, stored) → terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from djgen.generators.cli import main
from djgen.generators.migrations import api, verdict_cache

MODELS = """\
from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=100)
"""


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.delenv("DJGEN_NO_CACHE", raising=False)
    (tmp_path / "pyproject.toml").write_text("[tool.djgen]\n")
    app = tmp_path / "shop"
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    monkeypatch.chdir(tmp_path)
    return app


@pytest.fixture
def analyses(monkeypatch):
    """How many times the analysis ran."""
    count = {"n": 0}
    original = api._analyse

    def counting(*args, **kwargs):
        count["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(api, "_analyse", counting)
    return count


def _check(capsys, *extra: str) -> tuple[int, str]:
    code = main(["makemigrations", "shop", "--check", *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_makemigrations_analyses_once(app, analyses, capsys):
    assert main(["makemigrations", "shop"]) == 0
    assert analyses["n"] == 1
    out = capsys.readouterr().out
    assert "shop/migrations/0001_initial.py" in out
    assert "+ Create model Book" in out
    written = (app / "migrations" / "0001_initial.py").read_text()
    expected = api.make_migration(app)
    assert expected is None  # nothing left to do after the written file
    assert "migrations.CreateModel(" in written and "name='Book'" in written


def test_check_is_answered_from_the_cache_until_an_input_changes(app, analyses, capsys):
    assert main(["makemigrations", "shop"]) == 0
    capsys.readouterr()
    analyses["n"] = 0

    assert _check(capsys) == (0, "No changes detected in app 'shop'\n")
    assert analyses["n"] == 1
    assert _check(capsys) == (0, "No changes detected in app 'shop'\n")
    assert analyses["n"] == 1  # the same answer, not analysed again
    cache = app.parent / ".djgen-cache"
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert len(list((cache / "makemigrations").glob("shop-*.json"))) == 1

    os.utime(app / "models.py")  # touched, same bytes: still the same answer
    assert _check(capsys)[0] == 0
    assert analyses["n"] == 1

    models = app / "models.py"
    models.write_text(MODELS + "    isbn = models.CharField(max_length=13, null=True)\n")
    code, said = _check(capsys)
    assert (code, analyses["n"]) == (1, 2)
    assert "+ Add field isbn to book" in said
    assert _check(capsys) == (code, said)  # replayed: lines and exit code
    assert analyses["n"] == 2

    assert main(["makemigrations", "shop"]) == 0  # a new migration file: a new answer
    capsys.readouterr()
    assert _check(capsys)[0] == 0
    assert analyses["n"] == 4

    assert _check(capsys, "--no-cache")[0] == 0
    assert analyses["n"] == 5


def test_a_new_or_removed_migration_is_seen(app, analyses, capsys):
    main(["makemigrations", "shop"])
    assert _check(capsys)[0] == 0
    (app / "migrations" / "0001_initial.py").rename(app / "migrations" / "0001_initial.bak")
    code, said = _check(capsys)
    assert code == 1 and "+ Create model Book" in said


def test_environment_switch_turns_the_cache_off(app, analyses, capsys, monkeypatch):
    main(["makemigrations", "shop"])
    monkeypatch.setenv("DJGEN_NO_CACHE", "1")
    before = analyses["n"]
    _check(capsys)
    _check(capsys)
    assert analyses["n"] == before + 2
    assert not (app.parent / ".djgen-cache").exists()


def test_recording_sees_reads_checks_and_listings(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    with verdict_cache.recording() as inputs:
        assert (tmp_path / "a.py").read_text() == "x = 1\n"
        assert not (tmp_path / "b.py").is_file()
        assert [p.name for p in tmp_path.glob("*.py")] == ["a.py"]
    assert Path.read_text is verdict_cache._ORIGINAL["read_text"]  # put back
    assert inputs.unchanged()
    (tmp_path / "b.py").write_text("")
    assert not inputs.unchanged()
    (tmp_path / "b.py").unlink()
    assert inputs.unchanged()
    (tmp_path / "a.py").write_text("x = 2\n")
    assert not inputs.unchanged()


def test_the_console_script_answers_a_hit_without_building_the_parser(app):
    djgen = Path(sys.executable).parent / "djgen"
    first = subprocess.run([djgen, "makemigrations", "shop", "--check"], capture_output=True)
    assert first.returncode == 1 and b"+ Create model Book" in first.stdout
    # a hit: the command line parser is not even built
    probe = (
        "import sys; from djgen.generators import cli\n"
        "def refuse(): sys.exit(99)\n"
        "cli.build_parser = refuse\n"
        "sys.exit(cli.main(sys.argv[1:]))"
    )
    second = subprocess.run(
        [sys.executable, "-c", probe, "makemigrations", "shop", "--check"], capture_output=True
    )
    assert second.returncode == 1, second.stderr
    assert second.stdout == first.stdout
