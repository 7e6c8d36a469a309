"""The development stack in containers (docker-compose.yml): the suite passes in its service container against
its MySQL, a sign-up's verification mail reaches the catcher, the code reloads when it changes, and what the
container writes into the checkout is the host user's."""

import os
import time
import uuid

import pytest

from tests.containers.conftest import MAILDEV_PORTS, PORT, ROOT, docker
from tests.containers.mailcatcher import verify_email_by_mail

DEV_URL = f"http://localhost:{PORT + 2}"  # the development server, and the links' address (PUBLIC_URL)


def test_the_suite_passes_against_the_mysql_container(dev):
    # The suite mails its own SMTP server and makes its own links, whatever MAIL_SERVER and PUBLIC_URL say.
    suite = dev(
        "run", "--rm", "users-service", "python", "manage.py", "test",
        timeout=900, check=False,
    )  # fmt: skip
    print(suite.stdout[-2000:])
    assert suite.returncode == 0, suite.stdout[-6000:] + suite.stderr[-2000:]
    header = suite.stdout.splitlines()[1:6]  # the servers it ran on, as the suite's report header names them
    assert any(line.startswith("database: mysql (") for line in header), header
    assert any(line.startswith("tokens: redis (Redis ") for line in header), header


def test_a_sign_up_sends_a_verification_mail_to_the_catcher(dev):
    dev("run", "--rm", "users-service", "python", "manage.py", "migrate", timeout=300)  # as the file's header says
    verify_email_by_mail(DEV_URL, f"http://127.0.0.1:{MAILDEV_PORTS['dev']}", DEV_URL)


def test_the_code_reloads_when_it_changes(dev):
    container = dev.container("users-service")
    changed = ROOT / "project" / "__init__.py"
    os.utime(changed)  # as an editor's save would
    deadline = time.monotonic() + 60
    while "Detected change in '/app/project/__init__.py', reloading" not in docker("logs", container).stderr:
        if time.monotonic() > deadline:
            pytest.fail("the development server did not reload")
        time.sleep(0.5)


def test_what_the_container_writes_into_the_checkout_is_the_host_users(dev):
    name = f"instance/written-by-the-container-{uuid.uuid4().hex[:8]}"
    dev("run", "--rm", "users-service", "python", "-c", f"open('/app/{name}', 'w').close()")
    written = ROOT / name
    try:
        assert (written.stat().st_uid, written.stat().st_gid) == (os.getuid(), os.getgid())
    finally:
        written.unlink()
