"""Liveness and readiness, a database that cannot be reached, security headers, request ids, logs."""

import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor

import pymysql
from flask import abort
from sqlalchemy.exc import OperationalError

from project import config, create_app
from project.auth.stores import RedisStore, store
from project.config import MYSQL_FAMILY
from project.database import database_problem
from project.extensions import db
from project.logs import JsonFormatter
from project.tests.base import BaseTestCase, bearer
from project.tests.contract import (
    DATABASE_ROUTES,
    GENERATED_ID,
    GOOD_PASSWORD,
    PONG,
    READY,
    STORE_UNAVAILABLE,
    UNAVAILABLE,
)
from project.tests.test_config import environment

# The Content-Security-Policy each kind of answer must carry.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DOCS_POLICY = PAGE_POLICY + "; style-src 'self' 'unsafe-inline'"
# Nothing listens on port 9 (discard) here: connecting is refused at once, as with a database that is down.
UNREACHABLE = "mysql+pymysql://users:x@127.0.0.1:9/users_test?charset=utf8mb4"
REDIS_UNREACHABLE = "redis://127.0.0.1:9/0"


class TestHealth(BaseTestCase):
    def test_health_is_readiness(self):
        checked = {"database": "ok", **({"redis": "ok"} if isinstance(store(), RedisStore) else {})}
        self.assertJson(self.client.get("/health"), 200, {"status": "success", "message": "ready", "data": checked})

    def test_ready_is_the_database(self):
        self.assertJson(self.client.get("/ready"), 200, READY)


class TestDatabaseDown(BaseTestCase):
    """The app on a database that refuses connections: 503s in the envelope, and /ping still 200."""

    def setUp(self) -> None:
        super().setUp()
        with environment(DATABASE_TEST_URL=UNREACHABLE):
            self.down = create_app(config.TestingConfig).test_client()

    def test_every_database_route_answers_503(self):
        token = {"Authorization": bearer(self.add_user())}  # a user's, in the store the healthy app uses
        for method, path, body in DATABASE_ROUTES:
            with self.subTest(method=method, path=path):
                response = self.down.open(path, method=method, json=body, headers=token)
                self.assertJson(response, 503, UNAVAILABLE)
                self.assertEqual(response.headers["Retry-After"], "5")

    def test_health_says_why(self):
        response = self.down.get("/health")
        reason = "Can't connect to MySQL server ([Errno 111] Connection refused) (2003)"
        self.assertJson(response, 503, {**UNAVAILABLE, "errors": {"database": [reason]}})

    def test_not_ready(self):
        response = self.down.get("/ready")
        reason = "Can't connect to MySQL server ([Errno 111] Connection refused) (2003)"
        self.assertJson(response, 503, {**UNAVAILABLE, "errors": {"database": [reason]}})
        self.assertEqual(response.headers["Retry-After"], "5")

    def test_reasons_name_no_user(self):
        """A refused login names no user (a refused connection names no host: test_health_says_why)."""
        message = "Access denied for user 'users'@'172.18.0.3' (using password: YES)"
        error = OperationalError("SELECT 1", {}, pymysql.err.OperationalError(1045, message))
        self.assertEqual(database_problem(error), "Access denied (using password: YES) (1045)")

    def test_ping_stays_up(self):
        self.assertJson(self.down.get("/ping"), 200, PONG)

    def test_browsers_get_a_page(self):
        response = self.down.get("/", headers={"Accept": "text/html"})
        self.assertEqual((response.status_code, response.mimetype), (503, "text/html"))
        self.assertIn("The database is unavailable. Try again shortly.", response.get_data(as_text=True))


class TestTokenStoreDown(BaseTestCase):
    """The app on a Redis that refuses connections: sign-in and authenticated writes answer 503, public
    reads and sign-up keep working, /health says it is Redis."""

    def setUp(self) -> None:
        super().setUp()
        database = os.environ.get("DATABASE_TEST_URL", "")  # the suite's database, which stays up
        with environment(REDIS_TEST_URL=REDIS_UNREACHABLE, DATABASE_TEST_URL=database):
            self.down = create_app(config.TestingConfig).test_client()
        self.user = self.add_user("michael", "michael@realpython.com", GOOD_PASSWORD)

    def test_sign_in_and_authenticated_writes_answer_503(self):
        token = {"Authorization": "Bearer " + "A" * 43}
        answers = [
            self.down.post("/auth/login", json={"email": "michael@realpython.com", "password": GOOD_PASSWORD}),
            self.down.get("/auth/me", headers=token),
            self.down.post("/auth/logout", headers=token),
            self.down.patch(f"/users/{self.user.id}", json={"username": "x"}, headers=token),
            self.down.delete(f"/users/{self.user.id}", headers=token),
        ]
        for response in answers:
            with self.subTest(path=response.request.path, method=response.request.method):
                self.assertJson(response, 503, STORE_UNAVAILABLE)
                self.assertEqual(response.headers["Retry-After"], "5")

    def test_public_reads_and_sign_up_keep_working(self):
        self.assertEqual(self.down.get("/users").status_code, 200)
        self.assertEqual(self.down.get(f"/users/{self.user.id}").status_code, 200)
        self.assertEqual(self.down.post("/users", json={"username": "a", "email": "a@example.com"}).status_code, 201)
        self.assertEqual(
            self.down.patch(f"/users/{self.user.id}", json={}).status_code, 401
        )  # no token: no need to ask

    def test_health_says_it_is_redis(self):
        reason = "Error 111 connecting. Connection refused."
        self.assertJson(self.down.get("/health"), 503, {**STORE_UNAVAILABLE, "errors": {"redis": [reason]}})

    def test_still_ready(self):
        """Orchestrators keep the instance: what needs no Redis still works."""
        self.assertJson(self.down.get("/ready"), 200, READY)

    def test_the_index_page_says_sign_in_is_unavailable(self):
        with self.down.session_transaction() as session:
            session["token"] = "A" * 43
        response = self.down.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Sign-in is unavailable right now.", response.get_data(as_text=True))


class TestSecurityHeaders(BaseTestCase):
    def test_every_kind_of_answer_has_them(self):
        """The policies spelled out: pages load scripts and styles from the app alone, the API nothing."""
        user = self.act_as(self.add_user())
        cases = [
            ("GET", "/ping", API_POLICY, "no-store"),
            ("GET", "/users/xxx", API_POLICY, "no-store"),
            ("GET", "/nope", API_POLICY, "no-store"),
            ("GET", "/openapi.json", API_POLICY, "no-store"),
            ("DELETE", f"/users/{user.id}", API_POLICY, "no-store"),  # a 204: no body, still the API's
            ("GET", "/", PAGE_POLICY, None),
            ("GET", "/docs", DOCS_POLICY, None),
            ("GET", "/docs/", DOCS_POLICY, None),
            ("GET", "/static/style.css", PAGE_POLICY, "no-cache"),
        ]
        for method, path, policy, cache in cases:
            with self.subTest(method=method, path=path):
                response = self.client.open(path, method=method)
                headers = response.headers
                self.assertEqual(headers.getlist("X-Content-Type-Options"), ["nosniff"])
                self.assertEqual(headers.getlist("X-Frame-Options"), ["DENY"])
                self.assertEqual(headers.getlist("Referrer-Policy"), ["same-origin"])
                self.assertEqual(headers.getlist("Content-Security-Policy"), [policy])
                self.assertEqual(headers.getlist("Cache-Control"), [cache] if cache else [])
                self.assertEqual(len(headers.getlist("X-Request-ID")), 1)
                response.close()


class TestRequestIds(BaseTestCase):
    def test_a_plausible_id_is_echoed(self):
        for request_id in ("abc-123", "a.b:c_d", "x" * 128):
            with self.subTest(request_id=request_id):
                self.assertEqual(
                    self.client.get("/ping", headers={"X-Request-ID": request_id}).headers["X-Request-ID"], request_id
                )

    def test_otherwise_one_is_made(self):
        for headers in ({}, {"X-Request-ID": "has space"}, {"X-Request-ID": "x" * 129}, {"X-Request-ID": "<b>"}):
            with self.subTest(headers=headers):
                self.assertRegex(self.client.get("/ping", headers=headers).headers["X-Request-ID"], GENERATED_ID)
        self.assertRegex(self.client.get("/nope").headers["X-Request-ID"], GENERATED_ID)


class TestErrorsAndLogs(BaseTestCase):
    def create_app(self):
        app = create_app(config.TestingConfig)  # an app of its own: it gains routes

        @app.get("/boom")
        def boom():
            raise RuntimeError("secret detail /etc/app.cfg")

        @app.get("/teapot")
        def teapot():
            abort(418)

        return app

    def test_a_crash_answers_a_bare_500_and_logs_the_traceback_with_the_request_id(self):
        with self.assertLogs("project.errors", level="ERROR") as logs:
            response = self.client.get("/boom", headers={"X-Request-ID": "req-42"})
        self.assertJson(response, 500, {"status": "fail", "message": "Internal Server Error"})
        self.assertNotIn("secret", response.get_data(as_text=True))
        [record] = logs.records
        entry = json.loads(JsonFormatter().format(record))
        self.assertEqual(
            {key: entry[key] for key in ("level", "logger", "request_id", "method", "path")},
            {"level": "ERROR", "logger": "project.errors", "request_id": "req-42", "method": "GET", "path": "/boom"},
        )
        self.assertEqual(entry["message"], "unhandled RuntimeError on GET /boom")
        self.assertIn("RuntimeError: secret detail /etc/app.cfg", entry["exception"])

    def test_other_http_errors_use_the_envelope(self):
        self.assertJson(self.client.get("/teapot"), 418, {"status": "fail", "message": "I'm a teapot"})

    def test_log_lines_are_json_outside_requests_too(self):
        record = logging.LogRecord("project.x", logging.WARNING, __file__, 1, "hello %s", ("wörld",), None)
        entry = json.loads(JsonFormatter().format(record))
        self.assertEqual((entry["level"], entry["message"]), ("WARNING", "hello wörld"))
        self.assertNotIn("request_id", entry)


class TestDatabaseConnections(BaseTestCase):
    def server_counters(self) -> dict[str, int]:
        """MySQL's own counts of the statements it has run, asked on a connection of its own."""
        url = db.engine.url
        connection = pymysql.connect(host=url.host, port=url.port or 3306, user=url.username, password=url.password)
        with connection, connection.cursor() as cursor:
            cursor.execute("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_select', 'Com_rollback', 'Com_commit')")
            return {name: int(value) for name, value in cursor.fetchall()}

    def read(self, path: str) -> int:
        """GET the path as a request of its own (in production each has its own app context, which the
        test's would otherwise stand in for); its status."""
        with ThreadPoolExecutor(1) as thread:
            return thread.submit(lambda: self.app.test_client().get(path).status_code).result()

    def test_a_read_is_one_select_in_a_transaction_of_its_own_on_mysql(self):
        """The SELECT's transaction ends as its connection goes back to the pool: it holds nothing after."""
        if db.engine.dialect.name not in MYSQL_FAMILY:
            self.skipTest("the server's counts are MySQL's")
        user = self.add_user()
        self.read(f"/users/{user.id}")  # the pool holds a connection now
        expected = {"Com_select": 1, "Com_rollback": 1, "Com_commit": 0}
        # The counts are the whole server's: another client (the development stack's mail worker polls it) may add
        # to them meanwhile, never take away. Measured again until a read ran alone; a read that did more fails.
        for _ in range(20):
            before = self.server_counters()
            self.assertEqual(self.read(f"/users/{user.id}"), 200)
            after = self.server_counters()
            counted = {name: after[name] - before[name] for name in before}
            if counted == expected:
                break
        self.assertEqual(counted, expected)
