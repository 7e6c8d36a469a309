"""`make bench-writes`: what bounds POST /users, measured on a MariaDB of the bench's own (its own data directory
and port, started and stopped here: the machine's server is never reconfigured). Side by side, round after round,
for each innodb_flush_log_at_trx_commit: the service and the raw PyMySQL app at 32 connections, the service at
one connection (every commit waiting for its own log write), and, with the default setting, users with a
password (Argon2id); with the redo log flushes and row lock waits the server counted meanwhile. Writes the table
to stdout and .artifacts/bench/writes.json.
"""

import contextlib
import functools
import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pymysql

from bench.run import (
    BIN,
    OUT,
    PRODUCTION,
    ROOT,
    ROUNDS,
    RUN_DIR,
    SECONDS,
    Gunicorn,
    run,
    side_by_side,
    wait_for_port,
    wrk,
)

# The private server's port (BENCH_WRITES_PORT, 3370) and the service's and the raw app's gunicorn (the two ports
# from BENCH_WRITES_APP_PORT, 5075).
MARIADB_PORT = int(os.environ.get("BENCH_WRITES_PORT") or 3370)
APP_PORT = int(os.environ.get("BENCH_WRITES_APP_PORT") or 5075)
DATA_DIR = Path(f"{RUN_DIR}-writes-{MARIADB_PORT}")
DATABASE = "users_writes"
USER = "bench"  # made through the server's socket, for connections over TCP as the service's are
URL = f"mysql+pymysql://{USER}:@127.0.0.1:{MARIADB_PORT}/{DATABASE}?charset=utf8mb4"
# 1: every commit writes and flushes the redo log (the default: nothing committed is lost). 2: writes it, flushed
# once a second (a crash of the OS or the machine may lose that second). 0: neither (a crash of MariaDB may too).
FLUSH_SETTINGS = (1, 2, 0)
PASSWORD = "correct horse battery staple"
# What the server counts that says where commits wait: its fsyncs, the redo log's among them (fewer than commits when
# they are grouped), and row lock waits (the running totals' rows, which every insert updates).
COUNTED = ("Innodb_data_fsyncs", "Innodb_row_lock_waits")


@contextlib.contextmanager
def private_mariadb() -> Iterator[None]:
    """A MariaDB of the bench's own on MARIADB_PORT, data in DATA_DIR, gone when the block ends."""
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    DATA_DIR.mkdir(parents=True)
    shutil.chown(DATA_DIR, "mysql", "mysql")
    socket = DATA_DIR / "mariadb.sock"
    run(
        "mariadb-install-db",
        "--no-defaults",
        f"--datadir={DATA_DIR / 'data'}",
        "--user=mysql",
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--skip-name-resolve",
    )
    server = subprocess.Popen(
        [
            "mariadbd",
            "--no-defaults",
            f"--datadir={DATA_DIR / 'data'}",
            "--user=mysql",
            f"--port={MARIADB_PORT}",
            "--bind-address=127.0.0.1",
            f"--socket={socket}",
            f"--pid-file={DATA_DIR / 'mariadb.pid'}",
            "--skip-log-bin",
            "--innodb-buffer-pool-size=256M",
            "--max-connections=200",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(DATA_DIR / "mariadb.log").open("w"),
    )
    try:
        wait_for_port(MARIADB_PORT)
        as_root = pymysql.connect(unix_socket=str(socket), user="root", autocommit=True)
        with as_root, as_root.cursor() as cursor:
            cursor.execute(f"CREATE USER '{USER}'@'127.0.0.1'")
            cursor.execute(f"GRANT ALL PRIVILEGES ON *.* TO '{USER}'@'127.0.0.1'")
        yield
    finally:
        server.terminate()
        server.wait(timeout=120)
        shutil.rmtree(DATA_DIR, ignore_errors=True)


def sql(statement: str) -> list[tuple]:
    """One statement on the private server, as the bench's user (who may do anything there)."""
    connection = pymysql.connect(host="127.0.0.1", port=MARIADB_PORT, user=USER, autocommit=True)
    with connection, connection.cursor() as cursor:
        cursor.execute(statement)
        return list(cursor.fetchall())


def post(port: int, connections: int = 32, password: str | None = None) -> dict:
    """POST /users with new emails straight to a gunicorn, with a password or without."""
    args = [secrets.token_hex(4), *([password] if password else [])]
    return wrk(f"http://127.0.0.1:{port}", "new_users.lua", *args, connections=connections)


def server_counts() -> dict[str, int]:
    """The server's counts of COUNTED since it started."""
    names = ", ".join(f"'{name}'" for name in COUNTED)
    return {name: int(value) for name, value in sql(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})")}


def at(setting: int, measure: Callable[[], dict]) -> Callable[[], dict]:
    """The measurement, made with innodb_flush_log_at_trx_commit set to `setting` first, with what the server
    counted meanwhile."""

    def measured() -> dict:
        sql(f"SET GLOBAL innodb_flush_log_at_trx_commit = {setting}")
        before = server_counts()
        figures = measure()
        after = server_counts()
        return {**figures, **{name: after[name] - before[name] for name in COUNTED}}

    return measured


def measure() -> dict:
    """Every variant, for every setting, round after round."""
    variants = {}
    for setting in FLUSH_SETTINGS:
        variants |= {
            f"flush={setting}, service": at(setting, functools.partial(post, APP_PORT)),
            f"flush={setting}, raw PyMySQL app": at(setting, functools.partial(post, APP_PORT + 1)),
            f"flush={setting}, service, 1 connection": at(setting, functools.partial(post, APP_PORT, 1)),
        }
    # Hashing takes whole CPUs: more connections than workers would only queue (and time out, past 2 s).
    with_password = functools.partial(post, APP_PORT, 4, password=PASSWORD)
    variants["flush=1, service, 4 connections, with a password"] = at(1, with_password)
    return side_by_side(variants)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with private_mariadb():
        sql(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        settings = {"DATABASE_URL": URL, "APP_SETTINGS": ""}
        run(BIN / "python", ROOT / "manage.py", "db", "upgrade", env=settings)
        service_env = {**settings, **PRODUCTION, "SECRET_KEY": secrets.token_hex()}
        servers = [
            Gunicorn("manage:app", APP_PORT, service_env),
            Gunicorn("bench.baselines:raw_new_user", APP_PORT + 1, {"BENCH_DATABASE_URL": URL}),
        ]
        try:
            results = {"rounds": ROUNDS, "seconds": SECONDS, "variants": measure()}
            results["users_added"] = sql(f"SELECT COUNT(*) FROM {DATABASE}.users")[0][0]
        finally:
            for server in servers:
                server.stop()
    (OUT / "writes.json").write_text(json.dumps(results, indent=2) + "\n")
    base = results["variants"]["flush=1, service"]["requests_per_s"]
    print(
        f"{'variant':52} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs flush=1':>10} "
        f"{'fsyncs/insert':>13} {'lock waits/1000':>15}"
    )
    for name, figures in results["variants"].items():
        errors = figures["non_2xx"] + figures["socket_errors"]
        inserts = sum(run["requests"] for run in figures["runs"]) or 1
        fsyncs, waits = (sum(run[name] for run in figures["runs"]) for name in COUNTED)
        print(
            f"{name:52} {figures['requests_per_s']:7.0f} {figures['p50_ms']:8.2f} {figures['p99_ms']:8.2f} "
            f"{errors:7d} {figures['requests_per_s'] / base:10.2f} {fsyncs / inserts:13.2f} "
            f"{1000 * waits / inserts:15.2f}"
        )
    print(f"\nwritten: {OUT / 'writes.json'}")


if __name__ == "__main__":
    main()
