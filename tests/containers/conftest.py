"""The containers under test, built and run by Docker Compose from the repository's own files (scripts/
container-test builds the bases and runs this): the production stack and the development one, each a
compose project of its own, removed with its volumes when the tests end, whatever happened."""

import json
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.live import wait_until

ROOT = Path(__file__).resolve().parents[2]
DOCKER = "/usr/bin/docker"  # Debian's client: a newer one on the PATH may refuse to build without buildx
PORT = int(os.environ.get("CONTAINER_TEST_PORT", "8280"))  # nginx's HTTPS; the next ones for single containers
HTTP_PORT = PORT + 3  # nginx's plain HTTP, which sends clients to HTTPS
MAILDEV_PORTS = {"prod": PORT + 5, "dev": PORT + 6}  # each stack's mail catcher's web UI and REST API
PROMETHEUS_PORT = PORT + 7  # the production stack's Prometheus: its UI and HTTP API
EDGE_SUBNET = "10.89.44.0/24"  # not the compose file's default, which `make container-up` may be using
STAND_INS = os.environ.get("MYSQL_IMAGE", "").startswith("users-stand-in/")  # scripts/base-images sets it


def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    """Run the docker client; its output as text."""
    return subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout, check=check)


class Compose:
    """One compose project: a compose file, run with an env file of its own."""

    def __init__(self, project: str, file: str, env_file: Path) -> None:
        self.project, self.file, self.env_file = project, file, env_file

    def command(self, *args: str) -> list[str]:
        """The command line that runs `docker compose ARGS` on this project."""
        return [
            DOCKER,
            "compose",
            "-p",
            self.project,
            "-f",
            str(ROOT / self.file),
            "--env-file",
            str(self.env_file),
            *args,
        ]

    def __call__(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(self.command(*args), capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            pytest.fail(f"docker compose {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def container(self, service: str, number: int = 1) -> str:
        return f"{self.project}-{service}-{number}"

    def containers(self, service: str) -> list[str]:
        listed = self("ps", "--format", "{{.Name}}", service).stdout.split()
        return sorted(listed)

    def exec(self, service: str, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        return self("exec", "-T", service, *command, check=check)

    def inspect(self, container: str) -> dict:
        return json.loads(docker("inspect", container).stdout)[0]


def settings(tmp_path_factory, name: str, **values: str) -> Path:
    """An env file of fresh secrets (and these values), as an operator's .env would be."""
    path = tmp_path_factory.mktemp(name) / ".env"
    secrets_ = {key: secrets.token_urlsafe(24) for key in ("MYSQL_ROOT_PASSWORD", "MYSQL_PASSWORD", "SECRET_KEY")}
    path.write_text("".join(f"{key}={value}\n" for key, value in {**secrets_, **values}.items()))
    return path


def answers(url: str) -> bool:
    """Whether the URL answers 200."""
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def wait_for(url: str, timeout: float = 60) -> None:
    """Wait until the URL answers 200."""
    wait_until(lambda: answers(url), timeout, what=f"{url} answering")


def certificate(compose: Compose, path: Path) -> Path:
    """The certificate nginx serves, as a file clients can check it by."""
    path.write_text(compose.exec("nginx", "cat", "/etc/nginx/tls/certificate.pem").stdout)
    return path


@pytest.fixture(scope="session")
def prod(tmp_path_factory) -> Iterator[Compose]:
    """The production stack (docker-compose-prod.yml), HTTPS on PORT and plain HTTP on HTTP_PORT, up and
    healthy; its writes, and the requests that may hash a password, limited loosely enough for the end-to-end
    suite, as `make stack-test` does; its mail sent to the catcher (the profile mail-catcher) in the relay's
    place. While it runs, requests check its self-signed certificate by the file (REQUESTS_CA_BUNDLE), never by
    nothing."""
    env_file = settings(
        tmp_path_factory, "prod", HTTPS_PORT=str(PORT), HTTP_PORT=str(HTTP_PORT), EDGE_SUBNET=EDGE_SUBNET,
        WRITE_RATE_LIMIT="100r/s", WRITE_RATE_BURST="500", HASH_RATE_LIMIT="100r/s", HASH_RATE_BURST="500",
        PUBLIC_URL=f"https://localhost:{PORT}", COMPOSE_PROFILES="mail-catcher", MAIL_SERVER="mail-catcher",
        MAIL_PORT="1025", MAILDEV_PORT=str(MAILDEV_PORTS["prod"]), PROMETHEUS_PORT=str(PROMETHEUS_PORT),
    )  # fmt: skip
    compose = Compose("users-ct-prod", "docker-compose-prod.yml", env_file)
    # The engine's events for the project, recorded as they come: its own buffer keeps only the last 256, which
    # the health checks' execs outrun within minutes.
    compose.events = env_file.parent / "events.jsonl"
    label = f"label=com.docker.compose.project={compose.project}"
    with open(compose.events, "w") as events:
        since = str(time.time())  # (from its buffer the events before the watcher is listening, if any)
        watcher = subprocess.Popen(
            [DOCKER, "events", "--since", since, "--filter", label, "--format", "{{json .}}"], stdout=events
        )
    try:
        compose("up", "-d", "--build", "--wait", timeout=1200)
        compose.certificate = certificate(compose, env_file.parent / "certificate.pem")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("REQUESTS_CA_BUNDLE", str(compose.certificate))
            yield compose
    finally:
        compose("down", "--volumes", "--remove-orphans", check=False)
        watcher.terminate()
        watcher.wait(timeout=30)


@pytest.fixture(scope="module")
def dev(tmp_path_factory) -> Iterator[Compose]:
    """The development stack (docker-compose.yml), up and healthy, running as this machine's user."""
    env_file = settings(
        tmp_path_factory, "dev", DEV_PORT=str(PORT + 2), HOST_UID=str(os.getuid()), HOST_GID=str(os.getgid()),
        MAILDEV_PORT=str(MAILDEV_PORTS["dev"]),
    )  # fmt: skip
    compose = Compose("users-ct-dev", "docker-compose.yml", env_file)
    try:
        compose("up", "-d", "--build", "--wait", timeout=1200)
        yield compose
    finally:
        compose("down", "--volumes", "--remove-orphans", check=False)
