"""Concurrent writers against the real database: the unique index decides, and nobody gets a 500."""

import threading
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import ANY

from project.api.counts import recount
from project.extensions import db
from project.tests.base import BaseTestCase
from project.tests.contract import EMAIL_TAKEN, NOT_FOUND
from project.tests.test_counts import counted

WRITERS = 8


class TestConcurrentWrites(BaseTestCase):
    def together(self, calls: list[tuple[str, str, dict | None]]) -> list[tuple[int, dict | None]]:
        """Make every (method, path, JSON body) call at once, each from its own thread, app context and
        database connection."""
        barrier = threading.Barrier(len(calls))

        def call(method: str, path: str, payload: dict | None) -> tuple[int, dict | None]:
            client = self.app.test_client()
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
            recount(db.session)
            db.session.commit()
            recounted.set()
            codes = [code for writer in writing for code in writer.result()]
        self.assertEqual(set(codes), {201})
        self.assertEqual((self.user_count(), counted()), (len(codes), len(codes)))

    def test_one_user_deleted_by_many_at_once_is_deleted_once(self):
        user_id = self.add_user().id
        answers = self.together([("DELETE", f"/users/{user_id}", None)] * WRITERS)
        self.assertEqual(sorted(code for code, _ in answers), [204] + [404] * (WRITERS - 1))
        self.assertEqual((self.user_count(), counted()), (0, 0))

    def test_one_user_changed_by_many_at_once_is_counted_once(self):
        user_id = self.add_user().id
        answers = self.together([("PATCH", f"/users/{user_id}", {"active": False})] * WRITERS)
        self.assertEqual([code for code, _ in answers], [200] * WRITERS)
        self.assertEqual((counted(), counted(active=True), counted(active=False)), (1, 0, 1))

    def test_a_user_changed_while_deleted_is_not_found(self):
        user_id = self.add_user().id
        changes = [("PATCH", f"/users/{user_id}", {"username": f"v{n}"}) for n in range(WRITERS - 1)]
        [deleted, *changed] = self.together([("DELETE", f"/users/{user_id}", None), *changes])
        self.assertEqual(deleted, (204, None))
        for answer in changed:  # changed before the delete, or found deleted
            self.assertIn(answer, [(200, ANY), (404, NOT_FOUND)])
        self.assertEqual((self.user_count(), counted()), (0, 0))
