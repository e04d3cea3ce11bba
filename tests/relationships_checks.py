"""Run inside a generated blog project (copied there by ``test_relationships_e2e.py``): builds
rows, counts SQL queries of the list and detail endpoints with 5 and 50 rows, reads nested
fields, writes by pk, and prints the facts as one JSON line for the test to assert.

Place in the data path: the far end — models.py → IR → relationships plan → serializers,
viewsets, relations.py → files **served by Django here**.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
sys.path.insert(0, os.getcwd())

import django

django.setup()

from blog.models import Category, Label, Membership, Post, Tag  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

setup_test_environment()
User = get_user_model()
API = "/api/v1/"
PREFIXES = {
    "Category": "categories",
    "Post": "posts",
    "Tag": "tags",
    "Label": "labels",
    "Membership": "memberships",
}
counter = iter(range(1, 1_000_000))


def make_rows(count: int, author) -> None:
    for _ in range(count):
        n = next(counter)
        category = Category.objects.create(name=f"c{n}", slug=f"c{n}")
        post = Post.objects.create(author=author, category=category, title=f"p{n}")
        post.tags.add(Tag.objects.create(name=f"t{n}"), Tag.objects.create(name=f"u{n}"))
        for k in range(2):
            label = Label.objects.create(name=f"l{n}-{k}")
            Membership.objects.create(post=post, label=label, note=f"n{n}")
        Post.objects.create(author=author, category=category, title=f"q{n}")


def count(client: APIClient, url: str) -> tuple[int, int, object]:
    cache.clear()  # the cache is not under test: every request reads the database
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries), response.status_code, response.json()


def main() -> None:
    if "--without-prefetch" in sys.argv:
        # the mutant the tests compare with: PostViewSet without the planned prefetches
        from blog.views import PostViewSet

        PostViewSet.queryset = Post.objects.select_related("category")
    author = User.objects.create_user("author", password="pw-Aa1-long-enough")
    client = APIClient()
    facts: dict[str, object] = {"queries": {}, "status": {}}
    make_rows(5, author)
    first = {}
    for model, prefix in PREFIXES.items():
        pk = {"Category": Category, "Post": Post, "Tag": Tag, "Label": Label,
              "Membership": Membership}[model].objects.order_by("pk").first().pk  # fmt: skip
        first[model] = pk
        for kind, url in (("list", f"{API}{prefix}/?page_size=100"),
                          ("detail", f"{API}{prefix}/{pk}/")):  # fmt: skip
            queries, status, _ = count(client, url)
            facts["queries"][f"{model} {kind} 5"] = queries
            facts["status"][f"{model} {kind}"] = status
    make_rows(45, author)
    # the detail rows get more related rows too
    post = Post.objects.get(pk=first["Post"])
    for k in range(10):
        label = Label.objects.create(name=f"extra-{k}")
        Membership.objects.create(post=post, label=label)
        post.tags.add(Tag.objects.create(name=f"extra-{k}"))
        Post.objects.create(author=author, category=post.category, title=f"extra-{k}")
    bodies = {}
    for model, prefix in PREFIXES.items():
        for kind, url in (("list", f"{API}{prefix}/?page_size=100"),
                          ("detail", f"{API}{prefix}/{first[model]}/")):  # fmt: skip
            queries, status, body = count(client, url)
            facts["queries"][f"{model} {kind} 50"] = queries
            if kind == "list":
                facts[f"{model} list rows"] = len(body["results"])
            else:
                bodies[model] = body
    facts["bodies"] = bodies
    # writes by pk: 201, nested fields ignored (read-only)
    client.force_authenticate(author)
    category = Category.objects.create(name="write", slug="write")
    other = Category.objects.create(name="other", slug="other")
    tag = Tag.objects.create(name="write-tag")
    created = client.post(
        f"{API}posts/",
        {
            "category": category.pk,
            "title": "by pk",
            "tags": [tag.pk],
            "category_detail": {"id": other.pk, "name": "hijack", "slug": "hijack"},
            "memberships": [{"label": 1, "note": "x"}],
            "author": User.objects.create_user("someone-else").pk,
        },
        format="json",
    )
    facts["create post"] = created.status_code
    facts["create post body"] = created.json()
    if created.status_code == 201:
        row = Post.objects.get(pk=created.json()["id"])
        facts["created post"] = {
            "category": row.category_id,
            "author": row.author_id,
            "tags": sorted(row.tags.values_list("pk", flat=True)),
            "memberships": row.memberships.count(),
        }
        facts["expected post"] = {
            "category": category.pk,
            "author": author.pk,
            "tags": [tag.pk],
            "memberships": 0,
        }
        other.refresh_from_db()
        facts["other category name"] = other.name
    # the through model's own route: create, read, delete
    label = Label.objects.create(name="through-route")
    made = client.post(
        f"{API}memberships/",
        {"post": first["Post"], "label": label.pk, "note": "via route"},
        format="json",
    )
    facts["create membership"] = made.status_code
    facts["create membership body"] = made.json()
    if made.status_code == 201:
        pk = made.json()["id"]
        got = client.get(f"{API}memberships/{pk}/")
        facts["get membership"] = got.status_code
        facts["membership body"] = got.json()
        facts["delete membership"] = client.delete(f"{API}memberships/{pk}/").status_code
        facts["membership gone"] = not Membership.objects.filter(pk=pk).exists()
    through_permissions(facts, author, first["Post"])
    print(json.dumps(facts, default=str))


def through_permissions(facts: dict[str, object], author, post_pk: int) -> None:
    """Writes to the through route need the owner of the linked post (or staff)."""
    perms: dict[str, object] = {}
    facts["through permissions"] = perms
    label = Label.objects.create(name="guarded")
    row = Membership.objects.create(post_id=post_pk, label=label, note="alice's")
    url = f"{API}memberships/"
    anonymous = APIClient()
    made = anonymous.post(url, {"post": post_pk, "label": label.pk}, format="json")
    perms["anonymous create"] = made.status_code
    perms["anonymous delete"] = anonymous.delete(f"{url}{row.pk}/").status_code
    mallory = User.objects.create_user("mallory", password="pw-Aa1-long-enough")
    own_post = Post.objects.create(author=mallory, category=Category.objects.first(), title="m")
    other = APIClient()
    other.force_authenticate(mallory)
    made = other.post(url, {"post": post_pk, "label": label.pk, "note": "hijack"}, format="json")
    perms["other create"] = made.status_code
    perms["other create body"] = made.json()
    perms["other delete"] = other.delete(f"{url}{row.pk}/").status_code
    perms["other patch"] = other.patch(
        f"{url}{row.pk}/", {"note": "changed"}, format="json"
    ).status_code
    perms["row kept"] = Membership.objects.filter(pk=row.pk, note="alice's").exists()
    mine = other.post(url, {"post": own_post.pk, "label": label.pk}, format="json")
    perms["other create on own post"] = mine.status_code
    if mine.status_code == 201:
        moved = other.patch(f"{url}{mine.json()['id']}/", {"post": post_pk}, format="json")
        perms["other moves own row to alice's post"] = moved.status_code
        perms["other delete own row"] = other.delete(f"{url}{mine.json()['id']}/").status_code
    for name, value in (("missing", 999_999), ("garbage", "abc"), ("object", {"id": 1})):
        bad = other.post(url, {"post": value, "label": label.pk}, format="json")
        perms[f"{name} post"] = bad.status_code
        perms[f"{name} post body"] = bad.json()
    owner = APIClient()
    owner.force_authenticate(author)
    # (post, label) is unique: the owner's and staff's rows link other labels
    second = Label.objects.create(name="guarded-2")
    made = owner.post(url, {"post": post_pk, "label": second.pk, "note": "mine"}, format="json")
    perms["owner create"] = made.status_code
    if made.status_code == 201:
        perms["owner delete"] = owner.delete(f"{url}{made.json()['id']}/").status_code
    perms["owner delete alice's row"] = owner.delete(f"{url}{row.pk}/").status_code
    staff = User.objects.create_user("staff", password="pw-Aa1-long-enough", is_staff=True)
    admin = APIClient()
    admin.force_authenticate(staff)
    third = Label.objects.create(name="guarded-3")
    made = admin.post(url, {"post": post_pk, "label": third.pk}, format="json")
    perms["staff create"] = made.status_code


if __name__ == "__main__":
    main()
