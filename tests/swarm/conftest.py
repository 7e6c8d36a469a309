"""The swarm stack scripts/swarm deployed, seen from outside: the docker client, the service's tasks, and a
steady load of reads and writes through nginx, on kept-alive connections, that keeps every answer it got."""

import os
import re
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
import requests

from bench.run import WRK_SCRIPTS, figures
from tests.e2e.live import wait_until

DOCKER = "/usr/bin/docker"  # Debian's client, as scripts/swarm uses
STACK = os.environ.get("SWARM_STACK", "users")
SERVICE = f"{STACK}_users-service"
BASE_URL = f"https://127.0.0.1:{os.environ.get('HTTPS_PORT', '8443')}"  # REQUESTS_CA_BUNDLE: its certificate
PUBLIC_URL = os.environ.get("PUBLIC_URL", "https://localhost:8443")  # the links' address, as scripts/swarm sets it
CATCHER = f"http://127.0.0.1:{os.environ.get('MAILDEV_PORT', '1080')}"  # deploy/swarm/mail-catcher.yml's


def docker(*args: str, timeout: float = 600) -> str:
    """Run the docker client; its output."""
    done = subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        pytest.fail(f"docker {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def instances() -> list[str]:
    """The ids of the service's running containers."""
    label = f"label=com.docker.swarm.service.name={SERVICE}"
    return docker("ps", "--quiet", "--no-trunc", "--filter", label, "--filter", "status=running").split()


def healthy(count: int) -> bool:
    """Whether the service runs exactly `count` containers, each healthy (one told to stop runs on a while)."""
    running = instances()
    states = subprocess.run(
        [DOCKER, "inspect", "--format", "{{.State.Health.Status}}", *running], capture_output=True, text=True
    )
    return len(running) == count and states.returncode == 0 and states.stdout.split() == ["healthy"] * count


def nginx_failures(since: str) -> list[str]:
    """nginx's log lines since `since` (a docker timestamp) that answered 4xx or 5xx, or are its error log's."""
    log = subprocess.run(
        [DOCKER, "service", "logs", "--raw", "--since", since, f"{STACK}_nginx"], capture_output=True, text=True
    )
    lines = (log.stdout + log.stderr).splitlines()
    return [line for line in lines if re.search(r'"status":[45]|\[(warn|error|crit)\]', line)]


def wait_for_instances(count: int) -> None:
    """Wait until the service runs `count` healthy tasks."""
    wait_until(lambda: healthy(count), 180, what=f"{count} healthy instances of {SERVICE}")


def served_by(request_ids: list[str]) -> dict[str, int]:
    """How many of these requests each running instance served, by the request ids in its access log."""
    logs = {id_[:12]: docker("logs", id_) for id_ in instances()}
    return {id_: sum(request_id in log for request_id in request_ids) for id_, log in logs.items()}


class KeepAliveClients:
    """wrk's connections, kept alive as browsers and HTTP libraries keep them, reading a user through nginx as
    fast as it answers until stopped: a connection closed under a request counts as a read error (an answer
    slower than the load's 60 s, as a timeout)."""

    CONNECTIONS = 8

    def __init__(self, user_id: int) -> None:
        url = f"{BASE_URL}/users/{user_id}"
        command = ["wrk", "-t2", f"-c{self.CONNECTIONS}", "-d1h", "--timeout", "60s", "-s", "get.lua", url]
        self.process = subprocess.Popen(command, cwd=WRK_SCRIPTS, stdout=subprocess.PIPE, text=True)

    def stop(self) -> dict:
        """Stop wrk (as Ctrl-C does: it reports what it saw); its figures."""
        self.process.send_signal(signal.SIGINT)
        return figures(self.process.communicate(timeout=60)[0])


class Load:
    """A steady client through nginx: readers (one user, a page of the list) and writers (new users), each on a
    connection it keeps alive, keeping every answer (writes acknowledged with 201 are kept), and wrk's
    kept-alive readers beside them."""

    READERS, WRITERS, PAUSE = 3, 2, 0.02

    def __init__(self) -> None:
        self.tag, self.answers, self.stopping = uuid.uuid4().hex[:8], [], threading.Event()
        self.acknowledged: list[dict] = []
        self.reader_id = self.post(requests, f"reader-{self.tag}@example.com").json()["data"]["id"]
        self.keep_alive, self.keep_alive_figures = KeepAliveClients(self.reader_id), {}
        self.threads = [threading.Thread(target=self.read) for _ in range(self.READERS)]
        self.threads += [threading.Thread(target=self.write, args=(n,)) for n in range(self.WRITERS)]
        for thread in self.threads:
            thread.start()

    @staticmethod
    def post(client: requests.Session, email: str) -> requests.Response:
        return client.post(f"{BASE_URL}/users", json={"username": "load", "email": email}, timeout=60)

    def record(self, method: str, send, *args, **options) -> requests.Response | None:
        """Send a request (send(*args, **options)) and keep its status, or its error's name."""
        try:
            answer = send(*args, **options)
        except requests.RequestException as error:
            self.answers.append((method, type(error).__name__))
            return None
        self.answers.append((method, answer.status_code))
        return answer

    def read(self) -> None:
        client = requests.Session()
        while not self.stopping.is_set():
            self.record("GET", client.get, f"{BASE_URL}/users/{self.reader_id}", timeout=60)
            self.record("GET", client.get, f"{BASE_URL}/users?per_page=5", timeout=60)
            time.sleep(self.PAUSE)

    def write(self, writer: int) -> None:
        client, count = requests.Session(), 0
        while not self.stopping.is_set():
            count += 1
            answer = self.record("POST", self.post, client, f"load-{self.tag}-{writer}-{count}@example.com")
            if answer is not None and answer.status_code == 201:
                self.acknowledged.append(answer.json()["data"])
            time.sleep(self.PAUSE)

    def wait_for_more(self, count: int = 20) -> None:
        """Wait until `count` more requests were answered 2xx."""
        wanted = self.succeeded() + count
        wait_until(lambda: self.succeeded() >= wanted, 120, what=f"{count} more requests answered")

    def succeeded(self) -> int:
        return sum(1 for _, status in self.answers if status in (200, 201))

    def stop(self) -> Counter:
        """Stop; the failed requests, counted by method and status (or error), and wrk's, by kind."""
        self.stopping.set()
        for thread in self.threads:
            thread.join()
        if not self.keep_alive_figures:
            self.keep_alive_figures = self.keep_alive.stop()
        kept_alive = {("wrk", kind): count for kind, count in self.keep_alive_figures["errors"].items()}
        return Counter(answer for answer in self.answers if answer[1] not in (200, 201)) + Counter(kept_alive)

    def report(self) -> str:
        methods = Counter(method for method, _ in self.answers)
        wrk_requests = self.keep_alive_figures["requests"]
        return f"{dict(methods)} requests, {len(self.acknowledged)} writes acknowledged, wrk {wrk_requests} requests"

    def all_stored(self) -> bool:
        """Whether every acknowledged write reads back as it was answered."""
        return all(
            requests.get(f"{BASE_URL}/users/{user['id']}", timeout=10).json()["data"] == user
            for user in self.acknowledged
        )


@pytest.fixture
def load() -> Iterator[Load]:
    """A load running through the test (stopped by the test, or at its end), on 3 healthy instances."""
    wait_for_instances(3)
    running = Load()
    running.wait_for_more()
    yield running
    running.stop()
