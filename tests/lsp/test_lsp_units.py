"""The language server's pure parts: settings parsing, WorkspaceEdit shapes and text edits.

Data path under test: raw editor settings → ServerOptions; pipeline file changes → the
WorkspaceEdit shape each client can apply (minimal, UTF-16 correct line hunks).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from lsp_session import NEOVIM, VSCODE, apply_text_edits, capabilities
from lsprotocol import types

from djgen.server.documents import Snapshot, path_to_uri
from djgen.server.edits import EditSupport, build_workspace_edit, text_edits
from djgen.server.options import ServerOptions, parse_options
from djgen.server.settings import project_layer


def test_defaults_and_layering() -> None:
    options, problems = parse_options(None)
    assert options == ServerOptions() and not problems
    assert options.diagnostics_delay_ms == 300
    first, _ = parse_options({"diagnosticsDelayMs": 0, "severities": {"admin": "warning"}})
    second, problems = parse_options({"codeLens": False}, first)
    assert not problems
    assert second.diagnostics_delay_ms == 0
    assert second.severity("admin") == "warning"
    assert second.severity("serializer") == "information", "other severities keep their base"
    assert second.code_lens is False


def test_bad_values_keep_the_base_and_say_why() -> None:
    raw = {
        "diagnosticsDelayMs": "soon",
        "generators": ["serializer", "sparkles"],
        "severities": {"serializer": "loud", "nonsense": "hint"},
        "layout": "tree",
        "migrationCheck": "yes",
        "colour": "blue",
    }
    options, problems = parse_options(raw, where="initializationOptions")
    assert options == ServerOptions()
    text = "\n".join(problems)
    assert len(problems) == 7, problems
    assert all(p.startswith("djgen initializationOptions") for p in problems)
    assert "diagnosticsDelayMs must be a whole number of milliseconds ≥ 0; got 'soon'" in text
    assert "unknown: sparkles" in text
    assert "severities.serializer must be one of off, hint, information, warning" in text
    assert "severities.nonsense is not a diagnostic kind" in text
    assert "layout must be one of 'flat', 'api'" in text
    assert "migrationCheck must be true or false" in text
    assert "unknown setting 'colour'" in text
    assert parse_options([1, 2])[1] == ["djgen settings must be a JSON object, got list."]
    assert parse_options({"diagnosticsDelayMs": True})[1], "a bool is not a number"


def test_project_config_becomes_the_lowest_editor_layer() -> None:
    @dataclass
    class Config:
        generators: tuple[str, ...] | None = ("serializer", "admin")
        diagnostics: dict[str, str] | None = None

    layer = project_layer(Config(diagnostics={"admin": "off", "relationships": "hint"}))
    assert layer == {"generators": ["serializer", "admin"], "severities": {"admin": "off"}}
    assert project_layer(Config(generators=None)) == {}


def test_edit_support_per_client() -> None:
    assert EditSupport.of(capabilities(VSCODE)) == EditSupport(True, True)
    # Neovim advertises resourceOperations but not the documentChanges flag it supports.
    assert EditSupport.of(capabilities(NEOVIM)) == EditSupport(True, True)
    assert EditSupport.of(types.ClientCapabilities()) == EditSupport(False, False)


@dataclass
class Change:
    path: Path
    old: str | None
    new: str


def test_workspace_edit_shapes(tmp_path: Path) -> None:
    new_file = Change(tmp_path / "serializers.py", None, "x = 1\n")
    old_file = Change(tmp_path / "admin.py", "a = 1\n", "a = 1\nb = 2\n")
    same = Change(tmp_path / "views.py", "v = 1\n", "v = 1\n")
    snapshot = Snapshot({(tmp_path / "admin.py").resolve(): ("a = 1\n", 7)})

    full = build_workspace_edit([new_file, old_file, same], EditSupport(True, True), snapshot)
    create, created_edit, changed_edit = full.document_changes
    assert isinstance(create, types.CreateFile) and create.options.ignore_if_exists
    assert created_edit.text_document.version is None
    assert changed_edit.text_document.version == 7, "open buffers are versioned"
    assert [e.new_text for e in changed_edit.edits] == ["b = 2\n"]

    assert build_workspace_edit([new_file], EditSupport(True, False), snapshot) is None
    assert build_workspace_edit([new_file], EditSupport(False, False), snapshot) is None
    plain = build_workspace_edit([old_file], EditSupport(False, False), snapshot)
    assert list(plain.changes) == [path_to_uri(tmp_path / "admin.py")]


TEXT = st.text(alphabet="ab\n é😀x\x0c\u2028", max_size=40)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_text_edits_turn_old_into_new(old: str, new: str) -> None:
    edits = text_edits(old, new)
    assert apply_text_edits(old, edits) == new
    if old == new:
        assert edits == []


def test_the_server_never_imports_django_or_user_code(project) -> None:
    """Analysis, status and a full plan run in a fresh interpreter: no Django module gets
    imported, and the user's models.py (which would leave a mark) never runs."""
    import subprocess
    import sys
    import textwrap

    models = project.app_dir("catalog") / "models.py"
    mark = project.root / "EXECUTED"
    models.write_text(
        f"import pathlib\npathlib.Path({str(mark)!r}).write_text('ran')\n" + models.read_text()
    )
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from djgen.server.analysis import AnalysisCache, analyze
        from djgen.server.app import create_server
        from djgen.server.documents import Snapshot
        from djgen.server.settings import SettingsStore
        from djgen.generators.core.pipeline import plan

        create_server()
        path = Path({str(models)!r})
        settings = SettingsStore(print).for_path(path, path.parent)
        analysis = analyze(AnalysisCache(), "u", 1, path.read_text(), path, Snapshot(), settings)
        assert analysis.status, analysis.errors
        changes = plan(path.parent, ["serializer", "viewset", "admin"], module=analysis.module)
        assert changes
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in
                        ("django", "rest_framework", "django_filters", "catalog", "bookshop"))
        print(loaded)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=project.root
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert not mark.exists()


def test_text_edits_on_large_files_walk_and_still_turn_old_into_new() -> None:
    """From ``WALK_FROM_LINES`` lines the hunks come from a forward walk: small hunks, and
    applying them gives the new text, whatever was inserted, changed or removed where."""
    import random

    from djgen.server import edits as module

    rng = random.Random(17)
    old_lines = [f"line {i % 50} {'x' * (i % 7)}\n" if i % 9 else "\n" for i in range(3000)]
    for _ in range(30):
        new_lines = list(old_lines)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(new_lines))
            action = rng.choice(["insert", "replace", "delete"])
            block = [f"new {rng.random()}\n" for _ in range(rng.randint(1, 30))]
            if action == "insert":
                new_lines[at:at] = block
            elif action == "replace":
                new_lines[at : at + len(block)] = block
            else:
                del new_lines[at : at + rng.randint(1, 20)]
        old, new = "".join(old_lines), "".join(new_lines)
        assert len(old_lines) + len(new_lines) >= module.WALK_FROM_LINES
        found = text_edits(old, new)
        assert apply_text_edits(old, found) == new
        assert sum(e.new_text.count("\n") for e in found) <= 4 * 30 + 12
