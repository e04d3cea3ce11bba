"""``djgen through APP_DIR Model.field [--write]``: the editor's "Convert to an explicit through
model" on the command line.

Data path: app folder → reader (IR) → ``core.relation_fixes`` (models.py with the through class
and ``through=``) + ``migrations.through`` (the ``SeparateDatabaseAndState`` migration that
keeps the rows) → **relations_cli** (this module: a unified diff by default, the files with
``--write``) → terminal or the app's files.

Exit codes: 0 done, 2 when the conversion is refused (one line on stderr saying why).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_USAGE = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_dir", metavar="APP_DIR", help="the app folder (or its models.py)")
    parser.add_argument("field", metavar="MODEL.FIELD", help="the ManyToManyField, e.g. Post.tags")
    parser.add_argument("--write", action="store_true", help="write the files (default: a diff)")


def run(args: argparse.Namespace) -> int:
    from djgen.generators.core import relation_fixes as fixes
    from djgen.generators.core.paths import app_dir_of, relative, unified_diff
    from djgen.generators.migrations.api import MigrationsError
    from djgen.generators.migrations.through import through_migration
    from djgen.generators.reader import read_app

    app_dir = app_dir_of(args.app_dir)
    models_py = app_dir / "models.py"
    model, _, field = args.field.partition(".")
    if not field or not models_py.is_file():
        return _refuse(f"give APP_DIR with a models.py and MODEL.FIELD (got {args.field!r})")
    text = models_py.read_text(encoding="utf-8")
    try:
        new, plan = fixes.convert_to_through(text, read_app(app_dir), model, field)

        def read_text(path: Path) -> str | None:
            if Path(path) == models_py:
                return new
            return Path(path).read_text(encoding="utf-8") if Path(path).is_file() else None

        migration = through_migration(
            app_dir, model=model, field=field, through=plan.name, read_text=read_text
        )
    except (fixes.RelationFixError, MigrationsError) as exc:
        return _refuse(str(exc))
    files = [(models_py, text, new)]
    if migration is not None:
        files.append((app_dir / migration[0], None, migration[1]))
    for path, old, content in files:
        if args.write:
            path.write_text(content, encoding="utf-8")
            print(f"djgen: wrote {relative(path)}", file=sys.stderr)
        else:
            sys.stdout.write(unified_diff(old, content, relative(path)))
    if migration is None:
        print(
            f"djgen: {model}.{field} is not in the migrations yet: no table to keep, "
            "makemigrations creates the through model's",
            file=sys.stderr,
        )
    return EXIT_OK


def _refuse(message: str) -> int:
    print(f"djgen: error: {message}", file=sys.stderr)
    return EXIT_USAGE
