"""gunicorn settings for the service; the container's start script and `make stack-up` use this file."""

import json
import os
from datetime import UTC, datetime

from gunicorn import util
from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker


def cpus() -> int:
    """The CPUs this process may run on (its affinity mask, not the host's count)."""
    return len(os.sched_getaffinity(0))


class DrainingThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, closing its listening sockets as soon as it stops for good, so that new
    connections are refused at once while the requests in flight finish. (gthread closes them only after
    draining; meanwhile the kernel would queue connections that nobody serves.) On a reload or a worker
    restart the master and the other workers keep the socket open, and nothing is refused."""

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            for listener in self.sockets:
                listener.close()


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads suit a database-bound Flask app: a worker keeps serving while a thread waits on MySQL,
# and, unlike the sync worker, gthread keeps nginx's upstream connections alive.
worker_class = DrainingThreadWorker
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * cpus() + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
preload_app = True  # the app is built once, before forking: a config error stops the master with one line
timeout = 30
graceful_timeout = 30
keepalive = 75  # longer than nginx's upstream keepalive_timeout (60 s), so nginx closes idle connections first
accesslog = "-"
errorlog = "-"
pidfile = os.environ.get("GUNICORN_PIDFILE")  # `make stack-up` signals gunicorn through it
worker_tmp_dir = "/dev/shm"  # tmpfs: the workers' heartbeat files never wait on a disk
control_socket_disable = True  # no gunicornc; several instances can share a machine


class JsonAccessLogger(Logger):
    """gunicorn's logger, writing the access log as one JSON line per request."""

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": atoms.get("{x-request-id}o"),
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"],
            "status": int(atoms["s"]),
            "bytes": atoms["B"],
            "duration_ms": round(atoms["D"] / 1000, 3),
            "remote_addr": atoms["h"],  # the client's, once the app's ProxyFix has read X-Forwarded-For
            "user_agent": atoms["a"],
        }
        self.access_log.info(json.dumps(entry))


logger_class = JsonAccessLogger


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """Answer gunicorn's own errors (a request line or headers too long, a malformed request) in the
    service's JSON envelope instead of gunicorn's HTML page."""
    body = json.dumps({"status": "fail", "message": reason}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


util.write_error = write_json_error  # gunicorn's workers call util.write_error for every error of their own
