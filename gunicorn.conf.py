"""gunicorn settings for the service; the container's start script and `make stack-up` use this file."""

import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gunicorn.glogging import Logger

from project.config import database_connections, metrics_bind, trusted_proxies, worker_threads


def cpus() -> int:
    """The CPUs this process may run on (its affinity mask, not the host's count)."""
    return len(os.sched_getaffinity(0))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads suit a database-bound Flask app: a worker keeps serving while a thread waits on MySQL,
# and, unlike the sync worker, gthread keeps nginx's upstream connections alive.
worker_class = "gthread"
threads = worker_threads()  # the app's pool holds as many connections per worker
# The connection budget: workers x threads stays within DATABASE_MAX_CONNECTIONS, whatever asks for more.
workers = min(int(os.environ.get("WEB_CONCURRENCY") or 2 * cpus() + 1), max(database_connections() // threads, 1))
preload_app = True  # the app is built once, before forking: a config error stops the master with one line
timeout = 30
graceful_timeout = 30
keepalive = 75  # longer than nginx's upstream keepalive_timeout (60 s), so nginx closes idle connections first
# gunicorn's largest: whatever request line nginx passes (its 8k header buffers) reaches the app, and a
# longer one gets nginx's 414 in the envelope, never gunicorn's own page.
limit_request_line = 8190
# No request nginx passes meets gunicorn's own (HTML) 431 page: gunicorn takes every header nginx passes. nginx
# cannot be told to refuse more than gunicorn's default 100 (1.22 has no directive that counts them; Debian's backports
# max_headers, 1000) and its four 8k buffers hold some 11,000 one-letter headers, so gunicorn takes its most, 32768;
# and a line may outgrow nginx's 8k by what nginx adds to it (the client's address on X-Forwarded-For).
limit_request_fields = 32768
limit_request_field_size = 16384
# X-Forwarded-Proto is believed from nginx alone: the same proxies the app believes (TRUSTED_PROXIES).
forwarded_allow_ips = ",".join(trusted_proxies())
accesslog = "-"
errorlog = "-"
pidfile = os.environ.get("GUNICORN_PIDFILE")  # `make stack-up` signals gunicorn through it
worker_tmp_dir = "/dev/shm"  # tmpfs: the workers' heartbeat files never wait on a disk
control_socket_disable = True  # no gunicornc; several instances can share a machine


# Metrics (project.metrics), when METRICS_BIND names where: prometheus_client's multiprocess mode. Each worker writes
# its metrics to files in PROMETHEUS_MULTIPROC_DIR, which the master's metrics server adds up at every scrape. The
# variable must be set before anything imports prometheus_client (importing the project does, above): scripts/start
# sets it, as prometheus_client's documentation asks, from the start-up script.
METRICS_BIND = metrics_bind()
if METRICS_BIND and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    raise SystemExit(
        "METRICS_BIND needs PROMETHEUS_MULTIPROC_DIR, a directory for the workers' metrics (scripts/start makes one)"
    )


def on_starting(server) -> None:
    """A start counts from nothing: the metrics directory is emptied (not on a reload, HUP, which keeps the counts)."""
    if METRICS_BIND:
        for entry in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def when_ready(server) -> None:
    """Serve the metrics of every worker, added up, from the master."""
    if METRICS_BIND:
        from project import metrics

        metrics.serve(METRICS_BIND)
        server.log.info("metrics on http://%s/metrics", METRICS_BIND)


def child_exit(server, worker) -> None:
    """A worker that exited (or was killed) is out of the live gauges (requests in flight, connections); its
    counters and histograms keep counting in the sums."""
    if METRICS_BIND:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


class JsonAccessLogger(Logger):
    """gunicorn's logger, writing the access log as one JSON line per request. It reads the few values it writes
    where gunicorn's atoms() reads them, without building atoms() itself (every request and response header and
    environ variable, and a formatted time): a line costs 15 µs of CPU instead of 28, for every request."""

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": next((value for name, value in resp.headers if name.lower() == "x-request-id"), None),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING"),
            "status": int(str(resp.status).split(None, 1)[0]),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time / timedelta(milliseconds=1), 3),
            "remote_addr": environ.get("REMOTE_ADDR", "-"),  # the client's, once the app's ProxyFix has read it
            "user_agent": environ.get("HTTP_USER_AGENT", "-"),
        }
        self.access_log.info(json.dumps(entry))


logger_class = JsonAccessLogger
