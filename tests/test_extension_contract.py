"""The VS Code extension's generator-dependent parts agree with djgen's generator descriptors.

vscode-extension/scripts/generators.mjs writes them (package.json's ``djgen.generators`` toggles,
``djgen.severity.<generator>`` settings, ``djgen.layout`` enum and quick-fix kinds, and
src/generated/generators.ts) from ``djgen list --json``. These tests fail when someone changes a
descriptor, the layouts or the manifest without running ``npm run generate`` in vscode-extension/.
Only built-in generators count: the script ignores plugins installed in the environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from djgen.generators.core.config import LAYOUTS
from djgen.generators.core.registry import descriptors

REPO = Path(__file__).resolve().parent.parent
EXTENSION = REPO / "vscode-extension"
SCRIPT = EXTENSION / "scripts" / "generators.mjs"
SEVERITY_PREFIX = "djgen.severity."


def _manifest() -> dict:
    return json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))


def _settings() -> dict:
    return _manifest()["contributes"]["configuration"]["properties"]


def _diagnosed() -> list:
    return [d for d in descriptors().values() if d.diagnostic is not None and d.origin == "builtin"]


def test_generated_files_are_up_to_date() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: cannot run vscode-extension/scripts/generators.mjs")
    result = subprocess.run(
        [node, str(SCRIPT), "--check"],
        cwd=EXTENSION,
        env={**os.environ, "DJGEN_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, (
        "vscode-extension is out of date with djgen's descriptors; run `npm run generate` in "
        f"vscode-extension/ (exit {result.returncode}):\n{result.stdout}{result.stderr}"
    )


def test_generator_toggles_are_the_descriptors_with_a_diagnostic() -> None:
    toggles = _settings()["djgen.generators"]["properties"]
    assert list(toggles) == [d.name for d in _diagnosed()]


def test_severity_settings_default_to_the_descriptors_severities() -> None:
    settings = _settings()
    defaults = {
        key.removeprefix(SEVERITY_PREFIX): value["default"]
        for key, value in settings.items()
        if key.startswith(SEVERITY_PREFIX)
    }
    assert defaults == {d.name: d.diagnostic.severity for d in _diagnosed()}


def test_layout_values_are_djgens_layouts() -> None:
    assert _settings()["djgen.layout"]["enum"] == list(LAYOUTS)


def test_quick_fix_kinds_are_the_descriptors() -> None:
    kinds = [
        action["kind"]
        for entry in _manifest()["contributes"].get("codeActions", [])
        for action in entry["actions"]
        if action["kind"].startswith("quickfix.")
    ]
    assert kinds == [d.json()["diagnostic"]["quickfixKind"] for d in _diagnosed()]
