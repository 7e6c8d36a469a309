"""Liveness and readiness, a database that cannot be reached, security headers, request ids, logs."""

import json
import logging

import pymysql
from flask import abort
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from project import config, create_app
from project.config import MYSQL_FAMILY, ProductionConfig
from project.errors import database_problem
from project.extensions import db
from project.logs import JsonFormatter
from project.security import API_POLICY, DOCS_POLICY, PAGE_POLICY
from project.tests.base import BaseTestCase
from project.tests.contract import DATABASE_ROUTES, GENERATED_ID, PONG, UNAVAILABLE
from project.tests.test_config import MYSQL_URL, environment

# Nothing listens on port 9 (discard) here: connecting is refused at once, as with a database that is down.
UNREACHABLE = "mysql+pymysql://users:x@127.0.0.1:9/users_test?charset=utf8mb4"


class TestHealth(BaseTestCase):
    def test_ping_is_liveness(self):
        self.assertJson(self.client.get("/ping"), 200, PONG)

    def test_health_is_readiness(self):
        self.assertJson(
            self.client.get("/health"), 200, {"status": "success", "message": "ready", "data": {"database": "ok"}}
        )


class TestDatabaseDown(BaseTestCase):
    """The app on a database that refuses connections: 503s in the envelope, and /ping still 200."""

    def setUp(self) -> None:
        super().setUp()
        with environment(DATABASE_TEST_URL=UNREACHABLE):
            self.down = create_app(config.TestingConfig).test_client()

    def test_every_database_route_answers_503(self):
        for method, path, body in DATABASE_ROUTES:
            with self.subTest(method=method, path=path):
                response = self.down.open(path, method=method, json=body)
                self.assertJson(response, 503, UNAVAILABLE)
                self.assertEqual(response.headers["Retry-After"], "5")

    def test_health_says_why(self):
        response = self.down.get("/health")
        reason = "Can't connect to MySQL server ([Errno 111] Connection refused) (2003)"
        self.assertJson(response, 503, {**UNAVAILABLE, "errors": {"database": [reason]}})

    def test_reasons_name_no_host_or_user(self):
        for code, message, reason in (
            (
                2003,
                "Can't connect to MySQL server on '10.0.0.5' ([Errno 111] Connection refused)",
                "Can't connect to MySQL server ([Errno 111] Connection refused) (2003)",
            ),
            (
                1045,
                "Access denied for user 'users'@'172.18.0.3' (using password: YES)",
                "Access denied (using password: YES) (1045)",
            ),
        ):
            with self.subTest(code=code):
                error = OperationalError("SELECT 1", {}, pymysql.err.OperationalError(code, message))
                self.assertEqual(database_problem(error), reason)

    def test_ping_stays_up(self):
        self.assertJson(self.down.get("/ping"), 200, PONG)

    def test_browsers_get_a_page(self):
        response = self.down.get("/", headers={"Accept": "text/html"})
        self.assertEqual((response.status_code, response.mimetype), (503, "text/html"))
        self.assertIn("The database is unavailable. Try again shortly.", response.get_data(as_text=True))


class TestSecurityHeaders(BaseTestCase):
    def test_every_kind_of_answer_has_them(self):
        cases = [
            ("/ping", API_POLICY, "no-store"),
            ("/users/xxx", API_POLICY, "no-store"),
            ("/nope", API_POLICY, "no-store"),
            ("/openapi.json", API_POLICY, "no-store"),
            ("/", PAGE_POLICY, None),
            ("/docs", DOCS_POLICY, None),
            ("/static/style.css", PAGE_POLICY, "no-cache"),
        ]
        for path, policy, cache in cases:
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff")
                self.assertEqual(response.headers["X-Frame-Options"], "DENY")
                self.assertEqual(response.headers["Referrer-Policy"], "same-origin")
                self.assertEqual(response.headers["Content-Security-Policy"], policy)
                self.assertEqual(response.headers.get("Cache-Control"), cache)
                response.close()

    def test_pages_allow_only_their_own_scripts_and_styles(self):
        self.assertIn("default-src 'self'", PAGE_POLICY)
        self.assertNotIn("unsafe", PAGE_POLICY)
        self.assertIn("frame-ancestors 'none'", PAGE_POLICY)
        self.assertNotIn("script-src", DOCS_POLICY)  # scripts fall back to default-src 'self'


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
        app = super().create_app()

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


class TestProductionSafety(BaseTestCase):
    def test_debug_is_never_on_in_production(self):
        with environment(SECRET_KEY="s3cret", DATABASE_URL=MYSQL_URL, FLASK_DEBUG="1"):
            app = create_app(ProductionConfig)
        self.assertFalse(app.debug)

    def test_every_form_is_protected_against_csrf(self):
        forms = [
            rule
            for rule in self.app.url_map.iter_rules()
            if "POST" in rule.methods and not rule.endpoint.startswith(("users.", "api-docs."))
        ]
        self.assertEqual({rule.endpoint for rule in forms}, {"pages.index", "pages.delete_user"})
        user = self.add_user()
        for rule in forms:
            with self.subTest(endpoint=rule.endpoint):
                path = rule.rule.replace("<user_id:user_id>", str(user.id))
                response = self.client.post(path, data={"username": "x", "email": "x@example.com"})
                self.assertEqual(response.status_code, 400)
                self.assertIn("CSRF", response.get_json()["message"])
        self.assertEqual(self.user_count(), 1)


class TestDatabaseConnections(BaseTestCase):
    def server_counters(self) -> dict[str, int]:
        """MySQL's own counts of the statements it has run (asked on the autocommit engine: no rollback)."""
        with db.engines["reads"].connect() as connection:
            rows = connection.execute(
                text("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_select', 'Com_rollback', 'Com_commit')")
            )
            return {name: int(value) for name, value in rows}

    def test_a_read_is_one_select_and_nothing_else_on_mysql(self):
        if db.engine.dialect.name not in MYSQL_FAMILY:
            self.skipTest("on MySQL reads go through an engine of their own; SQLite has one connection path")
        user = self.add_user()
        self.client.get(f"/users/{user.id}")  # the read engine's pool holds a connection now
        before = self.server_counters()
        self.assertEqual(self.client.get(f"/users/{user.id}").status_code, 200)
        after = self.server_counters()
        self.assertEqual(
            {name: after[name] - before[name] for name in before},
            {"Com_select": 1, "Com_rollback": 0, "Com_commit": 0},
        )
