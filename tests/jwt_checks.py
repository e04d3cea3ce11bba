"""Runs inside a project built by tests/test_jwt_e2e.py (cwd: its root): the auth flow through
DRF's APIClient against the code ``djgen generate all blog --write`` wrote.

``python jwt_checks.py RESULT.json`` writes ``{check: {"ok": bool, "detail": str}}``; the tests
assert on it. Every log record of the run (every logger, DEBUG and up) is captured and searched
for the passwords and tokens the flow used.
"""

import json
import logging
import sys
from datetime import timedelta

import django

django.setup()

from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()

from blog import permissions as perms  # noqa: E402
from blog.models import Category, Post  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import AnonymousUser, Group  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.test import APIClient, APIRequestFactory  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

RESULTS = {}
User = get_user_model()
UF = User.USERNAME_FIELD
API = "/api/v1"
SECRETS = set()


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


capture = Capture()
logging.root.addHandler(capture)
logging.root.setLevel(logging.DEBUG)
for _logger in list(logging.root.manager.loggerDict.values()):
    if isinstance(_logger, logging.Logger):
        _logger.setLevel(logging.DEBUG)
        _logger.addHandler(capture)


def check(name, ok, detail=""):
    RESULTS[name] = {"ok": bool(ok), "detail": "" if ok else str(detail)[:2000]}


def body(resp):
    try:
        return resp.json()
    except Exception:
        return resp.content[:500].decode(errors="replace")


def is_error_body(resp, status):
    data = body(resp)
    if not isinstance(data, dict) or set(data) != {"error"}:
        return False
    err = data["error"]
    keys = {"status", "code", "message", "details", "request_id"}
    return set(err) == keys and err["status"] == status


def identity(n):
    values = {"email": f"user{n}@example.com"}
    if UF != "email":
        values[UF] = f"user{n}"
    if "full_name" in User.REQUIRED_FIELDS:
        values["full_name"] = f"User {n}"
    return values


def client(access=None):
    c = APIClient()
    if access:
        c.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        SECRETS.add(access)
    return c


def remember(data):
    if isinstance(data, dict):
        for key in ("access", "refresh"):
            if data.get(key):
                SECRETS.add(data[key])


def register(n, password, password2=None):
    SECRETS.add(password)
    data = {**identity(n), "password1": password, "password2": password2 or password}
    return client().post(f"{API}/auth/register/", data, format="json")


def login(n, password):
    data = {UF: identity(n)[UF], "password": password}
    resp = client().post(f"{API}/auth/login/", data, format="json")
    remember(body(resp))
    return resp


PW = "Corr3ct-Horse-Battery!"
PW_NEW = "An0ther-Quite-Long-One?"
category = Category.objects.create(name="News", slug="news")

# --- register --------------------------------------------------------------------------------
r = register(1, PW)
data = body(r)
check(
    "register: 201 with the user, no password",
    r.status_code == 201
    and isinstance(data, dict)
    and data.get(UF) == identity(1)[UF]
    and not any("password" in k for k in data)
    and PW not in r.content.decode(),
    f"{r.status_code} {data}",
)
check(
    "register: the password is stored hashed and usable",
    User.objects.filter(**{UF: identity(1)[UF]}).exists()
    and User.objects.get(**{UF: identity(1)[UF]}).check_password(PW),
)
r = register(9, "Zq9!x")
data = body(r)
check(
    "register: a weak password is a 400 in the error body naming password1",
    r.status_code == 400
    and is_error_body(r, 400)
    and "password1" in data["error"]["details"]
    and any("too short" in m for m in data["error"]["details"]["password1"]),
    f"{r.status_code} {data}",
)
r = register(9, PW, PW + "x")
check("register: mismatched passwords are a 400", is_error_body(r, 400), body(r))
r = register(1, PW)
check("register: a taken identity is a 400", is_error_body(r, 400), body(r))
no_email = {k: v for k, v in identity(8).items() if k != "email"}
r = client().post(
    f"{API}/auth/register/", {**no_email, "password1": PW, "password2": PW}, format="json"
)
check("register: without email is a 400", is_error_body(r, 400), body(r))
check(
    "register: refused registrations created no user",
    not User.objects.filter(email__in=["user9@example.com", "user8@example.com"]).exists(),
)

# --- login -----------------------------------------------------------------------------------
r = login(1, PW)
data = body(r)
check(
    "login: 200 with access, refresh and the user",
    r.status_code == 200
    and set(data) == {"access", "refresh", "user"}
    and data["user"].get(UF) == identity(1)[UF]
    and not any("password" in k for k in data["user"]),
    f"{r.status_code} {data}",
)
access, refresh = data["access"], data["refresh"]
user1 = User.objects.get(**{UF: identity(1)[UF]})
r = login(1, "wrong-password")
check("login: a wrong password is a 401 in the error body", is_error_body(r, 401), body(r))

# --- a protected write -----------------------------------------------------------------------
post_data = {"category": category.pk, "title": "Hello", "body": "x"}
r = client().post(f"{API}/posts/", post_data, format="json")
check(
    "write: anonymous is a 401 with a Bearer challenge",
    is_error_body(r, 401) and r.headers.get("WWW-Authenticate", "").startswith("Bearer"),
    f"{r.status_code} {body(r)} {dict(r.headers)}",
)
r = client(access).post(f"{API}/posts/", {**post_data, "author": 999}, format="json")
data = body(r)
check(
    "write: with the access token 201, the author is that user",
    r.status_code == 201 and Post.objects.get(pk=data["id"]).author_id == user1.pk,
    f"{r.status_code} {data}",
)
post1 = Post.objects.get(pk=data["id"]) if r.status_code == 201 else None

# --- me --------------------------------------------------------------------------------------
r = client(access).get(f"{API}/auth/me/")
check("me: GET is the user", r.status_code == 200 and body(r).get(UF) == identity(1)[UF], body(r))
field = "full_name" if "full_name" in User.REQUIRED_FIELDS else "first_name"
r = client(access).patch(
    f"{API}/auth/me/",
    {field: "Renamed", "is_staff": True, UF: "x" + identity(1)[UF]},
    format="json",
)
user1.refresh_from_db()
check(
    "me: PATCH changes a public field, not is_staff or the username",
    r.status_code == 200
    and getattr(user1, field) == "Renamed"
    and not user1.is_staff
    and getattr(user1, UF) == identity(1)[UF],
    body(r),
)
r = client(access).put(f"{API}/auth/me/", {field: "X"}, format="json")
check("me: PUT is not allowed (405)", r.status_code == 405, r.status_code)
r = client().get(f"{API}/auth/me/")
check("me: anonymous is a 401", is_error_body(r, 401), body(r))

# --- refresh, verify, logout -----------------------------------------------------------------
r = client().post(f"{API}/auth/refresh/", {"refresh": refresh}, format="json")
data = body(r)
remember(data)
check(
    "refresh: 200 with a new access token and a rotated refresh token",
    r.status_code == 200 and data.get("access") and data.get("refresh") not in (None, refresh),
    data,
)
access2, refresh2 = data["access"], data["refresh"]
r = client().post(f"{API}/auth/refresh/", {"refresh": refresh}, format="json")
check("refresh: the rotated-out refresh token is refused (401)", is_error_body(r, 401), body(r))
r = client().post(f"{API}/auth/verify/", {"token": access2}, format="json")
check("verify: a valid token is a 200", r.status_code == 200, body(r))
r = client().post(f"{API}/auth/verify/", {"token": access2[:-2] + "xx"}, format="json")
check("verify: a tampered token is a 401", is_error_body(r, 401), body(r))
r = client().post(f"{API}/auth/logout/", {"refresh": refresh2}, format="json")
check("logout: 204", r.status_code == 204, f"{r.status_code} {body(r)}")
r = client().post(f"{API}/auth/refresh/", {"refresh": refresh2}, format="json")
check(
    "logout: the old refresh token is refused afterwards (401)",
    is_error_body(r, 401),
    body(r),
)
r = client().post(f"{API}/auth/logout/", {"refresh": refresh2}, format="json")
check("logout: a second logout with it is a 401", is_error_body(r, 401), body(r))

# --- an expired access token -----------------------------------------------------------------
fresh = AccessToken.for_user(user1)
r = client(str(fresh)).get(f"{API}/auth/me/")
check("expired: control, a current token made the same way works", r.status_code == 200, body(r))
expired = AccessToken.for_user(user1)
expired.set_exp(from_time=timezone.now() - timedelta(hours=1))
r = client(str(expired)).post(f"{API}/posts/", post_data, format="json")
check("expired: a write with an expired token is a 401", is_error_body(r, 401), body(r))
r = client(str(expired)).get(f"{API}/posts/")
check("expired: a read with it is a 401, not anonymous", r.status_code == 401, r.status_code)

# --- password change -------------------------------------------------------------------------
r = login(1, PW)
a1, r1 = body(r)["access"], body(r)["refresh"]
r = login(1, PW)
a1b, r1b = body(r)["access"], body(r)["refresh"]
SECRETS.add(PW_NEW)
change = {"old_password": PW, "new_password1": PW_NEW, "new_password2": PW_NEW}
url = f"{API}/auth/password/change/"
r = client(a1).post(url, {**change, "old_password": "not-it"}, format="json")
check("password change: a wrong old password is a 400", is_error_body(r, 400), body(r))
weak = {"old_password": PW, "new_password1": "Zq9!x", "new_password2": "Zq9!x"}
r = client(a1).post(url, weak, format="json")
check("password change: a weak new password is a 400", is_error_body(r, 400), body(r))
r = client().post(url, change, format="json")
check("password change: anonymous is a 401", is_error_body(r, 401), body(r))
r = client(a1).post(url, change, format="json")
check("password change: 204", r.status_code == 204, f"{r.status_code} {body(r)}")
for label, token in (("this login's", r1), ("another login's", r1b)):
    r = client().post(f"{API}/auth/refresh/", {"refresh": token}, format="json")
    check(f"password change: {label} old refresh token is refused", is_error_body(r, 401), body(r))
r = client(a1b).get(f"{API}/auth/me/")
check("password change: an old access token is refused", is_error_body(r, 401), body(r))
r = login(1, PW)
check("password change: the old password no longer logs in", is_error_body(r, 401), body(r))
r = login(1, PW_NEW)
check("password change: the new password logs in", r.status_code == 200, body(r))
access = body(r)["access"]

# --- owners, other users, staff (the generated PostViewSet) ----------------------------------
register(2, PW)
access_b = body(login(2, PW))["access"]
staff = User.objects.create_user(password=PW, **identity(3))
staff.is_staff = True
staff.save()
access_staff = body(login(3, PW))["access"]
url = f"{API}/posts/{post1.pk}/"
r = client(access_b).patch(url, {"title": "hijack"}, format="json")
check("owner: another user's PATCH is a 403", is_error_body(r, 403), body(r))
r = client(access_b).delete(url)
check("owner: another user's DELETE is a 403", r.status_code == 403, r.status_code)
post1.refresh_from_db()
check("owner: the post is unchanged after the refusals", post1.title == "Hello", post1.title)
r = client(access_b).get(url)
check("owner: another user may read", r.status_code == 200, r.status_code)
r = client(access_staff).patch(url, {"title": "by staff"}, format="json")
check(
    "owner: staff may change it", r.status_code == 200 and body(r)["title"] == "by staff", body(r)
)
r = client(access).patch(url, {"title": "by owner"}, format="json")
check("owner: the owner may change it", r.status_code == 200, body(r))

# --- a deleted user's refresh token ----------------------------------------------------------
register(5, PW)
r5 = body(login(5, PW))["refresh"]
User.objects.filter(email="user5@example.com").delete()
r = client().post(f"{API}/auth/refresh/", {"refresh": r5}, format="json")
check("refresh: a deleted user's token is a 401, not a 500", is_error_body(r, 401), r.status_code)

# --- the permission classes in blog/permissions.py -------------------------------------------
factory = APIRequestFactory()


def req(method, user):
    request = Request(getattr(factory, method)("/"))
    request.user = user
    return request


class OwnedView:
    owner_field = "author"
    required_roles = ("editor",)


class UnownedView:
    pass


user2 = User.objects.get(email="user2@example.com")
admin = User.objects.create_superuser(password=PW, **identity(4))
anon = AnonymousUser()
view = OwnedView()
post1.refresh_from_db()
is_owner = perms.IsOwner()
check(
    "IsOwner: the owner yes; another user, staff and a view without owner_field no",
    is_owner.has_object_permission(req("patch", user1), view, post1)
    and not is_owner.has_object_permission(req("get", user2), view, post1)
    and not is_owner.has_object_permission(req("patch", staff), view, post1)
    and not is_owner.has_object_permission(req("patch", user1), UnownedView(), post1)
    and not is_owner.has_permission(req("get", anon), view),
)
owner_or_admin = (perms.IsOwner | perms.IsAdmin)()
check(
    "IsOwner | IsAdmin: staff yes, another user no",
    owner_or_admin.has_object_permission(req("patch", staff), view, post1)
    and not owner_or_admin.has_object_permission(req("patch", user2), view, post1),
)
read_only_owner = perms.IsOwnerOrReadOnly()
check(
    "IsOwnerOrReadOnly: anyone reads, only the owner writes",
    read_only_owner.has_permission(req("get", anon), view)
    and not read_only_owner.has_permission(req("post", anon), view)
    and read_only_owner.has_object_permission(req("get", user2), view, post1)
    and not read_only_owner.has_object_permission(req("patch", user2), view, post1)
    and read_only_owner.has_object_permission(req("patch", user1), view, post1),
)
check(
    "IsAdmin: staff yes, a user and anonymous no",
    perms.IsAdmin().has_permission(req("get", staff), view)
    and not perms.IsAdmin().has_permission(req("get", user2), view)
    and not perms.IsAdmin().has_permission(req("get", anon), view),
)
check(
    "IsSuperUser: a superuser yes, staff no",
    perms.IsSuperUser().has_permission(req("get", admin), view)
    and not perms.IsSuperUser().has_permission(req("get", staff), view),
)
check(
    "ReadOnly: GET yes, POST no (even for a superuser)",
    perms.ReadOnly().has_permission(req("get", anon), view)
    and not perms.ReadOnly().has_permission(req("post", admin), view),
)
editors = Group.objects.create(name="editor")
before = perms.HasRole().has_permission(req("get", user2), view)
user2.groups.add(editors)
user2 = User.objects.get(pk=user2.pk)
after = perms.HasRole().has_permission(req("get", user2), view)
check("HasRole: the view's required_roles, by group membership", not before and after)
publisher = perms.HasRole.of("publisher")()
check(
    "HasRole.of: another role no, a superuser yes, no roles configured no",
    not publisher.has_permission(req("get", user2), view)
    and publisher.has_permission(req("get", admin), view)
    and not perms.HasRole().has_permission(req("get", user2), UnownedView()),
)

# --- logs ------------------------------------------------------------------------------------
SECRETS.update(u.password for u in User.objects.all())  # the stored hashes too
texts = []
for record in capture.records:
    text = record.getMessage()
    if record.exc_info:
        text += logging.Formatter().formatException(record.exc_info)
    for name in ("request", "sql", "params"):
        text += repr(getattr(record, name, ""))
    texts.append((record.name, text))
leaks = sorted({f"{name}: {text[:200]}" for name, text in texts for s in SECRETS if s in text})
check("logs: records were captured", len(texts) > 50, len(texts))
check(
    "logs: the SQL of the outstanding-token INSERT was captured, redacted",
    any(
        name == "django.db.backends"
        and "token_blacklist_outstandingtoken" in text
        and "INSERT" in text
        and "[redacted]" in text
        for name, text in texts
    ),
    [t[:200] for n, t in texts if n == "django.db.backends"][:5],
)
check("logs: no password or token in any record", not leaks, leaks[:5])

with open(sys.argv[1], "w") as fh:
    json.dump(RESULTS, fh, indent=1)
