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
    assert "catalog/serializers.py: missing AuthorSerializer" in before.stdout
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
