"""End to end: the ``relationships`` generator on a project made by the real ``django-admin
startproject mysite .`` + ``manage.py startapp blog`` (issue 12's relationships "Done when").

One project per module: the blog models plus an explicit many-to-many through model
(``Post.labels`` through ``Membership``), ``reverse = ["Category.posts", "Tag.posts=pk"]``,
``djgen generate all blog --write`` twice (the second writes nothing), ``manage.py check`` and
``migrate``. ``relationships_checks.py`` runs inside the project: SQL query counts of every
model's list and detail with 5 and with 50 rows, nested reads, writes by pk, the through
model's route.

Data path under test: models.py → IR → relationships plan → serializer, viewset (and caching)
generators → artifacts → merge (serializers.py, views.py, relations.py) → files → Django.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from corpus import BLOG_MODELS

pytestmark = [pytest.mark.django, pytest.mark.slow]

BIN = Path(sys.executable).parent
CHECKS = Path(__file__).resolve().parent / "relationships_checks.py"

#: The contract's blog models, with Post labelled through an explicit Membership model.
TAGS = '    tags = models.ManyToManyField("Tag", blank=True, related_name="posts")\n'
LABELS = (
    "    labels = models.ManyToManyField(\n"
    '        "Label", through="Membership", blank=True, related_name="posts"\n'
    "    )\n"
)
MODELS = (
    BLOG_MODELS.replace(TAGS, TAGS + LABELS)
    + "\n\n"
    + """\
class Label(models.Model):
    name = models.CharField(max_length=50, unique=True)

    def __str__(self):
        return self.name


class Membership(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="memberships")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="memberships")
    note = models.CharField(max_length=100, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("post", "label"), name="unique_post_label"),
        )

    def __str__(self):
        return f"{self.post} / {self.label}"
"""
)

PYPROJECT = """\
[tool.djgen.relationships]
reverse = ["Category.posts", "Tag.posts=pk"]
"""

#: A closed loopback port: the cache is skipped (IGNORE_EXCEPTIONS), every GET reads the database.
ENV = {"REDIS_URL": "redis://127.0.0.1:9/0"}
MODELS_WITH_RELATIONS = ("Category", "Post", "Tag", "Label", "Membership")


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _generate(root: Path) -> str:
    return _run([sys.executable, "-m", "djgen.generators.cli", "generate", "all", "blog",
                 "--write"], root)  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("relationships")
    _run([str(BIN / "django-admin"), "startproject", "mysite", "."], root)
    _run([sys.executable, "manage.py", "startapp", "blog"], root)
    (root / "blog" / "models.py").write_text(MODELS)
    settings = root / "mysite" / "settings.py"
    text = settings.read_text()
    settings.write_text(
        text.replace('"django.contrib.staticfiles",', '"django.contrib.staticfiles",\n    "blog",')
    )
    (root / "pyproject.toml").write_text(PYPROJECT)
    first = _generate(root)
    texts = {p: p.read_bytes() for p in root.rglob("*.py")}
    second = _generate(root)
    again = {p: p.read_bytes() for p in root.rglob("*.py")}
    check = _run([sys.executable, "manage.py", "check"], root, ENV)
    _run([sys.executable, "manage.py", "migrate", "--noinput"], root, ENV)
    shutil.copy(root / "db.sqlite3", root / "db.pristine")
    shutil.copy(CHECKS, root / "relationships_checks.py")
    done = subprocess.run(
        [sys.executable, "relationships_checks.py"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    print("relationships queries:", json.dumps(facts["queries"], sort_keys=True))  # with -s
    return {
        "root": root,
        "first": first,
        "second": second,
        "same": texts == again,
        "check": check,
        "facts": facts,
    }


def test_check_is_clean_and_the_second_run_writes_nothing(site: dict[str, Any]) -> None:
    assert "System check identified no issues" in site["check"], site["check"]
    assert "blog/relations.py" in site["first"]
    assert site["same"], site["second"]
    assert "wrote" not in site["second"] or "wrote 0" in site["second"], site["second"]


@pytest.mark.parametrize("model", MODELS_WITH_RELATIONS)
@pytest.mark.parametrize("kind", ["list", "detail"])
def test_query_counts_do_not_grow_with_rows(site: dict[str, Any], model: str, kind: str) -> None:
    facts = site["facts"]
    assert facts["status"][f"{model} {kind}"] == 200
    few = facts["queries"][f"{model} {kind} 5"]
    many = facts["queries"][f"{model} {kind} 50"]
    assert few == many, (model, kind, few, many)
    assert 1 <= few <= 12, (model, kind, few)
    if kind == "list":
        assert facts[f"{model} list rows"] >= 50


def test_the_query_count_check_catches_a_missing_prefetch(site: dict[str, Any]) -> None:
    root: Path = site["root"]
    db, backup = root / "db.sqlite3", root / "db.pristine"
    shutil.copy(backup, db)
    done = subprocess.run(
        [sys.executable, "relationships_checks.py", "--without-prefetch"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    queries = json.loads(done.stdout.strip().splitlines()[-1])["queries"]
    assert queries["Post list 50"] > queries["Post list 5"], queries
    # one post, more memberships: each row's label_detail is a query of its own
    assert queries["Post detail 50"] > queries["Post detail 5"], queries


def _flat(nested: dict[str, Any]) -> bool:
    """A nested object one level deep: its values are scalars or lists of scalars (pks)."""
    return all(
        not isinstance(value, dict)
        and not (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value))
        for value in nested.values()
    )


def test_nested_reads_are_in_the_json_one_level_deep(site: dict[str, Any]) -> None:
    bodies = site["facts"]["bodies"]
    post = bodies["Post"]
    assert post["category_detail"]["id"] == post["category"]
    # the category nested flat: its own posts list is not repeated inside a post
    assert set(post["category_detail"]) == {"id", "name", "slug"}
    assert isinstance(post["author"], int) and "author_detail" not in post
    assert len(post["memberships"]) == 12  # 2 at first, 10 added
    row = post["memberships"][0]
    assert "post" not in row and row["label_detail"]["id"] == row["label"]
    assert set(row) >= {"id", "label", "label_detail", "note", "added_at"}
    # the label nested flat: no memberships (before: every label listed its rows again)
    assert set(row["label_detail"]) == {"id", "name"} and _flat(row["label_detail"])
    assert len(post["tags"]) == 12 and all(isinstance(t, int) for t in post["tags"])
    category = bodies["Category"]
    assert len(category["posts"]) == 12 and "category" not in category["posts"][0]
    assert all(_flat(p) for p in category["posts"])  # reverse rows: relations as pks
    assert "category_detail" not in category["posts"][0]
    assert bodies["Tag"]["posts"] and all(isinstance(p, int) for p in bodies["Tag"]["posts"])
    label = bodies["Label"]
    in_label = label["memberships"][0]
    assert "label" not in in_label and in_label["post_detail"]["id"] == in_label["post"]
    assert _flat(in_label["post_detail"]) and "memberships" not in in_label["post_detail"]
    assert isinstance(in_label["post_detail"]["category"], int)
    membership = bodies["Membership"]
    assert membership["post_detail"]["id"] == membership["post"]
    assert membership["label_detail"]["id"] == membership["label"]
    assert _flat(membership["post_detail"]) and _flat(membership["label_detail"])
    assert all(isinstance(t, int) for t in membership["post_detail"]["tags"])


def test_writes_by_pk_and_nested_fields_are_read_only(site: dict[str, Any]) -> None:
    facts = site["facts"]
    assert facts["create post"] == 201, facts["create post body"]
    assert facts["created post"] == facts["expected post"]  # owner from the request
    assert facts["other category name"] == "other"  # category_detail was ignored
    body = facts["create post body"]
    assert body["category_detail"]["id"] == facts["expected post"]["category"]


def test_the_through_model_has_its_own_route(site: dict[str, Any]) -> None:
    facts = site["facts"]
    assert facts["create membership"] == 201, facts["create membership body"]
    assert facts["get membership"] == 200
    assert facts["membership body"]["note"] == "via route"
    assert facts["membership body"]["post_detail"]["id"] == facts["membership body"]["post"]
    assert facts["delete membership"] == 204 and facts["membership gone"]


def test_through_route_writes_need_the_owner_of_the_linked_post(site: dict[str, Any]) -> None:
    perms = site["facts"]["through permissions"]
    assert perms["anonymous create"] == 401 and perms["anonymous delete"] == 401, perms
    assert perms["other create"] == 403, perms
    assert perms["other create body"]["error"]["status"] == 403, perms
    assert perms["other delete"] == 403 and perms["other patch"] == 403, perms
    assert perms["row kept"], perms
    # on her own post she may; moving that row onto alice's post she may not
    assert perms["other create on own post"] == 201, perms
    assert perms["other moves own row to alice's post"] == 403, perms
    assert perms["other delete own row"] == 204, perms
    for name in ("missing", "garbage", "object"):
        assert perms[f"{name} post"] == 400, (name, perms)
        body = perms[f"{name} post body"]
        assert body["error"]["status"] == 400 and "post" in body["error"]["details"], body
    assert perms["owner create"] == 201 and perms["owner delete"] == 204, perms
    assert perms["owner delete alice's row"] == 204, perms
    assert perms["staff create"] == 201, perms


def test_generated_code_is_ruff_clean_and_the_schema_validates(site: dict[str, Any]) -> None:
    root: Path = site["root"]
    files = [
        "blog/relations.py",
        "blog/serializers.py",
        "blog/test_djgen_relationships.py",
        "blog/cache.py",
        "blog/permissions.py",
    ]
    # the schema first: a ruff finding in another generator's file must not hide it
    schema = root / "schema.yml"
    _run([sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn",
          "--file", str(schema)], root, ENV)  # fmt: skip
    text = schema.read_text()
    assert "MembershipInPost:" in text and "category_detail:" in text
    ruff = str(BIN / "ruff")
    _run([ruff, "check", "--isolated", "--extend-select", "I", *files], root)
    _run([ruff, "format", "--isolated", "--check", *files, "blog/views.py"], root)
    # startapp's views.py imports render, unused: that line is the user's
    _run([ruff, "check", "--isolated", "--extend-select", "I", "--ignore", "F401",
          "blog/views.py"], root)  # fmt: skip


def test_generated_relationship_tests_pass(site: dict[str, Any]) -> None:
    root: Path = site["root"]
    out = _run([sys.executable, "manage.py", "test", "blog.test_djgen_relationships",
                "blog.test_djgen_serializer", "blog.test_djgen_viewset",
                "blog.test_djgen_permissions", "blog.test_djgen_jwt", "--noinput"], root,
               ENV)  # fmt: skip
    assert "OK" in out, out
    tests = (root / "blog" / "test_djgen_relationships.py").read_text()
    for model in MODELS_WITH_RELATIONS:
        assert f"class {model}RelationshipsTests(" in tests
    permissions = (root / "blog" / "test_djgen_permissions.py").read_text()
    assert "obj.post.author = user" in permissions
    assert (
        "test_signed_in_user_may_write"
        not in permissions.split("class MembershipPermissionTests")[1].split("\nclass ")[0]
    )


@pytest.mark.parametrize(
    ("target", "old", "new", "test"),
    [
        # a through row nests the full label again (which lists its memberships): too deep
        (
            "serializers.py",
            None,
            '\nMembershipInPostSerializer._declared_fields["label_detail"] = LabelSerializer(\n'
            '    source="label", read_only=True\n)\n',
            "blog.test_djgen_relationships.PostRelationshipsTests.test_nested_reads",
        ),
        # the through route open to every signed-in user again
        (
            "views.py",
            '    related_owner_fields = ("post__author",)\n',
            "    related_owner_fields = ()\n",
            "blog.test_djgen_permissions.MembershipPermissionTests"
            ".test_other_user_may_not_change_a_row_of_their_object",
        ),
    ],
)
def test_generated_tests_catch_deeper_nesting_and_an_open_through_route(
    site: dict[str, Any], target: str, old: str | None, new: str, test: str
) -> None:
    root: Path = site["root"]
    path = root / "blog" / target
    text = path.read_text()
    assert old is None or old in text
    try:
        path.write_text(text + new if old is None else text.replace(old, new))
        done = subprocess.run(
            [sys.executable, "manage.py", "test", test, "--noinput"],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, **ENV},
        )
    finally:
        path.write_text(text)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "FAILED (failures=1)" in done.stderr, done.stdout + done.stderr
