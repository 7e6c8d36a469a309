"""`make bench-compare`: the service at BASE side by side with the working tree (or HEAD_REV), a stack each."""

import contextlib
import functools
import json
import os
import secrets
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.run import (
    CONNECTIONS,
    DB_USER,
    OUT,
    REDIS_URL,
    ROOT,
    ROUNDS,
    RUN_DIR,
    SECONDS,
    UNLIMITED_WRITES,
    database,
    figure_lines,
    grant,
    paired,
    run,
    side_by_side,
    wrk,
)

USERS = 10_000  # generated users in each database, besides the two seed users
# From the environment (the defaults are the usual ones): base's nginx serves on BENCH_COMPARE_PORT and head's on
# the next port, each gunicorn 3000 lower; each side's database is BENCH_COMPARE_DATABASE with {side} its name.
COMPARE_PORT = int(os.environ.get("BENCH_COMPARE_PORT") or 8094)
COMPARE_DATABASE = os.environ.get("BENCH_COMPARE_DATABASE") or "users_bench_{side}"


@dataclass(frozen=True)
class Side:
    """One variant: a tree of the service, served by its own stack from its own database."""

    name: str
    tree: Path
    port: int  # nginx's; gunicorn's is 3000 lower

    @property
    def database(self) -> str:
        return COMPARE_DATABASE.format(side=self.name)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ids(self) -> Path:
        return OUT / f"user_ids_{self.name}.txt"

    @property
    def token(self) -> Path:
        return OUT / f"token_{self.name}.txt"

    @property
    def stack(self) -> dict:
        return {
            "STACK_PORT": str(self.port),
            "STACK_APP_PORT": str(self.port - 3000),
            "STACK_RUN_DIR": f"{RUN_DIR}-{self.port}",
            "STACK_DATABASE": self.database,
            "STACK_DB_USER": DB_USER,
            **({"STACK_REDIS_URL": REDIS_URL} if REDIS_URL else {}),
            **UNLIMITED_WRITES,
        }


SCENARIOS = {
    "GET /users/<id>": lambda side: wrk(side.url, "user_ids.lua", str(side.ids)),
    # A token checked on every request (its session's too, since sessions came).
    "GET /auth/me": lambda side: wrk(f"{side.url}/auth/me", "bearer.lua", side.token.read_text()),
    "GET /users?page=1": lambda side: wrk(f"{side.url}/users?page=1"),
    "POST /users": lambda side: wrk(side.url, "new_users.lua", secrets.token_hex(4)),
}


def commit(rev: str) -> str | None:
    """The commit a revision names, if any."""
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=ROOT, capture_output=True, text=True
    )
    return found.stdout.strip() or None


def checkout(name: str, rev: str, cleanup: contextlib.ExitStack) -> Path:
    """A detached worktree of the revision, on this tree's .venv, removed when cleanup closes."""
    if not (sha := commit(rev)):
        sys.exit(f"bench-compare: {rev!r} names no commit")
    # One .venv serves both: the revision may pin less than this tree (a package added since), never otherwise.
    pinned = set(run("git", "show", f"{sha}:requirements.txt", cwd=ROOT).splitlines())
    if not pinned <= set((ROOT / "requirements.txt").read_text().splitlines()):
        sys.exit(f"bench-compare: {rev}'s requirements.txt pins what this tree's does not; one .venv cannot serve both")
    tree = Path(f"{RUN_DIR}-{name}-{sha[:7]}")
    if not tree.exists():
        run("git", "worktree", "add", "--detach", tree, sha, cwd=ROOT)
    cleanup.callback(run, "git", "worktree", "remove", "--force", tree, cwd=ROOT)
    with contextlib.suppress(FileExistsError):
        (tree / ".venv").symlink_to(ROOT / ".venv")
    return tree


def in_tree(tree: Path, program: str, *args: str, env: dict | None = None, answer: str | None = None) -> None:
    """Run one of a tree's own programs from that tree, its output shown as it comes (and `answer` its input)."""
    subprocess.run(
        [str(tree / program), *args], cwd=tree, env={**os.environ, **(env or {})}, input=answer, text=True, check=True
    )


def serve(side: Side, cleanup: contextlib.ExitStack) -> None:
    """Seed the side's own database and serve it with its tree's stack until cleanup closes."""
    in_tree(ROOT, "scripts/mariadb-ready", side.database)
    cleanup.callback(database, f"DROP DATABASE `{side.database}`", name=None)
    cleanup.callback(grant(side.database))  # a throwaway database: every right, whatever the tree's migrations need
    url = f"mysql+pymysql://root:@127.0.0.1:3306/{side.database}?charset=utf8mb4"
    settings = {"DATABASE_URL": url, "APP_SETTINGS": ""}
    # As run.py's manage(), in the side's tree. recreate_db asks before it drops the tables: the answer comes on its
    # input, not as --yes, which a tree from before the question does not know.
    in_tree(side.tree, ".venv/bin/python", "manage.py", "recreate_db", env=settings, answer="y\n")
    in_tree(side.tree, ".venv/bin/python", "manage.py", "seed_db", "--count", str(USERS), env=settings)
    side.ids.write_text("\n".join(str(row[0]) for row in database("SELECT id FROM users", name=side.database)))
    cleanup.callback(in_tree, side.tree, "scripts/stack", "down", env=side.stack)
    in_tree(side.tree, "scripts/stack", "up", env=side.stack)
    side.token.write_text(sign_in(side.url))


def sign_in(url: str) -> str:
    """A bearer token of a user added for it."""
    account = {"email": f"bench-{secrets.token_hex(4)}@example.com", "password": "the bench signs in once"}
    added = requests.post(f"{url}/users", json={"username": "bench", **account}, timeout=30)
    signed = requests.post(f"{url}/auth/login", json=account, timeout=30)
    if added.status_code != 201 or signed.status_code != 200:
        sys.exit(f"bench-compare: signing in at {url} answered {added.status_code}, then {signed.status_code}")
    return signed.json()["data"]["token"]


def compare() -> dict:
    """Both sides served at once, every scenario alternating them round after round."""
    base_rev = os.environ.get("BASE") or ("origin/main" if commit("origin/main") else "HEAD")
    head_rev = os.environ.get("HEAD_REV")
    OUT.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as cleanup:
        sides = [
            Side("base", checkout("base", base_rev, cleanup), COMPARE_PORT),
            Side("head", checkout("head", head_rev, cleanup) if head_rev else ROOT, COMPARE_PORT + 1),
        ]
        for side in sides:
            serve(side, cleanup)
        scenarios = {}
        for scenario, load in SCENARIOS.items():
            print(f"bench-compare: {scenario} ({ROUNDS} x {SECONDS} s per side)", flush=True)
            scenarios[scenario] = side_by_side({side.name: functools.partial(load, side) for side in sides})
        revisions = {
            side.name: {
                "rev": rev or "working tree",
                "commit": run("git", "describe", "--always", "--dirty", cwd=side.tree).strip(),
            }
            for side, rev in zip(sides, (base_rev, head_rev), strict=True)
        }
    return {
        **revisions,
        "rounds": ROUNDS,
        "seconds": SECONDS,
        "connections": CONNECTIONS,
        "generated_users": USERS,
        "scenarios": scenarios,
        "ratios": {scenario: paired(scenarios, scenario, "head", "base") for scenario in scenarios},
    }


def table(results: dict) -> str:
    """The figures per scenario and side (each the median run), then head/base of req/s per scenario (the median of
    the rounds' ratios)."""
    lines = [
        f"base: {results['base']['rev']} ({results['base']['commit']})",
        f"head: {results['head']['rev']} ({results['head']['commit']})",
        "",
        *figure_lines(results["scenarios"], 18, 7),
    ]
    lines.append("")
    lines += [f"head/base req/s  {scenario:18} {ratio:6.3f}" for scenario, ratio in results["ratios"].items()]
    return "\n".join(lines)


def main() -> None:
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a SIGTERM tears down as Ctrl-C does
    try:
        results = compare()
    except KeyboardInterrupt:
        sys.exit("bench-compare: interrupted; both stacks are down, their databases and worktrees gone")
    except subprocess.CalledProcessError as error:
        sys.exit(f"bench-compare: {error}\n{error.stderr or ''}".rstrip())
    (OUT / "compare.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\nwritten: {OUT / 'compare.json'}")
    variants = [figures for variants in results["scenarios"].values() for figures in variants.values()]
    if errors := sum(figures["non_2xx"] + figures["socket_errors"] for figures in variants):
        sys.exit(f"bench-compare: {errors} non-2xx responses or socket errors")


if __name__ == "__main__":
    main()
