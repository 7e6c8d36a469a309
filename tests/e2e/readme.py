"""The shell commands of the README and of docs/ as a newcomer pastes them, from the repository's root: the README's
curl blocks, then those of docs/api.md that talk to the service alone, run twice against a running service (they
must be re-runnable), each command to exit 0 (curl failing on an HTTP error too), leaving nothing behind that git
does not ignore; in every ```sh block of README.md and of docs/*.md, every `make` names a target and every
`manage.py` a command.

    .venv/bin/python -m tests.e2e.readme [BASE_URL]      (`make readme-test` serves a fresh one to run it on)
"""

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README_URL = "http://127.0.0.1:5000"  # where the README's commands, and docs/api.md's, send their requests
README = "README.md"  # its curl blocks run first,
API_PAGE = "docs/api.md"  # then those of this page that talk to README_URL alone; other pages' blocks are only read
SHOWN_AS = {README: "README"}  # how the messages name a page; any other by its path
SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
MAKE_TARGET = re.compile(r"^([a-z0-9-]+):", re.MULTILINE)
MANAGE_COMMAND = re.compile(r"^  (\S+)", re.MULTILINE)  # in `manage.py --help`
URL_HOST = re.compile(r"https?://[^/\s'\"$()?#]+")  # a URL up to its path: scheme, host and port
# Before each curl block: the first command that fails ends it, and says which it was.
PRELUDE = """set -eo pipefail
trap 'echo "the {page} command that failed (exit $?): $BASH_COMMAND" >&2' ERR
"""
CURLRC = "fail-with-body\nsilent\nshow-error\n"  # curl's settings file: an HTTP error fails the command too


def shell_blocks(text: str) -> list[list[str]]:
    """The commands of each ```sh block: continued lines joined, blank and comment lines left out."""
    blocks = []
    for block in SHELL_BLOCK.findall(text):
        lines = (line.strip() for line in block.replace("\\\n", " ").splitlines())
        blocks.append([line for line in lines if line and not line.startswith("#")])
    return blocks


def is_curl_block(commands: list[str]) -> bool:
    """Whether a block is requests to the service alone."""
    return all("curl " in command for command in commands)


def talks_to_service_alone(commands: list[str]) -> bool:
    """Whether every URL in a block is the service's, as the pages name it."""
    return all(url == README_URL for command in commands for url in URL_HOST.findall(command))


def pages() -> dict[str, list[list[str]]]:
    """The shell blocks of README.md and of every page in docs/, by path from the repository's root."""
    paths = [ROOT / README, *sorted((ROOT / "docs").glob("*.md"))]
    return {path.relative_to(ROOT).as_posix(): shell_blocks(path.read_text()) for path in paths}


def output(*command: str) -> str:
    """A command's standard output, run from the repository's root."""
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout


def left_behind(since: float) -> list[str]:
    """The files written since then that git does not ignore (new or changed)."""
    seen = output("git", "ls-files", "--others", "--modified", "--exclude-standard").splitlines()
    return sorted(name for name in set(seen) if (ROOT / name).exists() and (ROOT / name).stat().st_mtime >= since)


def known_names() -> tuple[set[str], set[str]]:
    """The Makefile's targets, and manage.py's commands."""
    targets = set(MAKE_TARGET.findall((ROOT / "Makefile").read_text()))
    manage = set(MANAGE_COMMAND.findall(output(".venv/bin/python", "manage.py", "--help").partition("Commands:")[2]))
    return targets, manage


def unknown_commands(blocks: list[list[str]], targets: set[str], manage: set[str]) -> list[str]:
    """The commands that name a make target or a manage.py command that does not exist, or run manage.py with
    a Python other than the virtualenv's (outside a container, which has the requirements)."""
    wrong = []
    for command in (command for commands in blocks for command in commands):
        named = re.findall(r"\bmake ([a-z0-9-]+)", command)
        called = re.findall(r"(\S*python) manage\.py ([a-z_]+)", command)
        if any(target not in targets for target in named) or any(name not in manage for _, name in called):
            wrong.append(f"names no such make target or manage.py command: {command}")
        if any(python != ".venv/bin/python" for python, _ in called) and "docker compose" not in command:
            wrong.append(f"runs manage.py with a Python that lacks the requirements: {command}")
    return wrong


def run_curl_blocks(page: str, blocks: list[list[str]], base_url: str) -> None:
    """Run each block of a page in a shell of its own, from the repository's root; SystemExit when a command
    fails."""
    with tempfile.TemporaryDirectory() as curl_home:
        (Path(curl_home) / ".curlrc").write_text(CURLRC)
        for number, commands in enumerate(blocks, 1):
            prelude = PRELUDE.replace("{page}", page)
            script = prelude + "\n".join(command.replace(README_URL, base_url) for command in commands)
            print(f"\n==> {page}, curl block {number}: {len(commands)} commands", flush=True)
            shell = subprocess.run(["bash", "-c", script], cwd=ROOT, env={**os.environ, "CURL_HOME": curl_home})
            if shell.returncode != 0:
                sys.exit(f"{page}: curl block {number} failed")


def main(base_url: str = README_URL) -> None:
    blocks = pages()
    curl_blocks = {
        SHOWN_AS[README]: [commands for commands in blocks[README] if is_curl_block(commands)],
        API_PAGE: [cmds for cmds in blocks[API_PAGE] if is_curl_block(cmds) and talks_to_service_alone(cmds)],
    }
    for page, found in curl_blocks.items():
        if not found:
            sys.exit(f"{page}: no curl block found")
    targets, manage = known_names()
    wrong = {SHOWN_AS.get(page, page): unknown_commands(found, targets, manage) for page, found in blocks.items()}
    if any(wrong.values()):
        sys.exit("\n".join(f"{page}: a command\n  " + "\n  ".join(lines) for page, lines in wrong.items() if lines))
    started = time.time()
    for run in (1, 2):  # the second run proves the first left the service as the blocks expect to find it
        print(f"\n===> run {run} of the curl blocks of the {' and '.join(curl_blocks)}", flush=True)
        for page, found in curl_blocks.items():
            run_curl_blocks(page, found, base_url.rstrip("/"))
    if written := left_behind(started):
        sys.exit(
            f"{' and '.join(curl_blocks)}: their commands left files that .gitignore does not cover:\n  "
            + "\n  ".join(written)
        )
    count = sum(len(commands) for found in curl_blocks.values() for commands in found)
    checked = sum(map(len, blocks.values()))
    print(
        f"\n{' and '.join(curl_blocks)}: {count} curl commands ran twice, each exiting 0; {checked} shell blocks"
        f" checked, in README.md and {len(blocks) - 1} pages of docs/."
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
