"""Smoke tests of the benchmark harness (``bench/``): it runs on tiny inputs and prints its tables.

Data path: ``bench/models_gen.py`` writes a synthetic models.py into a real Django project (which
Django itself must accept); the LSP, CLI and API benchmarks then drive the whole path — models.py
→ IR → generators → artifacts → merge → diagnostics / WorkspaceEdits / files / a served API —
and these tests check that each run finishes, measured what it says, and got correct answers.
No assertion here is about a timing.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import models_gen  # noqa: E402


def _run(argv: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *argv], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def test_generated_models_are_deterministic_and_varied() -> None:
    first = models_gen.generate_models(120, seed=3)
    again = models_gen.generate_models(120, seed=3)
    other = models_gen.generate_models(120, seed=4)
    assert first.text == again.text
    assert first.text != other.text
    assert len(first.models) == len(set(first.models)) == 120
    for feature in (
        "models.ForeignKey(",
        "models.ManyToManyField(",
        "models.OneToOneField(",
        "settings.AUTH_USER_MODEL",
        "class Status(models.TextChoices)",
        "class Priority(models.IntegerChoices)",
        "choices=SIZE_CHOICES",
        "unique_together",
        "models.UniqueConstraint(",
        "models.Index(",
        "(TimeStamped)",
    ):
        assert feature in first.text, feature


@pytest.mark.django
def test_django_accepts_the_generated_project(tmp_path: Path) -> None:
    app = models_gen.write_project(tmp_path, 60, seed=1)
    check = _run(["manage.py", "check"], tmp_path)
    assert check.returncode == 0, check.stderr
    made = _run(["manage.py", "makemigrations", models_gen.APP_LABEL, "-v", "0"], tmp_path)
    assert made.returncode == 0, made.stderr
    assert list((app / "migrations").glob("0001_*.py"))
    migrated = _run(["manage.py", "migrate", "-v", "0"], tmp_path)
    assert migrated.returncode == 0, migrated.stderr


@pytest.mark.slow
def test_lsp_bench_runs_and_answers_correctly(tmp_path: Path) -> None:
    proc = _run(
        [str(BENCH / "lsp_bench.py"), "--quick", "--sizes", "500", "--json-out", str(tmp_path)],
        BENCH.parent,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for header in ("bare pygls", "djgen lsp", "edit→diag", "append→diag", "resolve", "hover"):
        assert header in proc.stdout
    data = json.loads((tmp_path / "lsp.json").read_text())
    assert set(data["startup"]) == {"bare pygls", "djgen lsp", "python -m djgen.server"}
    assert all(s["n"] > 0 for s in data["startup"].values())
    targets = {f["target"]: f for f in data["files"]}
    assert set(targets) == {"example (bookshop)", "~500 lines"}
    for result in targets.values():
        # Every answer was right: diagnostics for the edited/appended text, a resolved edit,
        # a hover; otherwise the run leaves a note.
        assert result["notes"] == [], result["notes"]
        names = set(result["series"])
        assert {"one-line edit → diagnostics", "append model → diagnostics"} <= names
        assert any(name.startswith("resolve") for name in names)
        assert result["peak_rss_mib"] > 0
    assert 480 <= targets["~500 lines"]["lines"] <= 560


@pytest.mark.slow
def test_cli_bench_runs_and_the_output_passes_django_check(tmp_path: Path) -> None:
    proc = _run(
        [
            str(BENCH / "cli_bench.py"),
            *("--quick", "--models", "8", "--no-migrations"),
            *("--json-out", str(tmp_path)),
        ],
        BENCH.parent,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "generate all --write (fresh)" in proc.stdout
    data = json.loads((tmp_path / "cli.json").read_text())
    generate = data["generate"]
    assert generate["models"] == 8
    assert generate["fresh"]["n"] == 1 and generate["rerun"]["n"] == 1
    assert generate["django_check"] == "passes"
    assert generate["generated_lines"] > 0


def _api_tools_missing() -> str | None:
    if shutil.which("wrk") is None:
        return "wrk is not installed (bench/run installs it)"
    if shutil.which("pg_ctl") is None and not glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"):
        return "PostgreSQL is not installed (bench/run installs it)"
    for module in ("psycopg", "psycopg_pool", "gunicorn", "uvicorn"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (bench/run installs it)"
    return None


@pytest.mark.slow
@pytest.mark.skipif(_api_tools_missing() is not None, reason=str(_api_tools_missing()))
def test_api_load_serves_the_generated_api_without_errors(tmp_path: Path) -> None:
    proc = _run(
        [
            str(BENCH / "api_load.py"),
            *("--duration", "1", "--warmup", "0", "--connections", "2", "--workers", "1"),
            *("--json-out", str(tmp_path)),
        ],
        BENCH.parent,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "req/s" in proc.stdout
    data = json.loads((tmp_path / "api.json").read_text())
    seen = {(r["server"], r["endpoint"]) for r in data["results"]}
    assert seen == {
        (server, endpoint)
        for server in ("gunicorn (WSGI)", "uvicorn (ASGI)")
        for endpoint in ("list", "detail")
    }, data["results"]
    for result in data["results"]:
        assert result["requests"] and result["requests"] > 0, result
        assert result["errors"] == 0, result["raw"]
