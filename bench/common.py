"""What every benchmark script shares: percentiles, the printed tables, the machine, JSON output.

Place in the data path: none of its own — the benchmarks time the whole path (models.py → IR →
generators → artifacts → merge → files / WorkspaceEdits), and this module turns their samples
into p50/p95 tables and ``bench/results/*.json``.
"""

from __future__ import annotations

import json
import math
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
EXAMPLE_DIR = REPO_ROOT / "examples" / "bookshop"


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation between closest ranks."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Series:
    """Repeated timings of one thing, in milliseconds."""

    name: str
    samples: list[float] = field(default_factory=list)
    #: Anything worth saying beside the number (e.g. "3 of 20 answers were wrong").
    note: str = ""

    def add(self, ms: float) -> None:
        self.samples.append(ms)

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": len(self.samples),
            "p50_ms": round(self.p50, 3),
            "p95_ms": round(self.p95, 3),
            "min_ms": round(min(self.samples), 3) if self.samples else None,
            "max_ms": round(max(self.samples), 3) if self.samples else None,
            "samples_ms": [round(s, 3) for s in self.samples],
            "note": self.note,
        }


class Stopwatch:
    """``with Stopwatch() as sw: ...`` then ``sw.ms``."""

    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        self.ms = math.nan
        return self

    def __exit__(self, *exc: object) -> None:
        self.ms = (time.perf_counter() - self.start) * 1000


def fmt_ms(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-markdown table (readable in a terminal, pasteable into the README)."""
    rows = [[str(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)) + " |"

    out = [line(list(headers)), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out.extend(line(row) for row in rows)
    return "\n".join(out)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    model = platform.processor() or platform.machine()
    try:
        for raw in Path("/proc/cpuinfo").read_text().splitlines():
            if raw.startswith("model name"):
                model = raw.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = (math.nan, math.nan, math.nan)
    mem_gib = math.nan
    try:
        for raw in Path("/proc/meminfo").read_text().splitlines():
            if raw.startswith("MemTotal:"):
                mem_gib = int(raw.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(mem_gib, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in load],
        "commit": _git_commit(),
        "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def machine_line(info: dict[str, Any]) -> str:
    return (
        f"{info['nproc']} x {info['cpu']}, {info['memory_gib']} GiB, Python {info['python']}, "
        f"load {info['loadavg_at_start'][0]} at start, commit {info['commit']}"
    )


def load_at_end(info: dict[str, Any]) -> str:
    """Record the 1-minute load average at the end of a run in ``info``; a line saying it."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return ""
    info["loadavg_at_end"] = load
    return (
        f"Load average {info['loadavg_at_start'][0]} at start, {load[0]} at end "
        f"({info['nproc']} CPUs; other work on the machine slows every number here)."
    )


def write_json(name: str, data: dict[str, Any], out_dir: Path | None = None) -> Path:
    """Write ``data`` to ``bench/results/NAME.json`` (or ``out_dir``); returns the path."""
    folder = out_dir or RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def peak_rss_mib(pid: int) -> float | None:
    """A live process's peak resident set size (VmHWM), in MiB."""
    try:
        for raw in Path(f"/proc/{pid}/status").read_text().splitlines():
            if raw.startswith("VmHWM:"):
                return int(raw.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def venv_bin(name: str) -> str:
    """A console script next to this interpreter (the venv's ``djgen``, ``gunicorn``, …)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name
