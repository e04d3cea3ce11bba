"""WebSocket broadcast throughput and delivery latency of a djgen-generated project.

The project is made the way users make it — ``django-admin startproject mysite .``, ``manage.py
startapp blog``, the blog models, ``djgen generate all blog --write``, ``migrate`` — and its
channel layer is channels-redis (RedisChannelLayer) at a private ``redis-server`` on a free
loopback port. N clients subscribe to ``ws/blog/post/`` with a JWT in the query string; M model
events are sent the way the generated ``realtime.broadcast_model_event`` sends them (one
``group_send`` of a ``model.event`` to the collection group, through the generated consumer's
permission check), each stamped with its send time. Two client kinds:

- **in-process**: channels' ``WebsocketCommunicator`` against ``mysite.asgi.application``;
- **daphne**: the project served by daphne on a free loopback port, real ``websockets`` clients.

Each kind runs unpaced (as fast as the publisher can send: the most the layer delivers, and the
queueing latency that comes with it) and paced (``--rate`` events/s, i.e. N x rate deliveries/s:
latency below saturation). Printed: delivered/expected, delivered messages/s, p50/p95 delivery
latency. Bounded: every receive has a timeout; servers are stopped at the end; loopback only.

    .venv/bin/python bench/ws_bench.py [--clients 50] [--messages 200] [--rate 40] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import free_port, machine, machine_line, table, venv_bin, write_json  # noqa: E402

#: The blog models of the generated-project contract (shared with the tests).
MODELS = (HERE.parent / "examples" / "blog" / "models.py").read_text(encoding="utf-8")

#: Runs inside the project (django.setup()); prints one JSON line.
CLIENT = r"""
import asyncio, json, statistics, sys, time

import django

django.setup()
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.tokens import RefreshToken

from blog.models import Post
from mysite.api import realtime
from mysite.asgi import application

N, M, RATE, PORT = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
users = get_user_model().objects
user = users.filter(username="bench").first() or users.create_user("bench", password="b-pw-123x")
token = str(RefreshToken.for_user(user).access_token)
PATH = f"/ws/blog/post/?token={token}"


async def main():
    clients = []
    for _ in range(N):
        if PORT:
            from websockets.asyncio.client import connect

            c = await connect(f"ws://127.0.0.1:{PORT}{PATH}", origin=f"http://127.0.0.1:{PORT}",
                              max_queue=None)
        else:
            c = WebsocketCommunicator(application, PATH, headers=[(b"origin", b"http://localhost")])
            ok, _ = await c.connect(timeout=10)
            assert ok, "connect refused"
        clients.append(c)
    await asyncio.sleep(0.3)
    layer = get_channel_layer()
    group = realtime.collection_group(Post)
    acl = {"owner": None, "private": False, "was_private": False}
    latencies, got, last, errors = [], [0] * N, [0.0], []

    async def reader(i, c):
        while got[i] < M:
            try:
                if PORT:
                    event = json.loads(await asyncio.wait_for(c.recv(), 5))
                else:
                    event = await c.receive_json_from(timeout=5)
            except (asyncio.TimeoutError, TimeoutError):
                return
            now = time.perf_counter()
            latencies.append(now - event["data"]["t"])
            last[0] = max(last[0], now)
            got[i] += 1

    readers = [asyncio.ensure_future(reader(i, c)) for i, c in enumerate(clients)]
    start = time.perf_counter()
    for k in range(M):
        event = {"type": "updated", "model": "blog.post", "pk": k,
                 "data": {"id": k, "title": f"post {k}", "t": time.perf_counter()}}
        try:
            await layer.group_send(group, {"type": "model.event", "event": event, "acl": acl})
        except Exception as exc:  # an overloaded Redis: counted, the run goes on
            errors.append(type(exc).__name__)
        if RATE:
            await asyncio.sleep(max(0.0, start + (k + 1) / RATE - time.perf_counter()))
        elif k % 10 == 9:
            await asyncio.sleep(0)
    await asyncio.gather(*readers)
    elapsed = last[0] - start  # to the last delivery (not the readers' final timeout)
    for c in clients:
        try:
            await (c.close() if PORT else c.disconnect())
        except (Exception, asyncio.CancelledError):  # already gone: nothing to close
            pass
    lat = sorted(latencies)
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")
    print(json.dumps({
        "mode": "daphne + websockets" if PORT else "in-process communicator",
        "rate": RATE or "unpaced", "clients": N, "messages": M, "expected": N * M,
        "delivered": sum(got), "seconds": round(elapsed, 3),
        "per_s": round(sum(got) / max(elapsed, 1e-9)), "p50_ms": round(q(0.50), 1),
        "p95_ms": round(q(0.95), 1), "publish_errors": len(errors),
    }))


asyncio.run(main())
"""


def run(argv: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@contextlib.contextmanager
def redis_server(work: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server not found: install Debian's redis-server (bench/run does)")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(work)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        if not wait_port(port):
            raise SystemExit("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def wait_port(port: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def build(root: Path, env: dict[str, str]) -> None:
    run([venv_bin("django-admin"), "startproject", "mysite", "."], root, env)
    run([sys.executable, "manage.py", "startapp", "blog"], root, env)
    (root / "blog" / "models.py").write_text(MODELS)
    run([sys.executable, "-m", "djgen.generators.cli", "generate", "all", "blog", "--write"],
        root, env)  # fmt: skip
    run([sys.executable, "manage.py", "migrate", "-v", "0"], root, env)
    (root / "ws_bench_client.py").write_text(CLIENT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rate", type=float, default=40.0, help="paced events/s")
    parser.add_argument("--json", action="store_true", help="also write bench/results/ws.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="djgen-ws-bench-"))
    rows = []
    try:
        root = work / "project"
        root.mkdir()
        with redis_server(work) as redis_url:
            env = {**os.environ, "REDIS_URL": redis_url}
            env["DJANGO_SETTINGS_MODULE"] = "mysite.settings"
            build(root, env)
            port = free_port()
            daphne = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "-v", "0",
                 "mysite.asgi:application"],
                cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                if not wait_port(port):
                    raise SystemExit("daphne did not start")
                for target in (0, port):
                    for rate in (0.0, args.rate):
                        out = run(
                            [sys.executable, "ws_bench_client.py", str(args.clients),
                             str(args.messages), str(rate), str(target)],
                            root, env, timeout=300,
                        )  # fmt: skip
                        rows.append(json.loads(out.strip().splitlines()[-1]))
            finally:
                daphne.terminate()
                daphne.wait(10)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    info = machine()
    print(machine_line(info))
    print(
        table(
            ["clients", "publish", "delivered", "msg/s delivered", "p50 ms", "p95 ms", "errors"],
            [
                [
                    f"{r['clients']} ({r['mode']})",
                    r["rate"] if r["rate"] == "unpaced" else f"{r['rate']:g}/s",
                    f"{r['delivered']}/{r['expected']}",
                    f"{r['per_s']:,}",
                    r["p50_ms"],
                    r["p95_ms"],
                    r["publish_errors"],
                ]
                for r in rows
            ],
        )
    )
    if args.json:
        write_json("ws", {"machine": info, "runs": rows})
    return 0 if all(r["delivered"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
