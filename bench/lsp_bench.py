"""Language-server latency: ``djgen lsp`` driven over stdio exactly as an editor drives it.

Place in the data path: the whole interactive path, timed from the editor's side — a buffer edit
(didChange) → reader (IR) → what exists → ``publishDiagnostics``; a cursor → code actions;
``codeAction/resolve`` → generators → artifacts → libcst merge → WorkspaceEdit; hover →
generators → markdown.

Measured, with ``diagnosticsDelayMs`` 0, on the bookshop example and on generated models files
(~500 lines, 50, 300 and 1,000 models; see ``models_gen.py``):

* start → ``initialize`` result, for ``djgen lsp``, ``python -m djgen.server`` and a bare pygls
  server with the same features (``bare_server.py``), interleaved in one run;
* didOpen → first diagnostics (one sample);
* a one-line edit inside a model (incremental didChange) → that version's diagnostics;
* a new model appended at the end → that version's diagnostics (checked to include it);
* the code-action list at a cursor on a class name; ``codeAction/resolve`` of its first quick
  fix; hover on the class name;
* the server's peak RSS (``VmHWM``), and in this process, as references for the same text, a full
  ``ast.parse`` and a full ``read_source`` (djgen's reader).

Each latency is repeated; the table shows p50 / p95 in milliseconds. Timings are wall-clock on a
shared machine: read them as what an editor would see, not as exact costs.

Run: ``python bench/lsp_bench.py [--quick] [--sizes 50,300] [--json-out DIR]``.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH_DIR,
    EXAMPLE_DIR,
    Series,
    Stopwatch,
    fmt_ms,
    load_at_end,
    machine,
    machine_line,
    peak_rss_mib,
    table,
    venv_bin,
    write_json,
)
from lsp_client import Document, LspClient
from models_gen import APP_LABEL, generate_models, write_project

INIT_OPTIONS = {"diagnosticsDelayMs": 0}
#: Generous: the first analysis of a 1,000-model file on a loaded machine can take seconds.
TIMEOUT = 300.0

SERVERS = {
    "bare pygls": [sys.executable, str(BENCH_DIR / "bare_server.py")],
    "djgen lsp": [venv_bin("djgen"), "lsp"],
    "python -m djgen.server": [sys.executable, "-m", "djgen.server"],
}


@dataclass
class Target:
    """One models file to measure, inside a project the server can see."""

    name: str
    root: Path
    models_py: Path
    #: The model to edit, hover and ask code actions on (one in the middle of the file).
    model: str
    repeats: int
    #: The app's API was generated (``djgen generate all``) before the server started: quick
    #: fixes and resolve are then measured on a model appended to the buffer, merging into
    #: existing (large) target files.
    generated: bool = False

    @property
    def text(self) -> str:
        return self.models_py.read_text(encoding="utf-8")


@dataclass
class FileResult:
    target: str
    lines: int
    models: int
    series: dict[str, Series] = field(default_factory=dict)
    peak_rss_mib: float | None = None
    notes: list[str] = field(default_factory=list)

    def s(self, name: str) -> Series:
        if name not in self.series:
            self.series[name] = Series(name)
        return self.series[name]

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "lines": self.lines,
            "models": self.models,
            "peak_rss_mib": self.peak_rss_mib,
            "notes": self.notes,
            "series": {k: v.to_json() for k, v in self.series.items()},
        }


# -- start-up -----------------------------------------------------------------------------------


async def bench_startup(root: Path, repeats: int) -> dict[str, Series]:
    """Spawn → initialize result, interleaving the servers so load drifts hit them alike."""
    results = {name: Series(name) for name in SERVERS}
    names = list(SERVERS)
    for i in range(repeats + 1):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            client = await LspClient.spawn(SERVERS[name], cwd=root)
            try:
                await client.initialize(root, INIT_OPTIONS, timeout=TIMEOUT)
                ms = (time.perf_counter() - client.started) * 1000
                await client.notify("initialized", {})
            finally:
                await client.close()
            if i:  # the first round warms the OS file cache
                results[name].add(ms)
    return results


# -- one models file ----------------------------------------------------------------------------


def _class_line(text: str, model: str) -> int:
    for index, line in enumerate(text.split("\n")):
        if line.startswith(f"class {model}("):
            return index
    raise ValueError(f"class {model} not found")


def _edit_site(text: str, model: str) -> tuple[int, int, int]:
    """(line, start col, end col) of the first ``max_length=<digits>`` number inside ``model``."""
    lines = text.split("\n")
    first = _class_line(text, model)
    for index in range(first + 1, len(lines)):
        if lines[index].startswith("class "):
            break
        match = re.search(r"max_length=(\d+)", lines[index])
        if match:
            return index, match.start(1), match.end(1)
    raise ValueError(f"no max_length= in {model}")


def _for_model(diagnostics: list[dict[str, Any]], model: str) -> list[dict[str, Any]]:
    return [
        d
        for d in diagnostics
        if isinstance(d.get("data"), dict) and d["data"].get("model") == model
    ]


def _models_in(diagnostics: list[dict[str, Any]]) -> set[str]:
    return {d["data"]["model"] for d in diagnostics if isinstance(d.get("data"), dict)}


async def bench_file(target: Target, reference_repeats: int) -> FileResult:
    text = target.text
    tree = ast.parse(text)
    models = sum(isinstance(node, ast.ClassDef) for node in tree.body)
    result = FileResult(target.name, text.count("\n"), models)
    _reference(result, target, text, reference_repeats)

    client = await LspClient.spawn(SERVERS["djgen lsp"], cwd=target.root)
    try:
        await client.initialize(target.root, INIT_OPTIONS, timeout=TIMEOUT)
        await client.notify("initialized", {})
        doc = Document(client, target.models_py, text)
        with Stopwatch() as sw:
            first = await asyncio.wait_for(await doc.open(), TIMEOUT)
        result.s("open → diagnostics").add(sw.ms)
        baseline = len(first["diagnostics"])
        if not target.generated and not _for_model(first["diagnostics"], target.model):
            result.notes.append(f"no diagnostics for {target.model} after open")
        await _edits(result, target, doc, baseline)
        await _appends(result, target, doc, baseline)
        if target.generated:
            await _drift(result, target, doc)
        model = target.model
        if target.generated:
            model = "BenchNew"
            end = _end(doc.text)
            await asyncio.wait_for(await doc.edit(end, end, _new_model(model)), TIMEOUT)
        await _actions_resolve_hover(result, target, doc, model)
        result.peak_rss_mib = peak_rss_mib(client.pid)
    except (asyncio.TimeoutError, RuntimeError) as exc:
        result.notes.append(f"aborted: {type(exc).__name__}: {exc}")
    finally:
        await client.close()
    return result


def _reference(result: FileResult, target: Target, text: str, repeats: int) -> None:
    """A full ``ast.parse`` and a full djgen reader pass of the same text, in this process."""
    from djgen.generators.reader import read_source

    for _ in range(repeats):
        cpu = time.process_time()
        with Stopwatch() as sw:
            ast.parse(text)
        result.s("ast.parse (full)").add(sw.ms)
        result.s("ast.parse (full, CPU time)").add((time.process_time() - cpu) * 1000)
    for _ in range(max(3, repeats // 3)):
        with Stopwatch() as sw:
            read_source(text, app_label=APP_LABEL, path=str(target.models_py))
        result.s("read_source (full)").add(sw.ms)


async def _edits(result: FileResult, target: Target, doc: Document, baseline: int) -> None:
    """A one-line edit (a max_length number) inside the middle model, repeated."""
    line, start, end = _edit_site(doc.text, target.model)
    original = int(doc.text.split("\n")[line][start:end])
    wrong = 0
    width = end - start
    for i in range(target.repeats + 2):
        value = str(original + 1 + i % 2)
        with Stopwatch() as sw:
            params = await asyncio.wait_for(
                await doc.edit((line, start), (line, start + width), value), TIMEOUT
            )
        width = len(value)
        if len(params["diagnostics"]) != baseline:
            wrong += 1
        if i >= 2:  # two warm-up edits
            result.s("one-line edit → diagnostics").add(sw.ms)
    if wrong:
        result.notes.append(f"one-line edit: {wrong} answers had a different diagnostic count")


async def _appends(result: FileResult, target: Target, doc: Document, baseline: int) -> None:
    """Append a new model at the end (timed), then delete it again (not timed)."""
    wrong = 0
    for i in range(target.repeats + 1):
        name = f"BenchAdded{i}"
        added = _new_model(name)
        before = doc.text
        end = _end(before)
        with Stopwatch() as sw:
            params = await asyncio.wait_for(await doc.edit(end, end, added), TIMEOUT)
        if name not in _models_in(params["diagnostics"]) or len(params["diagnostics"]) <= baseline:
            wrong += 1
        if i:
            result.s("append model → diagnostics").add(sw.ms)
        await asyncio.wait_for(await doc.edit(end, _end(doc.text), ""), TIMEOUT)
        assert doc.text == before
    if wrong:
        result.notes.append(f"append: {wrong} answers did not report the new model")


async def _drift(result: FileResult, target: Target, doc: Document) -> None:
    """Drift (issue 16) on a generated API: rename a CharField of the middle model (a one-line
    edit) → that version's models.py diagnostics, which must hold the drift diagnostic on the
    field, and → the drift publication for serializers.py (not open). In this process, for
    reference: ``core.drift.analyse`` of the whole app, cold and warm (one model changed)."""
    client = doc.client
    lines = doc.text.split("\n")
    first = _class_line(doc.text, target.model)
    site = None
    for index in range(first + 1, len(lines)):
        if lines[index].startswith("class "):
            break
        match = re.match(r"    (\w+) = models\.CharField\(", lines[index])
        if match:
            site = (index, match.group(1))
            break
    if site is None:
        result.notes.append(f"drift: no CharField in {target.model}; not measured")
        return
    line, original = site
    serializers = (target.models_py.parent / "serializers.py").resolve().as_uri()
    current = original
    wrong = 0
    for i in range(target.repeats + 1):
        new = f"{original}_r{i}"
        published = client.expect(
            "textDocument/publishDiagnostics",
            lambda p, new=new: (
                p["uri"] == serializers
                and any(f"renamed to {new}?" in d["message"] for d in p["diagnostics"])
            ),
        )
        with Stopwatch() as sw:
            params = await asyncio.wait_for(
                await doc.edit((line, 4), (line, 4 + len(current)), new), TIMEOUT
            )
        diag_ms = sw.ms
        current = new
        drift = [
            d
            for d in params["diagnostics"]
            if d.get("code") == "djgen.drift" and d.get("data", {}).get("model") == target.model
        ]
        if not drift:
            wrong += 1
        try:
            await asyncio.wait_for(published, TIMEOUT)
            target_ms = (time.perf_counter() - sw.start) * 1000
        except asyncio.TimeoutError:
            wrong += 1
            target_ms = None
        if i:
            result.s("rename field → drift diagnostics").add(diag_ms)
            if target_ms is not None:
                result.s("rename field → serializers.py drift").add(target_ms)
    await asyncio.wait_for(await doc.edit((line, 4), (line, 4 + len(current)), original), TIMEOUT)
    if wrong:
        result.notes.append(f"drift: {wrong} answers lacked the drift diagnostics")
    _drift_in_process(result, target, doc.text)


# -- drift on vs off (issue 16's latency criterion) -----------------------------------------------

#: The same server with drift switched off (``driftCheck``): today's diagnostics alone.
DRIFT_OFF_OPTIONS = {**INIT_OPTIONS, "driftCheck": False}


def _rename_site(text: str, model: str) -> tuple[int, str] | None:
    lines = text.split("\n")
    first = _class_line(text, model)
    for index in range(first + 1, len(lines)):
        if lines[index].startswith("class "):
            return None
        match = re.match(r"    (\w+) = models\.CharField\(", lines[index])
        if match:
            return index, match.group(1)
    return None


async def bench_drift_on_off(
    target: Target, result: FileResult, repeats: int, generators: list[str] | None = None
) -> None:
    """Drift on vs off in the same run: two ``djgen lsp`` servers on the same generated project,
    one with ``driftCheck`` false; every round makes the same edit in both, alternating which
    goes first, so load on the shared machine hits both alike. Per round: a one-line edit (a
    max_length) → that version's diagnostics, and a rename of a CharField of the middle model →
    that version's models.py diagnostics (drift on: checked to hold the drift diagnostic) and,
    drift on only, → the drift publication for serializers.py (not open). ``generators``: the
    server's ``generators`` setting for both (default: the server's defaults)."""
    extra = {"generators": generators} if generators else {}
    result.notes.append(
        f"drift on/off: generators {', '.join(generators or ['(server defaults)'])}"
    )
    clients: dict[str, LspClient] = {}
    docs: dict[str, Document] = {}
    try:
        for mode, options in (("on", INIT_OPTIONS), ("off", DRIFT_OFF_OPTIONS)):
            options = {**options, **extra}
            client = await LspClient.spawn(SERVERS["djgen lsp"], cwd=target.root)
            clients[mode] = client
            await client.initialize(target.root, options, timeout=TIMEOUT)
            await client.notify("initialized", {})
            docs[mode] = Document(client, target.models_py, target.text)
            await asyncio.wait_for(await docs[mode].open(), TIMEOUT)
        text = docs["on"].text
        site = _rename_site(text, target.model)
        if site is None:
            result.notes.append(f"drift on/off: no CharField in {target.model}; not measured")
            return
        rename_line, original = site
        line, start, end = _edit_site(text, target.model)
        number = int(text.split("\n")[line][start:end])
        serializers = (target.models_py.parent / "serializers.py").resolve().as_uri()
        width = {mode: end - start for mode in docs}
        current = {mode: original for mode in docs}
        wrong = 0
        for i in range(repeats + 2):
            order = ("on", "off") if i % 2 == 0 else ("off", "on")
            for mode in order:
                doc = docs[mode]
                value = str(number + 1 + i % 2)
                with Stopwatch() as sw:
                    await asyncio.wait_for(
                        await doc.edit((line, start), (line, start + width[mode]), value), TIMEOUT
                    )
                width[mode] = len(value)
                if i >= 2:
                    result.s(f"drift {mode}: one-line edit → diagnostics").add(sw.ms)
                new = f"{original}_d{i}"
                published = None
                if mode == "on":
                    published = doc.client.expect(
                        "textDocument/publishDiagnostics",
                        lambda p, new=new: (
                            p["uri"] == serializers
                            and any(f"renamed to {new}?" in d["message"] for d in p["diagnostics"])
                        ),
                    )
                with Stopwatch() as sw:
                    params = await asyncio.wait_for(
                        await doc.edit(
                            (rename_line, 4), (rename_line, 4 + len(current[mode])), new
                        ),
                        TIMEOUT,
                    )
                diag_ms = sw.ms
                current[mode] = new
                has_drift = any(
                    d.get("code") == "djgen.drift"
                    and d.get("data", {}).get("model") == target.model
                    for d in params["diagnostics"]
                )
                if has_drift != (mode == "on"):
                    wrong += 1
                target_ms = None
                if published is not None:
                    try:
                        await asyncio.wait_for(published, TIMEOUT)
                        target_ms = (time.perf_counter() - sw.start) * 1000
                    except asyncio.TimeoutError:
                        wrong += 1
                if i >= 2:
                    result.s(f"drift {mode}: rename field → diagnostics").add(diag_ms)
                    if target_ms is not None:
                        result.s("drift on: rename field → serializers.py").add(target_ms)
        if wrong:
            result.notes.append(f"drift on/off: {wrong} answers were not as expected")
    except (asyncio.TimeoutError, RuntimeError) as exc:
        result.notes.append(f"drift on/off aborted: {type(exc).__name__}: {exc}")
    finally:
        for client in clients.values():
            await client.close()


def render_on_off(files: list[FileResult]) -> str:
    """The drift on/off rows side by side, with the p50 ratio (on / off)."""
    out: list[str] = []
    for r in files:
        off_edit = r.series.get("drift off: one-line edit → diagnostics")
        if off_edit is None or not off_edit.samples:
            continue
        rows = []
        pairs = [
            ("one-line edit → diagnostics", "drift on: one-line edit", "drift off: one-line edit"),
            ("rename field → diagnostics", "drift on: rename field → diag", "drift off: rename"),
            (
                "rename → serializers.py published (on) vs rename → diagnostics (off)",
                "drift on: rename field → serializers.py",
                "drift off: rename",
            ),
        ]
        for label, on_key, off_key in pairs:
            on, off = _find(r, on_key), _find(r, off_key)
            ratio = (
                f"{on.p50 / off.p50:.2f}x"
                if on and off and on.samples and off.samples and off.p50
                else "—"
            )
            rows.append([label, _cell(on), _cell(off), ratio])
        n = len(off_edit.samples)
        out += [
            f"drift on vs off, {r.target} (same run, interleaved, {n} rounds; ms p50 / p95):",
            "",
            table(["measure", "drift on", "drift off", "p50 on/off"], rows),
            "",
        ]
    return "\n".join(out).rstrip()


def _drift_in_process(result: FileResult, target: Target, text: str) -> None:
    from djgen.generators.core import drift
    from djgen.generators.reader import read_source

    app = target.models_py.parent
    module = read_source(text, app_label=APP_LABEL, path=str(target.models_py))
    drift._EXPECTED.clear()
    drift._FILES.clear()
    with Stopwatch() as sw:
        report = drift.analyse(module, app)
    result.s("drift analyse (cold)").add(sw.ms)
    if report.items:
        result.notes.append(f"drift: {len(report.items)} stale places before any edit")
    line, start, end = _edit_site(text, target.model)
    lines = text.split("\n")
    for i in range(max(3, target.repeats)):
        lines[line] = lines[line][:start] + str(100 + i) + lines[line][end:]
        end = start + len(str(100 + i))
        changed = read_source("\n".join(lines), app_label=APP_LABEL, path=str(target.models_py))
        with Stopwatch() as sw:
            drift.analyse(changed, app)
        result.s("drift analyse (warm, one model changed)").add(sw.ms)


def _new_model(name: str) -> str:
    return (
        f"\n\nclass {name}(models.Model):\n"
        "    label = models.CharField(max_length=40)\n"
        "    count = models.IntegerField(default=0)\n"
    )


def _end(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines) - 1, len(lines[-1])


async def _actions_resolve_hover(
    result: FileResult, target: Target, doc: Document, model: str
) -> None:
    client = doc.client
    line = _class_line(doc.text, model)
    position = {"line": line, "character": 6 + len(model) // 2}
    diagnostics = _for_model(client.diagnostics[doc.uri][1], model)
    params = {
        "textDocument": {"uri": doc.uri},
        "range": {"start": position, "end": position},
        "context": {"diagnostics": diagnostics, "triggerKind": 2},
    }
    actions: list[dict[str, Any]] = []
    for i in range(target.repeats + 1):
        with Stopwatch() as sw:
            actions = await client.request("textDocument/codeAction", params, TIMEOUT) or []
        if i:
            result.s("code actions at cursor").add(sw.ms)
    quickfixes = [a for a in actions if str(a.get("kind", "")).startswith("quickfix")]
    if not quickfixes:
        result.notes.append(f"no quick fix offered on {model}; resolve not measured")
    else:
        action = quickfixes[0]
        missing = 0
        for i in range(target.repeats + 1):
            with Stopwatch() as sw:
                resolved = await client.request("codeAction/resolve", action, TIMEOUT)
            if not (resolved or {}).get("edit"):
                missing += 1
            if i:
                result.s(f"resolve ({action.get('kind')})").add(sw.ms)
        if missing:
            result.notes.append(f"resolve: {missing} answers had no edit")
    hover_params = {"textDocument": {"uri": doc.uri}, "position": position}
    empty = 0
    for i in range(target.repeats + 1):
        with Stopwatch() as sw:
            hover = await client.request("textDocument/hover", hover_params, TIMEOUT)
        if not hover:
            empty += 1
        if i:
            result.s("hover on model").add(sw.ms)
    if empty:
        result.notes.append(f"hover: {empty} answers were empty")


# -- targets ------------------------------------------------------------------------------------


def _copy_example(dest: Path) -> Path:
    shutil.copytree(
        EXAMPLE_DIR, dest, ignore=shutil.ignore_patterns("db.sqlite3", "__pycache__", "*.pyc")
    )
    return dest


def lines_for(n: int) -> int:
    return generate_models(n).lines


def models_for_lines(lines: int) -> int:
    """The fewest generated models whose file has at least ``lines`` lines."""
    n = 1
    while lines_for(n) < lines:
        n += 1
    return n


def make_targets(
    work: Path,
    sizes: list[int],
    repeats: dict[str, int],
    generated: Sequence[int] = (),
    generated_names: str = "all",
) -> list[Target]:
    targets = []
    example = _copy_example(work / "bookshop")
    targets.append(
        Target(
            "example (bookshop)",
            example,
            example / "catalog" / "models.py",
            "Book",
            repeats.get("example", 30),
        )
    )
    for size in sizes:
        n = models_for_lines(500) if size == 500 else size
        name = "~500 lines" if size == 500 else f"{size} models"
        root = work / f"p{size}"
        app = write_project(root, n)
        names = generate_models(n).models
        key = "small" if size <= 50 or size == 500 else str(size)
        targets.append(
            Target(
                name,
                root,
                app / "models.py",
                names[len(names) // 2],
                repeats.get(key, repeats.get("default", 20)),
            )
        )
    for size in generated:
        root = work / f"g{size}"
        app = write_project(root, size)
        subprocess.run(
            [venv_bin("djgen"), "generate", generated_names, str(app), "--write"],
            cwd=root,
            capture_output=True,
            check=True,
            timeout=900,
        )
        names = generate_models(size).models
        targets.append(
            Target(
                f"{size} models, API generated",
                root,
                app / "models.py",
                names[len(names) // 2],
                repeats.get(str(size), 10),
                generated=True,
            )
        )
    return targets


# -- output -------------------------------------------------------------------------------------

COLUMNS = [
    ("ast.parse (full)", "ast.parse"),
    ("read_source (full)", "reader (full)"),
    ("one-line edit → diagnostics", "edit→diag"),
    ("append model → diagnostics", "append→diag"),
    ("code actions at cursor", "actions"),
    ("resolve", "resolve"),
    ("hover on model", "hover"),
]


def _cell(series: Series | None) -> str:
    if series is None or not series.samples:
        return "—"
    return f"{fmt_ms(series.p50)} / {fmt_ms(series.p95)}"


def _find(result: FileResult, prefix: str) -> Series | None:
    for name, series in result.series.items():
        if name.startswith(prefix):
            return series
    return None


def render(startup: dict[str, Series], files: list[FileResult]) -> str:
    out = ["Start → initialize result (ms, p50 / p95):", ""]
    bare = startup.get("bare pygls")
    rows = []
    for name, series in startup.items():
        ratio = series.p50 / bare.p50 if bare and bare.samples and series.samples else None
        rows.append(
            [
                name,
                len(series.samples),
                fmt_ms(series.p50),
                fmt_ms(series.p95),
                f"{ratio:.2f}x" if ratio else "—",
            ]
        )
    out.append(table(["server", "n", "p50", "p95", "p50 vs bare"], rows))
    out += ["", "djgen lsp latency (ms, p50 / p95; diagnosticsDelayMs 0):", ""]
    headers = ["file", "lines", *[label for _, label in COLUMNS], "open", "peak RSS"]
    rows = []
    for r in files:
        opened = r.series.get("open → diagnostics")
        rows.append(
            [
                r.target,
                r.lines,
                *[_cell(_find(r, key)) for key, _ in COLUMNS],
                fmt_ms(opened.p50) if opened and opened.samples else "—",
                f"{r.peak_rss_mib:.0f} MiB" if r.peak_rss_mib else "—",
            ]
        )
    out.append(table(headers, rows))
    drifted = [r for r in files if _find(r, "rename field")]
    if drifted:
        out += ["", "drift (issue 16) on a generated API (ms, p50 / p95):", ""]
        rows = [
            [
                r.target,
                _cell(_find(r, "one-line")),
                _cell(_find(r, "rename field → drift")),
                _cell(_find(r, "rename field → serializers.py")),
                _cell(_find(r, "drift analyse (cold)")),
                _cell(_find(r, "drift analyse (warm")),
            ]
            for r in drifted
        ]
        headers = ["file", "edit→diag", "rename→drift", "→serializers.py", "analyse cold", "warm"]
        out.append(table(headers, rows))
    reps = ", ".join(
        f"{r.target}: {len(_find(r, 'one-line').samples) if _find(r, 'one-line') else 0}"
        for r in files
    )
    out += ["", f"Repeats per latency: {reps}."]
    for r in files:
        for note in r.notes:
            out.append(f"note ({r.target}): {note}")
    return "\n".join(out)


def targets_verdict(startup: dict[str, Series], files: list[FileResult]) -> list[dict[str, Any]]:
    """Issue 6's server targets, each with the measured number and whether it holds."""
    verdicts: list[dict[str, Any]] = []

    def add(what: str, measured: float | None, holds: bool | None, detail: str) -> None:
        verdicts.append({"target": what, "measured": measured, "holds": holds, "detail": detail})

    by_name = {r.target: r for r in files}
    big = by_name.get("300 models")
    if big:
        edit, parse = _find(big, "one-line"), _find(big, "ast.parse")
        if edit and edit.samples and parse and parse.samples:
            add(
                "diagnostics after a one-line edit, 300 models: ≤ 30 ms p50 and < ast.parse",
                edit.p50,
                edit.p50 <= 30 and edit.p50 < parse.p50,
                f"p50 {fmt_ms(edit.p50)} ms vs ast.parse p50 {fmt_ms(parse.p50)} ms",
            )
        actions = _find(big, "code actions")
        if actions and actions.samples:
            add(
                "code-action list, 300 models: ≤ 20 ms p95",
                actions.p95,
                actions.p95 <= 20,
                f"p95 {fmt_ms(actions.p95)} ms",
            )
    small = by_name.get("~500 lines")
    if small:
        edit = _find(small, "one-line")
        if edit and edit.samples:
            add(
                "diagnostics after a one-line edit, ~500-line file: ≤ 5 ms",
                edit.p50,
                edit.p50 <= 5,
                f"p50 {fmt_ms(edit.p50)} ms",
            )
    bare, djgen = startup.get("bare pygls"), startup.get("djgen lsp")
    if bare and djgen and bare.samples and djgen.samples:
        ratio = djgen.p50 / bare.p50
        add(
            "start → initialize within 1.2x of bare pygls",
            ratio,
            ratio <= 1.2,
            f"djgen lsp p50 {fmt_ms(djgen.p50)} ms vs bare {fmt_ms(bare.p50)} ms ({ratio:.2f}x)",
        )
    return verdicts


def render_verdicts(verdicts: list[dict[str, Any]]) -> str:
    rows = [
        [v["target"], v["detail"], {True: "holds", False: "MISSED", None: "—"}[v["holds"]]]
        for v in verdicts
    ]
    return table(["target (issue 6)", "measured", "verdict"], rows)


# -- main ---------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] if args.sizes else []
    generated = [int(s) for s in args.generated.split(",") if s.strip()] if args.generated else []
    if args.quick:
        repeats = {"example": 3, "small": 3, "default": 2}
        startup_repeats = 2
    else:
        repeats = {"example": 30, "small": 30, "300": 12, "1000": 5, "default": 12}
        startup_repeats = args.startup_repeats
    with tempfile.TemporaryDirectory(prefix="djgen-lsp-bench-") as tmp:
        work = Path(tmp)
        targets = make_targets(work, sizes, repeats, generated, args.generated_names)
        if not args.drift_only:
            print(f"start-up: {startup_repeats} rounds of {', '.join(SERVERS)}", flush=True)
        startup = {} if args.drift_only else await bench_startup(targets[0].root, startup_repeats)
        files = []
        for target in targets:
            print(f"{target.name}: {target.repeats} repeats", flush=True)
            if args.drift_only and not target.generated:
                continue
            if args.drift_only:
                found = FileResult(target.name, target.text.count("\n"), 0)
            else:
                found = await bench_file(target, reference_repeats=max(5, target.repeats))
            if target.generated:
                rounds = args.drift_repeats or target.repeats
                print(f"{target.name}: drift on/off, {rounds} rounds", flush=True)
                chosen = [n for n in (args.drift_generators or "").split(",") if n]
                await bench_drift_on_off(target, found, rounds, chosen or None)
            files.append(found)
    return {"startup": startup, "files": files}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="djgen language-server latency benchmark")
    parser.add_argument(
        "--sizes",
        default=None,
        help="generated files to measure: model counts, 500 = a ~500-line file "
        "(default 500,50,300,1000; with --quick 500,50)",
    )
    parser.add_argument(
        "--generated",
        default=None,
        help="model counts to measure again with the API already generated "
        "('' for none; default 300, with --quick none)",
    )
    parser.add_argument(
        "--generated-names",
        default="all",
        help="generators run for --generated (default all; the drift measurement needs "
        "serializer,filterset,viewset,admin)",
    )
    parser.add_argument("--quick", action="store_true", help="few repeats (a smoke run)")
    parser.add_argument(
        "--drift-only",
        action="store_true",
        help="only the drift on/off comparison on the --generated targets (no start-up, no "
        "other files)",
    )
    parser.add_argument(
        "--drift-generators",
        default="",
        help="the servers' generators setting in the drift on/off comparison, comma-separated "
        "(default: the server's defaults; add caching to include the cache table)",
    )
    parser.add_argument(
        "--drift-repeats",
        type=int,
        default=0,
        help="rounds of the drift on/off comparison (default: the target's repeats)",
    )
    parser.add_argument("--startup-repeats", type=int, default=10)
    parser.add_argument("--json-out", type=Path, help="folder for lsp.json (default bench/results)")
    parser.add_argument("--no-json", action="store_true", help="print only")
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = "500,50" if args.quick else "500,50,300,1000"
    if args.generated is None:
        args.generated = "" if args.quick else "300"
    info = machine()
    print(f"machine: {machine_line(info)}", flush=True)
    measured = asyncio.run(run(args))
    startup, files = measured["startup"], measured["files"]
    print()
    print(render(startup, files))
    on_off = render_on_off(files)
    if on_off:
        print()
        print(on_off)
    verdicts = targets_verdict(startup, files)
    if verdicts:
        print()
        print(render_verdicts(verdicts))
    print()
    print(load_at_end(info))
    if not args.no_json:
        path = write_json(
            "lsp",
            {
                "machine": info,
                "init_options": INIT_OPTIONS,
                "startup": {k: v.to_json() for k, v in startup.items()},
                "files": [r.to_json() for r in files],
                "targets": verdicts,
            },
            args.json_out,
        )
        print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
