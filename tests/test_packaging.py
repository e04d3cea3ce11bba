"""Packaging: every package of djgen's source tree is in the wheel, templates included.

Data path: none of djgen's own; this guards what ``pip install djgen`` delivers (the generators'
packages and their templates), which the CLI, the server and the extension's bundled wheel use.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

REPO = Path(__file__).resolve().parent.parent
ROOTS = {"generators": "djgen.generators", "server": "djgen.server"}


def _source_packages() -> set[str]:
    found: set[str] = set()
    for folder, name in ROOTS.items():
        for init in (REPO / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO / folder)
            if "__pycache__" in rel.parts or "templates" in rel.parts:
                continue
            found.add(".".join([name, *rel.parts]) if rel.parts else name)
    return found


def test_pyproject_lists_every_package() -> None:
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    assert _source_packages() - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - _source_packages() == set(), "these are listed but do not exist"


@pytest.mark.slow
def test_the_wheel_holds_every_generator_and_its_templates(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("djgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (REPO / "generators").rglob("*.j2"):
        rel = template.relative_to(REPO / "generators").as_posix()
        assert f"djgen/generators/{rel}" in names
    assert "djgen/generators/serializer/descriptor.py" in names
    # the test templates each generator brings for the tests generator travel with it too
    test_templates = {n for n in names if "/test_templates/" in n and n.endswith(".j2")}
    assert "djgen/generators/serializer/test_templates/serializer.py.j2" in test_templates
    assert "djgen/generators/tests/test_templates/models.py.j2" in test_templates
