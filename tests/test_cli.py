"""The CLI as a CI job uses it: check (exit 1 on drift), generate --diff/--write, idempotence.

Place in the data path: models.py → IR → generators → artifacts → merge → files, driven through
the ``djgen`` command in a subprocess on a copy of the example project.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "bookshop"


def djgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "djgen.generators", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "bookshop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("*.sqlite3", "__pycache__"))
    for name in (
        "serializers.py",
        "filters.py",
        "pagination.py",
        "views.py",
        "urls.py",
        "admin.py",
    ):
        (root / "catalog" / name).unlink(missing_ok=True)
    for migration in (root / "catalog" / "migrations").glob("0*.py"):
        migration.unlink()
    return root


def test_check_generate_check_cycle(tmp_path):
    root = _copy(tmp_path)
    before = djgen("check", ".", cwd=root)
    assert before.returncode == 1, before.stderr
    missing = next(x for x in before.stdout.splitlines() if x.startswith("catalog/serializers.py:"))
    assert missing.startswith("catalog/serializers.py: missing ") and "AuthorSerializer" in missing
    assert "Book has changes not in migrations: create model" in before.stdout

    diff = djgen("generate", "all", "catalog", cwd=root)
    assert diff.returncode == 0, diff.stderr
    assert diff.stdout.startswith("--- /dev/null\n+++ b/catalog/")
    assert "+class BookSerializer(serializers.ModelSerializer):" in diff.stdout
    assert not (root / "catalog" / "serializers.py").exists()  # --diff writes nothing

    written = djgen("generate", "all", "catalog", "--write", cwd=root)
    assert written.returncode == 0, written.stderr
    assert (root / "catalog" / "migrations" / "0001_initial.py").is_file()
    snapshot = {p: p.read_bytes() for p in (root / "catalog").rglob("*.py")}
    assert djgen("check", ".", cwd=root).returncode == 0

    again = djgen("generate", "all", "catalog", "--write", "--force", cwd=root)
    assert again.returncode == 0, again.stderr
    assert {p: p.read_bytes() for p in (root / "catalog").rglob("*.py")} == snapshot

    models = root / "catalog" / "models.py"
    text = models.read_text()
    pages = "    pages = models.PositiveIntegerField()\n"
    models.write_text(
        text.replace(pages, pages + "    subtitle = models.CharField(max_length=9)\n")
    )
    after = djgen("check", ".", cwd=root)
    assert after.returncode == 1
    assert "Book has changes not in migrations: add field subtitle" in after.stdout


def test_list_prints_the_contract_names(tmp_path):
    listed = djgen("list", "--all", cwd=tmp_path)
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert names == [
        "serializer",
        "filterset",
        "viewset",
        "admin",
        "relationships",
        "migration",
        "tests",
        "jwt",
        "caching",
        "api-settings",
        "cqrs",
        "eventsourcing",
        "websocket",
    ]


def test_check_skips_apps_without_models(tmp_path):
    root = _copy(tmp_path)
    stub = root / "newsletter"  # what `manage.py startapp newsletter` leaves
    (stub / "migrations").mkdir(parents=True)
    for name in ("__init__.py", "migrations/__init__.py"):
        (stub / name).write_text("")
    (stub / "models.py").write_text("from django.db import models\n\n# Create your models here.\n")
    checked = djgen("check", ".", cwd=root)
    assert "note: newsletter: no models, skipped" in checked.stderr, checked.stderr
    # the stub did not stop the run: the app after it was still checked
    assert checked.returncode == 1, checked.stderr
    assert any(x.startswith("catalog/serializers.py: missing ") for x in checked.stdout.split("\n"))
    assert "newsletter/" not in checked.stdout

    assert djgen("generate", "all", "catalog", "--write", cwd=root).returncode == 0
    clean = djgen("check", ".", cwd=root)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "djgen: 1 app(s) up to date" in clean.stderr


def test_todo_lines_go_away_once_their_wiring_exists(tmp_path):
    root = _copy(tmp_path)
    first = djgen("generate", "all", "catalog", "--write", cwd=root)
    assert first.returncode == 0, first.stderr
    todos = [line for line in first.stderr.splitlines() if line.startswith("todo:")]
    assert any("migrate" in line for line in todos), first.stderr
    again = djgen("generate", "all", "catalog", "--write", cwd=root)
    assert again.returncode == 0, again.stderr
    assert "djgen: nothing to do" in again.stderr
    assert [line for line in again.stderr.splitlines() if line.startswith("todo:")] == []


def test_error_messages_name_files_relative_to_the_working_folder(tmp_path):
    root = _copy(tmp_path)
    models = root / "catalog" / "models.py"
    models.write_text(models.read_text() + "\n\nclass Broken(models.Model):\n    x = (\n")
    line = len(models.read_text().splitlines())
    for cwd, arg, shown in (
        (tmp_path, "bookshop/catalog", "bookshop/catalog/models.py"),
        (root, "catalog", "catalog/models.py"),
        (root / "catalog", ".", "models.py"),
        (root / "catalog", str(root / "catalog"), "models.py"),
    ):
        for command in (("generate", "all", arg), ("check", arg), ("inspect", arg)):
            done = djgen(*command, cwd=cwd)
            assert done.returncode == 2, (command, done.stderr)
            assert f"djgen: error: {shown}:{line}: syntax error" in done.stderr, (cwd, done.stderr)
            assert str(tmp_path) not in done.stderr, done.stderr
    missing = djgen("generate", "all", "bookshop/nope", cwd=tmp_path)
    assert missing.stderr.strip() == "djgen: error: bookshop/nope: no such file or folder"
