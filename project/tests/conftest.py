"""Builds the schema once per run with the migrations, names the database and the token store the suite
runs on, and writes a report that proves which they were."""

import json
import os
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import text

from project.auth.stores import RedisStore, store
from project.extensions import db
from project.tests.base import ROOT, build_schema, free_port, testing_app
from project.tests.mailbox import Mailbox

# The suite's SMTP server listens where the testing app sends mail (TestingConfig's: 127.0.0.1, on this port).
os.environ["MAIL_TEST_PORT"] = os.environ.get("MAIL_TEST_PORT") or str(free_port())

REPORTS = Path(os.environ.get("TEST_REPORTS_DIR") or ROOT / ".test-reports")
VERSION_QUERY = {
    "mysql": "SELECT VERSION()",
    "mariadb": "SELECT VERSION()",
    "sqlite": "SELECT 'SQLite ' || sqlite_version()",
}
outcomes = {"passed": 0, "failed": 0, "skipped": 0}
# Hypothesis's deadline times each example: on a shared, busy machine it fails tests for being slow, which
# is not what they test.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


def database() -> tuple[str, str]:
    """The backend the tests use and the server's own version string, asked over a real connection."""
    with testing_app().app_context():
        backend = db.engine.dialect.name
        version = db.session.scalar(text(VERSION_QUERY[backend]))
        db.session.remove()
    return backend, version


def token_store() -> tuple[str, str | None]:
    """Where the tests keep tokens ("redis" or "sql"), and Redis's own version, asked over a real connection."""
    with testing_app().app_context():
        if isinstance(store(), RedisStore):
            return "redis", store().redis.info("server")["redis_version"]
    return "sql", None


def pytest_report_header() -> list[str]:
    backend, version = database()
    kind, redis_version = token_store()
    return [
        f"database: {backend} ({version})",
        f"tokens: {kind}" + (f" (Redis {redis_version})" if redis_version else ""),
    ]


@pytest.fixture(scope="session", autouse=True)
def schema() -> None:
    with testing_app().app_context():
        build_schema()


@pytest.fixture(scope="session")
def mailbox() -> Mailbox:
    """The SMTP server the testing app mails to, running for the whole run (a test may stop it for a while)."""
    server = Mailbox(int(os.environ["MAIL_TEST_PORT"]))
    server.start()
    yield server
    server.stop()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or report.outcome != "passed":
        outcomes[report.outcome] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    backend, version = database()
    kind, redis_version = token_store()
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = {"backend": backend, "server_version": version, "token_store": kind, "redis_version": redis_version}
    report |= {"exit_status": int(exitstatus), **outcomes}
    name = f"tests-{backend}-redis.json" if kind == "redis" else f"tests-{backend}.json"
    (REPORTS / name).write_text(json.dumps(report, indent=2) + "\n")
