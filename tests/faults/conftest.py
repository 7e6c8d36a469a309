"""The stack under fault: nginx -> gunicorn -> MariaDB and Redis as `scripts/test-faults` started them, and
the means to hurt it (stop MariaDB or Redis, kill workers, signal gunicorn, lock tables, connect from many
addresses)."""

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
import requests
from requests.adapters import HTTPAdapter

from project.answers import API_HEADERS, REQUEST_ID
from project.tests.contract import GOOD_PASSWORD
from tests.e2e.live import wait_until

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "scripts" / "stack"


class Stack:
    """Where the stack under test listens and keeps its files, and what it runs."""

    def __init__(self) -> None:
        self.port = int(os.environ.get("STACK_PORT", "8080"))
        self.app_port = int(os.environ.get("STACK_APP_PORT", "5001"))
        self.run_dir = Path(os.environ.get("STACK_RUN_DIR", f"/tmp/users-stack-{self.port}"))
        self.database = os.environ.get("STACK_DATABASE", "users_prod")
        self.hash_burst = int(os.environ.get("HASH_RATE_BURST", "5"))  # nginx's, as scripts/test-faults sets it
        self.url = f"http://127.0.0.1:{self.port}"
        self.app_url = f"http://127.0.0.1:{self.app_port}"

    def gunicorn_pid(self) -> int:
        return int((self.run_dir / "gunicorn.pid").read_text())

    def workers(self) -> set[int]:
        """The pids of gunicorn's workers (its master's children)."""
        pid = self.gunicorn_pid()
        return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}

    def service_password(self) -> str:
        """The password stack-up gave the database user `users`."""
        for line in (self.run_dir / "service.env").read_text().splitlines():
            if line.startswith("DATABASE_URL="):
                return line.split("users:", 1)[1].split("@", 1)[0]
        raise LookupError("no DATABASE_URL in service.env")

    def restart(self) -> None:
        """Bring the whole stack back after a test stopped part of it."""
        subprocess.run([STACK, "down"], check=True, capture_output=True)
        subprocess.run([STACK, "up"], check=True, capture_output=True)


class SourceAddress(HTTPAdapter):
    """Connect from a given loopback address: each is its own client to nginx's per-address limits."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(pool_maxsize=4)

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client(address: str) -> requests.Session:
    """A session whose connections come from `address` (any of 127.0.0.0/8)."""
    session = requests.Session()
    session.mount("http://", SourceAddress(address))
    return session


@pytest.fixture(scope="session")
def stack() -> Stack:
    stack = Stack()
    response = requests.get(f"{stack.url}/health", timeout=5)
    assert response.status_code == 200, "the stack must run (scripts/test-faults starts it)"
    return stack


@pytest.fixture
def admin(stack) -> Iterator[pymysql.Connection]:
    """A root connection to the stack's database."""
    connection = pymysql.connect(host="127.0.0.1", port=3306, user="root", database=stack.database, autocommit=True)
    with connection:
        yield connection


@pytest.fixture
def tag() -> str:
    """A marker unique to this test, for the emails it creates."""
    return uuid.uuid4().hex[:12]


class MariaDB:
    """The machine's MariaDB, stopped and started as a whole."""

    def stop(self) -> None:
        subprocess.run(["mariadb-admin", "--protocol=TCP", "-h", "127.0.0.1", "-u", "root", "shutdown"], check=True)
        wait_until(lambda: subprocess.run(["pgrep", "-x", "mariadbd"]).returncode == 1, what="MariaDB exiting")

    def start(self) -> None:
        subprocess.run([ROOT / "scripts" / "mariadb-ready"], check=True, capture_output=True)

    def answers(self) -> bool:
        try:
            pymysql.connect(host="127.0.0.1", port=3306, user="root", connect_timeout=1).close()
        except pymysql.err.OperationalError:
            return False
        return True


@pytest.fixture
def mariadb() -> Iterator[MariaDB]:
    """MariaDB, restarted after the test whatever happened."""
    server = MariaDB()
    yield server
    if not server.answers():
        server.start()


class Redis:
    """The stack's own Redis (FAULTS_REDIS_PORT), which keeps nothing on disk."""

    def __init__(self) -> None:
        self.port = os.environ.get("FAULTS_REDIS_PORT", "6391")

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", self.port, "shutdown", "nosave"], capture_output=True)
        server = ["pgrep", "-f", f"redis-server 127.0.0.1:{self.port}"]
        wait_until(lambda: subprocess.run(server).returncode == 1, what="Redis exiting")

    def start(self) -> None:
        subprocess.run([ROOT / "scripts" / "redis-ready"], env={**os.environ, "REDIS_PORT": self.port}, check=True)

    def answers(self) -> bool:
        ping = subprocess.run(["redis-cli", "-p", self.port, "ping"], capture_output=True, text=True)
        return ping.stdout.strip() == "PONG"


@pytest.fixture
def redis() -> Iterator[Redis]:
    """The stack's Redis, started again after the test whatever happened."""
    server = Redis()
    yield server
    if not server.answers():
        server.start()


@pytest.fixture
def account(stack, tag) -> dict:
    """A user with a password, signed in through the stack: its id, email and Authorization header."""
    email = f"account-{tag}@example.com"
    body = {"username": "account", "email": email, "password": GOOD_PASSWORD}
    user = requests.post(f"{stack.url}/users", json=body, timeout=10).json()["data"]
    login = requests.post(f"{stack.url}/auth/login", json={"email": email, "password": GOOD_PASSWORD}, timeout=10)
    return {"id": user["id"], "email": email, "auth": {"Authorization": f"Bearer {login.json()['data']['token']}"}}


def envelope(message: str) -> dict:
    return {"status": "fail", "message": message}


@pytest.fixture(scope="session")
def app_headers(stack) -> dict[str, str | None]:
    """The security headers of an API answer the app makes, as they come through nginx: nginx repeats them on its
    own answers (nginx/templates/errors.inc.template), and this keeps the two from drifting apart."""
    answer = requests.get(f"{stack.url}/ping", timeout=5)
    return {name: answer.headers.get(name) for name in API_HEADERS}


def check_nginx_answer(headers, body: bytes, message: str, app_headers: dict, retry_after: str | None = None) -> None:
    """nginx's own answer: the envelope, as JSON, with the app's security headers, a request id, and Retry-After
    where the client is to try again."""
    assert json.loads(body) == envelope(message)
    assert headers["Content-Type"] == "application/json"
    assert {name: headers.get(name) for name in API_HEADERS} == app_headers
    assert REQUEST_ID.fullmatch(headers.get("X-Request-ID", ""))
    assert headers.get("Retry-After") == retry_after
