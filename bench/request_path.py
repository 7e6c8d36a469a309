"""`make request-path`: the distinct functions of the repository's own code (its tests excluded) that one request
enters, and the files they are in, counted in-process with sys.setprofile after a warm-up request of each kind: how
far a maintainer follows a request. The service runs on a SQLite database of its own, tokens in it too. It fails
when a request enters more than its budget (CI runs it): a layer a request passes must earn its place.

    .venv/bin/python -m bench.request_path [-v]      (-v names the functions, file by file)
"""

import os
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parents[1]
NOT_COUNTED = (ROOT / "project" / "tests", ROOT / ".venv")
PASSWORD = "correct horse battery staple"
# Each request's budget: at most this many functions, in at most this many files. A token's check enters the
# token store's package twice: its chooser (project/auth/stores/__init__.py) and the store chosen (sql.py). The
# metrics (project/metrics.py) add five functions in one file to each: the request's start, end and teardown, and
# the pool's check-out and check-in of its connection.
BUDGETS = {
    "GET /users/<id>": (18, 9),
    "POST /users (no password)": (21, 9),
    "PATCH /users/<id> (token, username)": (29, 12),
}


def ours(filename: str) -> bool:
    """Whether code in this file is the repository's own, and not its tests'."""
    path = Path(filename)
    return path.is_relative_to(ROOT) and not any(path.is_relative_to(folder) for folder in NOT_COUNTED)


def entered(client: FlaskClient, method: str, path: str, **options: Any) -> tuple[int, dict[str, list[str]]]:
    """The answer's status, and the functions of ours the request entered, by file."""
    seen: set[tuple[str, int, str]] = set()

    def note(frame: FrameType, event: str, argument: Any) -> None:
        code = frame.f_code
        if event == "call" and ours(code.co_filename):
            seen.add((code.co_filename, code.co_firstlineno, code.co_qualname))

    sys.setprofile(note)
    try:
        status = client.open(path, method=method, **options).status_code
    finally:
        sys.setprofile(None)
    functions = defaultdict(list)
    for filename, _, name in sorted(seen):
        functions[os.path.relpath(filename, ROOT)].append(name)
    return status, functions


def scenarios(client: FlaskClient) -> dict[str, Callable[[], tuple[str, str, dict]]]:
    """Each measured request, made anew for each call (a new email for each user added)."""
    numbers = iter(range(1_000_000))
    answer = client.post("/users", json={"username": "ada", "email": "ada@example.com", "password": PASSWORD})
    user_id = answer.get_json()["data"]["id"]
    login = client.post("/auth/login", json={"email": "ada@example.com", "password": PASSWORD}).get_json()
    authorization = {"Authorization": f"Bearer {login['data']['token']}"}

    def new_user() -> dict:
        number = next(numbers)
        return {"username": f"user {number}", "email": f"user-{number}@example.com"}

    return {
        "GET /users/<id>": lambda: ("GET", f"/users/{user_id}", {}),
        "POST /users (no password)": lambda: ("POST", "/users", {"json": new_user()}),
        "PATCH /users/<id> (token, username)": lambda: (
            "PATCH",
            f"/users/{user_id}",
            {"json": {"username": f"ada {next(numbers)}"}, "headers": authorization},
        ),
    }


def main(verbose: bool) -> None:
    folder = tempfile.mkdtemp(prefix="request-path-")
    os.environ.update(DATABASE_URL=f"sqlite:///{folder}/paths.db", APP_SETTINGS="project.config.DevelopmentConfig")
    for name in ("REDIS_URL", "DATABASE_READ_URL"):
        os.environ.pop(name, None)
    from project import create_app
    from project.database import upgrade_schema

    app = create_app()
    with app.app_context():
        upgrade_schema(None)
    client = app.test_client()
    over = []
    for name, request in scenarios(client).items():
        method, path, options = request()
        client.open(path, method=method, **options)  # the warm-up: imports, the first request's work
        method, path, options = request()
        status, functions = entered(client, method, path, **options)
        count, most = sum(map(len, functions.values())), BUDGETS[name]
        print(f"{name}: {status}, {count} functions in {len(functions)} files (at most {most[0]} in {most[1]})")
        for filename, names in functions.items() if verbose else ():
            print(f"    {filename}: {', '.join(names)}")
        if status >= 400 or count > most[0] or len(functions) > most[1]:
            over.append(name)  # (a request that failed measured nothing)
    if over:
        sys.exit(f"failed or over budget: {', '.join(over)}")


if __name__ == "__main__":
    main("-v" in sys.argv[1:])
