"""gunicorn serving the metrics of all its workers, added up, on METRICS_BIND (gunicorn.conf.py): the counts of
every worker in one sum, kept when a worker is killed, and counted afresh at each start; the app's own port has
no /metrics."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from project.tests.base import free_port
from tests.e2e.live import wait_until

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKERS = 2
SENT = 40


class Served:
    """scripts/start serving a SQLite database in a folder of its own (it execs gunicorn: `server` is the master)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port, self.metrics_port = folder, free_port(), free_port()
        unset = ("REDIS_URL", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR", "STOP_DELAY")
        self.env = {
            **{name: value for name, value in os.environ.items() if name not in unset},
            "APP_SETTINGS": "project.config.DevelopmentConfig",
            "DATABASE_URL": f"sqlite:///{folder}/users.db",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "METRICS_BIND": f"127.0.0.1:{self.metrics_port}",
            "WEB_CONCURRENCY": str(WORKERS),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }

    def start(self) -> None:
        with open(self.folder / "gunicorn.log", "ab") as log:
            self.server = subprocess.Popen(["scripts/start"], cwd=ROOT, env=self.env, stdout=log, stderr=log)
        wait_until(lambda: len(self.workers()) == WORKERS and self.answers(), 60, what="gunicorn and its metrics")
        environ = Path(f"/proc/{self.server.pid}/environ").read_bytes().split(b"\0")
        found = [entry.split(b"=", 1)[1] for entry in environ if entry.startswith(b"PROMETHEUS_MULTIPROC_DIR=")]
        self.metrics_dir = Path(found[0].decode())  # the one scripts/start made, or the one given

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=30)

    def answers(self) -> bool:
        try:
            requests.head(f"http://127.0.0.1:{self.port}/ping", timeout=1)  # not one of the GETs counted
            requests.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=1)
        except requests.ConnectionError:
            return False
        return True

    def workers(self) -> list[int]:
        """The master's children: its workers."""
        if self.server.poll() is not None:
            pytest.fail((self.folder / "gunicorn.log").read_text())
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def count(self, route: str) -> float:
        """The GETs of this route counted over every worker, as a scrape reads them."""
        text = requests.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).text
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "http_server_request_duration_seconds_count"
            and (sample.labels["http_request_method"], sample.labels["http_route"]) == ("GET", route)
        )

    def send(self, count: int) -> None:
        with requests.Session() as session:
            for _ in range(count):
                session.get(f"http://127.0.0.1:{self.port}/ping", timeout=5, headers={"Connection": "close"})


@pytest.fixture
def served(tmp_path):
    served = Served(tmp_path)
    served.start()
    yield served
    served.stop()


def test_every_workers_requests_are_in_one_sum_which_a_killed_worker_keeps(served):
    served.send(SENT)
    assert served.count("/ping") == SENT
    killed = next(pid for pid in served.workers() if (served.metrics_dir / f"histogram_{pid}.db").exists())
    os.kill(killed, signal.SIGKILL)
    wait_until(lambda: killed not in served.workers() and len(served.workers()) == WORKERS, what="a new worker")
    assert served.count("/ping") == SENT  # the killed worker's files stay; only its live gauges go
    assert not list(served.metrics_dir.glob(f"gauge_livesum_{killed}.db"))
    assert list(served.metrics_dir.glob(f"histogram_{killed}.db"))
    served.send(SENT)
    assert served.count("/ping") == 2 * SENT


def test_a_start_counts_afresh_and_the_apps_port_has_no_metrics(served):
    """Started again on the same directory (as `make stack-up` does, in its run folder): from nothing."""
    served.send(SENT)
    served.stop()
    served.env["PROMETHEUS_MULTIPROC_DIR"] = str(served.metrics_dir)
    served.start()
    assert served.count("/ping") == 0
    answer = requests.get(f"http://127.0.0.1:{served.port}/metrics", timeout=5)
    assert (answer.status_code, answer.json()["status"]) == (404, "fail")
