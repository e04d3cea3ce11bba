"""Run inside a generated project (cwd: its root) by test_caching_e2e.py: real Redis (REDIS_URL),
SQLite in autocommit (so on_commit runs as in production), DRF's APIClient and
CaptureQueriesContext. Prints one JSON object of facts on the last line; the tests assert them.

``python caching_checks.py main``: counts, zero-SQL repeats, invalidation, cache_stats.
``python caching_checks.py outage``: REDIS_PID is SIGTERMed mid-run; responses must stay 200.
``python caching_checks.py throttle``: past the burst rate, 429 with Retry-After.
"""

import io
import json
import logging
import os
import signal
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
import django

django.setup()

from blog.models import Category, Post, Tag  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

setup_test_environment()
FACTS: dict = {}


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


captured = Capture()
logging.getLogger().addHandler(captured)


def get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    body = response.json() if response.status_code in (200, 404) else response.content.decode()
    return response.status_code, body, len(ctx.captured_queries)


User = get_user_model()
alice = User.objects.create_user("alice", "alice@example.com", "pw-alice-123")
news = Category.objects.create(name="News", slug="news")
tech = Category.objects.create(name="Tech", slug="tech")
t1 = Tag.objects.create(name="django")
t2 = Tag.objects.create(name="redis")


def make_posts(n, start):
    for i in range(start, start + n):
        post = Post.objects.create(author=alice, category=news if i % 2 else tech, title=f"P{i}")
        post.tags.set([t1, t2] if i % 3 else [t1])


anon = APIClient()
LIST = "/api/v1/posts/?page_size=100"


def main():
    # the uncached path: the same number of queries with 5 and with 50 rows
    make_posts(5, 0)
    first = Post.objects.order_by("id").first()
    detail = f"/api/v1/posts/{first.pk}/"
    counts = {}
    for rows in (5, 50):
        if rows == 50:
            make_posts(45, 5)
        for name, url in (
            ("post_list", LIST),
            ("post_detail", detail),
            ("category_list", "/api/v1/categories/?page_size=100"),
            ("category_detail", f"/api/v1/categories/{news.pk}/"),
            ("tag_list", "/api/v1/tags/?page_size=100"),
        ):
            call_command("cache_stats", "--reset", stdout=io.StringIO())
            from django.core.cache import cache

            cache.clear()  # uncached: measure the database path
            status, body, queries = get(anon, url)
            size = len(body["results"]) if "results" in body else None
            counts.setdefault(name, {})[rows] = [status, queries, size]
    FACTS["counts"] = counts

    # repeated anonymous GETs run no SQL
    repeats = {}
    for name, url in (("list", LIST), ("detail", detail)):
        s1, b1, q1 = get(anon, url)
        s2, b2, q2 = get(anon, url)
        repeats[name] = {"statuses": [s1, s2], "queries": [q1, q2], "same": b1 == b2}
    _, page1, _ = get(anon, "/api/v1/posts/?page_size=10")
    _, page2, _ = get(anon, "/api/v1/posts/?page_size=10&page=2")
    repeats["query_string_in_key"] = [p["id"] for p in page1["results"]] != [
        p["id"] for p in page2["results"]
    ]
    FACTS["repeats"] = repeats

    # what a hit costs in Redis round trips (one packed send each): one call of the
    # counting throttles' script, which counts the anon and burst windows and reads the
    # response with its generations
    from unittest import mock

    from redis.connection import AbstractConnection

    get(anon, LIST)
    with mock.patch.object(
        AbstractConnection,
        "send_packed_command",
        autospec=True,
        side_effect=AbstractConnection.send_packed_command,
    ) as sends:
        for _ in range(20):
            get(anon, LIST)
    FACTS["round_trips_per_hit"] = sends.call_count / 20

    owner = APIClient()
    owner.force_authenticate(alice)
    fresh = {}

    # an update through the API
    get(anon, detail), get(anon, LIST)
    r = owner.patch(detail, {"title": "Updated title"}, format="json")
    _, d, qd = get(anon, detail)
    _, lst, ql = get(anon, LIST)
    fresh["update"] = {
        "status": r.status_code,
        "detail": d["title"],
        "list": [p["title"] for p in lst["results"] if p["id"] == first.pk],
        "queries": [qd, ql],
    }

    # a many-to-many change (ORM, both sides of the relation)
    t3 = Tag.objects.create(name="caching")
    get(anon, detail)
    first.tags.add(t3)
    _, d, q = get(anon, detail)
    added = {"tags": d["tags"], "queries": q}
    get(anon, detail)
    t3.posts.remove(first)
    _, d, q = get(anon, detail)
    fresh["m2m"] = {"added": added, "removed": {"tags": d["tags"], "queries": q}, "t3": t3.pk}

    # a change to a related model: the Post nests its Category (nested_serializers)
    get(anon, detail), get(anon, LIST)
    category = first.category
    category.name = "Renamed category"
    category.save()
    _, d, qd = get(anon, detail)
    _, lst, ql = get(anon, LIST)
    fresh["related"] = {
        "detail": d["category_detail"]["name"],
        "list": sorted({p["category_detail"]["name"] for p in lst["results"]}),
        "queries": [qd, ql],
    }
    # deleting a Tag removes its M2M rows without an m2m_changed signal: still fresh
    tagged = f"/api/v1/posts/{Post.objects.filter(tags=t2).order_by('id').first().pk}/"
    get(anon, tagged)
    gone = t2.pk
    had = gone in get(anon, tagged)[1]["tags"]
    t2.delete()
    fresh["tag_delete"] = {"had": had, "tags": get(anon, tagged)[1]["tags"], "gone": gone}

    # a Post write leaves the Category list cached (granular invalidation)
    get(anon, "/api/v1/categories/")
    Post.objects.get(pk=first.pk).save()
    FACTS["category_after_post_write"] = get(anon, "/api/v1/categories/")[2]

    # a delete through the API
    get(anon, detail), get(anon, LIST)
    r = owner.delete(detail)
    s, _, _ = get(anon, detail)
    _, lst, _ = get(anon, LIST)
    fresh["delete"] = {
        "status": r.status_code,
        "detail": s,
        "in_list": first.pk in [p["id"] for p in lst["results"]],
    }
    FACTS["fresh"] = fresh

    out = io.StringIO()
    call_command("cache_stats", stdout=out)
    FACTS["cache_stats"] = out.getvalue()


def outage():
    make_posts(3, 0)
    first = Post.objects.order_by("id").first()
    detail = f"/api/v1/posts/{first.pk}/"
    warm = [get(anon, LIST)[0], get(anon, detail)[0], get(anon, LIST)[2]]
    os.kill(int(os.environ["REDIS_PID"]), signal.SIGTERM)
    time.sleep(0.5)
    captured.records.clear()
    started = time.perf_counter()
    down = [get(anon, LIST), get(anon, detail)]
    db_titles = sorted(Post.objects.values_list("title", flat=True))
    owner = APIClient()
    owner.force_authenticate(alice)
    write = owner.patch(detail, {"title": "Written while down"}, format="json").status_code
    after = get(anon, detail)
    FACTS["outage"] = {
        "warm": warm,
        "statuses": [down[0][0], down[1][0], write, after[0]],
        "titles": sorted(p["title"] for p in down[0][1]["results"]),
        "db_titles": db_titles,
        "after_title": after[1]["title"],
        "seconds": time.perf_counter() - started,
        "warnings": [
            r.getMessage()
            for r in captured.records
            if r.name == "blog.cache" and r.levelno == logging.WARNING
        ],
    }
    out = io.StringIO()
    call_command("cache_stats", stdout=out)
    FACTS["cache_stats_down"] = out.getvalue()


def throttle():
    # DJANGO_THROTTLE_BURST=5/min: the counting throttles' script (which also reads the
    # cached response); the script is called by its SHA1, so a Redis that forgot it
    # (SCRIPT FLUSH, a restart) must get it again and go on counting
    from django.core.cache import cache
    from django_redis import get_redis_connection

    cache.clear()
    make_posts(3, 0)
    first = Post.objects.order_by("id").first()
    urls = [LIST, f"/api/v1/posts/{first.pk}/"] * 4  # cached and uncached, list and detail
    responses = [anon.get(url) for url in urls[:3]]
    get_redis_connection("default").script_flush()
    responses += [anon.get(url) for url in urls[3:]]
    last = responses[-1]
    FACTS["throttle"] = {
        "statuses": [r.status_code for r in responses],
        "retry_after": last.headers.get("Retry-After"),
        "body": last.json() if last.status_code == 429 else None,
        "counter_ttl": cache.ttl("throttle_burst_127.0.0.1_count"),
    }


{"main": main, "outage": outage, "throttle": throttle}[sys.argv[1]]()
print(json.dumps(FACTS))
