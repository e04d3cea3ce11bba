"""The reader against Django itself: ``djgen inspect --json`` vs the app registry's ``_meta``.

Place in the data path: models.py → **IR**, checked against what Django makes of the same files
in a real project (no hand-written expectations).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from corpus import APPS, USER_APPS

pytestmark = pytest.mark.django


def _inspect(paths: list[str]) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "djgen.generators", "inspect", "--json", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    return data if isinstance(data, list) else [data]


def _ours(modules: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {m["label"]: m for module in modules for m in module["models"] if not m["abstract"]}


def _compare(ours: dict[str, dict[str, Any]], django: dict[str, dict[str, Any]]) -> list[str]:
    """Differences in models, proxy flags, field names/classes/targets/pk flags."""
    problems: list[str] = []
    concrete = {label: m for label, m in django.items() if not m["abstract"]}
    if set(ours) != set(concrete):
        problems.append(f"models differ: djgen {sorted(ours)} vs Django {sorted(concrete)}")
    for label in sorted(set(ours) & set(concrete)):
        mine, theirs = ours[label], concrete[label]
        if mine["proxy"] != theirs["proxy"]:
            problems.append(f"{label}: proxy {mine['proxy']} vs {theirs['proxy']}")
        expected = [
            (f["name"], f["class"], f["related_model"], f["primary_key"], f["auto_created"])
            for f in theirs["fields"]
        ]
        actual = [
            (f["name"], f["type"], f["related_model"], f["primary_key"], f["auto_created"])
            for f in mine["fields"]
        ]
        if actual != expected:
            problems.append(f"{label}: fields\n  djgen:  {actual}\n  Django: {expected}")
        parents = [p for p in theirs["parents"]]
        if (mine["mti_parent"] is not None) != bool(parents) and not mine["proxy"]:
            problems.append(f"{label}: mti parent {mine['mti_parent']} vs {parents}")
    return problems


def test_reader_matches_django_registry(django_project):
    project = django_project(APPS)
    project.check()
    django = project.model_meta()
    paths = [str(project.app_dir(app)) for app in APPS]
    modules = _inspect(paths)
    assert [m["app_label"] for m in modules] == list(APPS)
    assert _compare(_ours(modules), django) == []
    # related names as Django interpolates them for abstract-inherited relations
    ours = _ours(modules)
    place_parent = next(f for f in ours["inherit.Place"]["fields"] if f["name"] == "parent")
    assert place_parent["related_name"] == "place_children"
    assert django["inherit.Place"]["fields"][4]["related_name"] == "place_children"


def test_reader_editable_matches_django(django_project):
    """``editable`` of every field, as Django's ``field.editable`` has it: the class defaults
    too (a ``BinaryField(null=True)`` is not editable; a date with ``auto_now`` is not)."""
    project = django_project(APPS)
    django = project.model_meta()
    ours = _ours(_inspect([str(project.app_dir(app)) for app in APPS]))
    differ = []
    for label, model in ours.items():
        theirs = {f["name"]: f["editable"] for f in django[label]["fields"]}
        for f in model["fields"]:
            if f["name"] in theirs and f["editable"] != theirs[f["name"]]:
                differ.append((label, f["name"], f["type"], f["editable"], theirs[f["name"]]))
    assert differ == []
    # the corpus has the case (else the comparison above proves nothing about it)
    binary = [
        f["editable"]
        for m in (ours, django)
        for f in m["fields_app.Everything"]["fields"]
        if f["name"] == "binary"
    ]
    assert binary == [False, False]


def test_reader_matches_custom_user_model(django_project):
    project = django_project(USER_APPS, settings={"AUTH_USER_MODEL": "accounts.User"})
    project.check()
    django = project.model_meta()
    modules = _inspect([str(project.app_dir(app)) for app in USER_APPS])
    assert _compare(_ours(modules), django) == []


def test_reader_matches_example_project(bookshop):
    django = bookshop.model_meta()
    modules = _inspect([str(bookshop.app_dir("catalog"))])
    assert _compare(_ours(modules), django) == []
    # choices as Django derives their labels
    ours = _ours(modules)
    status = next(f for f in django["catalog.Book"]["fields"] if f["name"] == "status")
    book_choices = {c["name"]: c for c in ours["catalog.Book"]["choices"]}
    members = book_choices["Status"]["members"]
    assert [[m["value"], m["label"]] for m in members] == status["choices"]
