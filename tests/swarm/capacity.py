"""`make capacity`: what the service serves here, on the swarm stack scripts/swarm deployed (nginx -> 1, 2, 3
instances -> MySQL): requests per second with one instance held to one CPU core, then with 1, 2 and 3
instances free to use both; and the MySQL connections the instances hold. docs/scaling.md's capacity model quotes
a run. Writes .artifacts/capacity/results.json."""

import json
import os
import platform
import secrets
import tempfile
from pathlib import Path

import requests

from bench.run import side_by_side, wrk
from tests.swarm.conftest import BASE_URL, SERVICE, docker, wait_for_instances

OUT = Path(__file__).resolve().parents[2] / ".artifacts" / "capacity"
STACK = os.environ.get("SWARM_STACK", "users")


def scenarios(ids: Path) -> dict:
    """The three requests measured, each as a wrk run through nginx."""
    return {
        "GET /users/<id>": lambda: wrk(BASE_URL, "user_ids.lua", str(ids)),
        "GET /users?page=1": lambda: wrk(f"{BASE_URL}/users?page=1"),
        "POST /users": lambda: wrk(BASE_URL, "new_users.lua", secrets.token_hex(4)),
    }


def mysql(statement: str) -> str:
    """One statement's result, run as root in the database's container."""
    container = docker("ps", "--quiet", "--filter", f"label=com.docker.swarm.service.name={STACK}_users-db").split()[0]
    login = 'mysql -N -uroot -p"$(cat /run/secrets/users_mysql_root_password)"'
    return docker("exec", container, "sh", "-c", f'{login} -e "{statement}"').split()[-1]


def measure(ids: Path, instances: int, cpus: str = "0") -> dict:
    """The scenarios with this many instances, each limited to `cpus` cores (0: unlimited)."""
    docker("service", "update", "--detach=false", "--replicas", str(instances), "--limit-cpu", cpus, SERVICE)
    wait_for_instances(instances)
    results = {name: figures["requests_per_s"] for name, figures in side_by_side(scenarios(ids)).items()}
    connections = int(mysql("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'users'"))
    print(f"{instances} instance(s), CPU limit {cpus}: {results}; the service's MySQL connections: {connections}")
    return {"instances": instances, "cpu_limit": cpus, "requests_per_s": results, "mysql_connections": connections}


def main() -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".ids") as ids:
        for n in range(200):
            body = {"username": "capacity", "email": f"capacity-{secrets.token_hex(4)}-{n}@example.com"}
            ids.write(f"{requests.post(f'{BASE_URL}/users', json=body, timeout=10).json()['data']['id']}\n")
        ids.flush()
        runs = [measure(Path(ids.name), 1, "1")] + [measure(Path(ids.name), count) for count in (1, 2, 3)]
    results = {
        "machine": f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, {platform.platform()}",
        "max_connections": int(mysql("SELECT @@max_connections")),
        "runs": runs,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
