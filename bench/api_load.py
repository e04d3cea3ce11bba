"""The generated API under load: the bookshop example's djgen-generated DRF API, served by
gunicorn (WSGI) and uvicorn (ASGI) on loopback over PostgreSQL, driven by ``wrk``.

Place in the data path: after it — models.py → IR → serializer / filterset / viewset / admin
generators → artifacts → merge → files in a temp copy of ``examples/bookshop``; then Django's
``makemigrations`` + ``migrate`` against a PostgreSQL the harness starts (``initdb``/``pg_ctl``
as the ``postgres`` user when run as root, on a free 127.0.0.1 port), seeded data, and a bounded
``wrk`` run per server and endpoint (list ``/api/books/``, detail ``/api/books/<id>/``):
requests/s, p50 and p99 latency, non-2xx count.

Variants: ``uncached`` is the table above. Then **cached vs uncached** side by side
(:func:`cached_comparison`, ``bench/cache_bench.py``'s comparison): the blog project generated
with and without ``caching`` (API, migration, project wiring with its throttles on), under
gunicorn on PostgreSQL and a private Redis, loaded in alternating rounds, with the ratio
(target ≥ 10x), once with sync workers (a new connection per request) and once with gthread
workers (4 threads each, connections kept alive). WebSocket broadcast is not measured here
(``bench/ws_bench.py``). Nothing here sends traffic anywhere but 127.0.0.1, and every load run
is bounded in time.

Run: ``python bench/api_load.py [--duration 10] [--quick] [--json-out DIR]`` (needs Debian's
``postgresql`` and ``wrk``, and gunicorn, uvicorn and psycopg in this interpreter; ``bench/run``
installs them).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    EXAMPLE_DIR,
    free_port,
    load_at_end,
    machine,
    machine_line,
    table,
    venv_bin,
    write_json,
)

GENERATORS = "serializer,filterset,viewset,admin"
SEED = {"publishers": 40, "authors": 400, "books": 2000, "reviews": 6000}


class NotAvailable(Exception):
    """A variant or tool this run cannot measure; the message says why."""


# -- PostgreSQL ---------------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if candidates:
        return candidates[-1]
    raise NotAvailable(f"{name} not found: install Debian's postgresql (bench/run does)")


@dataclass
class Postgres:
    root: Path
    port: int
    as_user: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        if self.as_user:
            argv = ["runuser", "-u", self.as_user, "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)

    def start(self) -> None:
        init = self._run(
            [
                _pg_bin("initdb"),
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-instructions",
            ],
            timeout=180,
        )
        if init.returncode:
            raise NotAvailable(f"initdb failed: {init.stderr.strip()[-500:]}")
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        start = self._run(
            [
                _pg_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.root / "postgres.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            timeout=120,
        )
        if start.returncode:
            log = self.root / "postgres.log"
            tail = log.read_text()[-500:] if log.exists() else start.stderr
            raise NotAvailable(f"PostgreSQL did not start: {tail.strip()}")
        created = self._run(
            [
                _pg_bin("createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "bookshop",
            ],
            timeout=60,
        )
        if created.returncode:
            raise NotAvailable(f"createdb failed: {created.stderr.strip()}")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(
                [_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"], timeout=60
            )


@contextlib.contextmanager
def postgres() -> Iterator[Postgres]:
    """A private PostgreSQL on a free loopback port, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="djgen-pg-"))
    as_user = None
    if os.geteuid() == 0:
        import pwd

        try:
            entry = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise NotAvailable("running as root and there is no postgres user") from exc
        os.chown(root, entry.pw_uid, entry.pw_gid)
        as_user = "postgres"
    server = Postgres(root, free_port(), as_user)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


# -- the project --------------------------------------------------------------------------------

BENCH_SETTINGS = '''\
"""Benchmark settings: the example's, on the harness's PostgreSQL, without debug."""

import os

from .settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "PORT": os.environ["BENCH_PG_PORT"],
        "NAME": "bookshop",
        "USER": "postgres",
        # A psycopg connection pool per process (Django 5.1+), not persistent connections:
        # under ASGI each request's sync code runs in a new thread, and persistent per-thread
        # connections would pile up until PostgreSQL refuses more.
        "CONN_MAX_AGE": 0,
        "OPTIONS": {{"pool": {{"min_size": 2, "max_size": 8, "timeout": 10}}}},
    }}
}}
LOGGING = {{"version": 1, "disable_existing_loggers": False}}
{extra}
'''

SEED_SCRIPT = """
import random
from decimal import Decimal

from catalog.models import Author, Authorship, Book, Publisher, Review

rng = random.Random(6)
counts = {counts!r}
publishers = Publisher.objects.bulk_create(
    [Publisher(name=f"Publisher {{i}}", country="GB") for i in range(counts["publishers"])]
)
authors = Author.objects.bulk_create(
    [Author(name=f"Author {{i}}", email=f"a{{i}}@example.com", bio="b" * 200)
     for i in range(counts["authors"])]
)
books = Book.objects.bulk_create([
    Book(title=f"Book {{i:05d}}", isbn=f"{{9780000000000 + i}}", status="published",
         price=Decimal("12.50") + i % 30, pages=100 + i % 400,
         publisher=publishers[i % len(publishers)])
    for i in range(counts["books"])
])
links = []
for book in books:
    for order, author in enumerate(rng.sample(authors, rng.randint(1, 3))):
        links.append(Authorship(book=book, author=author, role="author", order=order))
Authorship.objects.bulk_create(links)
Review.objects.bulk_create([
    Review(book=books[i % len(books)], rating=1 + i % 5, body="Fine.")
    for i in range(counts["reviews"])
])
print(min(b.pk for b in books))
"""


@dataclass
class Project:
    root: Path
    env: dict[str, str]
    detail_id: int = 0

    def manage(self, *args: str, stdin: str | None = None, timeout: float = 600) -> str:
        proc = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.root,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
        return proc.stdout


def prepare_project(work: Path, pg: Postgres, extra_settings: str = "") -> Project:
    """Copy the example, generate its API with djgen, migrate and seed it."""
    root = work / "bookshop"
    shutil.copytree(
        EXAMPLE_DIR, root, ignore=shutil.ignore_patterns("db.sqlite3", "__pycache__", "*.pyc")
    )
    generated = subprocess.run(
        [venv_bin("djgen"), "generate", GENERATORS, str(root / "catalog"), "--write"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if generated.returncode:
        raise RuntimeError(f"djgen generate failed: {generated.stderr[-2000:]}")
    (root / "bookshop" / "bench_settings.py").write_text(
        BENCH_SETTINGS.format(extra=extra_settings), encoding="utf-8"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bookshop.bench_settings",
        "BENCH_PG_PORT": str(pg.port),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    project = Project(root, env)
    project.manage("makemigrations", "catalog", "-v", "0")
    project.manage("migrate", "-v", "0")
    out = project.manage("shell", stdin=SEED_SCRIPT.format(counts=SEED))
    project.detail_id = int(out.strip().splitlines()[-1])
    return project


# -- servers and load ---------------------------------------------------------------------------


@dataclass
class ServerSpec:
    name: str
    argv: Callable[[int], list[str]]


def server_specs(workers: int) -> list[ServerSpec]:
    return [
        ServerSpec(
            "gunicorn (WSGI)",
            lambda port: [
                venv_bin("gunicorn"),
                "bookshop.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
        ),
        ServerSpec(
            "uvicorn (ASGI)",
            lambda port: [
                venv_bin("uvicorn"),
                "bookshop.asgi:application",
                "--workers",
                str(workers),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
        ),
    ]


@contextlib.contextmanager
def serving(spec: ServerSpec, project: Project, probe: str) -> Iterator[str]:
    """Run the server until the block ends; yields its base URL once it answers ``probe``."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            spec.argv(port),
            cwd=project.root,
            env=project.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield _wait_ready(spec, proc, log, f"http://127.0.0.1:{port}", probe)
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_ready(spec: ServerSpec, proc: subprocess.Popen, log: Any, base: str, probe: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"{spec.name} exited: {log.read().decode()[-1500:]}")
        try:
            with urllib.request.urlopen(base + probe, timeout=5) as response:
                if response.status == 200:
                    return base
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{spec.name} did not answer {probe} within 60 s")
        time.sleep(0.2)


@dataclass
class LoadResult:
    server: str
    variant: str
    endpoint: str
    url_path: str
    requests_per_s: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    requests: int | None = None
    errors: int = 0
    raw: str = ""
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/s, p50/p99 (ms), request and error counts from ``wrk --latency`` output."""
    out: dict[str, Any] = {"errors": 0}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        out["requests_per_s"] = float(m.group(1))
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        if m := re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", output, re.M):
            out[key] = _duration_ms(m.group(1))
    if m := re.search(r"(\d+) requests in", output):
        out["requests"] = int(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        out["errors"] += int(m.group(1))
    if m := re.search(r"Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)", output):
        out["errors"] += sum(int(g) for g in m.groups())
    return out


def run_wrk(url: str, duration: int, connections: int, threads: int = 1) -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise NotAvailable("wrk not found: install Debian's wrk (bench/run does)")
    proc = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "10s",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=False,
    )
    return proc.stdout + proc.stderr


def measure(
    project: Project, variant: str, duration: int, warmup: int, connections: int, workers: int
) -> list[LoadResult]:
    endpoints = [("list", "/api/books/"), ("detail", f"/api/books/{project.detail_id}/")]
    results = []
    for spec in server_specs(workers):
        try:
            with serving(spec, project, endpoints[0][1]) as base:
                for endpoint, path in endpoints:
                    print(f"  {spec.name} {variant} {endpoint}: {duration} s", flush=True)
                    if warmup:
                        run_wrk(base + path, warmup, connections)
                    raw = run_wrk(base + path, duration, connections)
                    result = LoadResult(spec.name, variant, endpoint, path, raw=raw)
                    for key, value in parse_wrk(raw).items():
                        setattr(result, key, value)
                    if result.errors:
                        result.note = _probe(base + path)
                    results.append(result)
        except RuntimeError as exc:
            results.append(LoadResult(spec.name, variant, "—", "—", note=str(exc)[-500:]))
    return results


def _probe(url: str) -> str:
    """One request after a run with errors: what the server answers now (status, body start)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return f"after the run: HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        body = exc.read(300).decode("utf-8", "replace").replace("\n", " ")
        return f"after the run: HTTP {exc.code}: {body}"
    except (urllib.error.URLError, OSError) as exc:
        return f"after the run: {exc}"


# -- variants -----------------------------------------------------------------------------------


def cached_comparison(duration: int, warmup: int, quick: bool) -> dict[str, Any]:
    """Cached vs uncached list throughput, side by side in one run (``bench/cache_bench.py``)."""
    from djgen.generators.core.registry import available

    if "caching" not in available():
        raise NotAvailable("djgen's caching generator is not installed")
    if shutil.which("redis-server") is None:
        raise NotAvailable("redis-server not found: install Debian's redis-server (bench/run does)")
    import cache_bench

    # gunicorn's two usual worker models: sync workers close the connection after each
    # response (every request a new TCP connection), gthread workers keep it alive
    parts: dict[str, Any] = {}
    tables = []
    for label, threads in (("sync", 1), ("gthread", 4)):
        part = cache_bench.compare(
            seconds=duration,
            warmup=warmup,
            rounds=1 if quick or duration <= 2 else 2,
            threads=threads,
        )
        parts[label] = part
        tables.append(f"{part['setup']}:\n{cache_bench.render(part)}")
    return {
        "setup": "the blog project under gunicorn, sync and gthread workers",
        "by_worker": {
            k: {x: y for x, y in v.items() if x != "cache_stats"} for k, v in parts.items()
        },
        "table": "\n\n".join(tables),
    }


# -- output -------------------------------------------------------------------------------------


def render(results: list[LoadResult], skipped: dict[str, str]) -> str:
    rows = []
    for r in results:
        if r.requests_per_s is None:
            rows.append([r.server, r.variant, r.endpoint, "—", "—", "—", "—", r.note or "no data"])
            continue
        rows.append(
            [
                r.server,
                r.variant,
                r.endpoint,
                f"{r.requests_per_s:.0f}",
                f"{r.p50_ms:.1f}" if r.p50_ms is not None else "—",
                f"{r.p99_ms:.1f}" if r.p99_ms is not None else "—",
                r.requests,
                r.errors,
            ]
        )
    out = [
        table(
            ["server", "variant", "endpoint", "req/s", "p50 ms", "p99 ms", "requests", "errors"],
            rows,
        )
    ]
    for r in results:
        if r.note and r.requests_per_s is not None:
            out.append(f"note ({r.server}, {r.endpoint}): {r.note}")
    for what, why in skipped.items():
        out.append(f"{what}: not measured — {why}.")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="load on the generated bookshop API")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds first")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--quick", action="store_true", help="2-second runs, no warm-up")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.warmup = 2, 0
    info = machine()
    print(f"machine: {machine_line(info)}", flush=True)
    for module in ("psycopg", "psycopg_pool", "gunicorn", "uvicorn"):
        try:
            __import__(module)
        except ImportError:
            print(
                f"api_load: {module} is not installed in {sys.executable} "
                "(bench/run installs it: pip install gunicorn uvicorn 'psycopg[binary,pool]')",
                file=sys.stderr,
            )
            return 2
    results: list[LoadResult] = []
    skipped: dict[str, str] = {}
    try:
        with postgres() as pg, tempfile.TemporaryDirectory(prefix="djgen-api-") as tmp:
            print(f"PostgreSQL on 127.0.0.1:{pg.port}; generating, migrating, seeding", flush=True)
            project = prepare_project(Path(tmp), pg)
            results += measure(
                project, "uncached", args.duration, args.warmup, args.connections, args.workers
            )
        comparison: dict[str, Any] | None = None
        print("cached vs uncached (bench/cache_bench.py's comparison)", flush=True)
        try:
            comparison = cached_comparison(args.duration, args.warmup, args.quick)
        except NotAvailable as exc:
            skipped["cached vs uncached"] = str(exc)
    except NotAvailable as exc:
        print(f"api_load: cannot run: {exc}", file=sys.stderr)
        return 2
    print()
    print(
        f"Generated bookshop API ({GENERATORS}), {args.workers} workers per server, wrk "
        f"{args.connections} connections x {args.duration} s, PostgreSQL (fsync off), "
        f"seed {SEED}:"
    )
    print()
    print(render(results, skipped))
    if comparison is not None:
        print()
        print(f"Cached vs uncached: {comparison['setup']}:")
        print()
        print(comparison["table"])
    print()
    print(load_at_end(info))
    if not args.no_json:
        path = write_json(
            "api",
            {
                "machine": info,
                "settings": {
                    "duration_s": args.duration,
                    "warmup_s": args.warmup,
                    "connections": args.connections,
                    "workers": args.workers,
                    "seed": SEED,
                    "generators": GENERATORS,
                },
                "results": [r.to_json() for r in results],
                "cached_vs_uncached": (
                    {k: v for k, v in comparison.items() if k != "table"} if comparison else None
                ),
                "not_measured": skipped,
            },
            args.json_out,
        )
        print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
