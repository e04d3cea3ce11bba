"""Cached vs uncached list throughput of a djgen-generated project, side by side in one run.

The project is made the way users make it — ``django-admin startproject mysite .``,
``manage.py startapp blog``, the blog models (Category, Post with an author, a category and tags,
Tag), ``nested_serializers = true`` — then ``djgen generate GENERATORS blog --write`` (the API,
its migration, caching and the project wiring; ``--generators all`` for everything) and
``migrate``.
It is served by gunicorn (WSGI, sync workers) on a free loopback port and loaded by ``wrk`` on
``GET /api/v1/posts/`` (anonymous, a page of 20 posts with their nested category and tag ids):

- **cached**: the generated settings, django-redis at a private ``redis-server`` on a free
  loopback port (the generated ``CachedResponseMixin`` answers repeats from Redis);
- **uncached**: the same models and generators without ``caching`` (so Django's default
  local-memory cache, which DRF's throttles use in-process), on the same database: every
  request takes the database path. The cached side's throttles keep their counters in Redis
  (correct across workers; anon and burst for this anonymous load, counted in the same round
  trip that reads the cached response): that cost is in its figure too.

The database is a private PostgreSQL on a free loopback port (``api_load.postgres``) when
Debian's postgresql is installed, else SQLite (``--sqlite`` forces it; the run says which).
Both servers run at once and are loaded in alternating rounds (``--rounds``, default 2:
uncached, cached, uncached, cached), so a change in the machine's load hits both sides alike;
req/s is the mean of the rounds, and each round's ratio is printed too.
Bounded: each load run lasts ``--seconds`` after a ``--warmup``; servers are stopped at the end.
``bench/api_load.py`` runs the same comparison after its own table.

    .venv/bin/python bench/cache_bench.py [--seconds 10] [--rounds 2] [--rows 200] [--sqlite]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from api_load import NotAvailable, parse_wrk, postgres, run_wrk  # noqa: E402
from common import free_port, machine, machine_line, venv_bin  # noqa: E402

from djgen.generators.core.registry import resolve  # noqa: E402

#: The blog models of the generated-project contract (shared with the tests).
MODELS = (HERE.parent / "examples" / "blog" / "models.py").read_text(encoding="utf-8")

BENCH_SETTINGS = '''\
"""Benchmark settings: the generated project's, without debug, on the bench database."""

import os

from .settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
if os.environ.get("BENCH_PG_PORT"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": "127.0.0.1",
            "PORT": os.environ["BENCH_PG_PORT"],
            "NAME": "bookshop",
            "USER": "postgres",
            "CONN_MAX_AGE": 60,
        }
    }
elif os.environ.get("BENCH_SQLITE"):
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["BENCH_SQLITE"]}
    }
if os.environ.get("BENCH_NO_THROTTLES"):
    REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": ()}  # noqa: F405
'''

SEED = """
from django.contrib.auth import get_user_model
from blog.models import Category, Post, Tag

user = get_user_model().objects.create_user("bench", password="bench-pw-123")
categories = [Category.objects.create(name=f"Cat {i}", slug=f"cat-{i}") for i in range(5)]
tags = [Tag.objects.create(name=f"tag{i}") for i in range(8)]
for i in range(ROWS):
    post = Post.objects.create(
        author=user, category=categories[i % 5], title=f"Post {i}", body="x" * 300
    )
    post.tags.set(tags[: 1 + i % 8])
"""

#: The API and its wiring, with caching; "all" would also add what other generators bring (JWT
#: auth, WebSocket broadcasts), which this comparison does not measure.
GENERATORS = "serializer,filterset,viewset,migration,caching,api-settings"

#: Throttle rates the load never reaches (the generated defaults would answer it with 429s). The
#: generated throttles count per client and window (one increment per scope and request),
#: so the window's length costs nothing; DRF's own throttles kept each request's time and grew
#: with the window, which is why these were per-second rates before.
THROTTLES = {f"DJANGO_THROTTLE_{s}": "100000000/hour" for s in ("ANON", "USER", "BURST", "STRICT")}


def run(argv: list[str], cwd: Path, env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        argv, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=600
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
    return done.stdout + done.stderr


@contextlib.contextmanager
def redis_server(work: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server not found: install Debian's redis-server (bench/run does)")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                import socket

                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            time.sleep(0.05)
        else:
            raise SystemExit("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def build(work: Path, name: str, env: dict[str, str], rows: int, generators: str) -> Path:
    """startproject + startapp + models + djgen; ``rows`` > 0: migrate and seed the database."""
    root = work / name
    root.mkdir()
    run([venv_bin("django-admin"), "startproject", "mysite", "."], root, env)
    run([sys.executable, "manage.py", "startapp", "blog"], root, env)
    (root / "blog" / "models.py").write_text(MODELS)
    (root / "pyproject.toml").write_text("[tool.djgen]\nnested_serializers = true\n")
    run([sys.executable, "-m", "djgen.generators.cli", "generate", generators, "blog", "--write"],
        root, env)  # fmt: skip
    (root / "mysite" / "settings_bench.py").write_text(BENCH_SETTINGS)
    if rows:
        env = {**env, "DJANGO_SETTINGS_MODULE": "mysite.settings_bench"}
        run([sys.executable, "manage.py", "migrate", "-v", "0"], root, env)
        seed = SEED.replace("ROWS", str(rows))
        run([sys.executable, "manage.py", "shell"], root, env, stdin=seed)
    return root


@contextlib.contextmanager
def gunicorn(
    root: Path, env: dict[str, str], workers: int, path: str, threads: int = 1
) -> Iterator[str]:
    """gunicorn on a free port: ``workers`` sync workers, or gthread workers of ``threads``
    threads each (which keep connections alive) when ``threads`` > 1."""
    port = free_port()
    log = open(root / f"gunicorn-{port}.log", "w")  # noqa: SIM115
    kind = ["-k", "gthread", "--threads", str(threads)] if threads > 1 else []
    proc = subprocess.Popen(
        [venv_bin("gunicorn"), "mysite.wsgi", "-w", str(workers), *kind,
         "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}{path}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                log.flush()
                raise RuntimeError(
                    f"gunicorn did not serve {url}:\n{(root / log.name).read_text()}"
                )
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def load(url: str, seconds: int, warmup: int, connections: int) -> dict[str, Any]:
    if warmup:
        run_wrk(url, warmup, connections)
    raw = run_wrk(url, seconds, connections)
    result = parse_wrk(raw)
    result["raw"] = raw
    return result


VARIANTS = ("uncached", "cached")


def compare(
    *,
    seconds: int = 10,
    warmup: int = 2,
    rounds: int = 2,
    rows: int = 200,
    connections: int = 8,
    workers: int = 2,
    threads: int = 1,
    generators: str = GENERATORS,
    sqlite: bool = False,
    no_throttles: bool = False,
) -> dict[str, Any]:
    """Build both projects, serve both, and load them in alternating rounds (uncached, cached,
    uncached, ...), so a change in the machine's load hits both sides alike. Returns the
    settings, each round's figures, the totals per variant and the ratio."""
    work = Path(tempfile.mkdtemp(prefix="djgen-cache-bench-"))
    try:
        with contextlib.ExitStack() as stack:
            env = {**os.environ, **THROTTLES, "PYTHONDONTWRITEBYTECODE": "1"}
            if no_throttles:
                env["BENCH_NO_THROTTLES"] = "1"
            database = "SQLite"
            if not sqlite:
                try:
                    pg = stack.enter_context(postgres())
                    env["BENCH_PG_PORT"] = str(pg.port)
                    database = "PostgreSQL"
                except NotAvailable as exc:
                    print(f"PostgreSQL not available ({exc}); using SQLite")
            if database == "SQLite":
                env["BENCH_SQLITE"] = str(work / "bench.sqlite3")
            env["REDIS_URL"] = stack.enter_context(redis_server(work))
            # "all" expanded as djgen expands it, so the uncached side can leave caching out
            without = ",".join(g for g in resolve(generators) if g != "caching")
            roots = {
                "cached": build(work, "cached", env, rows, generators),
                # the same project without the caching generator, on the same database
                "uncached": build(work, "uncached", env, 0, without),
            }
            env["DJANGO_SETTINGS_MODULE"] = "mysite.settings_bench"
            path = "/api/v1/posts/"
            setup = (
                f"gunicorn -w {workers} "
                + (f"(gthread, {threads} threads)" if threads > 1 else "(sync)")
                + f" per variant, {database}, Redis, {rows} posts, "
                f"GET {path} (page of 20, nested), wrk -t1 -c{connections}, {rounds} alternating "
                f"rounds of {warmup} s warm-up + {seconds} s per variant"
                + (", throttles off" if no_throttles else ", throttles on")
            )
            print(setup, flush=True)
            urls = {
                variant: stack.enter_context(gunicorn(roots[variant], env, workers, path, threads))
                for variant in VARIANTS
            }
            per_round: list[dict[str, dict[str, Any]]] = []
            for number in range(1, rounds + 1):
                figures = {}
                for variant in VARIANTS:
                    figures[variant] = load(urls[variant], seconds, warmup, connections)
                    print(
                        f"  round {number} {variant}: "
                        f"{figures[variant].get('requests_per_s', 0):.0f} req/s",
                        flush=True,
                    )
                per_round.append(figures)
            stats = run([sys.executable, "manage.py", "cache_stats"], roots["cached"], env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    totals = {}
    for variant in VARIANTS:
        done = [r[variant] for r in per_round]
        totals[variant] = {
            "requests_per_s": sum(r.get("requests_per_s", 0) for r in done) / len(done),
            "p50_ms": max(r.get("p50_ms") or 0 for r in done),
            "p99_ms": max(r.get("p99_ms") or 0 for r in done),
            "errors": sum(r.get("errors", 0) for r in done),
        }
    uncached = totals["uncached"]["requests_per_s"]
    return {
        "setup": setup,
        "database": database,
        "rounds": [
            {v: {k: x for k, x in r[v].items() if k != "raw"} for v in VARIANTS} for r in per_round
        ],
        "totals": totals,
        "ratio": totals["cached"]["requests_per_s"] / uncached if uncached else None,
        "round_ratios": [
            r["cached"].get("requests_per_s", 0) / r["uncached"]["requests_per_s"]
            if r["uncached"].get("requests_per_s")
            else None
            for r in per_round
        ],
        "cache_stats": stats.rstrip(),
    }


def render(result: dict[str, Any]) -> str:
    lines = [f"{'variant':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}"]
    for variant, r in result["totals"].items():
        lines.append(
            f"{variant:<10}{r['requests_per_s']:>10.0f}{r['p50_ms']:>10.1f}"
            f"{r['p99_ms']:>10.1f}{r['errors']:>8}"
        )
    rounds = ", ".join(f"{x:.1f}x" if x else "-" for x in result["round_ratios"])
    ratio = result["ratio"]
    lines.append(
        f"ratio cached/uncached: {ratio:.1f}x (target >= 10x; per round: {rounds})"
        if ratio
        else "ratio cached/uncached: - (no uncached figure)"
    )
    lines.append("(req/s: mean of the rounds; p50/p99: the worst round)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds per variant")
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--threads", type=int, default=1, help="gthread workers of this many threads (1: sync)"
    )
    ap.add_argument(
        "--generators",
        default=GENERATORS,
        help=f"what djgen generates (default {GENERATORS}; 'all' for everything available)",
    )
    ap.add_argument("--sqlite", action="store_true", help="SQLite even if PostgreSQL is there")
    ap.add_argument(
        "--no-throttles",
        action="store_true",
        help="switch DRF's throttles off on both sides (what the response cache alone gives)",
    )
    ap.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk not found: install Debian's wrk (bench/run does)", file=sys.stderr)
        return 2
    info = machine()
    print(machine_line(info))
    result = compare(
        seconds=args.seconds,
        warmup=args.warmup,
        rounds=args.rounds,
        rows=args.rows,
        connections=args.connections,
        workers=args.workers,
        threads=args.threads,
        generators=args.generators,
        sqlite=args.sqlite,
        no_throttles=args.no_throttles,
    )
    print()
    print(render(result))
    print("cache_stats after the cached runs:\n" + result["cache_stats"])
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "cache_stats"}))
    return 1 if any(r["errors"] for r in result["totals"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
