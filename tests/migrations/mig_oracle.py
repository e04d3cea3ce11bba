"""Django as the oracle for static migrations: run ``makemigrations`` in a real project and read
what it would do, then hold djgen's verdicts and files against it.

Data path: the far end of the migrations tests (models.py → IR → states → operations → file),
where Django itself reads the same project.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from djangoproject import DjangoProject, Manage

from djgen.generators.migrations.api import Verdict, detect, make_migration

_FILE_MARK = re.compile(r"^Full migrations file '([^']+)':\n", re.M)
_APP_MARK = re.compile(r"^Migrations for '([^']+)':$", re.M)


@dataclass
class DjangoVerdict:
    """What ``makemigrations --dry-run -v 3 --noinput`` said for one project."""

    returncode: int
    output: str
    #: app label → its lines ("+ Add field isbn to book"), without indentation.
    lines: dict[str, list[str]] = field(default_factory=dict)
    #: app label → {file name (no .py): text}
    files: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.returncode != 0 or bool(self.lines)


def django_dry_run(project: DjangoProject, *apps: str) -> DjangoVerdict:
    """Django's view of the missing migrations, nothing written."""
    result = project.run_one(
        Manage("makemigrations", *apps, "--dry-run", "--check", "-v", "3", "--noinput", check=False)
    )
    verdict = DjangoVerdict(result.returncode, result.output)
    out = result.stdout
    # Split into per-app blocks; each block lists its files and lines, then the full texts.
    app_marks = list(_APP_MARK.finditer(out))
    for i, mark in enumerate(app_marks):
        end = app_marks[i + 1].start() if i + 1 < len(app_marks) else len(out)
        block = out[mark.end() : end]
        app = mark.group(1)
        head = _FILE_MARK.split(block)[0]
        verdict.lines[app] = [
            line.strip()
            for line in head.splitlines()
            if line.startswith("    ") and line.strip()[:1] in "+-~ps?"
        ]
        parts = _FILE_MARK.split(block)[1:]
        files = {}
        for name, text in zip(parts[0::2], parts[1::2], strict=True):
            files[name.removesuffix(".py")] = text.rstrip("\n") + "\n"
        verdict.files[app] = files
    return verdict


def body(text: str) -> str:
    """A migration file without its first (header) line."""
    return text.split("\n", 1)[1]


def assert_same_file(mine: str, django: str, what: str) -> None:
    """djgen's migration text equals Django's, apart from the header line."""
    if body(mine) != body(django):
        diff = "".join(
            difflib.unified_diff(
                body(django).splitlines(True), body(mine).splitlines(True), "django", "djgen"
            )
        )
        raise AssertionError(f"{what}: djgen's file differs from Django's\n{diff}")


def djgen_verdict(project: DjangoProject, app: str, **kw) -> Verdict:
    return detect(project.app_dir(app), **kw)


def write_djgen_migration(
    project: DjangoProject, app: str, defaults: dict[str, str] | None = None
) -> tuple[str, str] | None:
    """Write djgen's next migration for ``app`` into the project; (relative path, text)."""
    made = make_migration(project.app_dir(app), defaults=defaults)
    if made is not None:
        relative, text = made
        target = project.app_dir(app) / relative
        target.write_text(text, encoding="utf-8")
    return made


def assert_django_agrees(project: DjangoProject) -> None:
    """Django finds no missing migrations and applies every file."""
    check, migrate = project.run(
        Manage("makemigrations", "--check", "--dry-run", "--noinput", check=False),
        Manage("migrate", "--noinput", check=False),
    )
    assert check.returncode == 0, "Django still sees changes:\n" + check.report()
    assert migrate.returncode == 0, "migrate failed:\n" + migrate.report()


def migration_name(relative: str) -> str:
    return Path(relative).stem


def check_step(
    project: DjangoProject, app: str, what: str, defaults: dict[str, str] | None = None
) -> Verdict:
    """One edit already written to models.py: djgen's verdict, lines, file name and text equal
    Django's; after djgen's file Django is clean and migrates, and djgen sees no changes."""
    app_dir = project.app_dir(app)
    verdict = detect(app_dir)
    expected = django_dry_run(project, app)
    assert verdict.undecidable == [], what
    assert verdict.changed == expected.changed, f"{what}: {expected.output}"
    if not verdict.changed:
        return verdict
    if defaults:
        assert expected.returncode == 3, f"{what}: {expected.output}"
        made = write_djgen_migration(project, app, defaults=defaults)
    else:
        assert verdict.descriptions == expected.lines.get(app), (what, expected.output)
        made = write_djgen_migration(project, app)
        assert made is not None
        (name, django_text), *more = expected.files[app].items()
        assert not more, what
        assert migration_name(made[0]) == name, what
        assert_same_file(made[1], django_text, what)
    assert_django_agrees(project)
    assert not detect(app_dir).changed, f"{what}: djgen still sees changes"
    return verdict
