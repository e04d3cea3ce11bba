"""The WebSocket contract, checked inside a generated project (copied there by
tests/test_websocket_e2e.py as ``blog/test_djgen_websocket.py`` and run with ``manage.py test``).

Every socket goes through the project's real ASGI application (``mysite.asgi.application``:
origin validator, JWT middleware, session auth, URL router) and channels-redis on the test's
redis-server; writes go through the REST API (DRF's APIClient) or the ORM. The project is
generated with ``[tool.djgen.websocket] private_when = ["Post.status=draft"]``.
"""

# ruff: noqa: I001  (blog and mysite are first-party inside the project, where this file runs)
import asyncio
import contextlib
import time

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.test import Client, TransactionTestCase
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from blog.broadcast import notify_user
from blog.models import Category, Post
from mysite.asgi import application

# the test runner adds "testserver" to ALLOWED_HOSTS
ORIGIN = (b"origin", b"http://testserver")


def token_for(user):
    return str(RefreshToken.for_user(user).access_token)


class WebSocketContractTests(TransactionTestCase):
    def setUp(self):
        users = get_user_model().objects
        self.alice = users.create_user("alice", password="pw-alice-12345")
        self.bob = users.create_user("bob", password="pw-bob-12345")
        self.staff = users.create_user("staff", password="pw-staff-12345", is_staff=True)
        self.category = Category.objects.create(name="News", slug="news")
        self.tokens = {u.username: token_for(u) for u in (self.alice, self.bob, self.staff)}
        self.sockets = []

    async def open(self, path, user=None, headers=None, query=None):
        if user is not None:
            path = f"{path}?token={self.tokens[user.username]}"
        elif query:
            path = f"{path}?{query}"
        comm = WebsocketCommunicator(application, path, headers=headers or [ORIGIN])
        connected, code = await comm.connect(timeout=3)
        self.sockets.append(comm)
        return comm, connected, code

    async def close_all(self):
        for comm in self.sockets:
            with contextlib.suppress(Exception):  # already closed by the server
                await comm.disconnect()

    async def assert_closed_with(self, comm, connected, code, expected):
        if connected:
            out = await comm.receive_output(timeout=2)
            self.assertEqual(out["type"], "websocket.close")
            self.assertEqual(out.get("code"), expected)
        else:
            self.assertEqual(code, expected)

    def api(self, method, user, url, data=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return getattr(client, method)(url, data, format="json")

    async def api_async(self, *args):
        return await sync_to_async(self.api)(*args)

    # -- auth ---------------------------------------------------------------------------

    async def test_anonymous_closed_4401(self):
        for path in ("/ws/blog/post/", "/ws/blog/category/", "/ws/notifications/"):
            comm, connected, code = await self.open(path)
            await self.assert_closed_with(comm, connected, code, 4401)
        comm, connected, code = await self.open("/ws/blog/post/", query="token=not-a-jwt")
        await self.assert_closed_with(comm, connected, code, 4401)
        headers = [ORIGIN, (b"authorization", b"Bearer not-a-jwt")]
        comm, connected, code = await self.open("/ws/blog/post/", headers=headers)
        await self.assert_closed_with(comm, connected, code, 4401)
        await self.close_all()

    async def test_disallowed_origin_refused(self):
        headers = [(b"origin", b"http://evil.example")]
        comm, connected, _ = await self.open("/ws/blog/post/", user=self.alice, headers=headers)
        self.assertFalse(connected)
        comm, connected, _ = await self.open("/ws/blog/post/", user=self.alice)
        self.assertTrue(connected)
        self.assertTrue(await comm.receive_nothing(0.2))
        await self.close_all()

    async def test_bearer_header_and_session_auth(self):
        header = (b"authorization", f"Bearer {self.tokens['bob']}".encode())
        comm, connected, _ = await self.open("/ws/notifications/", headers=[ORIGIN, header])
        self.assertTrue(connected)
        self.assertTrue(await comm.receive_nothing(0.2))
        client = Client()
        await sync_to_async(client.force_login)(self.alice)
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        comm2, connected, _ = await self.open(
            "/ws/notifications/", headers=[ORIGIN, (b"cookie", cookie)]
        )
        self.assertTrue(connected)
        await sync_to_async(notify_user)(self.alice, {"message": "hi"})
        self.assertEqual((await comm2.receive_json_from(timeout=1))["message"], "hi")
        self.assertTrue(await comm.receive_nothing(0.3))
        await self.close_all()

    # -- broadcasts -----------------------------------------------------------------------

    async def test_collection_created_updated_deleted_through_api(self):
        comm, connected, _ = await self.open("/ws/blog/post/", user=self.bob)
        self.assertTrue(connected)
        start = time.monotonic()
        body = {"title": "Hello", "category": self.category.pk, "status": "published"}
        response = await self.api_async("post", self.alice, "/api/v1/posts/", body)
        self.assertEqual(response.status_code, 201, response.content)
        pk = response.json()["id"]
        event = await comm.receive_json_from(timeout=1)
        self.assertLess(time.monotonic() - start, 1.0)
        self.assertEqual((event["type"], event["model"], event["pk"]), ("created", "blog.post", pk))
        self.assertEqual(event["data"], response.json())
        url = f"/api/v1/posts/{pk}/"
        response = await self.api_async("patch", self.alice, url, {"title": "Hi"})
        self.assertEqual(response.status_code, 200, response.content)
        event = await comm.receive_json_from(timeout=1)
        self.assertEqual((event["type"], event["pk"]), ("updated", pk))
        self.assertEqual(event["data"], response.json())
        response = await self.api_async("delete", self.alice, url)
        self.assertEqual(response.status_code, 204)
        event = await comm.receive_json_from(timeout=1)
        self.assertEqual(event, {"type": "deleted", "model": "blog.post", "pk": pk, "data": None})
        self.assertTrue(await comm.receive_nothing(0.3))
        await self.close_all()

    async def test_instance_socket_receives_only_its_instance(self):
        make = sync_to_async(Post.objects.create)
        kw = {"author": self.alice, "category": self.category, "status": "published"}
        one = await make(title="one", **kw)
        two = await make(title="two", **kw)
        comm, connected, _ = await self.open(f"/ws/blog/post/{one.pk}/", user=self.bob)
        self.assertTrue(connected)
        response = await self.api_async(
            "patch", self.alice, f"/api/v1/posts/{two.pk}/", {"title": "2"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(await comm.receive_nothing(0.5))
        response = await self.api_async(
            "patch", self.alice, f"/api/v1/posts/{one.pk}/", {"title": "1"}
        )
        self.assertEqual(response.status_code, 200)
        event = await comm.receive_json_from(timeout=1)
        self.assertEqual(
            (event["type"], event["pk"], event["data"]["title"]), ("updated", one.pk, "1")
        )
        self.assertTrue(await comm.receive_nothing(0.3))
        missing, connected, code = await self.open("/ws/blog/post/999999/", user=self.bob)
        await self.assert_closed_with(missing, connected, code, 4404)
        await self.close_all()

    async def test_orm_writes_broadcast_after_commit_only(self):
        comm, connected, _ = await self.open("/ws/blog/category/", user=self.bob)
        self.assertTrue(connected)
        arrivals = []

        async def collect():
            arrivals.append((await comm.receive_json_from(timeout=3), time.monotonic()))

        task = asyncio.ensure_future(collect())

        def create_in_transaction():
            with transaction.atomic():
                category = Category.objects.create(name="Later", slug="later")
                time.sleep(0.5)
                before_commit = time.monotonic()
            return category.pk, before_commit

        pk, before_commit = await sync_to_async(create_in_transaction)()
        await task
        event, arrived = arrivals[0]
        self.assertEqual(
            (event["type"], event["pk"], event["data"]["slug"]), ("created", pk, "later")
        )
        self.assertGreaterEqual(arrived, before_commit)

        def rolled_back():
            try:
                with transaction.atomic():
                    Category.objects.create(name="Never", slug="never")
                    raise RuntimeError("rollback")
            except RuntimeError:
                pass

        await sync_to_async(rolled_back)()
        self.assertTrue(await comm.receive_nothing(0.5))
        await self.close_all()

    async def test_m2m_change_sends_updated(self):
        post = await sync_to_async(Post.objects.create)(
            author=self.alice, category=self.category, title="tagged", status="published"
        )
        comm, connected, _ = await self.open(f"/ws/blog/post/{post.pk}/", user=self.bob)
        self.assertTrue(connected)
        response = await self.api_async("post", self.alice, "/api/v1/tags/", {"name": "t"})
        tag = response.json()["id"]
        response = await self.api_async(
            "patch", self.alice, f"/api/v1/posts/{post.pk}/", {"tags": [tag]}
        )
        self.assertEqual(response.status_code, 200, response.content)
        events = [await comm.receive_json_from(timeout=1), await comm.receive_json_from(timeout=1)]
        self.assertEqual([e["type"] for e in events], ["updated", "updated"])
        self.assertEqual(events[-1]["data"]["tags"], [tag])
        await self.close_all()

    async def test_notify_user_reaches_only_that_user(self):
        alice, ok1, _ = await self.open("/ws/notifications/", user=self.alice)
        alice2, ok2, _ = await self.open("/ws/notifications/", user=self.alice)
        bob, ok3, _ = await self.open("/ws/notifications/", user=self.bob)
        posts, ok4, _ = await self.open("/ws/blog/post/", user=self.alice)
        self.assertTrue(ok1 and ok2 and ok3 and ok4)
        await sync_to_async(notify_user)(self.alice, {"message": "welcome", "type": "ignored"})
        for comm in (alice, alice2):
            self.assertEqual(
                await comm.receive_json_from(timeout=1),
                {"type": "notification", "message": "welcome"},
            )
        self.assertTrue(await bob.receive_nothing(0.3))
        self.assertTrue(await posts.receive_nothing(0.1))
        await self.close_all()

    # -- who may read what (private_when = ["Post.status=draft"]) ------------------------

    async def test_unreadable_object_reaches_no_one_else(self):
        bob, _, _ = await self.open("/ws/blog/post/", user=self.bob)
        alice, _, _ = await self.open("/ws/blog/post/", user=self.alice)
        staff, _, _ = await self.open("/ws/blog/post/", user=self.staff)
        body = {"title": "Secret", "category": self.category.pk, "status": "draft"}
        response = await self.api_async("post", self.alice, "/api/v1/posts/", body)
        self.assertEqual(response.status_code, 201)
        pk = response.json()["id"]
        for comm in (alice, staff):
            self.assertEqual((await comm.receive_json_from(timeout=1))["pk"], pk)
        self.assertTrue(await bob.receive_nothing(0.5))
        comm, connected, code = await self.open(f"/ws/blog/post/{pk}/", user=self.bob)
        await self.assert_closed_with(comm, connected, code, 4404)
        response = await self.api_async("delete", self.alice, f"/api/v1/posts/{pk}/")
        self.assertEqual(response.status_code, 204)
        for comm in (alice, staff):
            self.assertEqual((await comm.receive_json_from(timeout=1))["type"], "deleted")
        self.assertTrue(await bob.receive_nothing(0.5))
        await self.close_all()

    async def test_visibility_changes_announced_as_created_deleted(self):
        bob, _, _ = await self.open("/ws/blog/post/", user=self.bob)
        alice, _, _ = await self.open("/ws/blog/post/", user=self.alice)
        body = {"title": "Soon", "category": self.category.pk, "status": "draft"}
        response = await self.api_async("post", self.alice, "/api/v1/posts/", body)
        pk = response.json()["id"]
        self.assertEqual((await alice.receive_json_from(timeout=1))["type"], "created")
        url = f"/api/v1/posts/{pk}/"
        response = await self.api_async("patch", self.alice, url, {"status": "published"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual((await alice.receive_json_from(timeout=1))["type"], "updated")
        event = await bob.receive_json_from(timeout=1)
        self.assertEqual(
            (event["type"], event["pk"], event["data"]), ("created", pk, response.json())
        )
        bob_instance, connected, _ = await self.open(f"/ws/blog/post/{pk}/", user=self.bob)
        self.assertTrue(connected)
        response = await self.api_async("patch", self.alice, url, {"status": "draft"})
        self.assertEqual((await alice.receive_json_from(timeout=1))["type"], "updated")
        hidden = {"type": "deleted", "model": "blog.post", "pk": pk, "data": None}
        self.assertEqual(await bob.receive_json_from(timeout=1), hidden)
        self.assertEqual(await bob_instance.receive_json_from(timeout=1), hidden)
        response = await self.api_async("patch", self.alice, url, {"title": "still draft"})
        self.assertEqual((await alice.receive_json_from(timeout=1))["type"], "updated")
        self.assertTrue(await bob.receive_nothing(0.4))
        self.assertTrue(await bob_instance.receive_nothing(0.1))
        await self.close_all()

    # -- messages, opt-in, failures -------------------------------------------------------

    async def test_subscribe_unsubscribe_and_bad_frames(self):
        comm, connected, _ = await self.open("/ws/blog/tag/", user=self.bob)
        self.assertTrue(connected)
        await comm.send_json_to({"action": "unsubscribe"})
        self.assertEqual((await comm.receive_json_from(timeout=1))["type"], "unsubscribed")
        response = await self.api_async("post", self.alice, "/api/v1/tags/", {"name": "a"})
        self.assertEqual(response.status_code, 201)
        self.assertTrue(await comm.receive_nothing(0.5))
        await comm.send_json_to({"action": "subscribe"})
        self.assertEqual((await comm.receive_json_from(timeout=1))["type"], "subscribed")
        response = await self.api_async("post", self.alice, "/api/v1/tags/", {"name": "b"})
        self.assertEqual((await comm.receive_json_from(timeout=1))["data"]["name"], "b")
        await comm.send_to(text_data="{not json")
        self.assertEqual((await comm.receive_json_from(timeout=1))["type"], "error")
        await comm.send_json_to({"action": "explode"})
        self.assertEqual((await comm.receive_json_from(timeout=1))["code"], "invalid")
        await self.close_all()

    async def test_anonymous_opt_in(self):
        with self.settings(DJGEN_WEBSOCKET_ALLOW_ANONYMOUS=True):
            comm, connected, _ = await self.open("/ws/blog/post/")
            self.assertTrue(connected)
            self.assertTrue(await comm.receive_nothing(0.2))
            notes, connected, code = await self.open("/ws/notifications/")
            await self.assert_closed_with(notes, connected, code, 4401)
            body = {"title": "Draft", "category": self.category.pk}
            response = await self.api_async("post", self.alice, "/api/v1/posts/", body)
            self.assertEqual(response.status_code, 201)
            self.assertTrue(await comm.receive_nothing(0.5))
            body["status"] = "published"
            response = await self.api_async("post", self.alice, "/api/v1/posts/", body)
            self.assertEqual((await comm.receive_json_from(timeout=1))["pk"], response.json()["id"])
            await self.close_all()

    def test_redis_down_write_still_succeeds(self):
        dead = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": ["redis://127.0.0.1:9/0"]},
            }
        }
        logger = "mysite.api.realtime"
        with self.settings(CHANNEL_LAYERS=dead), self.assertLogs(logger, "WARNING") as logs:
            body = {"title": "x", "category": self.category.pk, "status": "published"}
            response = self.api("post", self.alice, "/api/v1/posts/", body)
            self.assertEqual(response.status_code, 201, response.content)
            notify_user(self.alice, {"message": "lost"})
        self.assertEqual(len(logs.records), 2)  # the model event and the notification
        self.assertNotIn("redis://", "\n".join(logs.output))

    def test_signal_receivers_connected_in_ready(self):
        self.assertTrue(post_save.has_listeners(Post))
        self.assertTrue(post_delete.has_listeners(Post))
        uids = [r[0][0] for r in post_save.receivers]
        self.assertIn("djgen.realtime.blog.post.save", uids)
