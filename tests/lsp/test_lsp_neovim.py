"""A real editor: Neovim (Debian's 0.7.2, headless) uses the server to generate a serializer.

Data path under test: Neovim's LSP client → models.py diagnostics → "Generate serializer for
Book" → codeAction/resolve → ``vim.lsp.util.apply_workspace_edit`` → ``:wall`` → serializers.py
on disk → Django (``manage.py check`` and importing the module) in a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("nvim_generate.lua")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django,
    pytest.mark.skipif(shutil.which("nvim") is None, reason="neovim is not installed"),
]


def test_neovim_generates_a_serializer_that_django_accepts(project, tmp_path: Path) -> None:
    models = project.app_dir("catalog") / "models.py"
    serializers = project.app_dir("catalog") / "serializers.py"
    result_path = tmp_path / "nvim-result.json"
    env = {
        **os.environ,
        "DJGEN_PYTHON": sys.executable,
        "DJGEN_MODELS": str(models),
        "DJGEN_ROOT": str(project.root),
        "DJGEN_RESULT": str(result_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    proc = subprocess.run(
        ["nvim", "--headless", "-n", "-i", "NONE", "-u", "NONE", "-c", f"luafile {SCRIPT}"],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert result_path.exists(), f"neovim wrote no result:\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(result_path.read_text())
    assert result["ok"], f"{result}\n{proc.stderr}"
    assert proc.returncode == 0, proc.stderr
    assert "Book djgen.missing-serializer" in result["diagnostics"]
    assert "Generate serializer for Book" in result["titles"]
    assert result["edit_kinds"] == ["create", "edit"], "CreateFile, then the text edit"
    assert "Book djgen.missing-serializer" not in result["diagnostics_after"]
    assert "Author djgen.missing-serializer" in result["diagnostics_after"]

    text = serializers.read_text()
    assert "class BookSerializer(" in text
    project.check().assert_ok()
    fields = project.python(
        "from catalog.serializers import BookSerializer\nresult = sorted(BookSerializer().fields)\n"
    )
    assert "title" in fields and "isbn" in fields
