"""The service's image run alone, as `docker run` runs it: on its embedded SQLite with the development
config, and refusing to start, in one line, with the production config and a secret missing."""

import uuid

import pytest
import requests

from tests.containers.conftest import PORT, docker, wait_for

IMAGE = "users-ct-prod-users-service"  # the production stack's, which compose built (test_production.py)


@pytest.fixture
def sqlite_service(prod):
    """The image with the development config and no DATABASE_URL, published on PORT + 1."""
    name = f"users-ct-sqlite-{uuid.uuid4().hex[:8]}"
    docker(
        "run", "--detach", "--name", name, "--publish", f"127.0.0.1:{PORT + 1}:5000",
        "--env", "APP_SETTINGS=project.config.DevelopmentConfig", IMAGE,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{PORT + 1}"
    finally:
        docker("rm", "--force", name, check=False)


def test_the_development_config_serves_on_its_embedded_sqlite(sqlite_service):
    wait_for(f"{sqlite_service}/health")
    added = requests.post(f"{sqlite_service}/users", json={"username": "lite", "email": "lite@example.com"}, timeout=10)
    assert added.status_code == 201
    user = added.json()["data"]
    assert requests.get(f"{sqlite_service}/users/{user['id']}", timeout=10).json() == {
        "status": "success",
        "data": user,
    }


def test_the_production_config_with_a_secret_missing_stops_in_one_line(prod):
    refused = docker(
        "run", "--rm", "--env", "DATABASE_URL=mysql+pymysql://u:p@db/users", IMAGE, check=False, timeout=60
    )
    assert refused.returncode == 1
    assert refused.stdout + refused.stderr == "Error: ProductionConfig needs SECRET_KEY set in the environment\n"
