"""The metrics, in this process's registry: each request under its route's template with bounded labels, requests
in flight, the pool's connections, sign-in outcomes, dependencies that fail, mails queued and delivered."""

from prometheus_client import REGISTRY

from project import config, create_app, metrics
from project.extensions import db
from project.mail.delivery import deliver_due
from project.tests.base import BaseTestCase
from project.tests.contract import GOOD_PASSWORD
from project.tests.test_config import environment
from project.tests.test_operations import REDIS_UNREACHABLE, UNREACHABLE
from project.tests.test_recovery import EMAIL, LATER, MailTestCase

DURATION = "http_server_request_duration_seconds"


def sample(name: str, **labels: str) -> float:
    """A sample's value now (0 when it has none yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Changes:
    """How samples moved while the block ran: `changes[name, labels]` after it."""

    def __init__(self, *wanted: tuple[str, dict]) -> None:
        self.wanted = wanted

    def __enter__(self) -> "Changes":
        self.before = [sample(name, **labels) for name, labels in self.wanted]
        return self

    def __exit__(self, *exc) -> None:
        self.moved = [
            sample(name, **labels) - was for (name, labels), was in zip(self.wanted, self.before, strict=True)
        ]


def requests_of(method: str, route: str, status: int) -> tuple[str, dict]:
    """The histogram's count of requests with these labels."""
    return (
        f"{DURATION}_count",
        {"http_request_method": method, "http_route": route, "http_response_status_code": str(status)},
    )


class TestRequests(BaseTestCase):
    def test_each_request_is_counted_under_its_routes_template(self):
        user = self.add_user()
        counted = (
            requests_of("GET", "/users/<user_id:user_id>", 200),
            requests_of("GET", "/users/<user_id:user_id>", 404),
            requests_of("GET", "/ping", 200),
        )
        with Changes(*counted) as changes:
            for _ in range(3):
                self.assertEqual(self.client.get(f"/users/{user.id}").status_code, 200)
            self.assertEqual(self.client.get("/users/999999").status_code, 404)
            self.assertEqual(self.client.get("/ping").status_code, 200)
        self.assertEqual(changes.moved, [3, 1, 1])

    def test_labels_stay_bounded_whatever_the_client_sends(self):
        """A request no route matches (no such path, or a method the path does not take) has no route, and a method no
        one knows is _OTHER: no client adds label values."""
        counted = (requests_of("GET", "", 404), requests_of("_OTHER", "", 405))
        with Changes(*counted) as changes:
            for tail in ("a", "b", "c"):
                self.assertEqual(self.client.get(f"/no/such/{tail}").status_code, 404)
            self.assertEqual(self.client.open("/ping", method="BREW").status_code, 405)
        self.assertEqual(changes.moved, [3, 1])
        paths = {sample.labels.get("http_route") for family in REGISTRY.collect() for sample in family.samples}
        self.assertFalse({path for path in paths if path and path.startswith("/no/")})

    def test_a_request_is_in_flight_until_it_is_answered(self):
        app, seen = create_app(config.TestingConfig), []
        app.before_request(lambda: seen.append(sample("http_server_active_requests", http_request_method="GET")))
        before = sample("http_server_active_requests", http_request_method="GET")
        app.test_client().get("/ping")
        self.assertEqual(
            (seen, sample("http_server_active_requests", http_request_method="GET")), ([before + 1], before)
        )

    def test_durations_fall_in_buckets(self):
        labels = {"http_request_method": "GET", "http_route": "/ping", "http_response_status_code": "200"}
        with Changes(
            (f"{DURATION}_bucket", {**labels, "le": "10.0"}), (f"{DURATION}_bucket", {**labels, "le": "+Inf"})
        ) as changes:
            self.client.get("/ping")
        self.assertEqual(changes.moved, [1, 1])  # well under 10 s, and in the total


class TestPool(BaseTestCase):
    def test_a_connection_is_used_while_checked_out_and_idle_after(self):
        labels = {"db_client_connection_pool_name": "primary"}
        metrics.DB_CONNECTIONS_MAX.labels("primary").set(0)
        db.engine.dispose()  # the pool's most is set again as a connection is opened
        with db.engine.connect():
            used = sample("db_client_connection_count", **labels, db_client_connection_state="used")
            self.assertGreaterEqual(used, 1)
        self.assertEqual(sample("db_client_connection_count", **labels, db_client_connection_state="used"), used - 1)
        self.assertGreaterEqual(sample("db_client_connection_count", **labels, db_client_connection_state="idle"), 1)
        self.assertEqual(sample("db_client_connection_max", **labels), db.engine.pool.size())


class TestSignIns(BaseTestCase):
    def test_outcomes_are_counted(self):
        self.add_user("michael", EMAIL, GOOD_PASSWORD)
        outcomes = [
            ("users_service_sign_ins_total", {"outcome": outcome}) for outcome in ("succeeded", "failed", "throttled")
        ]
        limit = self.app.config["SIGN_IN_FAILURES_PER_EMAIL"]
        with Changes(*outcomes) as changes:
            self.assertEqual(
                self.client.post("/auth/login", json={"email": EMAIL, "password": GOOD_PASSWORD}).status_code, 200
            )
            for _ in range(limit):
                self.assertEqual(
                    self.client.post("/auth/login", json={"email": EMAIL, "password": "wrong"}).status_code, 401
                )
            self.assertEqual(
                self.client.post("/auth/login", json={"email": EMAIL, "password": "wrong"}).status_code, 429
            )
        self.assertEqual(changes.moved, [1, limit, 1])


class TestDependencies(BaseTestCase):
    def test_a_database_that_cannot_be_reached_is_counted(self):
        with environment(DATABASE_TEST_URL=UNREACHABLE):
            down = create_app(config.TestingConfig).test_client()
        with Changes(("users_service_dependency_errors_total", {"dependency": "database"})) as changes:
            self.assertEqual(down.get("/ready").status_code, 503)
            self.assertEqual(down.get("/users").status_code, 503)
        self.assertEqual(changes.moved, [2])

    def test_a_redis_that_cannot_be_reached_is_counted(self):
        with environment(REDIS_TEST_URL=REDIS_UNREACHABLE):
            down = create_app(config.TestingConfig).test_client()
        with Changes(("users_service_dependency_errors_total", {"dependency": "redis"})) as changes:
            self.assertEqual(down.get("/auth/me", headers={"Authorization": "Bearer " + "A" * 43}).status_code, 503)
        self.assertEqual(changes.moved, [1])


class TestMails(MailTestCase):
    def test_mails_are_counted_as_queued_and_sent_and_the_outbox_as_it_empties(self):
        counted = [
            ("users_service_mails_queued_total", {}),
            ("users_service_mail_deliveries_total", {"outcome": "sent"}),
        ]
        with Changes(*counted) as changes:
            self.assertEqual(self.post("/auth/forgot-password", {"email": EMAIL}).status_code, 202)
            self.assertEqual(len(self.delivered()), 1)
        self.assertEqual(changes.moved, [1, 1])
        self.assertEqual(sample("users_service_mail_outbox_messages"), 0)

    def test_a_server_down_and_a_recipient_refused_for_good_are_counted(self):
        failed, dropped = (("users_service_mail_deliveries_total", {"outcome": kind}) for kind in ("failed", "dropped"))
        self.mailbox.stop()
        try:
            with Changes(failed) as changes:
                self.assertEqual(self.delivered_after_asking(), [])
            self.assertEqual((changes.moved, sample("users_service_mail_outbox_messages")), ([1], 1))
        finally:
            self.mailbox.start()
        self.mailbox.refused.add(EMAIL)
        with Changes(dropped) as changes:
            deliver_due(now=LATER)
        self.assertEqual((changes.moved, sample("users_service_mail_outbox_messages")), ([1], 0))

    def delivered_after_asking(self) -> list:
        self.assertEqual(self.post("/auth/forgot-password", {"email": EMAIL}).status_code, 202)
        return self.delivered()
