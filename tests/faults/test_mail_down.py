"""The SMTP server hung or dead: requests that mail answer at once all the same, and each mail arrives once, when
the server is back (the stack's catcher, aiosmtpd, stands in for the relay; deliver_mail retries with backoff)."""

import os
import signal
import subprocess

import pytest
import requests

from project.tests.contract import GOOD_PASSWORD, RESET_LINK_SENT
from tests.e2e.live import maildir_mails, wait_until
from tests.faults.conftest import ROOT


class Catcher:
    """The stack's mail catcher: its pid file, its Maildir and its port (scripts/stack's)."""

    def __init__(self, stack) -> None:
        self.pid_file = stack.run_dir / "catcher.pid"
        self.maildir = stack.run_dir / "mail"
        self.port = int(os.environ.get("STACK_CATCHER_PORT") or stack.port + 20000)

    def pid(self) -> int:
        return int(self.pid_file.read_text())

    def kill(self) -> None:
        os.kill(self.pid(), signal.SIGKILL)

    def start(self) -> None:
        """Start it again as scripts/stack does (which stops it, by its pid file, with the stack)."""
        command = [ROOT / ".venv/bin/python", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}"]
        command += ["-c", "aiosmtpd.handlers.Mailbox", str(self.maildir)]
        # In the background of a shell that exits at once: the catcher outlives the test, as the stack's does.
        background = 'setsid "$@" >/dev/null 2>&1 </dev/null & echo $!'
        started = subprocess.run(["sh", "-c", background, "sh", *map(str, command)], capture_output=True, check=True)
        self.pid_file.write_text(started.stdout.decode())

    def mails_to(self, address: str) -> int:
        return sum(1 for to, *_ in maildir_mails(str(self.maildir)) if to == address)


@pytest.fixture
def catcher(stack):
    found = Catcher(stack)
    yield found
    os.kill(found.pid(), signal.SIGCONT)  # however the test left it


def forgotten(stack, tag: str) -> str:
    """A user with a password who asks for a reset link (answered without waiting for SMTP); its email."""
    email = f"mail-{tag}@example.com"
    body = {"username": "mail", "email": email, "password": GOOD_PASSWORD}
    assert requests.post(f"{stack.url}/users", json=body, timeout=10).status_code == 201
    asked = requests.post(f"{stack.url}/auth/forgot-password", json={"email": email}, timeout=10)
    assert (asked.status_code, asked.json()) == (202, RESET_LINK_SENT)
    return email


def failed_deliveries(stack) -> int:
    """How many times the worker has logged a failed delivery."""
    return (stack.run_dir / "deliver-mail.log").read_text().count("will be tried again")


def test_a_hung_smtp_server_costs_the_request_nothing(stack, catcher, tag):
    failures = failed_deliveries(stack)
    os.kill(catcher.pid(), signal.SIGSTOP)  # it accepts connections (the kernel does) and never answers
    email = forgotten(stack, tag)
    wait_until(lambda: failed_deliveries(stack) > failures, timeout=60, what="the worker giving up on the server")
    assert catcher.mails_to(email) == 0
    os.kill(catcher.pid(), signal.SIGCONT)
    wait_until(lambda: catcher.mails_to(email) == 2, timeout=180, what="the verification and reset mails arriving")
    assert catcher.mails_to(email) == 2  # each once


def test_a_dead_smtp_server_loses_no_mail(stack, catcher, tag):
    failures = failed_deliveries(stack)
    catcher.kill()
    email = forgotten(stack, tag)
    wait_until(lambda: failed_deliveries(stack) > failures, timeout=60, what="a failed delivery")
    catcher.start()
    wait_until(lambda: catcher.mails_to(email) == 2, timeout=180, what="the verification and reset mails arriving")
    assert catcher.mails_to(email) == 2
