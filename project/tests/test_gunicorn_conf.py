"""gunicorn.conf.py: worker count from WEB_CONCURRENCY or the usable CPUs, and the settings the stack relies on."""

import json
import os
import runpy
import socket
import unittest
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from gunicorn.config import Config
from gunicorn.workers.gthread import ThreadWorker

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def settings(**environment: str) -> dict:
    """The module-level settings gunicorn.conf.py defines under this environment."""
    names = ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_BIND", "GUNICORN_PIDFILE")
    kept = {name: value for name, value in os.environ.items() if name not in names}
    with mock.patch.dict(os.environ, {**kept, **environment}, clear=True):
        return runpy.run_path(str(CONF))


class TestGunicornConf(unittest.TestCase):
    def test_workers_follow_the_cpus_this_process_may_use(self):
        self.assertEqual(settings()["workers"], 2 * len(os.sched_getaffinity(0)) + 1)
        with mock.patch("os.sched_getaffinity", return_value={0}):
            self.assertEqual(settings()["workers"], 3)

    def test_web_concurrency_wins(self):
        self.assertEqual(settings(WEB_CONCURRENCY="7")["workers"], 7)
        self.assertEqual(settings(WEB_CONCURRENCY="")["workers"], 2 * len(os.sched_getaffinity(0)) + 1)

    def test_settings(self):
        conf = settings(GUNICORN_BIND="0.0.0.0:5000")
        self.assertEqual(
            {name: conf[name] for name in ("bind", "threads", "timeout", "graceful_timeout")},
            {"bind": "0.0.0.0:5000", "threads": 4, "timeout": 30, "graceful_timeout": 30},
        )
        self.assertTrue(issubclass(conf["worker_class"], ThreadWorker))
        self.assertEqual((conf["accesslog"], conf["errorlog"], conf["worker_tmp_dir"]), ("-", "-", "/dev/shm"))
        self.assertGreater(conf["keepalive"], 60)  # outlives nginx's upstream keepalive_timeout
        self.assertTrue(conf["preload_app"])
        self.assertEqual(settings()["bind"], "127.0.0.1:8000")

    def test_gunicorns_own_errors_are_answered_in_the_envelope(self):
        write_error = settings()["write_json_error"]
        server, client = socket.socketpair()
        with server, client:
            write_error(server, 414, "URI Too Long", "Request Line is too large (6756 > 4094)")
            server.shutdown(socket.SHUT_WR)
            answer = client.makefile("rb").read().decode()
        head, body = answer.split("\r\n\r\n")
        self.assertEqual(
            head.split("\r\n"),
            ["HTTP/1.1 414 URI Too Long", "Connection: close", "Content-Type: application/json", "Content-Length: 45"],
        )
        self.assertEqual(json.loads(body), {"status": "fail", "message": "URI Too Long"})

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
