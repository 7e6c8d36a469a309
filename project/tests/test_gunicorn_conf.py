"""gunicorn.conf.py: workers from WEB_CONCURRENCY or the CPUs, within the connection budget; the access log."""

import json
import os
import re
import runpy
import unittest
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from gunicorn.config import Config

from project.config import DevelopmentConfig

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
NGINX_TEMPLATE = CONF.parent / "nginx" / "templates" / "default.conf.template"


def settings(**environment: str) -> dict:
    """The module-level settings gunicorn.conf.py defines under this environment."""
    names = (
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "GUNICORN_BIND",
        "GUNICORN_PIDFILE",
        "DATABASE_MAX_CONNECTIONS",
        "METRICS_BIND",
        "PROMETHEUS_MULTIPROC_DIR",
    )
    kept = {name: value for name, value in os.environ.items() if name not in names}
    with mock.patch.dict(os.environ, {**kept, **environment}, clear=True):
        return runpy.run_path(str(CONF))


MYSQL_URL = "mysql+pymysql://users:secret@db:3306/users_prod"
MYSQL_DEFAULT_MAX_CONNECTIONS = 151


def connections_per_instance(cpus: int, **environment: str) -> int:
    """What one instance may open at most on a machine with this many CPUs: workers x (pool + overflow)."""
    with mock.patch("os.sched_getaffinity", return_value=set(range(cpus))):
        workers = settings(**environment)["workers"]
    with mock.patch.dict(os.environ, {"DATABASE_URL": MYSQL_URL, **environment}):
        options = DevelopmentConfig().SQLALCHEMY_ENGINE_OPTIONS
    return workers * (options["pool_size"] + options["max_overflow"])


class TestGunicornConf(unittest.TestCase):
    def test_metrics_without_a_directory_for_the_workers_files_refuse_to_start(self):
        """Each worker would count alone: gunicorn stops, saying what is missing (scripts/start sets it)."""
        with self.assertRaises(SystemExit) as refused:
            settings(METRICS_BIND="127.0.0.1:9200")
        self.assertIn("METRICS_BIND needs PROMETHEUS_MULTIPROC_DIR", str(refused.exception))
        self.assertEqual(
            settings(METRICS_BIND="127.0.0.1:9200", PROMETHEUS_MULTIPROC_DIR="/tmp")["METRICS_BIND"], "127.0.0.1:9200"
        )

    def test_workers_follow_the_cpus_this_process_may_use(self):
        for cpus, workers in ((1, 3), (2, 5), (4, 9)):
            with mock.patch("os.sched_getaffinity", return_value=set(range(cpus))):
                self.assertEqual(settings()["workers"], workers)

    def test_web_concurrency_wins_within_the_connection_budget(self):
        self.assertEqual(settings(WEB_CONCURRENCY="7")["workers"], 7)
        self.assertEqual(settings(WEB_CONCURRENCY="40")["workers"], 12)  # 48 connections, 4 a worker
        self.assertEqual(settings(WEB_CONCURRENCY="40", DATABASE_MAX_CONNECTIONS="400")["workers"], 40)

    def test_three_instances_stay_under_mysqls_default_max_connections(self):
        for cpus in range(1, 17):
            with self.subTest(cpus=cpus):
                self.assertLessEqual(3 * connections_per_instance(cpus), MYSQL_DEFAULT_MAX_CONNECTIONS)

    def test_the_budget_can_be_capped(self):
        self.assertEqual(connections_per_instance(16, DATABASE_MAX_CONNECTIONS="20"), 20)
        self.assertEqual(connections_per_instance(16, DATABASE_MAX_CONNECTIONS="20", GUNICORN_THREADS="8"), 16)
        self.assertEqual(connections_per_instance(16, DATABASE_MAX_CONNECTIONS="1"), 4)  # one worker at least

    def test_threads_are_the_pool(self):
        self.assertEqual(settings(GUNICORN_THREADS="6")["threads"], 6)
        self.assertEqual(connections_per_instance(1, GUNICORN_THREADS="6"), 18)

    def test_gunicorn_bind_wins(self):
        self.assertEqual(settings(GUNICORN_BIND="0.0.0.0:5000")["bind"], "0.0.0.0:5000")

    def test_timeouts_fit_nginxs(self):
        """gunicorn keeps idle connections longer than nginx's upstream keepalive, so nginx closes them first,
        and answers (or times out a worker) before nginx gives up on reading."""
        conf, nginx = settings(), NGINX_TEMPLATE.read_text()
        upstream_keepalive = int(re.search(r"upstream users_service \{.*?keepalive_timeout (\d+)s;", nginx, re.S)[1])
        read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", nginx)[1])
        self.assertGreater(conf["keepalive"], upstream_keepalive)
        self.assertLess(conf["timeout"], read_timeout)

    def test_request_lines_nginx_passes_reach_the_app(self):
        """nginx's header buffer holds a request line and its CRLF: gunicorn takes every line that fits."""
        nginx = NGINX_TEMPLATE.read_text()
        buffer_kib = int(re.search(r"large_client_header_buffers \d+ (\d+)k;", nginx)[1])
        self.assertGreaterEqual(settings()["limit_request_line"], buffer_kib * 1024 - 2)

    def test_headers_nginx_passes_reach_the_app(self):
        """As many headers as nginx's buffers hold (the shortest is three bytes, "a:" and its LF), each as long as a
        buffer holds and then some, for the client's address (IPv6 at its longest) nginx adds to X-Forwarded-For."""
        nginx = NGINX_TEMPLATE.read_text()
        buffers, buffer_kib = map(int, re.search(r"large_client_header_buffers (\d+) (\d+)k;", nginx).groups())
        conf = settings()
        self.assertGreaterEqual(conf["limit_request_fields"], buffers * buffer_kib * 1024 // len("a:\n"))
        longest_address = ", ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
        self.assertGreaterEqual(conf["limit_request_field_size"], buffer_kib * 1024 + len(longest_address))

    def test_the_access_log_is_one_json_line_per_request(self):
        conf = settings()
        config = Config()
        config.set("accesslog", "-")
        logger = conf["JsonAccessLogger"](config)
        response = SimpleNamespace(status="201 CREATED", sent=163, headers=[("X-Request-ID", "req-7")])
        request = SimpleNamespace(headers=[("USER-AGENT", "curl/8")])
        environ = {
            "REQUEST_METHOD": "POST",
            "RAW_URI": "/users?x=1",
            "PATH_INFO": "/users",
            "QUERY_STRING": "x=1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "203.0.113.9",
            "HTTP_USER_AGENT": "curl/8",
        }
        with self.assertLogs("gunicorn.access", level="INFO") as logs:
            logger.access(response, request, environ, timedelta(milliseconds=12, microseconds=345))
        entry = json.loads(logs.records[0].getMessage())
        del entry["time"]
        self.assertEqual(
            entry,
            {
                "request_id": "req-7",
                "method": "POST",
                "path": "/users",
                "query": "x=1",
                "status": 201,
                "bytes": 163,
                "duration_ms": 12.345,
                "remote_addr": "203.0.113.9",
                "user_agent": "curl/8",
            },
        )
