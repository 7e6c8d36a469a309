"""`make profile`: where the service's CPU goes under load, as py-spy flame graphs of every gunicorn worker.

The stack runs as for `make bench` (nginx -> gunicorn -> MariaDB, the same ports and database), and each scenario is
loaded with wrk while py-spy samples the workers (their own Python and the libraries', native frames left out).
Writes .artifacts/profiles/<scenario>.svg (open it in a browser: the wider a frame, the more of the CPU) and
<scenario>.txt (as many seconds more of samples, under the same load, one collapsed stack a line, for grep and
diff: py-spy writes one format a recording).
"""

import os
import secrets
import subprocess
import time
from pathlib import Path

from bench.run import (
    BIN,
    CONNECTIONS,
    DATABASE,
    OUT,
    ROOT,
    SERVICE,
    STACK,
    UNLIMITED_WRITES,
    WRK_SCRIPTS,
    database,
    drop_tables,
    manage,
    prepare_database,
    run,
)

PROFILES = ROOT / ".artifacts" / "profiles"
SECONDS = int(os.environ.get("BENCH_PROFILE_SECONDS") or 5)  # sampled for each form, under load all along
RATE = 250  # samples a second and worker
SCENARIOS = {  # the URL, the wrk script and its arguments (a file of ids, a tag that keeps emails unique)
    "ping": (f"{SERVICE}/ping", "get.lua", []),
    "get-user": (SERVICE, "user_ids.lua", [str(OUT / "user_ids.txt")]),
    "post-users": (SERVICE, "new_users.lua", [secrets.token_hex(4)]),
}


def record(master: str, name: str, target: str, script: str, arguments: list[str]) -> None:
    """Load the service with one scenario and sample its workers meanwhile, as a flame graph and as text."""
    load = subprocess.Popen(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{4 * SECONDS + 10}s", "-s", script, target, "--", *arguments],
        cwd=WRK_SCRIPTS,
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(1)  # past the first connections
        for form, suffix in (("flamegraph", "svg"), ("raw", "txt")):
            options = ["--subprocesses", "--nonblocking", "--rate", str(RATE), "--duration", str(SECONDS)]
            run(
                BIN / "py-spy",
                "record",
                "--pid",
                master,
                *options,
                "--format",
                form,
                "-o",
                PROFILES / f"{name}.{suffix}",
            )
    finally:
        load.terminate()
        load.wait()
    print(f"profile: {PROFILES / name}.svg")


def main() -> None:
    PROFILES.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    revoke = prepare_database()
    manage("seed_db", "--count", "10000")
    (OUT / "user_ids.txt").write_text("\n".join(str(row[0]) for row in database("SELECT id FROM users")))
    try:
        run(ROOT / "scripts" / "stack", "up", env={**STACK, "STACK_DATABASE": DATABASE, **UNLIMITED_WRITES})
        master = Path(STACK["STACK_RUN_DIR"], "gunicorn.pid").read_text().strip()
        for name, scenario in SCENARIOS.items():
            record(master, name, *scenario)
    finally:
        run(ROOT / "scripts" / "stack", "down", env=STACK)
        drop_tables()
        revoke()


if __name__ == "__main__":
    main()
