"""Concurrent writers against the real database: the unique index decides, and nobody gets a 500."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from unittest import mock
from unittest.mock import ANY

from sqlalchemy import func, select

from project import config, create_app
from project.extensions import db
from project.tests.base import BaseTestCase, bearer, counted
from project.tests.contract import EMAIL_TAKEN, GOOD_PASSWORD, NOT_FOUND
from project.users import writes
from project.users.models import User

WRITERS = 8
CLIENTS = 50
WRITES_EACH = 8


class TestConcurrentWrites(BaseTestCase):
    def together(self, calls: list[tuple[str, str, dict | None]]) -> list[tuple[int, dict | None]]:
        """Make every (method, path, JSON body) call at once, each from its own thread, app context and
        database connection, with the test client's credentials."""
        barrier = threading.Barrier(len(calls))

        def call(method: str, path: str, payload: dict | None) -> tuple[int, dict | None]:
            client = self.app.test_client()
            client.environ_base.update(self.client.environ_base)
            barrier.wait()
            response = client.open(path, method=method, json=payload)
            return response.status_code, response.get_json(silent=True)

        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(call, *zip(*calls, strict=True)))

    def post_together(self, payloads: list[dict]) -> list[tuple[int, dict | None]]:
        return self.together([("POST", "/users", payload) for payload in payloads])

    def test_same_email_stores_one_row(self):
        answers = self.post_together([{"username": f"u{n}", "email": "race@example.com"} for n in range(WRITERS)])
        codes = sorted(code for code, _ in answers)
        self.assertEqual(codes, [201] + [400] * (WRITERS - 1))
        for code, body in answers:
            if code == 400:
                self.assertEqual(body, EMAIL_TAKEN)
        self.assertEqual((self.user_count(), counted()), (1, 1))

    def test_different_emails_are_all_stored(self):
        answers = self.post_together([{"username": f"u{n}", "email": f"u{n}@example.com"} for n in range(WRITERS)])
        self.assertEqual([code for code, _ in answers], [201] * WRITERS)
        self.assertEqual((self.user_count(), counted()), (WRITERS, WRITERS))
        self.assertEqual(len({body["data"]["id"] for _, body in answers}), WRITERS)

    def test_recounting_while_users_are_added(self):
        """Writers keep adding users before, during and after a recount: none is missed or counted twice."""
        started = threading.Barrier(WRITERS + 1)
        recounted = threading.Event()

        def write(writer: int) -> list[int]:
            client = self.app.test_client()
            codes: list[int] = []
            while not recounted.is_set() or len(codes) < 10:
                payload = {"username": "w", "email": f"w{writer}-{len(codes)}@example.com"}
                codes.append(client.post("/users", json=payload).status_code)
                if len(codes) == 1:
                    started.wait()
            return codes

        with ThreadPoolExecutor(WRITERS) as pool:
            writing = [pool.submit(write, writer) for writer in range(WRITERS)]
            started.wait()
            writes.recount()
            recounted.set()
            codes = [code for writer in writing for code in writer.result()]
        self.assertEqual(set(codes), {201})
        self.assertEqual((self.user_count(), counted()), (len(codes), len(codes)))

    def test_one_user_deleted_by_many_at_once_is_deleted_once(self):
        user_id = self.add_user().id
        self.act_as(self.add_admin())
        answers = self.together([("DELETE", f"/users/{user_id}", None)] * WRITERS)
        self.assertEqual(sorted(code for code, _ in answers), [204] + [404] * (WRITERS - 1))
        self.assertEqual((self.user_count(), counted()), (1, 1))  # the admin

    def test_one_user_changed_by_many_at_once_is_counted_once(self):
        user_id = self.add_user().id
        self.act_as(self.add_admin())
        answers = self.together([("PATCH", f"/users/{user_id}", {"active": False})] * WRITERS)
        self.assertEqual([code for code, _ in answers], [200] * WRITERS)
        self.assertEqual((counted(), counted(active=True), counted(active=False)), (2, 1, 1))

    def test_a_user_changed_while_deleted_is_not_found(self):
        user_id = self.add_user().id
        self.act_as(self.add_admin())
        changes = [("PATCH", f"/users/{user_id}", {"username": f"v{n}"}) for n in range(WRITERS - 1)]
        [deleted, *changed] = self.together([("DELETE", f"/users/{user_id}", None), *changes])
        self.assertEqual(deleted, (204, None))
        for answer in changed:  # changed before the delete, or found deleted
            self.assertIn(answer, [(200, ANY), (404, NOT_FOUND)])
        self.assertEqual((self.user_count(), counted()), (1, 1))

    def test_totals_stay_exact_under_many_concurrent_writes(self):
        """50 clients, each with a connection of its own, make 400 writes at once: adds, (de)activations and
        deletes of their own users and of one another's."""
        with mock.patch.dict("os.environ", {"GUNICORN_THREADS": str(CLIENTS)}):  # a pool as large as the clients
            app = create_app(config.TestingConfig)
        barrier = threading.Barrier(CLIENTS)
        admin = self.add_admin()
        self.add_user("spare", "spare@example.com")  # the user before the first one added: never the admin

        def write(client_number: int) -> list[int]:
            with app.app_context():
                client = app.test_client()
                client.environ_base["HTTP_AUTHORIZATION"] = bearer(admin)
                barrier.wait()
                codes = []
                for n in range(WRITES_EACH // 2):
                    created = client.post("/users", json={"username": "w", "email": f"{client_number}-{n}@example.com"})
                    codes.append(created.status_code)
                    user_id = created.get_json()["data"]["id"]
                    if n % 2:
                        codes.append(client.delete(f"/users/{user_id - 1}").status_code)  # maybe another client's
                    else:
                        codes.append(client.patch(f"/users/{user_id}", json={"active": n % 4 == 0}).status_code)
                return codes

        with ThreadPoolExecutor(CLIENTS) as pool:
            codes = [code for answers in pool.map(write, range(CLIENTS)) for code in answers]
        self.assertEqual(len(codes), CLIENTS * WRITES_EACH)
        self.assertLessEqual(set(codes), {200, 201, 204, 404})
        active = db.session.scalar(select(func.count()).select_from(User).where(User.active))
        self.assertEqual((counted(), counted(active=True)), (self.user_count(), active))
        self.assertEqual(self.user_count(), 2 + CLIENTS * WRITES_EACH // 2 - codes.count(204))


class TestRevocationEverywhere(BaseTestCase):
    def test_a_token_revoked_by_a_new_password_is_refused_by_every_worker_at_once(self):
        """Four apps stand for four workers, each asking /auth/me with one token over and over while the user
        changes its password: every request that starts once the change is answered is refused."""
        user = self.add_user("michael", "michael@realpython.com", GOOD_PASSWORD)
        token = {"Authorization": bearer(user)}
        workers = [create_app(config.TestingConfig) for _ in range(4)]
        answered, changed_at = threading.Event(), []
        lock = threading.Lock()
        counts = {"before": 0, "after": 0}

        def ask(app) -> list[tuple[float, int]]:
            client, seen = app.test_client(), []
            while True:
                with lock:
                    if counts["after"] >= 40:
                        return seen
                started = time.monotonic()
                seen.append((started, client.get("/auth/me", headers=token).status_code))
                with lock:
                    counts["after" if answered.is_set() else "before"] += 1

        with ThreadPoolExecutor(len(workers)) as pool:
            asking = [pool.submit(ask, app) for app in workers]
            while counts["before"] < 20:  # every worker has let the token in by now
                time.sleep(0.01)
            body = {"password": "a brand new passphrase", "current_password": GOOD_PASSWORD}
            changed = self.client.patch(f"/users/{user.id}", json=body, headers=token)
            changed_at.append(time.monotonic())
            answered.set()
            seen = [answer for worker in asking for answer in worker.result()]
        self.assertEqual(changed.status_code, 200)
        self.assertIn(200, {status for started, status in seen if started < changed_at[0]})
        after = [status for started, status in seen if started > changed_at[0]]
        self.assertGreaterEqual(len(after), 30)
        self.assertEqual(set(after), {401})
