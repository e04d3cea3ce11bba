"""A third-party generator, installed by pip into a fresh venv, reaches every front end.

Data path: a distribution's ``djgen.generators`` entry point → registry → descriptors → the CLI
(``djgen list``, ``djgen generate``), the language server (diagnostics, code actions) and the
extension's generated settings — with no file of djgen edited.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
from lsp_session import VSCODE, StartSession, all_codes, uri
from lsprotocol import types

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

PLUGIN_FILES = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "djgen-audit"
        version = "1.0"

        [project.entry-points."djgen.generators"]
        audit = "djgen_audit.descriptor:DESCRIPTOR"

        [tool.setuptools]
        packages = ["djgen_audit"]

        [tool.setuptools.package-data]
        djgen_audit = ["templates/*.j2"]
    """,
    "djgen_audit/__init__.py": "",
    "djgen_audit/descriptor.py": """
        from djgen.generators.core.descriptors import Descriptor, DiagnosticSpec, OptionSpec

        DESCRIPTOR = Descriptor(
            name="audit",
            description="an audit-log model per model (a plugin)",
            entry="djgen_audit.generator:Generator",
            requires=("serializer",),
            targets=("{app}/audit.py",),
            watches=("audit.py",),
            diagnostic=DiagnosticSpec(what="audit log", title="audit log", severity="warning"),
            options=(OptionSpec("suffix", "str", "Audit", "class name suffix"),),
        )
    """,
    "djgen_audit/generator.py": """
        from djgen.generators.core.artifacts import Artifact, Definition, Import
        from djgen.generators.core.context import GenerationResult
        from djgen.generators.core.render import render


        class Generator:
            def generate(self, context):
                serializers = context.provided("serializer", "serializer_class", {})
                suffix = context.options()["suffix"]
                artifact = Artifact(generator="audit", target="audit.py")
                for model in context.select():
                    name = f"{model.name}{suffix}"
                    artifact.imports.append(Import(".serializers", serializers[model.name]))
                    code = render(
                        "audit/model.py.j2",
                        name=name,
                        serializer=serializers[model.name],
                    )
                    artifact.definitions.append(Definition(name=name, code=code, model=model.name))
                return GenerationResult(artifacts=[artifact])
    """,
    "djgen_audit/templates/model.py.j2": """
        class {{ name }}:
            serializer = {{ serializer }}
    """,
}


@pytest.fixture(scope="module")
def plugin_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv that sees djgen (through a .pth to this venv's site-packages) and has the
    throwaway plugin installed by pip, as a team would install its own generator."""
    root = tmp_path_factory.mktemp("plugin")
    source = root / "djgen-audit"
    for name, text in PLUGIN_FILES.items():
        path = source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    host = sysconfig.get_paths()["purelib"]
    # addsitedir (not a bare path) so the host's own .pth files, djgen's editable finder among
    # them, run too
    (Path(site) / "djgen-host.pth").write_text(f"import site; site.addsitedir({host!r})\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            site,
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    return python


def _names(listing: str) -> list[str]:
    """The generator names of ``djgen list`` output (its first column)."""
    return [line.split()[0] for line in listing.splitlines() if line.strip()]


def _djgen(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "djgen.generators.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_the_cli_lists_and_runs_the_plugin(plugin_python: Path, project) -> None:
    listed = _djgen(plugin_python, "list", cwd=project.root)
    assert "audit" in _names(listed.stdout), listed.stderr
    data = json.loads(_djgen(plugin_python, "list", "--json", cwd=project.root).stdout)
    (audit,) = [g for g in data["generators"] if g["name"] == "audit"]
    assert audit["origin"] == "djgen-audit"
    assert audit["diagnostic"]["quickfixKind"] == "quickfix.djgen.audit"
    # the host venv (djgen's own) does not see it: nothing of djgen was edited
    host = subprocess.run(
        [sys.executable, "-m", "djgen.generators.cli", "list"], capture_output=True, text=True
    )
    assert "audit" not in _names(host.stdout)

    app = project.app_dir("catalog")
    written = _djgen(
        plugin_python, "generate", "audit", str(app / "models.py"), "--write", cwd=project.root
    )
    assert written.returncode == 0, written.stderr
    audit_py = (app / "audit.py").read_text()
    assert "class BookAudit:\n    serializer = BookSerializer\n" in audit_py
    assert "from .serializers import" in audit_py
    # its requirement ran first and its output reached it through the context
    assert "class BookSerializer" in (app / "serializers.py").read_text()

    project.write("pyproject.toml", '[tool.djgen.audit]\nsuffix = "Log"\n')
    again = _djgen(plugin_python, "generate", "audit", str(app / "models.py"), cwd=project.root)
    assert "class BookLog:" in again.stdout, again.stderr
    project.write("pyproject.toml", "[tool.djgen.audit]\nsufix = 1\n")
    bad = _djgen(plugin_python, "generate", "audit", str(app / "models.py"), cwd=project.root)
    assert bad.returncode == 2
    assert "[tool.djgen.audit]: unknown option 'sufix'; valid options: suffix" in bad.stderr
    assert "Traceback" not in bad.stderr


async def test_the_server_diagnoses_and_offers_the_plugin(
    plugin_python: Path, start: StartSession, project
) -> None:
    session = await start(
        VSCODE,
        [project.root],
        init_options={"diagnosticsDelayMs": 0},
        command=[str(plugin_python), "-m", "djgen.server"],
    )
    models = project.app_dir("catalog") / "models.py"
    doc = session.files.open(models)
    diagnostics = await session.diagnostics(
        doc, lambda d: ("Book", "djgen.missing-audit") in all_codes(d)
    )
    (audit,) = [
        d for d in diagnostics if d.code == "djgen.missing-audit" and d.data["model"] == "Book"
    ]
    assert audit.message == "Book has no audit log."
    assert audit.severity == types.DiagnosticSeverity.Warning
    actions = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=doc),
            range=audit.range,
            context=types.CodeActionContext(diagnostics=[audit], only=["quickfix.djgen.audit"]),
        )
    )
    titles = [a.title for a in actions or []]
    assert "Generate audit log for Book" in titles
    (action,) = [a for a in actions if a.title == "Generate audit log for Book"]
    resolved = await session.client.code_action_resolve_async(action)
    assert resolved.edit is not None
    text = json.dumps(resolved.edit, default=lambda o: getattr(o, "__dict__", str(o)))
    assert "BookAudit" in text and uri(project.app_dir("catalog") / "audit.py") in text


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")
def test_the_extension_settings_generated_with_plugins_list_it(
    plugin_python: Path, tmp_path: Path
) -> None:
    out = tmp_path / "extension"
    script = REPO / "vscode-extension" / "scripts" / "generators.mjs"
    run = subprocess.run(
        ["node", str(script), "--include-plugins", "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "DJGEN_PYTHON": str(plugin_python)},
    )
    assert run.returncode == 0, run.stderr
    manifest = json.loads((out / "package.json").read_text())
    properties = {
        key for block in _configuration_blocks(manifest) for key in block.get("properties", {})
    }
    assert "djgen.severity.audit" in properties
    generators = next(
        block["properties"]["djgen.generators"]
        for block in _configuration_blocks(manifest)
        if "djgen.generators" in block.get("properties", {})
    )
    assert "audit" in generators["properties"]
    assert "quickfix.djgen.audit" in (out / "src" / "generated" / "generators.ts").read_text()
    # the published build stays without it
    published = json.loads((REPO / "vscode-extension" / "package.json").read_text())
    assert "djgen.severity.audit" not in json.dumps(published)


def _configuration_blocks(manifest: dict) -> list[dict]:
    configuration = manifest["contributes"]["configuration"]
    return configuration if isinstance(configuration, list) else [configuration]
