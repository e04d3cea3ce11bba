"""Unit tests of the ``relationships`` generator and of the serializer, viewset and caching
generators consuming its plan.

Data path under test: models.py → IR (``read_source``) → **relationships generator** → plan
(``serializer_plan``, ``queryset_plan``, ``reads``) → serializer / viewset / caching generators →
artifacts. The end-to-end half (a real project, query counts, HTTP) is
``test_relationships_e2e.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from djgen.generators.core.artifacts import Artifact
from djgen.generators.core.config import ConfigError, DjgenConfig
from djgen.generators.core.pipeline import build_context, run_generators
from djgen.generators.reader import read_source

MODELS = """\
from django.conf import settings
from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)


class Post(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(max_length=200)
    tags = models.ManyToManyField("Tag", blank=True, related_name="posts")
    labels = models.ManyToManyField("Label", through="Membership", related_name="posts")


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Label(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Membership(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="memberships")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="memberships")
    note = models.CharField(max_length=100, blank=True)


class Profile(models.Model):
    category = models.OneToOneField(Category, on_delete=models.CASCADE)
"""


def _module(source: str = MODELS):
    return read_source(source, app_label="blog")


def _run(names: str, options: dict | None = None, source: str = MODELS):
    config = DjgenConfig.from_mapping(options or {})
    return run_generators(build_context(_module(source), config), names.split(","))


def _code(artifacts: list[Artifact], name: str) -> str:
    for artifact in artifacts:
        for definition in artifact.definitions:
            if definition.name == name:
                return definition.code
    raise AssertionError(f"no definition {name}")


def _names(artifacts: list[Artifact], target: str) -> list[str]:
    return [d.name for a in artifacts if a.target == target for d in a.definitions]


def test_fk_targets_in_the_app_are_pk_write_and_nested_read() -> None:
    results = _run("serializer,relationships")
    post = _code(results["serializer"].artifacts, "PostSerializer")
    assert 'category_detail = CategorySerializer(source="category", read_only=True)' in post
    # the user model is outside the app: the owner stays a read-only pk, never nested
    assert "author_detail" not in post
    assert '"author"' in post.split("read_only_fields")[1]
    assert '"category",' in post and '"category"' not in post.split("read_only_fields")[1]


def test_through_rows_are_listed_on_both_sides_one_level_deep() -> None:
    results = _run("serializer,relationships")
    artifacts = results["serializer"].artifacts
    post = _code(artifacts, "PostSerializer")
    label = _code(artifacts, "LabelSerializer")
    assert "memberships = MembershipInPostSerializer(many=True, read_only=True)" in post
    assert "memberships = MembershipInLabelSerializer(many=True, read_only=True)" in label
    in_post = _code(artifacts, "MembershipInPostSerializer")
    assert '"post"' not in in_post  # the row leaves out the FK back to the list's model
    # the row nests the other side flat: Label's own serializer lists memberships again
    assert 'label_detail = LabelFlatSerializer(source="label", read_only=True)' in in_post
    in_label = _code(artifacts, "MembershipInLabelSerializer")
    assert 'post_detail = PostFlatSerializer(source="post", read_only=True)' in in_label
    order = _names(artifacts, "serializers.py")
    for used, user in [
        ("CategorySerializer", "PostSerializer"),
        ("LabelFlatSerializer", "MembershipInPostSerializer"),
        ("PostFlatSerializer", "MembershipInLabelSerializer"),
        ("MembershipInPostSerializer", "PostSerializer"),
        ("MembershipInLabelSerializer", "LabelSerializer"),
        ("PostFlatSerializer", "MembershipSerializer"),
    ]:
        assert order.index(used) < order.index(user), order


def test_nested_objects_are_flat_their_relations_as_pks() -> None:
    artifacts = _run("serializer,relationships")["serializer"].artifacts
    for name in ("PostFlatSerializer", "LabelFlatSerializer"):
        flat = _code(artifacts, name)
        assert "_detail" not in flat and "memberships" not in flat, flat
        assert "Serializer(" not in flat.split("class Meta")[0].split("\n", 1)[1], flat
    post_flat = _code(artifacts, "PostFlatSerializer")
    assert '"category"' in post_flat and '"tags"' in post_flat  # pks
    # a model whose own serializer nests and lists nothing is nested as itself
    assert "CategoryFlatSerializer" not in _names(artifacts, "serializers.py")
    membership = _code(artifacts, "MembershipSerializer")
    assert 'post_detail = PostFlatSerializer(source="post", read_only=True)' in membership
    assert 'label_detail = LabelFlatSerializer(source="label", read_only=True)' in membership
    # a reverse list's rows are flat too: no category_detail inside a Category's posts
    options = {"relationships": {"reverse": ["Category.posts"]}}
    rows = _run("serializer,relationships", options)["serializer"].artifacts
    assert "_detail" not in _code(rows, "PostInCategorySerializer")


def test_through_routes_require_the_owner_of_the_linked_object() -> None:
    results = _run("viewset,relationships")
    views = results["viewset"].artifacts
    membership = _code(views, "MembershipViewSet")
    assert (
        "permission_classes = (IsAuthenticatedOrReadOnly, IsRelatedOwnerOrStaffOrReadOnly)"
        in membership
    )
    assert 'related_owner_fields = ("post__author",)' in membership
    assert "related_owner_fields" not in _code(views, "PostViewSet")
    assert "IsRelatedOwnerOrStaffOrReadOnly" not in _code(views, "LabelViewSet")
    assert any(
        i.module == ".permissions" and i.name == "IsRelatedOwnerOrStaffOrReadOnly"
        for a in views
        for i in a.imports
    )
    permissions = [a for a in results["relationships"].artifacts if a.target == "permissions.py"]
    code = _code(permissions, "IsRelatedOwnerOrStaffOrReadOnly")
    compile(code, "permissions.py", "exec")
    assert "def has_permission" in code and "def has_object_permission" in code
    # no through model to an owned model: no permission written
    plain = MODELS.replace('through="Membership", ', "")
    assert not [
        a
        for a in _run("relationships", source=plain)["relationships"].artifacts
        if a.target == "permissions.py"
    ]


def test_reverse_accessors_only_where_configured() -> None:
    plain = _run("serializer,relationships")["serializer"].artifacts
    assert "posts" not in _code(plain, "CategorySerializer")
    options = {"relationships": {"reverse": ["Category.posts", "Tag.posts=pk"]}}
    artifacts = _run("serializer,relationships", options)["serializer"].artifacts
    category = _code(artifacts, "CategorySerializer")
    assert "posts = PostInCategorySerializer(many=True, read_only=True)" in category
    assert '"category"' not in _code(artifacts, "PostInCategorySerializer")
    tag = _code(artifacts, "TagSerializer")
    assert "posts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)" in tag


def test_querysets_follow_what_the_serializer_reads() -> None:
    results = _run("viewset,relationships")
    views = results["viewset"].artifacts
    post = _code(views, "PostViewSet")
    # author is read as its pk: no join; category is nested: joined
    assert (
        'queryset = Post.objects.select_related("category").prefetch_related(*POST_PREFETCH)'
        in post
    )
    membership = _code(views, "MembershipViewSet")
    # the nested post and label are flat: no post__category join, their m2m pks prefetched
    assert 'select_related("post", "label")' in membership
    assert "post__category" not in membership
    membership_prefetch = _code(results["relationships"].artifacts, "MEMBERSHIP_PREFETCH")
    assert '"post__tags"' in membership_prefetch
    assert "memberships__label__memberships" not in _code(
        results["relationships"].artifacts, "POST_PREFETCH"
    )
    relations = results["relationships"].artifacts[0]
    assert relations.target == "relations.py"
    code = _code([relations], "POST_PREFETCH")
    assert '"tags",' in code and '"labels",' in code
    assert 'Prefetch("memberships", queryset=Membership.objects.select_related("label")),' in code
    imports = {(i.module, i.name) for i in relations.imports}
    assert ("django.db.models", "Prefetch") in imports and (".models", "Membership") in imports
    assert any(
        i.module == ".relations" and i.name == "POST_PREFETCH" for a in views for i in a.imports
    )


def test_a_relation_configured_as_pk_is_neither_nested_nor_joined() -> None:
    options = {"relationships": {"nested": ["Post.category=pk"]}}
    results = _run("serializer,viewset,relationships", options)
    assert "category_detail" not in _code(results["serializer"].artifacts, "PostSerializer")
    post = _code(results["viewset"].artifacts, "PostViewSet")
    assert "select_related" not in post


def test_without_relationships_the_old_behaviour_stays() -> None:
    results = _run("serializer,viewset")
    post = _code(results["serializer"].artifacts, "PostSerializer")
    assert "_detail" not in post and "memberships" not in post
    views = _code(results["viewset"].artifacts, "PostViewSet")
    assert 'select_related("author", "category")' in views
    assert (
        'prefetch_related(\n        "tags", "labels"\n    )' in views or '"tags", "labels"' in views
    )
    assert "MembershipInPostSerializer" not in _names(
        results["serializer"].artifacts, "serializers.py"
    )


def test_caching_invalidates_along_the_plan() -> None:
    source = MODELS
    options = {"relationships": {"reverse": ["Category.posts", "Tag.posts=pk"]}}
    reads = _run("relationships", options)["relationships"].provides["reads"]
    assert {"Post", "Tag", "Post.tags.through"} <= set(reads["Category"])
    assert "Post.tags.through" in reads["Tag"]
    assert "Membership" in reads["Label"] and "Membership" in reads["Post"]
    del source


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"nested": ["Post.category=deep"]}, "the mode must be one of 'nested', 'pk'"),
        ({"nested": ["Post"]}, 'must look like "Model.field=nested"'),
        ({"nested": ["Nope.category"]}, "no model Nope in blog"),
        ({"nested": ["Post.title=pk"]}, "Post.title is not a foreign key or one-to-one"),
        ({"reverse": ["Category.entries"]}, "Category has no reverse accessor 'entries'"),
        ({"reverse": ["Category.profile"]}, "is a reverse one-to-one"),
        ({"through_lists": "yes"}, "through_lists must be true or false"),
    ],
)
def test_bad_options_are_one_line_errors(options: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _run("relationships", {"relationships": options})
    text = str(caught.value)
    assert message in text, text
    assert "\n" not in text and text.startswith("[tool.djgen.relationships]")


def test_long_prefetches_are_ruff_formatted(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        from django.db import models


        class AnExtremelyLongCategoryNameForLayoutPurposes(models.Model):
            name = models.CharField(max_length=10)
            targets_reached_through_the_long_model = models.ManyToManyField(
                "NestedTargetModelWithAVeryLongName",
                through="AnotherRatherLongModelNameForTheNestedSide",
                through_fields=(
                    "a_very_long_foreign_key_field_name",
                    "target_with_a_long_field_name",
                ),
            )


        class AnotherRatherLongModelNameForTheNestedSide(models.Model):
            a_very_long_foreign_key_field_name = models.ForeignKey(
                AnExtremelyLongCategoryNameForLayoutPurposes,
                on_delete=models.CASCADE,
                related_name="the_other_models_listed_here",
            )
            second_rather_long_foreign_key_name = models.ForeignKey(
                AnExtremelyLongCategoryNameForLayoutPurposes,
                on_delete=models.CASCADE,
                related_name="second_list",
            )
            target_with_a_long_field_name = models.ForeignKey(
                "NestedTargetModelWithAVeryLongName", on_delete=models.CASCADE
            )
            second_target_with_a_long_field_name = models.ForeignKey(
                "NestedTargetModelWithAVeryLongName",
                on_delete=models.CASCADE,
                related_name="+",
            )


        class NestedTargetModelWithAVeryLongName(models.Model):
            name = models.CharField(max_length=10)
        """
    )
    # the through rows listed on the category nest both targets (flat): a long Prefetch
    options = {
        "relationships": {
            "reverse": ["AnExtremelyLongCategoryNameForLayoutPurposes.second_list=pk"]
        }
    }
    results = _run("serializer,viewset,relationships", options, source)
    codes = [
        d.code
        for name in ("relationships", "serializer", "viewset")
        for a in results[name].artifacts
        for d in a.definitions
    ]
    assert any("Prefetch(\n" in code for code in codes), codes
    target = tmp_path / "generated.py"
    target.write_text("\n\n".join(codes))
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--diff", str(target)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_api_layout_puts_relations_beside_the_views() -> None:
    results = _run("viewset,relationships", {"layout": "api"})
    targets = [a.target for a in results["relationships"].artifacts]
    assert targets == ["api/relations.py", "api/permissions.py"]
    imports = {(i.module, i.name) for a in results["relationships"].artifacts for i in a.imports}
    assert (".models", "Membership") not in imports and ("..models", "Membership") in imports
    views = [a for a in results["viewset"].artifacts if a.target == "api/views.py"]
    assert any(i.module == ".relations" for i in views[0].imports)


@pytest.mark.parametrize("app", ["relations", "inherit", "aliases", "generic", "market"])
def test_every_serializer_is_defined_before_it_is_nested(app: str) -> None:
    """Over djgen's model corpus (self FKs, multi-table children, proxies, generic relations,
    another app's targets): the plan runs, and serializers.py's order is valid Python."""
    from corpus import APPS

    source = APPS[app]["models.py"]
    results = _run("serializer,viewset,relationships", source=source)
    serializers = next(a for a in results["serializer"].artifacts if a.target == "serializers.py")
    defined: set[str] = set()
    for definition in serializers.definitions:
        compile(definition.code, definition.name, "exec")
        for name in re.findall(r"= (\w+Serializer)\(", definition.code):
            assert name in defined, (
                definition.name,
                name,
                [d.name for d in serializers.definitions],
            )
        defined.add(definition.name)
    for artifact in results["relationships"].artifacts + results["viewset"].artifacts:
        for definition in artifact.definitions:
            compile(definition.code, definition.name, "exec")
