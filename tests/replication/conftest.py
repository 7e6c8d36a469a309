"""Two MariaDB servers of the tests' own, on ports of their own: a primary and a replica that follows it by
GTID, read-only, with the service's database user (no SUPER) on both; and the app built on them."""

import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
import redis
from flask import Flask
from flask_migrate import upgrade

from project import create_app
from project.extensions import db
from tests.e2e.live import wait_until

PRIMARY_PORT = 3417
REPLICA_PORT = 3418
DATABASE = "users_replicated"
REDIS_TESTS = "redis://127.0.0.1:6379/15"  # the suite's own Redis database: the tests empty it
MARIADBD = shutil.which("mariadbd", path="/usr/sbin:/usr/bin") or "mariadbd"
# Each server starts from these options alone (no my.cnf): small, on loopback, logging to its datadir.
COMMON = ["--bind-address=127.0.0.1", "--skip-name-resolve", "--innodb-buffer-pool-size=32M", "--user=root"]
ROLES = {
    # Row-based binary log, as MySQL 8 writes by default; the service's user creates triggers without SUPER.
    "primary": ["--server-id=1", "--log-bin=binlog", "--binlog-format=ROW", "--log-bin-trust-function-creators=1"],
    # Only SUPER (READ ONLY ADMIN) could write here: the service's user cannot.
    "replica": ["--server-id=2", "--read-only=1", "--relay-log=relay"],
}


class Server:
    """One MariaDB server in a datadir of its own, administered as root over its socket."""

    def __init__(self, role: str, port: int, home: Path) -> None:
        self.role, self.port, self.datadir = role, port, home / role
        self.socket = str(home / f"{role}.sock")
        self.process: subprocess.Popen | None = None

    def install(self) -> None:
        subprocess.run(
            ["mariadb-install-db", "--no-defaults", f"--datadir={self.datadir}", "--user=root", "--skip-test-db"],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = [f"--datadir={self.datadir}", f"--port={self.port}", f"--socket={self.socket}"]
        options += [f"--log-error={self.datadir}/error.log", *COMMON, *ROLES[self.role]]
        self.process = subprocess.Popen([MARIADBD, "--no-defaults", *options])
        wait_until(self.answers, what=f"the {self.role} answering on port {self.port}")

    def stop(self) -> None:
        """A clean shutdown, waited for."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(60)
            self.process = None

    def answers(self) -> bool:
        ping = ["mariadb-admin", "--no-defaults", f"--socket={self.socket}", "--user=root", "ping"]
        return subprocess.run(ping, capture_output=True).returncode == 0

    def admin(self) -> pymysql.Connection:
        return pymysql.connect(unix_socket=self.socket, user="root", autocommit=True, connect_timeout=2)

    def run(self, *statements: str) -> list[tuple]:
        """Run statements as root; the last one's rows."""
        with self.admin() as connection, connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            return list(cursor.fetchall())


class Replication:
    """The primary and its replica, with lag injected on demand."""

    def __init__(self, home: Path) -> None:
        self.primary = Server("primary", PRIMARY_PORT, home)
        self.replica = Server("replica", REPLICA_PORT, home)
        self.password = secrets.token_urlsafe(16)

    def url(self, server: Server) -> str:
        return f"mysql+pymysql://users:{self.password}@127.0.0.1:{server.port}/{DATABASE}?charset=utf8mb4"

    def set_up(self) -> None:
        for server in (self.primary, self.replica):
            server.install()
            server.start()
        replication_password = secrets.token_urlsafe(16)
        self.primary.run(
            f"CREATE USER 'replication'@'127.0.0.1' IDENTIFIED BY '{replication_password}'",
            "GRANT REPLICATION SLAVE ON *.* TO 'replication'@'127.0.0.1'",
            f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
            f"CREATE USER 'users'@'127.0.0.1' IDENTIFIED BY '{self.password}'",
            f"GRANT ALL ON {DATABASE}.* TO 'users'@'127.0.0.1'",
            "GRANT SLAVE MONITOR ON *.* TO 'users'@'127.0.0.1'",  # SHOW REPLICA STATUS: how far behind it is
        )
        # From the primary's first transaction on: the database and the service's user come over too.
        self.replica.run(
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={PRIMARY_PORT}, MASTER_USER='replication',"
            f" MASTER_PASSWORD='{replication_password}', MASTER_USE_GTID=slave_pos",
            "START SLAVE",
        )
        self.caught_up()

    def caught_up(self) -> None:
        """Wait until the replica has applied everything the primary has written."""
        position = self.primary.run("SELECT @@gtid_binlog_pos")[0][0]
        waited = self.replica.run(f"SELECT MASTER_GTID_WAIT('{position}', 60)")[0][0]
        assert waited == 0, f"the replica did not reach {position}"

    def lag(self, seconds: int) -> None:
        """Apply each of the primary's transactions `seconds` after it was written (0: at once)."""
        self.replica.run("STOP SLAVE", f"CHANGE MASTER TO MASTER_DELAY={seconds}", "START SLAVE")

    def tear_down(self) -> None:
        for server in (self.replica, self.primary):
            server.stop()


@pytest.fixture(scope="session")
def replication() -> Iterator[Replication]:
    """A primary and its replica, with the service's schema migrated on the primary and replicated."""
    home = Path(tempfile.mkdtemp(prefix="users-replication-"))
    servers = Replication(home)
    try:
        servers.set_up()
        yield servers
    finally:
        servers.tear_down()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session", params=["sql", "redis"])
def app(request, replication: Replication) -> Iterator[Flask]:
    """The app on the primary, reading from the replica, with recent writers kept in the database or in Redis."""
    environment = pytest.MonkeyPatch()
    environment.setenv("DATABASE_TEST_URL", replication.url(replication.primary))
    environment.setenv("DATABASE_READ_TEST_URL", replication.url(replication.replica))
    if request.param == "redis":
        environment.setenv("REDIS_TEST_URL", REDIS_TESTS)
        redis.Redis.from_url(REDIS_TESTS).flushdb()
    else:
        environment.delenv("REDIS_TEST_URL", raising=False)
    app = create_app("project.config.TestingConfig")
    app.config.update(READ_YOUR_WRITES_SECONDS=2, REPLICA_RETRY_SECONDS=1, REPLICA_LAG_CHECK_SECONDS=0)
    with app.app_context():
        upgrade()
        replication.caught_up()
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    environment.undo()
