"""The ``djgen makemigrations APP --check`` answer kept between runs, keyed by what it read.

Data path: CLI arguments → **verdict_cache** (this module: is there an answer for exactly these
inputs?) → the answer replayed (lines, exit code); on a miss the CLI analyses (``api.detect``)
while this module records every file the analysis read (with its content hash) and every
existence check and folder listing it made, then stores the answer with that record.

Where: ``<project>/.djgen-cache/makemigrations/<app>-<hash>.json``, the project being the first
folder above the app with a ``manage.py`` or ``pyproject.toml`` (else the app's parent). The
folder holds its own ``.gitignore`` (``*``), so it never shows in ``git status``; deleting it is
always safe. ``--no-cache`` or ``DJGEN_NO_CACHE=1`` bypass it.

An answer is replayed only when every recorded file still has its hash, every existence check
and listing still gives the same result, and the djgen code, the Python interpreter, the working
folder (messages name paths relative to it) and ``VIRTUAL_ENV`` are the same. Nothing is
imported or run to check that: it is a few ``stat`` calls and hashes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pathlib
import sys
from collections.abc import Iterator
from pathlib import Path

CACHE_DIR = ".djgen-cache"
FORMAT = 1
_DJGEN_DIR = Path(__file__).resolve().parent.parent  # djgen/generators


class Inputs:
    """What an analysis looked at: file hashes, existence checks, folder listings.

    (Plain classes here, not dataclasses: a cache hit should not pay for importing
    ``dataclasses`` and ``inspect``.)"""

    def __init__(
        self,
        reads: dict[str, str] | None = None,
        probes: dict[str, bool] | None = None,
        listings: dict[str, list[str]] | None = None,
    ):
        self.reads = reads if reads is not None else {}
        self.probes = probes if probes is not None else {}  # "is_file:/path" → result
        self.listings = listings if listings is not None else {}  # "glob:*.py:/dir" → names

    def to_json(self) -> dict[str, object]:
        return {"reads": self.reads, "probes": self.probes, "listings": self.listings}

    def unchanged(self) -> bool:
        """Whether reading again would see exactly the same."""
        for path, digest in self.reads.items():
            if _digest_of(path) != digest:
                return False
        for key, result in self.probes.items():
            kind, _, path = key.partition(":")
            if _probe(kind, path) != result:
                return False
        for key, names in self.listings.items():
            kind, _, rest = key.partition(":")
            if kind == "glob":
                pattern, _, folder = rest.partition(":")
                if _glob(folder, pattern) != names:
                    return False
            elif _iterdir(rest) != names:
                return False
        return True


def _digest_of(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha1(handle.read()).hexdigest()
    except OSError:
        return None


def _probe(kind: str, path: str) -> bool:
    if kind == "is_file":
        return os.path.isfile(path)
    if kind == "is_dir":
        return os.path.isdir(path)
    return os.path.exists(path)


def _glob(folder: str, pattern: str) -> list[str]:
    return sorted(os.path.relpath(p, folder) for p in _ORIGINAL["glob"](Path(folder), pattern))


def _iterdir(folder: str) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


_ORIGINAL = {
    name: getattr(pathlib.Path, name)
    for name in ("read_text", "read_bytes", "is_file", "is_dir", "exists", "glob", "iterdir")
}


@contextlib.contextmanager
def recording() -> Iterator[Inputs]:
    """Record what ``pathlib.Path`` reads and checks inside the block (the reader and the
    migration loader read through it). Single-threaded use only: the CLI."""
    inputs = Inputs()
    original = _ORIGINAL

    def read_text(self, *args, **kwargs):
        key = os.path.abspath(self)
        try:
            text = original["read_text"](self, *args, **kwargs)
        except OSError:
            inputs.reads.setdefault(key, "")  # "" never equals a digest: missing → must stay
            inputs.probes[f"exists:{key}"] = False
            raise
        inputs.reads[key] = _digest_of(key) or ""
        return text

    def read_bytes(self):
        key = os.path.abspath(self)
        data = original["read_bytes"](self)
        inputs.reads[key] = hashlib.sha1(data).hexdigest()
        return data

    def probe(kind: str):
        def check(self, *args, **kwargs):
            result = original[kind](self, *args, **kwargs)
            inputs.probes[f"{kind}:{os.path.abspath(self)}"] = bool(result)
            return result

        return check

    def glob(self, pattern, *args, **kwargs):
        found = list(original["glob"](self, pattern, *args, **kwargs))
        inputs.listings[f"glob:{pattern}:{os.path.abspath(self)}"] = sorted(
            os.path.relpath(p, self) for p in found
        )
        return iter(found)

    def iterdir(self):
        found = list(original["iterdir"](self))
        inputs.listings[f"iterdir:{os.path.abspath(self)}"] = sorted(p.name for p in found)
        return iter(found)

    patched = {
        "read_text": read_text,
        "read_bytes": read_bytes,
        "is_file": probe("is_file"),
        "is_dir": probe("is_dir"),
        "exists": probe("exists"),
        "glob": glob,
        "iterdir": iterdir,
    }
    for name, function in patched.items():
        setattr(pathlib.Path, name, function)
    try:
        yield inputs
    finally:
        for name, function in original.items():
            setattr(pathlib.Path, name, function)
        # a read that failed was recorded as "" (missing); keep only what was really read
        for key, digest in list(inputs.reads.items()):
            if not digest:
                del inputs.reads[key]


# ----------------------------------------------------------------------------- the store


def project_root(app_dir: Path) -> Path:
    """The first folder above the app with a ``manage.py`` or ``pyproject.toml``."""
    for folder in app_dir.parents:
        if (folder / "manage.py").is_file() or (folder / "pyproject.toml").is_file():
            return folder
    return app_dir.parent


def cache_file(app_dir: Path) -> Path:
    app = os.path.abspath(app_dir)
    digest = hashlib.sha1(app.encode()).hexdigest()[:16]
    return (
        project_root(Path(app)) / CACHE_DIR / "makemigrations" / f"{Path(app).name}-{digest}.json"
    )


def _environment(command: list[str]) -> dict[str, object]:
    code = []
    for package in ("migrations", "reader", "core"):
        folder = _DJGEN_DIR / package
        with contextlib.suppress(OSError):
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    code.append(f"{package}/{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    return {
        "format": FORMAT,
        "command": command,
        "cwd": os.getcwd(),
        "python": sys.version,
        "virtual_env": os.environ.get("VIRTUAL_ENV"),
        "code": hashlib.sha1("\n".join(code).encode()).hexdigest(),
    }


class Answer:
    """What the command printed and its exit code."""

    def __init__(self, stdout: str, stderr: str, code: int):
        self.stdout, self.stderr, self.code = stdout, stderr, code


def disabled() -> bool:
    return os.environ.get("DJGEN_NO_CACHE", "") not in ("", "0")


def lookup(app_dir: Path, command: list[str]) -> Answer | None:
    """The stored answer, when nothing it depends on changed."""
    if disabled():
        return None
    try:
        stored = json.loads(cache_file(app_dir).read_bytes())
    except (OSError, ValueError):
        return None
    if stored.get("environment") != _environment(command):
        return None
    raw = stored.get("inputs") or {}
    inputs = Inputs(raw.get("reads", {}), raw.get("probes", {}), raw.get("listings", {}))
    if not inputs.unchanged():
        return None
    answer = stored.get("answer") or {}
    return Answer(answer.get("stdout", ""), answer.get("stderr", ""), int(answer.get("code", 0)))


def store(app_dir: Path, command: list[str], inputs: Inputs, answer: Answer) -> None:
    """Keep the answer (best effort: a read-only project just has no cache)."""
    if disabled():
        return
    target = cache_file(app_dir)
    try:
        root = target.parent.parent
        root.mkdir(parents=True, exist_ok=True)
        ignore = root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# djgen's cache (safe to delete)\n*\n", encoding="utf-8")
        target.parent.mkdir(exist_ok=True)
        payload = {
            "environment": _environment(command),
            "inputs": inputs.to_json(),
            "answer": {"stdout": answer.stdout, "stderr": answer.stderr, "code": answer.code},
        }
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(payload), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        pass
