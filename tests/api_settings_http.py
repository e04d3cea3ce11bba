"""HTTP checks for a project wired by ``djgen generate all blog --write`` (api-settings).

Not a test module: ``test_api_settings_e2e.py`` copies this file into the generated project and
runs it there in a subprocess::

    python api_settings_http.py full|throttle|round

It calls ``django.setup()`` with the project's own settings and sends real requests through the
whole middleware stack (DRF's ``APIClient``) against the project's migrated SQLite database. No
mocks. The last stdout line is ``RESULTS {json}``: check name -> ``{"ok", "error", "value"}``.
"""

import json
import logging
import os
import re
import sys
import traceback

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

import django

django.setup()

from blog.models import Category, Post, Tag  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

setup_test_environment()
User = get_user_model()
RESULTS: dict = {}
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
ERROR_KEYS = {"status", "code", "message", "details", "request_id"}


def check(name):
    """Run the decorated function now; record PASS/FAIL (and its return value) under name."""

    def run(fn):
        cache.clear()  # throttle counters (LocMemCache) start fresh for every check
        try:
            value = fn()
        except Exception as exc:
            tail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:])
            RESULTS[name] = {"ok": False, "error": tail, "value": None}
        else:
            RESULTS[name] = {"ok": True, "error": "", "value": value}
        return fn

    return run


def json_of(resp):
    assert resp["Content-Type"].startswith("application/json"), (
        resp.status_code,
        resp["Content-Type"],
        resp.content[:300],
    )
    return json.loads(resp.content)


def assert_error(resp, status, code=None):
    """The documented error body, with the response's X-Request-ID in it."""
    assert resp.status_code == status, (status, resp.status_code, resp.content[:500])
    data = json_of(resp)
    assert set(data) == {"error"}, data
    err = data["error"]
    assert set(err) == ERROR_KEYS, err
    assert err["status"] == status, err
    assert isinstance(err["code"], str) and err["code"], err
    assert isinstance(err["message"], str) and err["message"], err
    assert isinstance(err["details"], (dict, list)), err
    request_id = resp.get("X-Request-ID")
    assert request_id and err["request_id"] == request_id, (request_id, err)
    if code is not None:
        assert err["code"] == code, err
    return err


def user(name, staff=False):
    account, _ = User.objects.get_or_create(username=name, defaults={"is_staff": staff})
    account.set_password("pw-" + name)
    account.save()
    return account


def client_for(account=None):
    client = APIClient()
    if account is not None:
        assert client.login(username=account.username, password="pw-" + account.username)
    return client


def category(slug):
    return Category.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]


def results_of(resp):
    data = resp.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def run_full():
    alice, bob, staff = user("alice"), user("bob"), user("staffer", staff=True)
    anon, a, b, s = client_for(), client_for(alice), client_for(bob), client_for(staff)

    @check("crud")
    def _():
        """list, create, retrieve, update (PUT and PATCH), delete for every model."""
        for prefix, payload, put, patch in (
            (
                "categories",
                {"name": "News", "slug": "news"},
                {"name": "All news", "slug": "all-news"},
                {"name": "World news"},
            ),
            ("tags", {"name": "django"}, {"name": "django-5"}, {"name": "django-5.2"}),
        ):
            r = a.post(f"/api/v1/{prefix}/", payload, format="json")
            assert r.status_code == 201, (prefix, r.status_code, r.content)
            pk = r.json()["id"]
            r = anon.get(f"/api/v1/{prefix}/")
            assert r.status_code == 200 and pk in [x["id"] for x in results_of(r)], r.content
            r = anon.get(f"/api/v1/{prefix}/{pk}/")
            assert r.status_code == 200 and r.json()["name"] == payload["name"], r.content
            r = a.put(f"/api/v1/{prefix}/{pk}/", put, format="json")
            assert r.status_code == 200 and r.json()["name"] == put["name"], r.content
            r = a.patch(f"/api/v1/{prefix}/{pk}/", patch, format="json")
            assert r.status_code == 200 and r.json()["name"] == patch["name"], r.content
            assert a.delete(f"/api/v1/{prefix}/{pk}/").status_code == 204
            assert anon.get(f"/api/v1/{prefix}/{pk}/").status_code == 404
        cat, tag = category("crud"), Tag.objects.get_or_create(name="crud")[0]
        r = a.post(
            "/api/v1/posts/",
            {"category": cat.pk, "title": "Hello", "status": "published", "tags": [tag.pk]},
            format="json",
        )
        assert r.status_code == 201, r.content
        pk = r.json()["id"]
        assert r.json()["status_display"] == "Published", r.json()
        r = anon.get("/api/v1/posts/")
        assert r.status_code == 200 and pk in [x["id"] for x in results_of(r)], r.content
        r = anon.get(f"/api/v1/posts/{pk}/")
        assert r.status_code == 200 and r.json()["tags"] == [tag.pk], r.content
        r = a.put(
            f"/api/v1/posts/{pk}/",
            {"category": cat.pk, "title": "Hello again", "status": "draft"},
            format="json",
        )
        assert r.status_code == 200 and r.json()["title"] == "Hello again", r.content
        r = a.patch(f"/api/v1/posts/{pk}/", {"title": "Hello 2"}, format="json")
        assert r.status_code == 200 and r.json()["title"] == "Hello 2", r.content
        assert a.delete(f"/api/v1/posts/{pk}/").status_code == 204
        assert not Post.objects.filter(pk=pk).exists()

    @check("version_reaches_drf")
    def _():
        err = assert_error(anon.get("/api/v2/posts/"), 404, "not_found")
        assert "version" in err["message"].lower(), err

    @check("owner_from_request")
    def _():
        r = a.post(
            "/api/v1/posts/",
            {"category": category("c1").pk, "title": "Mine", "author": bob.pk},
            format="json",
        )
        assert r.status_code == 201, r.content
        assert r.json()["author"] == alice.pk, r.json()
        assert Post.objects.get(pk=r.json()["id"]).author_id == alice.pk

    @check("anonymous_writes_401")
    def _():
        post = Post.objects.create(author=alice, category=category("c2"), title="T")
        tag = Tag.objects.get_or_create(name="anon")[0]
        cat = category("anon")
        for url in ("/api/v1/posts/", "/api/v1/tags/", "/api/v1/categories/"):
            r = anon.post(url, {"name": "x", "slug": "x", "title": "x"}, format="json")
            err = assert_error(r, 401, "not_authenticated")
            assert "credentials" in err["message"].lower(), err
            assert r.has_header("WWW-Authenticate")
        for url in (
            f"/api/v1/posts/{post.pk}/",
            f"/api/v1/tags/{tag.pk}/",
            f"/api/v1/categories/{cat.pk}/",
        ):
            assert_error(anon.patch(url, {"title": "x", "name": "x"}, format="json"), 401)
            assert_error(anon.put(url, {"title": "x", "name": "x"}, format="json"), 401)
            assert_error(anon.delete(url), 401, "not_authenticated")
        assert Post.objects.filter(pk=post.pk, title="T").exists()
        assert Tag.objects.filter(pk=tag.pk, name="anon").exists()

    @check("owner_rule")
    def _():
        post = Post.objects.create(author=alice, category=category("c3"), title="Own")
        url = f"/api/v1/posts/{post.pk}/"
        assert_error(b.patch(url, {"title": "hacked"}, format="json"), 403, "permission_denied")
        r = b.put(url, {"title": "hacked", "category": post.category_id}, format="json")
        assert_error(r, 403, "permission_denied")
        assert_error(b.delete(url), 403, "permission_denied")
        post.refresh_from_db()
        assert post.title == "Own"
        r = a.patch(url, {"title": "by owner"}, format="json")
        assert r.status_code == 200 and r.json()["author"] == alice.pk, r.content
        r = s.patch(url, {"title": "by staff"}, format="json")
        assert r.status_code == 200, r.content
        post.refresh_from_db()
        assert post.title == "by staff" and post.author_id == alice.pk
        assert s.delete(url).status_code == 204
        own = Post.objects.create(author=alice, category=category("c3"), title="Gone")
        assert a.delete(f"/api/v1/posts/{own.pk}/").status_code == 204

    @check("error_bodies")
    def _():
        """400/401/403/404/405 in the documented shape, each with X-Request-ID."""
        seen = {}
        r = a.post("/api/v1/posts/", {"body": "x"}, format="json")
        err = assert_error(r, 400, "invalid")
        assert "title" in err["details"] and "category" in err["details"], err
        seen[400] = err["code"]
        r = a.post("/api/v1/posts/", "{not json", content_type="application/json")
        assert_error(r, 400)
        seen[401] = assert_error(anon.post("/api/v1/tags/", {"name": "n"}, format="json"), 401)[
            "code"
        ]
        post = Post.objects.create(author=alice, category=category("c4"), title="T")
        seen[403] = assert_error(b.delete(f"/api/v1/posts/{post.pk}/"), 403)["code"]
        seen[404] = assert_error(anon.get("/api/v1/posts/999999/"), 404, "not_found")["code"]
        # Django's own 404 (no URL matches) under /api/ has the same body
        assert_error(anon.get("/api/v1/no-such-endpoint/"), 404, "not_found")
        r = a.put("/api/v1/posts/", {}, format="json")
        seen[405] = assert_error(r, 405, "method_not_allowed")["code"]
        for r in (anon.get("/api/v1/posts/"), anon.get("/api/v1/schema/")):
            assert r.status_code == 200 and UUID_RE.fullmatch(r["X-Request-ID"]), r.status_code
        return seen

    @check("request_id_kept")
    def _():
        good = "req-1234_abc.DEF"
        r = anon.get("/api/v1/posts/", HTTP_X_REQUEST_ID=good)
        assert r.status_code == 200 and r["X-Request-ID"] == good, r.get("X-Request-ID")
        err = assert_error(anon.post("/api/v1/posts/", {}, HTTP_X_REQUEST_ID=good), 401)
        assert err["request_id"] == good, err
        for bad in ("has space", "x" * 300, "<script>"):
            r = anon.get("/api/v1/posts/", HTTP_X_REQUEST_ID=bad)
            assert r["X-Request-ID"] != bad and UUID_RE.fullmatch(r["X-Request-ID"]), bad

    @check("protected_409")
    def _():
        cat = category("protected")
        Post.objects.create(author=alice, category=cat, title="Ref")
        err = assert_error(a.delete(f"/api/v1/categories/{cat.pk}/"), 409, "protected")
        assert "Post.category" in err["message"], err
        assert err["details"] == {"referenced_by": ["blog.Post"]}, err
        assert Category.objects.filter(pk=cat.pk).exists()

    @check("cors_allowed_origin_only")
    def _():
        origin = os.environ["E2E_ALLOWED_ORIGIN"]
        assert not getattr(settings, "CORS_ALLOW_ALL_ORIGINS", False)
        r = anon.get("/api/v1/posts/", HTTP_ORIGIN=origin)
        assert r.status_code == 200 and r["Access-Control-Allow-Origin"] == origin
        assert "X-Request-ID" in r["Access-Control-Expose-Headers"]
        r = anon.options(
            "/api/v1/posts/",
            HTTP_ORIGIN=origin,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type,authorization",
        )
        assert r.status_code == 200 and r["Access-Control-Allow-Origin"] == origin
        for other in ("https://evil.example.net", "http://app.example.com", "null"):
            r = anon.get("/api/v1/posts/", HTTP_ORIGIN=other)
            assert r.status_code == 200 and not r.has_header("Access-Control-Allow-Origin"), other

    @check("logs_without_secrets")
    def _():
        secrets = {
            "password": "PW-hunter2-e2e",
            "bearer": "TOKEN-eyJhbGciOi-e2e",
            "cookie": "SESSIONSECRET-e2e",
        }
        records = []

        class Capture(logging.Handler):
            def emit(self, record):
                records.append(record)

        handler = Capture(level=logging.DEBUG)
        handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        names = ("", "api", "api.requests", "api.errors", "django", "django.request")
        names += ("django.security", "django.server", "rest_framework")
        loggers = [logging.getLogger(name) for name in names]
        for logger in loggers:
            logger.addHandler(handler)
        try:
            c = APIClient(raise_request_exception=False)
            c.cookies["sessionid"] = secrets["cookie"]
            login = {"username": "alice", "password": secrets["password"]}
            auth = {"HTTP_AUTHORIZATION": "Bearer " + secrets["bearer"]}
            responses = [
                # 404 without a login route; 400/401 from the jwt generator's login/
                c.post("/api/v1/login/", login, format="json", **auth),
                c.post("/api/v1/posts/", login, format="json", **auth),  # 401
                c.post("/api/v1/tags/", login, **auth),  # form-encoded, 401
                # 400 (session user, invalid post); 401 if a JWT class rejects the bearer
                a.post("/api/v1/posts/", login, format="json", **auth),
            ]
        finally:
            for logger in loggers:
                logger.removeHandler(handler)
        statuses = [r.status_code for r in responses]
        assert statuses[0] in (400, 401, 404) and statuses[1:3] == [401, 401], statuses
        assert statuses[3] in (400, 401), statuses
        logged = [r for r in records if r.name == "api.requests"]
        assert len(logged) == len(responses), [r.getMessage() for r in records]
        for record, resp in zip(logged, responses, strict=True):
            assert record.request_id == resp["X-Request-ID"], record.__dict__
            assert record.status_code == resp.status_code and record.method == "POST"
        for record in records:
            text = (
                handler.format(record)
                + " "
                + " ".join(f"{key}={value!r} {value}" for key, value in vars(record).items())
            )
            for label, value in secrets.items():
                assert value not in text, (label, record.name, text[:400])
            assert "HTTP_AUTHORIZATION" not in text, text[:400]
        return len(records)


def run_throttle():
    anon = APIClient()

    @check("throttle_429")
    def _():
        assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"] == "2/min"
        codes = [anon.get("/api/v1/tags/").status_code for _ in range(2)]
        assert codes == [200, 200], codes
        r = anon.get("/api/v1/tags/")
        err = assert_error(r, 429, "throttled")
        wait = int(r["Retry-After"])
        assert 0 < wait <= 60, wait
        assert err["details"]["retry_after"] >= wait, err
        assert_error(anon.get("/api/v1/posts/"), 429, "throttled")
        return wait

    @check("no_cors_without_env")
    def _():
        assert settings.CORS_ALLOWED_ORIGINS == [], settings.CORS_ALLOWED_ORIGINS
        r = anon.get("/api/v1/posts/", HTTP_ORIGIN="https://app.example.com")
        assert r.status_code == 200 and not r.has_header("Access-Control-Allow-Origin")


def run_round():
    """A GET/POST round for every model, and what the variant tests look at."""
    writer = client_for(user("rounder"))
    anon = APIClient()

    @check("round")
    def _():
        r = writer.post("/api/v1/categories/", {"name": "Round", "slug": "round"}, format="json")
        assert r.status_code == 201, r.content
        cat = r.json()["id"]
        r = writer.post("/api/v1/tags/", {"name": "round"}, format="json")
        assert r.status_code == 201, r.content
        tag = r.json()["id"]
        r = writer.post(
            "/api/v1/posts/", {"category": cat, "title": "Round", "tags": [tag]}, format="json"
        )
        assert r.status_code == 201, r.content
        post = r.json()["id"]
        for prefix, pk in (("categories", cat), ("tags", tag), ("posts", post)):
            r = writer.get(f"/api/v1/{prefix}/")
            assert r.status_code == 200 and pk in [x["id"] for x in results_of(r)], r.content
            assert writer.get(f"/api/v1/{prefix}/{pk}/").status_code == 200
        assert_error(anon.post("/api/v1/tags/", {"name": "anon"}, format="json"), 401)
        assert_error(writer.get("/api/v1/posts/999999/"), 404, "not_found")

    @check("facts")
    def _():
        hello = anon.get("/hello/")
        return {
            "rest_framework": {
                key: list(value) if isinstance(value, (list, tuple)) else value
                for key, value in settings.REST_FRAMEWORK.items()
            },
            "api_root_anonymous": anon.get("/api/v1/").status_code,
            "posts_anonymous": anon.get("/api/v1/posts/").status_code,
            "hello": [hello.status_code, hello.content.decode(errors="replace")[:200]],
            "logging": {
                name or "root": {
                    "level": logging.getLevelName(logging.getLogger(name).getEffectiveLevel()),
                    "handlers": [type(h).__name__ for h in logging.getLogger(name).handlers],
                }
                for name in ("", "api.requests")
            },
        }


if __name__ == "__main__":
    {"full": run_full, "throttle": run_throttle, "round": run_round}[sys.argv[1]]()
    print("RESULTS " + json.dumps(RESULTS, default=repr), flush=True)
