"""The ``djgen`` command line: list, inspect, generate, check, makemigrations, through, lsp.

Data path: models.py → IR → generator → artifacts → merge → **file changes printed as a diff or
written** (this module is the CLI front end over ``djgen.generators.core.pipeline``).

Exit codes: 0 success, 1 ``check`` / ``makemigrations --check`` found work to do, 2 bad input (a
one-line message on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK = 0
EXIT_DRIFT = 1
EXIT_USAGE = 2


class CLIError(Exception):
    """A problem with the user's input, reported as one line and exit code 2."""


def _err(message: str) -> None:
    print(f"djgen: error: {message}", file=sys.stderr)


def _info(message: str) -> None:
    print(message, file=sys.stderr)


def _rel(path: Path) -> str:
    from djgen.generators.core.paths import relative

    return relative(path)


# -- list ---------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    from djgen.generators.core.registry import GENERATOR_NAMES, descriptors

    found = descriptors()
    if args.json:
        data = {
            "schema": 1,
            "generators": [d.json() for d in found.values()],
            "contract": list(GENERATOR_NAMES),
        }
        print(json.dumps(data, indent=2))
        return EXIT_OK
    names = [*GENERATOR_NAMES, *(n for n in found if n not in GENERATOR_NAMES)]
    for name in names:
        if name in found:
            print(f"{name:<14} {found[name].description}")
        elif args.all:
            print(f"{name:<14} (not available yet)")
    return EXIT_OK


# -- inspect ------------------------------------------------------------------------------------


def _read(path: str):
    from .reader import read_app

    if not Path(path).exists():
        raise CLIError(f"{path}: no such file or folder")
    return read_app(path)


def cmd_inspect(args: argparse.Namespace) -> int:
    from .reader.schema import module_json

    modules = [_read(p) for p in args.paths]
    if args.json:
        data = [module_json(m) for m in modules]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=2))
        return EXIT_OK if all(m.ok for m in modules) else EXIT_USAGE
    status = EXIT_OK
    for module in modules:
        if module.syntax_error is not None:
            _err(module.syntax_error.message)
            status = EXIT_USAGE
            continue
        print(f"{module.app_label} ({_rel(Path(module.path))}): {len(module.models)} models")
        for model in module.models:
            flags = [
                flag
                for flag, on in (
                    ("abstract", model.abstract),
                    ("proxy", model.proxy),
                    ("unmanaged", not model.meta.managed),
                )
                if on
            ]
            if model.mti_parent:
                flags.append(f"child of {model.mti_parent}")
            if model.proxy_for:
                flags.append(f"proxy for {model.proxy_for}")
            suffix = f"  [{', '.join(flags)}]" if flags else ""
            print(f"  {model.name}{suffix}")
            for f in model.fields:
                target = f" -> {f.related_model}" if f.related_model else ""
                extra = []
                if f.primary_key:
                    extra.append("pk")
                if f.auto_created:
                    extra.append("auto")
                if f.inherited_from:
                    extra.append(f"from {f.inherited_from}")
                note = f"  ({', '.join(extra)})" if extra else ""
                print(f"    {f.name}: {f.field_class}{target}{note}")
        for problem in module.problems:
            line = f":{problem.span.line}" if problem.span else ""
            print(f"  note{line}: {problem.message}")
    return status


# -- generate / check ---------------------------------------------------------------------------


def _diff(change) -> str:
    from djgen.generators.core.paths import unified_diff

    return unified_diff(change.old, change.new, _rel(change.path))


def _plan(names: str, path: str, models: Sequence[str] | None, force: bool):
    from djgen.generators.core.config import ConfigError
    from djgen.generators.core.pipeline import PlanError, plan
    from djgen.generators.core.registry import UnknownGenerator
    from djgen.generators.core.render import templates_fixed

    from .reader import read_app

    if not Path(path).exists():
        raise CLIError(f"{path}: no such file or folder")
    module = read_app(path)
    if module.syntax_error is not None:
        raise CLIError(module.syntax_error.message)
    if not module.models:
        raise CLIError(f"{path}: no Django models found")
    try:
        with templates_fixed():  # one compile per template, no stat per model
            return module, plan(path, names, models=models, force=force, module=module, fork=True)
    except (PlanError, UnknownGenerator, ConfigError) as exc:
        raise CLIError(str(exc)) from exc


def _names(identities) -> str:
    """Identities for one line of output (a method statement's identity holds its code)."""
    return ", ".join("; ".join(filter(None, map(str.strip, i.splitlines()))) for i in identities)


def _summary(changes) -> list[str]:
    lines = []
    for change in changes:
        added = [c.identity for c in change.changes if c.action == "added"]
        replaced = [c.identity for c in change.changes if c.action == "replaced"]
        skipped = [c for c in change.changes if c.action in ("skipped", "conflict")]
        verb = "create" if change.created else ("update" if change.changed else "unchanged")
        parts = []
        if added:
            parts.append(f"add {_names(added)}")
        if replaced:
            parts.append(f"replace {_names(replaced)}")
        lines.append(f"{verb:<9} {_rel(change.path)}" + (f": {'; '.join(parts)}" if parts else ""))
        for skip in skipped:
            verb = "kept yours" if skip.action == "conflict" else "skipped"
            where = f" (line {skip.line})" if skip.line else ""
            lines.append(f"          {verb} {skip.identity}{where}: {skip.reason}")
    return lines


def cmd_generate(args: argparse.Namespace) -> int:
    from djgen.generators.core.pipeline import write

    module, changes = _plan(args.names, args.path, args.model, args.force)
    if getattr(args, "fix_drift", False):
        changes = _with_drift_fixes(module, args.names, args.path, changes)
    for problem in module.problems:
        _info(f"note: {problem.message}")
    refusals = [(c, r) for c in changes for r in c.refusals]
    if refusals and args.write:
        for change, refusal in refusals:
            _err(f"{_rel(change.path)}: {refusal.reason}")
        raise CLIError(
            "nothing written: make the changes above by hand, then list those settings in "
            "[tool.djgen.api-settings] by_hand so djgen leaves them to you"
        )
    if args.write:
        written = write(changes)
        for line in _summary(changes):
            _info(line)
        _info(
            f"djgen: wrote {len(written)} file(s)"
            if written
            else "djgen: nothing to do, every definition is in place"
        )
    else:
        diff = "".join(_diff(c) for c in changes if c.changed)
        sys.stdout.write(diff)
        for line in _summary(changes):
            _info(line)
        pending = sum(1 for c in changes if c.changed)
        _info(
            f"djgen: {pending} file(s) would change; run with --write to apply"
            if pending
            else "djgen: nothing to do, every definition is in place"
        )
    notes = sorted({n for c in changes for n in c.notes})
    for note in notes:
        _info(f"todo: {note}")
    return EXIT_OK


def _app_dirs(path: Path) -> list[Path]:
    """The apps to check under ``path``: itself when it is an app or models file, else every
    folder below it that holds models.py or a models/ package."""
    from .reader import locate_models

    _, models_path, _ = locate_models(path)
    if models_path is not None:
        return [path]
    from djgen.generators.core.paths import walk

    found: list[Path] = []
    for here, dirnames, filenames in walk(path):
        dirnames[:] = [d for d in dirnames if d != "migrations"]
        if "models.py" in filenames or (here / "models" / "__init__.py").is_file():
            found.append(here)
            dirnames[:] = [d for d in dirnames if d != "models"]
    return found


def _enabled(path: Path) -> str:
    from djgen.generators.core.config import load_config
    from djgen.generators.core.registry import available

    config = load_config(path if path.is_dir() else path.parent)
    names = [n for n in (config.generators or available()) if n in available()]
    return ",".join(names) or "serializer"


def _check_migrations(app: Path) -> int:
    """1 when the app's models have changes not in its migrations (printed), else 0."""
    from djgen.generators.core.pipeline import app_dir_of

    from .migrations.api import MigrationsError, detect

    app_dir = app_dir_of(app)
    try:
        verdict = detect(app_dir)
    except MigrationsError as exc:
        raise CLIError(f"{_rel(app_dir)}: {exc}") from exc
    for model, reasons in verdict.undecidable_messages().items():
        _info(
            f"note: {model}: cannot tell statically whether migrations are current: "
            f"{'; '.join(reasons)}"
        )
    if not verdict.changed:
        return 0
    for message in verdict.model_messages().values():
        print(f"{_rel(app_dir / 'migrations')}: {message}")
    return 1


def cmd_check(args: argparse.Namespace) -> int:
    root = Path(args.path)
    if not root.exists():
        raise CLIError(f"{args.path}: no such file or folder")
    apps = _app_dirs(root)
    if not apps:
        raise CLIError(f"{args.path}: no models.py found")
    drift = 0
    checked = 0
    for app in apps:
        if _has_no_models(app, root):
            continue
        checked += 1
        names = args.names or _enabled(app)
        generators = [n for n in names.split(",") if n != "migration"]
        if generators:
            _, changes = _plan(",".join(generators), str(app), None, False)
            pending = [c for c in changes if c.changed]
            for change in pending:
                added = [c.identity for c in change.changes if c.action == "added"]
                print(f"{_rel(change.path)}: missing {_names(added) or 'changes'}")
            drift += len(pending)
            drift += _check_drift(app, generators)
        if "migration" in names.split(","):
            drift += _check_migrations(app)
    if drift:
        _info(
            f"djgen: {drift} out of date; run `djgen generate all PATH --write` "
            "(migrations: `djgen makemigrations APP_DIR`)"
        )
        return EXIT_DRIFT
    _info(f"djgen: {checked} app(s) up to date")
    return EXIT_OK


def _has_no_models(app: Path, root: Path) -> bool:
    """An app whose models module defines no model (a startapp stub), or an app djgen wrote
    itself (the event store: its models.py says "written by djgen"): checked only when named
    itself, else skipped with a note."""
    from djgen.generators.reader import read_app

    if app.resolve() == root.resolve():
        return False
    try:
        head = (app / "models.py").read_text(encoding="utf-8")[:400]
    except OSError:
        head = ""
    if "written by djgen" in head:
        return True
    module = read_app(app)
    if module.syntax_error is not None or module.models:
        return False
    _info(f"note: {_rel(app)}: no models, skipped")
    return True


def _drift(module, names: str | Sequence[str], path: str | Path):
    """The app's drift report for the generators ``names`` (and what they require)."""
    from djgen.generators.core.drift import analyse
    from djgen.generators.core.pipeline import app_dir_of
    from djgen.generators.core.registry import UnknownGenerator, resolve

    try:
        resolved = list(resolve(names))
    except UnknownGenerator as exc:
        raise CLIError(str(exc)) from exc
    return analyse(module, app_dir_of(path), resolved)


def _check_drift(app: Path, generators: Sequence[str]) -> int:
    """Print one line per stale place of the app's generated code; how many there are."""
    from .reader import read_app

    module = read_app(app)
    if not module.ok:
        return 0
    report = _drift(module, list(generators), app)
    for item in report.items:
        line, col = item.span[0], item.span[1] + 1
        print(f"{_rel(item.path)}:{line}:{col}: {item.message}")
    return len(report.items)


def _with_drift_fixes(module, names: str, path: str, changes):
    """The planned changes with every drift fix applied on top (files with only drift are
    added): ``generate --fix-drift``."""
    from djgen.generators.core.drift import fix_text
    from djgen.generators.core.pipeline import FileChange

    report = _drift(module, names, path)
    by_path = {c.path.resolve(): c for c in changes}
    out = list(changes)
    for target, items in report.by_path().items():
        change = by_path.get(target.resolve())
        if change is None:
            old = report.texts.get(target)
            if old is None:
                continue
            change = FileChange(path=target, old=old, new=old)
            out.append(change)
        change.new = fix_text(change.new, items)
        fixed = ", ".join(sorted({i.definition for i in items}))
        from djgen.generators.core.artifacts import MergeChange

        change.changes.append(MergeChange(f"drift in {fixed}", "replaced"))
    return out


# -- makemigrations / lsp -----------------------------------------------------------------------


def _migrations_cli():
    try:
        from .migrations import cli as migrations_cli
    except ImportError:
        return None
    return migrations_cli


def cmd_lsp(args: argparse.Namespace) -> int:
    from djgen.server.__main__ import main as server_main

    argv: list[str] = []
    if args.tcp:
        argv += ["--tcp", "--host", args.host, "--port", str(args.port)]
    return server_main(argv) or EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="djgen",
        description="Django code generation from models.py, read statically.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("list", help="print the generator names")
    p.add_argument("--all", action="store_true", help="also list generators not available yet")
    p.add_argument("--json", action="store_true", help="every generator's descriptor, as JSON")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("inspect", help="print the model IR read from models files")
    p.add_argument("paths", nargs="+", metavar="PATH", help="models.py, models/ package or app")
    p.add_argument("--json", action="store_true", help="machine-readable output (schema 1)")
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("generate", help="generate code for models (prints a diff by default)")
    p.add_argument("names", metavar="NAMES", help="comma-separated generator names, or 'all'")
    p.add_argument("path", metavar="PATH", help="models.py, models/ package or app folder")
    p.add_argument("--model", action="append", metavar="NAME", help="only this model (repeat)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the files")
    mode.add_argument("--diff", action="store_true", help="print a unified diff (the default)")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace definitions djgen generated earlier (never user-written ones)",
    )
    p.add_argument(
        "--fix-drift",
        action="store_true",
        help="also bring existing definitions' field lists up to date with the models",
    )
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("check", help="exit 1 when a generator would add anything (for CI)")
    p.add_argument("path", metavar="PATH", help="models.py, app folder or project folder")
    p.add_argument("--names", metavar="NAMES", help="generators to check (default: enabled)")
    p.set_defaults(func=cmd_check)

    migrations_cli = _migrations_cli()
    p = sub.add_parser("makemigrations", help="write migrations for model changes, statically")
    if migrations_cli is not None:
        migrations_cli.add_arguments(p)
        p.set_defaults(func=migrations_cli.run)
    else:
        p.add_argument("app_dir", metavar="APP_DIR")
        p.set_defaults(func=lambda a: _unavailable("makemigrations"))

    from . import relations_cli

    p = sub.add_parser("through", help="convert an implicit ManyToManyField to a through model")
    relations_cli.add_arguments(p)
    p.set_defaults(func=relations_cli.run)

    p = sub.add_parser("lsp", help="serve the language server over stdio")
    p.add_argument("--tcp", action="store_true", help="serve over TCP instead of stdio")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2087)
    p.set_defaults(func=cmd_lsp)
    return parser


def _unavailable(what: str) -> int:
    _err(f"{what} is not available in this build")
    return EXIT_USAGE


#: Young-generation threshold of the cyclic collector for one-shot commands (CPython's default
#: is 700): a command keeps what it builds (IR, syntax trees, rendered code) to its end, so the
#: collector's passes over those objects found nothing to free and took about a third of
#: ``generate``'s time on 1,000 models. The language server keeps the default.
BATCH_GC_THRESHOLD = 100_000
#: Commands run with the cyclic collector off (back on when they return, for in-process
#: callers): ``generate`` makes next to no cyclic garbage (its peak memory on 1,000 models is
#: the same with the collector on or off), and even at ``BATCH_GC_THRESHOLD`` the collector's
#: passes over the live IR and syntax trees took about a tenth of its time.
NO_GC_COMMANDS = frozenset({"generate"})


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == ["makemigrations"]:  # an unchanged app's --check: from the verdict cache
        migrations_cli = _migrations_cli()
        answered = migrations_cli.fast_check(words[1:]) if migrations_cli else None
        if answered is not None:
            return answered
    parser = build_parser()
    args = parser.parse_args(argv)
    threshold = gc.get_threshold()
    if args.command != "lsp":
        gc.set_threshold(BATCH_GC_THRESHOLD, *threshold[1:])
    collector_off = args.command in NO_GC_COMMANDS and gc.isenabled()
    if collector_off:
        gc.disable()
    try:
        return int(args.func(args) or 0)
    except CLIError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    finally:
        if collector_off:
            gc.enable()
        gc.set_threshold(*threshold)  # in-process callers (tests, the bench) get theirs back


if __name__ == "__main__":
    sys.exit(main())
