"""`make bench`: the service through nginx -> gunicorn -> MariaDB, measured side by side with baselines.

Speed is only ever compared within this one command: each scenario alternates the service with its
baselines, round after round, on the same machine at the same time, and reports their ratios.
Writes the table to stdout, and .artifacts/bench/results.json and results.png.
"""

import json
import operator
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import pymysql
from flask import Flask

from project.api.cursors import encode
from project.users.reads import NEWEST_FIRST, Place

ROOT = Path(__file__).resolve().parents[1]
WRK_SCRIPTS = Path(__file__).parent / "wrk"
OUT = ROOT / ".artifacts" / "bench"
BIN = ROOT / ".venv" / "bin"
# Where it runs, from the environment; the defaults are CI's. nginx serves the service on BENCH_PORT and gunicorn
# on BENCH_APP_PORT, the baselines on the ports after those; each nginx keeps its files in BENCH_RUN_DIR-<its port>.
# The service connects as BENCH_DB_USER to BENCH_DATABASE (whose tables are dropped at the end), and keeps tokens
# in BENCH_REDIS_URL (unset: the stack's own default).
PORT = int(os.environ.get("BENCH_PORT") or 8070)
APP_PORT = int(os.environ.get("BENCH_APP_PORT") or 5071)
RUN_DIR = os.environ.get("BENCH_RUN_DIR") or "/tmp/users-bench"
DATABASE = os.environ.get("BENCH_DATABASE") or "users_test"
DB_USER = os.environ.get("BENCH_DB_USER") or "users"
REDIS_URL = os.environ.get("BENCH_REDIS_URL")
GRANTED_BY_CREATE_SQL = ("users", "users_test")  # project/db/create.sql lets the service's user use its test database
ROOT_URL = f"mysql+pymysql://root:@127.0.0.1:3306/{DATABASE}?charset=utf8mb4"
# The production config as the benchmarks run it in-process or without a stack: it needs where links point and mail
# goes, and no worker delivers here (mails, if any, stay in the outbox).
PRODUCTION = {
    "APP_SETTINGS": "project.config.ProductionConfig",
    "PUBLIC_URL": "http://127.0.0.1",
    "MAIL_SERVER": "127.0.0.1",
}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = 32  # enough to keep every worker thread busy
# At 1,000,000 rows, besides the first page: other sorts, a filter no row matches, a deep page.
OTHER_PAGES = {f"1M, {query}": query for query in ("sort=email", "sort=-username", "active=false", "page=25000")}
LATENCY_CONNECTIONS = 4  # the page scenario measures latency, not a saturated queue
STACK = {
    "STACK_PORT": str(PORT),
    "STACK_APP_PORT": str(APP_PORT),
    "STACK_RUN_DIR": f"{RUN_DIR}-{PORT}",
    "STACK_DB_USER": DB_USER,
    **({"STACK_REDIS_URL": REDIS_URL} if REDIS_URL else {}),
}
# One load generator is one client address: the write limits would measure themselves, not the service.
UNLIMITED_WRITES = {
    "WRITE_RATE_LIMIT": "1000000r/s",
    "WRITE_RATE_BURST": "1000000",
    "HASH_RATE_LIMIT": "1000000r/s",
    "HASH_RATE_BURST": "1000000",
}
SERVICE = f"http://127.0.0.1:{PORT}"
# (GET /ping against minimal Flask is measured, no longer a target: the service's own layers are plain Flask.)
TARGETS = {
    "user": ("GET /users/<id>: service / Flask + Flask-SQLAlchemy, both behind nginx", 0.8, ">="),
    "create": ("POST /users: service / raw PyMySQL app, both behind nginx", 0.6, ">="),
    "create_floor": ("POST /users: service / Flask + Flask-SQLAlchemy + flask-smorest, both behind nginx", 0.8, ">="),
    "create_tail": ("POST /users p99 / p50, service, 32 connections", 5.0, "<"),
    "page": ("GET /users page p50: 1,000,000 rows / 10 rows", 1.5, "<="),
    "cursor": ("GET /users by cursor p50, 1,000,000 rows: page 25,000 / page 1", 2.0, "<="),
    "seed": ("seed_db --count 100000 (s)", 10.0, "<="),
}


def run(*command: str | Path, env: dict | None = None, **options) -> str:
    """Run a command to its end; its standard output."""
    return subprocess.run(
        [str(part) for part in command],
        env={**os.environ, **(env or {})},
        check=True,
        capture_output=True,
        text=True,
        **options,
    ).stdout


def wait_for_port(port: int, seconds: float = 60) -> None:
    """Wait until something listens on this local port (gunicorn preloads the app before it listens)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class Gunicorn:
    """A baseline app under gunicorn, with the service's own gunicorn.conf.py (the same worker settings), its log
    written to a file as the stack's is (BENCH_RUN_DIR-<port>/gunicorn.log): a line a request, which costs."""

    def __init__(self, app: str, port: int, env: dict | None = None) -> None:
        self.port = port
        run_dir = Path(f"{RUN_DIR}-{port}")
        run_dir.mkdir(parents=True, exist_ok=True)
        with open(run_dir / "gunicorn.log", "w") as log:
            self.process = subprocess.Popen(
                [BIN / "gunicorn", "--config", ROOT / "gunicorn.conf.py", app],
                cwd=ROOT,
                env={**os.environ, **(env or {}), "GUNICORN_BIND": f"127.0.0.1:{port}"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(port)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


class Nginx:
    """nginx from the service's own template, in front of a baseline app."""

    def __init__(self, port: int, upstream_port: int) -> None:
        self.env = {
            "STACK_PORT": str(port),
            "STACK_APP_PORT": str(upstream_port),
            "STACK_RUN_DIR": f"{RUN_DIR}-{port}",
            **UNLIMITED_WRITES,
        }
        run(ROOT / "scripts" / "stack", "render", env=self.env)
        self.conf = Path(self.env["STACK_RUN_DIR"]) / "nginx.conf"
        run("nginx", "-c", self.conf)
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        run("nginx", "-c", self.conf, "-s", "quit")


def wrk(url: str, script: str = "get.lua", *args: str, connections: int = CONNECTIONS) -> dict:
    """One wrk run: requests per second, latency percentiles and errors."""
    output = run(
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{SECONDS}s",
        "-s",
        script,
        url,
        "--",
        *args,
        cwd=WRK_SCRIPTS,
    )
    return figures(output)


def figures(output: str) -> dict:
    """What a wrk run printed (report.lua's JSON line): requests, their rate, latency percentiles and errors."""
    report = json.loads(next(line for line in reversed(output.splitlines()) if line.startswith("{")))
    errors = report["errors"]
    return {
        "requests": report["requests"],
        "requests_per_s": report["requests"] / (report["duration_us"] / 1e6),
        "p50_ms": report["latency_us"]["p50"] / 1000,
        "p99_ms": report["latency_us"]["p99"] / 1000,
        "non_2xx": errors["status"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "errors": errors,
    }


def side_by_side(variants: dict[str, Callable[[], dict]]) -> dict[str, dict]:
    """Alternate the variants round after round; per variant the median run, with every run's errors summed."""
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    for _ in range(ROUNDS):
        for name, measure in variants.items():
            runs[name].append(measure())
    return {
        name: {
            "requests_per_s": statistics.median(run["requests_per_s"] for run in measured),
            "p50_ms": statistics.median(run["p50_ms"] for run in measured),
            "p99_ms": statistics.median(run["p99_ms"] for run in measured),
            "non_2xx": sum(run["non_2xx"] for run in measured),
            "socket_errors": sum(run["socket_errors"] for run in measured),
            "runs": measured,
        }
        for name, measured in runs.items()
    }


def manage(*args: str) -> None:
    run(BIN / "python", ROOT / "manage.py", *args, env={"DATABASE_URL": ROOT_URL, "APP_SETTINGS": ""})


def seed(count: int) -> float:
    """Add `count` generated users; the wall time it took."""
    started = time.perf_counter()
    manage("seed_db", "--count", str(count))
    return time.perf_counter() - started


def database(query: str, *args: str, name: str | None = DATABASE) -> list[tuple]:
    """One statement as MariaDB's root, in this database (DATABASE unless named; None: none); the rows it returns."""
    connection = pymysql.connect(host="127.0.0.1", user="root", database=name, autocommit=True)
    with connection, connection.cursor() as cursor:
        cursor.execute(query, args or None)
        return list(cursor.fetchall())


def grant(database_name: str) -> Callable[[], None]:
    """Let the service's user (BENCH_DB_USER) use this database with every right, whatever a tree's migrations
    need; what takes the rights back. The user may not exist yet: `scripts/stack up` sets its real password."""
    database("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s", DB_USER, secrets.token_urlsafe(), name=None)
    database(f"GRANT ALL PRIVILEGES ON `{database_name}`.* TO %s@'%%'", DB_USER, name=None)
    return lambda: database(f"REVOKE ALL PRIVILEGES ON `{database_name}`.* FROM %s@'%%'", DB_USER, name=None)


def prepare_database() -> Callable[[], None]:
    """Fresh tables in the bench's database, which the service's user may use; what takes its rights back."""
    run(ROOT / "scripts" / "mariadb-ready", DATABASE)
    manage("recreate_db", "--yes")
    return (lambda: None) if (DB_USER, DATABASE) == GRANTED_BY_CREATE_SQL else grant(DATABASE)


def drop_tables() -> None:
    """Leave the bench's database as empty as the test suite leaves the test database."""
    database("DROP TABLE IF EXISTS users, user_counts, alembic_version")


def service_setting(name: str) -> str:
    """A setting of the stack's service: DATABASE_URL (its own user and password), SECRET_KEY, ..."""
    lines = (Path(STACK["STACK_RUN_DIR"]) / "service.env").read_text().splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith(f"{name}="))


def deep_cursor(page: int, per_page: int = 20) -> str:
    """The cursor of the users list's page `page` (newest first): the one the `next` link of the page before
    gives, made the same way with the service's key; checked to answer the users that page `page` answers."""
    offset = (page - 1) * per_page - 1  # the last user of the page before
    created_at, user_id = database(
        f"SELECT created_at, id FROM users ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET {offset}"
    )[0]
    signer = Flask(__name__)
    signer.secret_key = service_setting("SECRET_KEY")
    with signer.app_context():
        cursor = encode(NEWEST_FIRST, Place((created_at.replace(tzinfo=UTC), user_id)))
    by_cursor, by_number = (
        json.load(urllib.request.urlopen(f"{SERVICE}/users?per_page={per_page}&{query}"))["data"]["users"]
        for query in (f"cursor={cursor}", f"page={page}")
    )
    if not by_cursor or by_cursor != by_number:
        raise RuntimeError(f"the cursor of page {page} does not answer that page's users")
    return cursor


def page_latency(queries: dict[str, str]) -> dict:
    """Latency of the users list, one variant per query string ({label: query})."""
    return side_by_side(
        {
            label: lambda query=query: wrk(f"{SERVICE}/users?{query}", connections=LATENCY_CONNECTIONS)
            for label, query in queries.items()
        }
    )


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    versions = {
        "nginx": subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip(),
        "mariadb": database("SELECT VERSION()")[0][0],
        "python": platform.python_version(),
        "gunicorn": run(BIN / "gunicorn", "--version").strip(),
    }
    return {"cpu": cpu, "cpus_usable": len(os.sched_getaffinity(0)), "kernel": platform.release(), **versions}


def benchmark() -> dict:
    revoke = prepare_database()
    manage("seed_db", "--count", "8")  # with the two seed users: 10 rows
    servers: list = []

    def serve(app: str, offset: int, database_url: str | None = None) -> tuple[Gunicorn, Nginx]:
        """A baseline app on the offset-th port after the service's gunicorn, behind nginx on the one after
        that past the service's nginx; stopped at the end."""
        env = {"BENCH_DATABASE_URL": database_url} if database_url else None
        servers.append(app_server := Gunicorn(app, APP_PORT + offset, env))
        servers.append(proxy := Nginx(PORT + offset + 1, app_server.port))
        return app_server, proxy

    try:
        run(ROOT / "scripts" / "stack", "up", env={**STACK, "STACK_DATABASE": DATABASE, **UNLIMITED_WRITES})
        results: dict = {"machine": machine(), "scenarios": {}}
        pages = page_latency({"10 rows": "page=1"})

        hello, hello_nginx = serve("bench.baselines:hello", 1)
        _, floor_nginx = serve("bench.baselines:minimal_flask", 2)
        results["scenarios"]["ping"] = side_by_side(
            {
                "service (nginx)": lambda: wrk(f"{SERVICE}/ping"),
                "minimal Flask (nginx)": lambda: wrk(f"{floor_nginx.url}/ping"),
                "bare app (nginx)": lambda: wrk(f"{hello_nginx.url}/ping"),
                "bare app": lambda: wrk(f"http://127.0.0.1:{hello.port}/ping"),
            }
        )

        results["seed_100k_s"] = seed(100_000)
        pages |= page_latency({"100,000 rows": "page=1"})

        ids = OUT / "user_ids.txt"
        ids.write_text("\n".join(str(row[0]) for row in database("SELECT id FROM users ORDER BY RAND() LIMIT 10000")))
        service_url = service_setting("DATABASE_URL")
        raw, raw_nginx = serve("bench.baselines:raw_users", 3, service_url)
        _, orm_nginx = serve("bench.baselines:minimal_flask_sqlalchemy()", 4, service_url)
        results["scenarios"]["user"] = side_by_side(
            {
                "service (nginx)": lambda: wrk(SERVICE, "user_ids.lua", str(ids)),
                "Flask + Flask-SQLAlchemy (nginx)": lambda: wrk(orm_nginx.url, "user_ids.lua", str(ids)),
                "raw PyMySQL app (nginx)": lambda: wrk(raw_nginx.url, "user_ids.lua", str(ids)),
                "raw PyMySQL app": lambda: wrk(f"http://127.0.0.1:{raw.port}", "user_ids.lua", str(ids)),
            }
        )

        _, insert_nginx = serve("bench.baselines:raw_new_user", 5, service_url)
        _, floor_writes_nginx = serve("bench.baselines:minimal_flask_smorest()", 6, service_url)
        results["scenarios"]["create"] = side_by_side(
            {
                "service (nginx)": lambda: wrk(SERVICE, "new_users.lua", secrets.token_hex(4)),
                "Flask + Flask-SQLAlchemy + flask-smorest (nginx)": lambda: wrk(
                    floor_writes_nginx.url, "new_users.lua", secrets.token_hex(4)
                ),
                "raw PyMySQL app (nginx)": lambda: wrk(insert_nginx.url, "new_users.lua", secrets.token_hex(4)),
            }
        )

        seed(1_000_000 - database("SELECT COUNT(*) FROM users")[0][0])
        deep = {"1M, cursor of page 25,000": f"cursor={deep_cursor(25_000)}"}
        pages |= page_latency({"1,000,000 rows": "page=1", **OTHER_PAGES, **deep})
        results["scenarios"]["page"] = pages
        return results
    finally:
        for server in reversed(servers):
            server.stop()
        run(ROOT / "scripts" / "stack", "down", env=STACK)
        drop_tables()
        revoke()


def paired(scenarios: dict, scenario: str, variant: str, baseline: str, figure: str = "requests_per_s") -> float:
    """The median, over the rounds, of the variant's figure over the baseline's in the same round: the rounds
    alternate the variants seconds apart, so that what the machine's other load does to one round it does to
    both sides of its ratio."""
    measured, against = scenarios[scenario][variant]["runs"], scenarios[scenario][baseline]["runs"]
    return statistics.median(run[figure] / base[figure] for run, base in zip(measured, against, strict=True))


def ratios(results: dict) -> dict:
    """Each target's figure, and more ratios worth keeping; those of variants measured side by side are paired."""
    scenarios = results["scenarios"]

    def paired_in(scenario: str, variant: str, baseline: str, figure: str = "requests_per_s") -> float:
        return paired(scenarios, scenario, variant, baseline, figure)

    service = "service (nginx)"
    created = scenarios["create"][service]
    return {
        "ping": paired_in("ping", service, "minimal Flask (nginx)"),
        "ping_vs_bare_app": paired_in("ping", service, "bare app"),
        "ping_vs_bare_behind_nginx": paired_in("ping", service, "bare app (nginx)"),
        "ping_floor_vs_bare_behind_nginx": paired_in("ping", "minimal Flask (nginx)", "bare app (nginx)"),
        "user": paired_in("user", service, "Flask + Flask-SQLAlchemy (nginx)"),
        "user_vs_raw_app": paired_in("user", service, "raw PyMySQL app"),
        "user_vs_raw_behind_nginx": paired_in("user", service, "raw PyMySQL app (nginx)"),
        "create": paired_in("create", service, "raw PyMySQL app (nginx)"),
        "create_floor": paired_in("create", service, "Flask + Flask-SQLAlchemy + flask-smorest (nginx)"),
        "create_floor_vs_raw_app": paired_in(
            "create", "Flask + Flask-SQLAlchemy + flask-smorest (nginx)", "raw PyMySQL app (nginx)"
        ),
        "create_tail": created["p99_ms"] / created["p50_ms"],
        "page": scenarios["page"]["1,000,000 rows"]["p50_ms"] / scenarios["page"]["10 rows"]["p50_ms"],
        "cursor": paired_in("page", "1M, cursor of page 25,000", "1,000,000 rows", "p50_ms"),
        "seed": results["seed_100k_s"],
    }


def verdicts(results: dict) -> list[dict]:
    measured = results["ratios"]
    runs = [variant for scenario in results["scenarios"].values() for variant in scenario.values()]
    errors = sum(variant["non_2xx"] + variant["socket_errors"] for variant in runs)
    verdicts = [
        {
            "key": key,
            "target": label,
            "limit": limit,
            "measured": round(measured[key], 3),
            "met": {">=": operator.ge, "<=": operator.le, "<": operator.lt}[sense](measured[key], limit),
        }
        for key, (label, limit, sense) in TARGETS.items()
    ]
    return [
        *verdicts,
        {"target": "non-2xx and socket errors, all runs", "limit": 0, "measured": errors, "met": errors == 0},
    ]


def figure_lines(scenarios: dict, scenario_width: int, variant_width: int) -> list[str]:
    """A header, then one line per scenario and variant: requests per second, latencies and errors."""
    lines = [
        f"{'scenario':{scenario_width}} {'variant':{variant_width}} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'non-2xx':>8} {'sock err':>8}"
    ]
    for scenario, variants in scenarios.items():
        for name, figures in variants.items():
            lines.append(
                f"{scenario:{scenario_width}} {name:{variant_width}} {figures['requests_per_s']:9.0f} "
                f"{figures['p50_ms']:8.2f} {figures['p99_ms']:8.2f} "
                f"{figures['non_2xx']:8d} {figures['socket_errors']:8d}"
            )
    return lines


def table(results: dict) -> str:
    lines = figure_lines(results["scenarios"], 10, 34)
    lines.append("")
    lines += [f"ratio {name:34} {value:8.3f}" for name, value in results["ratios"].items()]
    lines.append("")
    for verdict in results["verdicts"]:
        status = "met   " if verdict["met"] else "MISSED"
        lines.append(f"{status} {verdict['target']:70} {verdict['measured']:>10} (limit {verdict['limit']})")
    return "\n".join(lines)


# The PNG's panels: a scenario, what its bars show, and the variant the others are compared with.
PANELS = {
    "ping": ("GET /ping", "requests_per_s", "requests / s", "service (nginx)", []),
    "user": ("GET /users/<id>, 100,000 rows", "requests_per_s", "requests / s", "service (nginx)", ["user"]),
    "create": (
        "POST /users",
        "requests_per_s",
        "requests / s",
        "service (nginx)",
        ["create", "create_floor", "create_tail"],
    ),
    "page": (
        "GET /users p50 (log scale), x its ratio to page 1 at 1M",
        "p50_ms",
        "p50 (ms)",
        "1,000,000 rows",
        ["page", "cursor"],
    ),
}


def chart(results: dict, path: Path) -> None:
    """One panel per scenario, its variants side by side, each bar labelled with its figure and its ratio to the
    panel's reference variant (the service; page 1 at 1,000,000 rows for latency), the targets in the titles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenarios = results["scenarios"]
    verdicts = {verdict["key"]: verdict for verdict in results["verdicts"] if "key" in verdict}
    figure, axes = plt.subplots(2, 2, figsize=(16, 11))
    for axis, (scenario, (title, shown, unit, reference, targets)) in zip(axes.flat, PANELS.items(), strict=True):
        names = list(scenarios[scenario])
        values = [scenarios[scenario][name][shown] for name in names]
        colours = ["#2563eb" if name == reference else "#94a3b8" for name in names]
        bars = axis.bar(range(len(names)), values, color=colours)
        for bar, name, value in zip(bars, names, values, strict=True):
            label = f"{value:,.0f}" if shown == "requests_per_s" else f"{value:,.1f} ms"
            if name != reference:
                label += "\n" + bar_ratio(scenarios, scenario, name, reference, shown)
            axis.annotate(label, (bar.get_x() + bar.get_width() / 2, value), ha="center", va="bottom", fontsize=8)
        axis.set_xticks(range(len(names)), [name.replace(" (nginx)", "\n(nginx)") for name in names], fontsize=8)
        axis.tick_params(axis="x", labelrotation=30 if scenario == "page" else 0)
        axis.set_ylabel(unit)
        if scenario == "page":
            axis.set_yscale("log")
        axis.margins(y=0.25)
        met = [
            f"{verdicts[key]['target']}: {verdicts[key]['measured']} ({'met' if verdicts[key]['met'] else 'MISSED'})"
            for key in targets
        ]
        axis.set_title("\n".join([title, *met]), fontsize=9)
    machine = results["machine"]
    figure.suptitle(
        f"users service benchmark: {machine['cpu']}, {machine['cpus_usable']} CPUs; rounds: {results.get('rounds')} "
        f"of {results.get('seconds_per_run')} s a variant; ratios are medians of the ratios within each round"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def bar_ratio(scenarios: dict, scenario: str, name: str, reference: str, shown: str) -> str:
    """How a bar compares with the panel's reference: the service's throughput over a baseline's, or a page's
    latency over page 1's (paired where they were measured side by side)."""
    if shown == "requests_per_s":
        return f"service / this: {paired(scenarios, scenario, reference, name):.2f}"
    if name.startswith("1M"):  # measured side by side with page 1 at 1,000,000 rows
        ratio = paired(scenarios, scenario, name, reference, shown)
    else:
        ratio = scenarios[scenario][name][shown] / scenarios[scenario][reference][shown]
    return f"x{ratio:.2f}"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results = benchmark()
    results["ratios"] = ratios(results)
    results["verdicts"] = verdicts(results)
    results["seconds"] = round(time.monotonic() - started)
    results["rounds"], results["seconds_per_run"], results["connections"] = ROUNDS, SECONDS, CONNECTIONS
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    chart(results, OUT / "results.png")
    print(table(results))
    print(f"\n{results['machine']}\nwritten: {OUT / 'results.json'}, {OUT / 'results.png'} ({results['seconds']} s)")


if __name__ == "__main__":
    main()
