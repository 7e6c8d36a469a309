"""The service's metrics (prometheus_client), named as Prometheus and OpenTelemetry's HTTP and database conventions
name them, every label bounded (a route's template, never its path; no ids or emails). Under gunicorn each worker
writes its own to files in PROMETHEUS_MULTIPROC_DIR and `serve` adds them up on METRICS_BIND, a port of its own that
nginx never passes on (gunicorn.conf.py); `manage.py deliver_mail` serves its own the same way."""

import os
import time

from flask import Flask, Response, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess, start_http_server
from sqlalchemy import Engine, event
from sqlalchemy.pool import QueuePool

from project.extensions import db

# OpenTelemetry's methods; any other is counted as _OTHER, so that no client can add label values.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
ROUTE = "project.metrics.route"  # the environ's key for the route's template (note_route)
# OpenTelemetry's advice for http.server.request.duration, in seconds.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)

REQUEST_DURATION = Histogram(
    "http_server_request_duration_seconds",
    "Duration of HTTP server requests, by method, route template and status.",
    ["http_request_method", "http_route", "http_response_status_code"],
    buckets=DURATION_BUCKETS,
)
ACTIVE_REQUESTS = Gauge(
    "http_server_active_requests",
    "HTTP server requests in flight.",
    ["http_request_method"],
    multiprocess_mode="livesum",
)
# Each method's child, bound once (as the pools' are, in watch_pool).
IN_FLIGHT = {method: ACTIVE_REQUESTS.labels(method) for method in (*METHODS, "_OTHER")}
DB_CONNECTIONS = Gauge(
    "db_client_connection_count",
    "Database connections of the pools, by pool and state (used: checked out; idle: in the pool).",
    ["db_client_connection_pool_name", "db_client_connection_state"],
    multiprocess_mode="livesum",
)
DB_CONNECTIONS_MAX = Gauge(
    "db_client_connection_max",
    "How many connections the pools may hold at most.",
    ["db_client_connection_pool_name"],
    multiprocess_mode="livesum",
)
DB_TIMEOUTS = Counter(
    "db_client_connection_timeouts",
    "Requests that waited for a pool's connection until its timeout, and gave up.",
)
DEPENDENCY_ERRORS = Counter(
    "users_service_dependency_errors",
    "Times the database or Redis (the token store) could not be reached.",
    ["dependency"],
)
SIGN_INS = Counter("users_service_sign_ins", "Sign-ins, by outcome.", ["outcome"])
REPLICA_READS = Counter(
    "users_service_replica_reads",
    "Reads that could go to the read replica, by where they went: replica; primary (the client wrote lately); "
    "skipped (the replica failed or is too far behind).",
    ["route"],
)
MAILS_QUEUED = Counter("users_service_mails_queued", "Mails put in the outbox.")
MAIL_DELIVERIES = Counter(
    "users_service_mail_deliveries",
    "Mails handed to the SMTP server, by outcome: sent; failed (tried again later); dropped (refused for good).",
    ["outcome"],
)
MAIL_OUTBOX = Gauge(
    "users_service_mail_outbox_messages",
    "Mails in the outbox, waiting to be delivered, as the mail worker last counted them.",
    multiprocess_mode="mostrecent",
)


def init_app(app: Flask) -> None:
    """Measure every request, and the connections of the database's pools (the primary's, and the replica's)."""
    app.wsgi_app = RequestMetrics(app.wsgi_app)  # type: ignore[method-assign]
    app.after_request(note_route)
    with app.app_context():
        for name, engine in db.engines.items():
            watch_pool(name or "primary", engine)


class RequestMetrics:
    """WSGI middleware: a request is in flight while the app answers it, then counted with its duration under its
    method (an unknown one as _OTHER, so that no client adds values), its route's template (as note_route leaves it;
    "" when no route matched) and its status. Flask's before_request and teardown_request hooks did the same for
    more: callgrind counted GET /ping at 858,959 instructions with them and 771,669 with this (make instructions)."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"] if environ["REQUEST_METHOD"] in METHODS else "_OTHER"
        status = ""

        def start(status_line: str, headers: list, exc_info=None):
            nonlocal status
            status = status_line[:3]
            return start_response(status_line, headers, exc_info)

        in_flight = IN_FLIGHT[method]
        in_flight.inc()
        started = time.perf_counter()
        try:
            return self.app(environ, start)
        finally:
            in_flight.dec()
            if status:  # (none when an error escaped the app)
                labels = (method, environ.get(ROUTE, ""), status)
                REQUEST_DURATION.labels(*labels).observe(time.perf_counter() - started)


def note_route(response: Response) -> Response:
    """Leave the template of the route Flask matched where RequestMetrics reads it (the request is gone by then)."""
    if request.url_rule is not None:
        request.environ[ROUTE] = request.url_rule.rule
    return response


def watch_pool(name: str, engine: Engine) -> None:
    """Follow the pool's connections as they are checked out and in (SQLAlchemy's pool events). At a check-in the
    connection is not back in the pool yet: it counts as idle already. A pool's most is its size, the service's
    MySQL pools open no more (project.config): set as the process opens a connection, so in each worker that uses
    the pool (the master's value is not forked), not on every check-out."""
    if not isinstance(engine.pool, QueuePool):  # SQLite in memory: one connection per thread, nothing to watch
        return

    used, idle = (DB_CONNECTIONS.labels(name, state) for state in ("used", "idle"))

    def connected(*_) -> None:
        DB_CONNECTIONS_MAX.labels(name).set(engine.pool.size())

    def checked_out(*_) -> None:
        pool = engine.pool  # the engine's current one (a dispose makes it anew, with these listeners)
        used.set(pool.checkedout())
        idle.set(pool.checkedin())

    def checked_in(*_) -> None:
        pool = engine.pool
        used.set(pool.checkedout() - 1)
        idle.set(pool.checkedin() + 1)

    event.listen(engine, "connect", connected)
    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)


def serve(bind: str) -> None:
    """Serve the metrics on `bind` ("host:port") from a thread of this process: with PROMETHEUS_MULTIPROC_DIR set,
    every process's, added up; otherwise this process's own."""
    host, _, port = bind.rpartition(":")
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(int(port), host or "0.0.0.0", registry)
