"""Builds the schema once per run with the migrations, names the database the suite runs on, and writes a
report that proves which one it was."""

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from project.extensions import db
from project.tests.base import ROOT, build_schema, testing_app

REPORTS = Path(os.environ.get("TEST_REPORTS_DIR") or ROOT / ".test-reports")
VERSION_QUERY = {
    "mysql": "SELECT VERSION()",
    "mariadb": "SELECT VERSION()",
    "sqlite": "SELECT 'SQLite ' || sqlite_version()",
}
outcomes = {"passed": 0, "failed": 0, "skipped": 0}


def database() -> tuple[str, str]:
    """The backend the tests use and the server's own version string, asked over a real connection."""
    with testing_app().app_context():
        backend = db.engine.dialect.name
        version = db.session.scalar(text(VERSION_QUERY[backend]))
        db.session.remove()
    return backend, version


def pytest_report_header() -> str:
    backend, version = database()
    return f"database: {backend} ({version})"


@pytest.fixture(scope="session", autouse=True)
def schema() -> None:
    with testing_app().app_context():
        build_schema()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or report.outcome != "passed":
        outcomes[report.outcome] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    backend, version = database()
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = {"backend": backend, "server_version": version, "exit_status": int(exitstatus), **outcomes}
    (REPORTS / f"tests-{backend}.json").write_text(json.dumps(report, indent=2) + "\n")
