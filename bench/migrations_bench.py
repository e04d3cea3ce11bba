"""Static migration verdicts beside Django's own ``makemigrations --check --dry-run``.

Data path: app folder → djgen's static reading (``djgen.generators.migrations.api.detect``) vs
``python manage.py makemigrations --check --dry-run`` in a subprocess, on the bookshop example
and on a generated 300-model app. Prints times and both verdicts; it is a measurement, not a
test (nothing here passes or fails).

    .venv/bin/python bench/migrations_bench.py [--models 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from djgen.generators.migrations.api import detect, make_migration

REPO = Path(__file__).resolve().parent.parent

SETTINGS = """
SECRET_KEY = "bench"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    {apps}
]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""

MANAGE = """
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchproject.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""


def big_models(count: int) -> str:
    """A models.py with ``count`` models: varied fields, FKs to earlier models, Meta options."""
    out = ["from django.conf import settings", "from django.db import models", ""]
    for i in range(count):
        lines = [
            f"class Model{i}(models.Model):",
            "    name = models.CharField(max_length=100)",
            "    slug = models.SlugField(unique=True)",
            "    count = models.PositiveIntegerField(default=0)",
            "    price = models.DecimalField(max_digits=8, decimal_places=2, null=True)",
            "    created = models.DateTimeField(auto_now_add=True)",
            "    active = models.BooleanField(default=True)",
        ]
        if i:
            lines.append(
                f"    parent = models.ForeignKey(Model{i - 1}, on_delete=models.CASCADE, "
                f"related_name='children{i}')"
            )
        if i % 10 == 0:
            lines.append(
                "    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, "
                f"on_delete=models.SET_NULL, related_name='owned{i}')"
            )
        lines += [
            "",
            "    class Meta:",
            "        ordering = ['name']",
            "        indexes = [models.Index(fields=['name', 'count'])]",
            "",
            "",
        ]
        out += lines
    return "\n".join(out)


def make_project(root: Path, app: str, models_source: str) -> Path:
    (root / "benchproject").mkdir(parents=True)
    (root / "benchproject" / "__init__.py").write_text("")
    (root / "benchproject" / "settings.py").write_text(
        textwrap.dedent(SETTINGS).format(apps=f'"{app}",')
    )
    (root / "manage.py").write_text(textwrap.dedent(MANAGE))
    app_dir = root / app
    (app_dir / "migrations").mkdir(parents=True)
    (app_dir / "__init__.py").write_text("")
    (app_dir / "migrations" / "__init__.py").write_text("")
    (app_dir / "models.py").write_text(models_source)
    return app_dir


def time_static(app_dir: Path, repeat: int) -> tuple[float, bool]:
    times, changed = [], False
    for _ in range(repeat):
        start = time.perf_counter()
        changed = detect(app_dir).changed
        times.append(time.perf_counter() - start)
    return statistics.median(times), changed


def time_django(root: Path, app: str, repeat: int) -> tuple[float, bool]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    times, changed = [], False
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "manage.py", "makemigrations", app, "--check", "--dry-run",
             "--noinput"],
            cwd=root, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        times.append(time.perf_counter() - start)
        changed = proc.returncode != 0
    return statistics.median(times), changed


def report(label: str, root: Path, app: str, app_dir: Path, repeat: int) -> None:
    static_s, static_changed = time_static(app_dir, repeat)
    django_s, django_changed = time_django(root, app, max(1, repeat // 2))
    same = "same" if static_changed == django_changed else "DIFFERENT"
    print(
        f"{label:<44} djgen {static_s * 1000:8.1f} ms  "
        f"django {django_s * 1000:8.1f} ms  "
        f"x{django_s / static_s:6.1f}  "
        f"verdict djgen={'changes' if static_changed else 'clean':<7} "
        f"django={'changes' if django_changed else 'clean':<7} ({same})"
    )


def scenario(label: str, root: Path, app: str, app_dir: Path, repeat: int) -> None:
    report(f"{label}: no migrations yet", root, app, app_dir, repeat)
    made = make_migration(app_dir)
    if made is not None:
        (app_dir / made[0]).write_text(made[1], encoding="utf-8")
    report(f"{label}: after djgen's 0001", root, app, app_dir, repeat)
    models_py = app_dir / "models.py"
    source = models_py.read_text(encoding="utf-8")
    marker = "    name = models.CharField(max_length="
    index = source.find(marker)
    models_py.write_text(
        source[:index] + "    extra = models.IntegerField(null=True)\n" + source[index:],
        encoding="utf-8",
    )
    report(f"{label}: one field added", root, app, app_dir, repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="djgen-bench-") as tmp:
        root = Path(tmp) / "bookshop"
        shutil.copytree(
            REPO / "examples" / "bookshop",
            root,
            ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"),
        )
        catalog = root / "catalog"
        for old in (catalog / "migrations").glob("0*.py"):
            old.unlink()
        scenario("examples/bookshop (catalog)", root, "catalog", catalog, args.repeat)

        big_root = Path(tmp) / "big"
        app_dir = make_project(big_root, "bigapp", big_models(args.models))
        scenario(f"generated {args.models}-model app", big_root, "bigapp", app_dir, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
