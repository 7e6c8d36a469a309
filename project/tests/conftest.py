"""Names the database the suite runs on, and writes a report that proves which one it was."""

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from project import create_app
from project.config import TestingConfig
from project.extensions import db

REPORTS = Path(os.environ.get("TEST_REPORTS_DIR") or Path(__file__).resolve().parents[2] / ".test-reports")
VERSION_QUERY = {
    "mysql": "SELECT VERSION()",
    "mariadb": "SELECT VERSION()",
    "sqlite": "SELECT 'SQLite ' || sqlite_version()",
}
outcomes = {"passed": 0, "failed": 0, "skipped": 0}


def database() -> tuple[str, str]:
    """The backend the tests use and the server's own version string, asked over a real connection."""
    with create_app(TestingConfig).app_context():
        backend = db.engine.dialect.name
        version = db.session.scalar(text(VERSION_QUERY[backend]))
        db.session.remove()
        db.engine.dispose()
    return backend, version


def pytest_report_header() -> str:
    backend, version = database()
    return f"database: {backend} ({version})"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or report.outcome != "passed":
        outcomes[report.outcome] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    backend, version = database()
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = {"backend": backend, "server_version": version, "exit_status": int(exitstatus), **outcomes}
    (REPORTS / f"tests-{backend}.json").write_text(json.dumps(report, indent=2) + "\n")
