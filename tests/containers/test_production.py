"""The production stack in containers (docker-compose-prod.yml), as its operators meet it: healthy in order,
the end-to-end and browser suites through nginx, a reset mail delivered by the mail worker and its link
followed, a non-root service on read-only code, restarts and recreations while a client writes, three
instances behind nginx, and data kept in named volumes."""

import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.containers.conftest import MAILDEV_PORTS, PORT, ROOT, STAND_INS, certificate, docker, wait_for
from tests.containers.mailcatcher import reset_password_by_mail
from tests.e2e.live import wait_until

BASE_URL = f"https://127.0.0.1:{PORT}"
PUBLIC_URL = f"https://localhost:{PORT}"  # the links' address, as the stack's .env sets it
CATCHER = f"http://127.0.0.1:{MAILDEV_PORTS['prod']}"
# How long nginx keeps a name's addresses before it looks the name up again (its resolver's `valid`).
NGINX_TEMPLATE = (ROOT / "nginx/templates/default.conf.template").read_text()
RESOLVER_VALID_SECONDS = int(re.search(r"^resolver .* valid=(\d+)s", NGINX_TEMPLATE, re.M)[1])


def events(compose, *kinds: str) -> list[dict]:
    """The engine's events for the project's containers since it was brought up, of these kinds."""
    listed = [line for line in compose.events.read_text().splitlines(keepends=True) if line.endswith("\n")]
    return [event for event in map(json.loads, listed) if event.get("status") in kinds]


def first(compose, found: list[dict], service: str, status: str) -> int:
    """When the service's first container first reported this status (nanoseconds)."""
    name = compose.container(service)
    return min(
        event["timeNano"]
        for event in found
        if event["Actor"]["Attributes"]["name"] == name and event["status"] == status
    )


def test_healthchecks_turn_healthy_in_order(prod):
    """The database and Redis are healthy before the service starts, the service before nginx starts."""
    found = events(prod, "start", "health_status: healthy")
    healthy = {
        service: first(prod, found, service, "health_status: healthy")
        for service in ("users-db", "users-redis", "users-service", "nginx")
    }
    started = {service: first(prod, found, service, "start") for service in ("users-service", "nginx")}
    assert healthy["users-db"] < started["users-service"]
    assert healthy["users-redis"] < started["users-service"]
    assert healthy["users-service"] < started["nginx"]
    assert healthy["nginx"] > started["nginx"]


def test_the_end_to_end_and_browser_suites_pass_through_nginx(prod):
    # Not the test of nginx's upstream connections to gunicorn: it looks for them on this machine's loopback.
    # A request to nginx's published port reaches it from the gateway of nginx's network, the client nginx names.
    (network,) = prod.inspect(prod.container("nginx"))["NetworkSettings"]["Networks"].values()
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/e2e", "-m", "not shutdown", "-p", "no:cacheprovider",
         "--deselect", "tests/e2e/test_proxy.py::test_upstream_connections_are_kept_alive"],
        cwd=ROOT,
        env={
            **os.environ, "BASE_URL": BASE_URL, "E2E_TLS_CERTIFICATE": str(prod.certificate),
            "E2E_PUBLIC_URL": PUBLIC_URL, "E2E_MAILDEV_URL": CATCHER,  # the mail tests read the stack's catcher
            "E2E_CLIENT_ADDRESS": network["Gateway"],
        },
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    print(suite.stdout[-3000:])
    assert suite.returncode == 0, suite.stdout[-6000:] + suite.stderr[-2000:]


def test_a_reset_mail_goes_through_the_worker_to_the_catcher_and_its_link_resets_the_password(prod):
    reset_password_by_mail(BASE_URL, CATCHER, PUBLIC_URL)


def test_the_mail_worker_runs_as_the_services_user_on_read_only_code_and_stops_when_told(prod):
    container = prod.inspect(prod.container("mail-worker"))
    assert (container["Config"]["User"], container["HostConfig"]["ReadonlyRootfs"]) == ("10001:10001", True)
    assert container["Config"]["Cmd"] == ["python", "manage.py", "deliver_mail"]
    docker("stop", "--time", "30", prod.container("mail-worker"), timeout=60)
    assert prod.inspect(prod.container("mail-worker"))["State"]["ExitCode"] == 0  # SIGTERM, not the SIGKILL after
    prod("up", "-d", "--wait", "mail-worker")


def test_the_service_runs_as_a_user_of_its_own_on_read_only_code(prod):
    container = prod.inspect(prod.container("users-service"))
    assert (container["Config"]["User"], container["HostConfig"]["ReadonlyRootfs"]) == ("10001:10001", True)
    assert prod.exec("users-service", "id", "-u").stdout.strip() == "10001"
    owners = prod.exec("users-service", "stat", "-c", "%U %a", "/app/manage.py", "/app/project").stdout.split("\n")
    assert owners[:2] == ["root 644", "root 755"]
    refused = prod.exec("users-service", "touch", "/app/manage.py", "/app/instance/x", "/tmp/allowed", check=False)
    assert refused.returncode == 1  # the code is root's; the whole filesystem is read-only but its /tmp
    assert refused.stderr == (
        "touch: cannot touch '/app/manage.py': Permission denied\n"
        "touch: cannot touch '/app/instance/x': Read-only file system\n"
    )


class Writer:
    """A client adding users through nginx, 20 a second (under nginx's limit), keeping every answer (or
    failure) it got."""

    PAUSE = 0.05

    def __init__(self) -> None:
        self.tag, self.answers, self.stopping = uuid.uuid4().hex[:8], [], threading.Event()
        self.thread = threading.Thread(target=self.write)
        self.thread.start()

    def write(self) -> None:
        with requests.Session() as http:
            while not self.stopping.is_set():
                body = {"username": "writer", "email": f"writer-{self.tag}-{len(self.answers)}@example.com"}
                try:
                    answer = http.post(f"{BASE_URL}/users", json=body, timeout=60)
                    self.answers.append((answer.status_code, answer.json().get("data") if answer.ok else None))
                except requests.RequestException as error:
                    self.answers.append((type(error).__name__, None))
                time.sleep(self.PAUSE)

    def acknowledged(self) -> list[dict]:
        return [user for status, user in self.answers if status == 201]

    def wait_for_more(self, count: int = 10, timeout: float = 120) -> None:
        wanted, deadline = len(self.acknowledged()) + count, time.monotonic() + timeout
        while len(self.acknowledged()) < wanted:
            assert time.monotonic() < deadline, f"no writes acknowledged: {Counter(s for s, _ in self.answers[-20:])}"
            time.sleep(0.1)

    def stop(self) -> Counter:
        self.stopping.set()
        self.thread.join()
        return Counter(status for status, _ in self.answers if status != 201)


def test_restarts_and_recreations_while_a_client_writes(prod, capsys):
    """No acknowledged write is lost. While gunicorn stops (gracefully: what it is serving finishes) and its
    successor starts, nginx finds nothing listening and answers 502; those writes were not made."""
    writer = Writer()
    writer.wait_for_more()
    prod("restart", "users-service")
    wait_for(f"{BASE_URL}/health")
    writer.wait_for_more()
    prod("up", "-d", "--force-recreate", "--wait", "users-service")
    writer.wait_for_more()
    failed = writer.stop()
    acknowledged = writer.acknowledged()
    for user in acknowledged:
        assert requests.get(f"{BASE_URL}/users/{user['id']}", timeout=10).json()["data"] == user
    assert set(failed) <= {502, 503, 504}, failed
    with capsys.disabled():
        print(f"\n  writes: {len(acknowledged)} acknowledged, all stored; refused during the restarts: {dict(failed)}")


def add_user(email: str) -> int:
    """Add a user through nginx; the answer's status."""
    return requests.post(f"{BASE_URL}/users", json={"username": "late", "email": email}, timeout=60).status_code


def sql(statement: str) -> list[str]:
    """The command that runs SQL in the database container as root (the stand-in's client is MariaDB's)."""
    client = "mariadb" if STAND_INS else "mysql"
    return ["sh", "-c", f'{client} -N -uroot -p"$MYSQL_ROOT_PASSWORD" users_prod -e "{statement}"']


def waiting_inserts(prod) -> int:
    """How many of the service's inserts wait in the database."""
    waiting = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO users%'"
    return int(prod.exec("users-db", *sql(waiting)).stdout)


def test_requests_in_flight_finish_when_the_service_restarts(prod):
    """Inserts that a lock on the users table holds in gunicorn when it is told to stop: they finish."""
    lock = subprocess.Popen(prod.command("exec", "-T", "users-db", *sql("LOCK TABLES users WRITE; DO SLEEP(10)")))
    tag = uuid.uuid4().hex[:8]
    with ThreadPoolExecutor(4) as pool:
        time.sleep(1)  # the lock is taken
        posts = [pool.submit(add_user, f"late-{tag}-{n}@example.com") for n in range(4)]
        wait_until(lambda: waiting_inserts(prod) >= 4, 8, what="the inserts reaching the database")
        prod("restart", "users-service")  # returns once gunicorn has answered them, stopped and started again
        assert [post.result() for post in posts] == [201] * 4
    assert lock.wait(timeout=60) == 0
    wait_for(f"{BASE_URL}/health")


def test_nginx_spreads_requests_over_three_instances(prod):
    prod("up", "-d", "--wait", "--no-recreate", "--scale", "users-service=3")
    # nginx looks the name up again within seconds (its resolver's `valid`): until then, 60 requests more.
    ids: list[str] = []

    def served() -> dict[str, int]:
        ids.extend(f"spread-{uuid.uuid4().hex}" for _ in range(60))
        for request_id in ids[-60:]:
            assert requests.get(f"{BASE_URL}/users?per_page=1", headers={"X-Request-ID": request_id}, timeout=10).ok
        logs = {container: docker("logs", container).stdout for container in prod.containers("users-service")}
        return {container: sum(request_id in log for request_id in ids) for container, log in logs.items()}

    wait_until(lambda: all(served().values()), 30, what="each of the 3 instances serving requests")
    counts = served()
    print(f"\n  requests each instance served: {counts}")
    assert len(counts) == 3 and sum(counts.values()) == len(ids)
    prod("up", "-d", "--wait", "--no-recreate", "--scale", "users-service=1")
    # Until nginx looks the name up again, it may still pick a removed instance: a write there times out
    # connecting and is not retried (504). Compose, unlike the swarm, keeps no stopping instance in its DNS
    # for a while (STOP_DELAY), so the next test waits out the resolver's `valid`.
    time.sleep(RESOLVER_VALID_SECONDS + 1)


def test_data_outlives_down_and_up_and_down_volumes_removes_it(prod):
    """The users and nginx's self-signed certificate (requests check it by its file) are kept in volumes."""
    email = f"kept-{uuid.uuid4().hex[:8]}@example.com"
    user = requests.post(f"{BASE_URL}/users", json={"username": "kept", "email": email}, timeout=10).json()["data"]
    prod("down")
    prod("up", "-d", "--wait")
    assert requests.get(f"{BASE_URL}/users/{user['id']}", timeout=10).json()["data"] == user
    prod("down", "--volumes")
    volumes = docker("volume", "ls", "--quiet", "--filter", f"label=com.docker.compose.project={prod.project}")
    assert volumes.stdout.split() == []
    prod("up", "-d", "--wait")
    old = prod.certificate.read_text()
    assert certificate(prod, prod.certificate).read_text() != old  # a new one, made on this first start
    assert requests.get(f"{BASE_URL}/users?email={email}", timeout=10).json()["data"]["users"] == []
