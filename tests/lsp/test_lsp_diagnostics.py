"""Diagnostics end to end: a real server, real editors' capability sets, a copy of the bookshop.

Data path under test: models.py buffer → reader (IR) → what exists in the app's files →
diagnostics pushed (or pulled) to the client, debounced, never stale, stable through syntax errors.
"""

from __future__ import annotations

import pytest
from lsp_session import BASE_CODES, NEOVIM, VSCODE, StartSession, capabilities, codes, wait_for
from lsprotocol import types

from djgen.generators.core.registry import available

MODELS = ["Author", "Publisher", "Book", "Authorship", "Review"]
DIAGNOSED = [g for g in ("serializer", "filterset", "viewset", "admin") if g in available()]


def expected(models=MODELS, generators=DIAGNOSED) -> set[tuple[str, str]]:
    return {(m, f"djgen.missing-{g}") for m in models for g in generators}


@pytest.mark.parametrize("spec", [VSCODE, NEOVIM])
async def test_opening_models_gives_one_diagnostic_per_missing_generator(
    start: StartSession, project, spec: str
) -> None:
    session = await start(spec, [project.root])
    models_py = project.app_dir("catalog") / "models.py"
    doc = session.files.open(models_py)
    diagnostics = await session.diagnostics(doc, lambda d: codes(d) == expected())
    source = models_py.read_text().splitlines()
    for diagnostic in diagnostics:
        assert diagnostic.source == "djgen"
        assert diagnostic.data["uri"] == doc
        line = source[diagnostic.range.start.line]
        name = line[diagnostic.range.start.character : diagnostic.range.end.character]
        assert name == diagnostic.data["model"], "range is the class name"
        assert line.startswith(f"class {name}(")
    assert session.published_version(doc) == 1


async def test_a_syntax_error_keeps_the_last_good_diagnostics(start: StartSession, project) -> None:
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    models_py = project.app_dir("catalog") / "models.py"
    doc = session.files.open(models_py)
    await session.diagnostics(doc, lambda d: codes(d) == expected())
    text = models_py.read_text()
    broken = text.replace("class Book(models.Model):", "class Book(models.Model:")
    version = session.files.replace(doc, broken)
    diagnostics = await session.diagnostics(doc, lambda d: True, version=version)
    assert codes(diagnostics) == expected(), "no flapping while the text does not parse"
    book = next(d for d in diagnostics if d.data["model"] == "Book")
    actions = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(doc),
            range=book.range,
            context=types.CodeActionContext(diagnostics=[book]),
        )
    )
    assert not actions, "no generating from a stale IR"
    # Fixing it and dropping a model is seen at once.
    fixed = text.replace("class Review(models.Model):", "class Review(models.Model):  # x")
    fixed = fixed[: fixed.index("class Review(")]
    version = session.files.replace(doc, fixed)
    diagnostics = await session.diagnostics(doc, lambda d: True, version=version)
    assert codes(diagnostics) == expected(MODELS[:-1])


async def test_publications_follow_the_versions(start: StartSession, project) -> None:
    """A burst of edits: diagnostics are published only for versions in order (never for a
    version older than one already published) and the last one is for the final text."""
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 200})
    models_py = project.app_dir("catalog") / "models.py"
    text = models_py.read_text()
    doc = session.files.open(models_py)
    await session.diagnostics(doc, lambda d: codes(d) == expected())
    published: list[int | None] = []
    original = session.client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def record(params: types.PublishDiagnosticsParams) -> None:
        published.append(params.version)
        original(params)

    session.client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    cut = text.index("class Review(")
    for step in range(1, 6):
        session.files.replace(doc, text[:cut] + "# " * step)
    final = session.files.buffers[doc][1]
    await wait_for(lambda: final in published, what="the final version's diagnostics")
    assert published == sorted(published), published
    assert codes(session.client.diagnostics[doc]) == expected(MODELS[:-1])


async def test_pull_diagnostics_when_the_client_pulls(start: StartSession, project) -> None:
    caps = capabilities(VSCODE)
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(
        dynamic_registration=False, related_document_support=False
    )
    session = await start(caps, [project.root], init_options={"diagnosticsDelayMs": 0})
    models_py = project.app_dir("catalog") / "models.py"
    doc = session.files.open(models_py)
    report = await session.client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(doc))
    )
    assert report.kind == "full"
    assert codes(report.items) == expected()
    # Nothing is pushed to a client that pulls.
    hover = await session.client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(doc), types.Position(0, 0))
    )
    assert hover is None
    assert doc not in session.client.diagnostics


async def test_severities_and_generators_settings(start: StartSession, project) -> None:
    if "serializer" not in DIAGNOSED:
        pytest.skip("no serializer generator")
    session = await start(
        VSCODE,
        [project.root],
        init_options={
            "diagnosticsDelayMs": 0,
            "severities": {"serializer": "warning", "filterset": "off"},
        },
    )
    doc = session.files.open(project.app_dir("catalog") / "models.py")
    wanted = expected(generators=[g for g in DIAGNOSED if g != "filterset"])
    diagnostics = await session.diagnostics(doc, lambda d: codes(d) == wanted)
    for diagnostic in diagnostics:
        if diagnostic.code not in BASE_CODES:
            continue  # (the migration diagnostic is a warning by default)
        if diagnostic.code == "djgen.missing-serializer":
            assert diagnostic.severity == types.DiagnosticSeverity.Warning
        else:
            assert diagnostic.severity != types.DiagnosticSeverity.Warning


async def test_bad_initialization_options_are_reported_and_ignored(
    start: StartSession, project
) -> None:
    session = await start(
        VSCODE,
        [project.root],
        init_options={"diagnosticsDelayMs": -5, "severities": {"serializer": "loud"}, "x": 1},
    )
    messages = await wait_for(
        lambda: [
            m.message for m in session.client.log_messages if "diagnosticsDelayMs" in m.message
        ],
        what="a log message about diagnosticsDelayMs",
    )
    assert "≥ 0" in messages[0]
    logged = "\n".join(m.message for m in session.client.log_messages)
    assert "severities.serializer must be one of" in logged
    assert "unknown setting 'x'" in logged
    assert not session.client.messages, "no pop-ups for settings"
    doc = session.files.open(project.app_dir("catalog") / "models.py")
    await session.diagnostics(doc, lambda d: codes(d) == expected())


async def test_multi_root_settings_apply_per_folder(start: StartSession, tmp_path) -> None:
    from djangoproject import copy_example

    if len(DIAGNOSED) < 2:
        pytest.skip("needs two diagnosed generators")
    first = copy_example(tmp_path / "one" / "bookshop", "bookshop")
    second = copy_example(tmp_path / "two" / "bookshop", "bookshop")
    from lsp_session import uri

    session = await start(
        VSCODE,
        [first.root, second.root],
        init_options={"diagnosticsDelayMs": 0},
        configuration={
            uri(first.root): {"generators": [DIAGNOSED[0]]},
            uri(second.root): {"severities": {DIAGNOSED[0]: "off"}},
        },
    )
    doc_one = session.files.open(first.app_dir("catalog") / "models.py")
    doc_two = session.files.open(second.app_dir("catalog") / "models.py")
    await session.diagnostics(doc_one, lambda d: codes(d) == expected(generators=DIAGNOSED[:1]))
    await session.diagnostics(doc_two, lambda d: codes(d) == expected(generators=DIAGNOSED[1:]))


async def test_added_workspace_folder_gets_its_own_settings(start: StartSession, tmp_path) -> None:
    from djangoproject import copy_example
    from lsp_session import uri

    first = copy_example(tmp_path / "one" / "bookshop", "bookshop")
    second = copy_example(tmp_path / "two" / "bookshop", "bookshop")
    session = await start(
        VSCODE,
        [first.root],
        init_options={"diagnosticsDelayMs": 0},
        configuration={uri(second.root): {"generators": [DIAGNOSED[0]]}},
    )
    doc_two = session.files.open(second.app_dir("catalog") / "models.py")
    await session.diagnostics(doc_two, lambda d: codes(d) == expected())
    session.client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=uri(second.root), name="two")], removed=[]
            )
        )
    )
    await session.diagnostics(doc_two, lambda d: codes(d) == expected(generators=DIAGNOSED[:1]))


async def test_models_package_modules_and_a_dotted_app(start: StartSession, tmp_path) -> None:
    """``apps/shop/models/product.py`` in a models package, app label from apps.py."""
    from djangoproject import build_project

    project = build_project(
        tmp_path / "proj",
        {
            "apps.shop": {
                "apps.py": (
                    "from django.apps import AppConfig\n\n\n"
                    "class ShopConfig(AppConfig):\n"
                    '    name = "apps.shop"\n'
                    '    label = "store"\n'
                ),
                "models/__init__.py": "from .product import Product\n",
                "models/product.py": (
                    "from django.db import models\n\n\n"
                    "class Product(models.Model):\n"
                    "    name = models.CharField(max_length=20)\n"
                ),
            }
        },
    )
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    doc = session.files.open(project.root / "apps" / "shop" / "models" / "product.py")
    diagnostics = await session.diagnostics(doc, lambda d: codes(d) == expected(["Product"]))
    assert {d.range.start.line for d in diagnostics} == {3}
    init = session.files.open(project.root / "apps" / "shop" / "models" / "__init__.py")
    await session.diagnostics(init, lambda d: len(d) == 0)


async def test_a_field_the_reader_cannot_classify_is_a_warning_at_its_line(
    start: StartSession, project
) -> None:
    session = await start(VSCODE, [project.root], init_options={"diagnosticsDelayMs": 0})
    models_py = project.app_dir("catalog") / "models.py"
    doc = session.files.open(models_py)
    text = models_py.read_text()
    pages = "    pages = models.PositiveIntegerField()\n"
    typo = "    subtitle = models.CharFeild(max_length=9)\n"
    version = session.files.replace(doc, text.replace(pages, pages + typo))
    diagnostics = await session.diagnostics(
        doc, lambda d: any(x.code == "djgen.reader" for x in d), version=version
    )
    (warning,) = [d for d in diagnostics if d.code == "djgen.reader"]
    line = text.replace(pages, pages + typo).splitlines().index(typo.rstrip("\n"))
    assert warning.range.start.line == line
    assert warning.severity == types.DiagnosticSeverity.Warning
    assert "CharFeild" in warning.message


async def test_pulled_diagnostics_of_a_target_file(start: StartSession, project) -> None:
    """VS Code pulls diagnostics for every open Python file: a generated target file (where drift
    is reported) answers with a report, never an internal error."""
    caps = capabilities(VSCODE)
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(
        dynamic_registration=False, related_document_support=False
    )
    session = await start(caps, [project.root], init_options={"diagnosticsDelayMs": 0})
    app = project.app_dir("catalog")
    project.djgen("generate", "serializer", str(app / "models.py"), "--write")
    doc = session.files.open(app / "serializers.py")
    report = await session.client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(doc))
    )
    assert report.kind == "full"  # (an internal error raises in the client instead)
    assert all(d.source == "djgen" for d in report.items)
