"""The running service under test: BASE_URL, e.g. http://127.0.0.1:8080, its database (E2E_ADMIN_DATABASE_URL), the
mail it sends (E2E_MAILDIR or E2E_MAILDEV_URL, its catcher's), where that mail links to (E2E_PUBLIC_URL) and the
address this machine's requests come from as the proxy sees them (E2E_CLIENT_ADDRESS, 127.0.0.1 by default).
Over HTTPS with a self-signed certificate, REQUESTS_CA_BUNDLE and E2E_TLS_CERTIFICATE name its file: requests
and the browser check the certificate by it."""

import os
import time
import uuid
from functools import partial

import pymysql
import pytest
import requests
from sqlalchemy.engine import make_url

from project.tests.contract import GOOD_PASSWORD
from tests.e2e.live import maildev_mails, maildir_mails


def required(name: str, example: str) -> str:
    """An environment variable the end-to-end tests cannot do without."""
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} must be set, e.g. {name}={example}")
    return value


@pytest.fixture(scope="session")
def base_url() -> str:
    return required("BASE_URL", "http://127.0.0.1:8080").rstrip("/")


@pytest.fixture(scope="session")
def public_url(base_url: str) -> str:
    """Where the service's mails link to (its PUBLIC_URL): E2E_PUBLIC_URL, or BASE_URL when that is the same."""
    return (os.environ.get("E2E_PUBLIC_URL") or base_url).rstrip("/")


@pytest.fixture(scope="session")
def client_address() -> str:
    """This machine's address as the proxy sees its requests: loopback, or a container network's gateway."""
    return os.environ.get("E2E_CLIENT_ADDRESS", "127.0.0.1")


@pytest.fixture
def admin_connection():
    """A privileged connection to the service's database, for holding locks the service must wait on."""
    url = make_url(required("E2E_ADMIN_DATABASE_URL", "mysql+pymysql://root:@127.0.0.1:3306/users_prod"))
    connection = pymysql.connect(
        host=url.host, port=url.port or 3306, user=url.username, password=url.password or "", database=url.database
    )
    with connection:
        yield connection


@pytest.fixture
def http(base_url: str):
    """A requests session whose paths are relative to BASE_URL. Like a browser on this machine's loopback (a
    secure context), it sends Secure cookies (the production config's) back over plain HTTP; like a browser
    on the pages, it names the page a request came from (over HTTPS, Flask-WTF checks it is this site)."""

    class Session(requests.Session):
        def request(self, method, url, *args, **kwargs):
            kwargs.setdefault("timeout", 10)
            kwargs.setdefault("allow_redirects", False)
            response = super().request(method, base_url + url, *args, **kwargs)
            for cookie in self.cookies:
                cookie.secure = False
            return response

    with Session() as session:
        session.headers["Referer"] = f"{base_url}/"
        yield session


@pytest.fixture
def account(http, email):
    """A user with a password, signed in: its id, email, password and Authorization header."""
    user = http.post("/users", json={"username": "e2e", "email": email, "password": GOOD_PASSWORD}).json()["data"]
    token = http.post("/auth/login", json={"email": email, "password": GOOD_PASSWORD}).json()["data"]["token"]
    return {"id": user["id"], "email": email, "password": GOOD_PASSWORD, "auth": {"Authorization": f"Bearer {token}"}}


@pytest.fixture
def email() -> str:
    """An email no other test run has used."""
    return f"e2e-{uuid.uuid4().hex}@example.com"


@pytest.fixture
def inbox():
    """The mail the stack sent, as its catcher keeps it: a Maildir (E2E_MAILDIR, the native stack's aiosmtpd) or
    MailDev's REST API (E2E_MAILDEV_URL, the containers'). `inbox(address, subject)` waits up to a minute for such
    a mail (the worker delivers it after the answer) and gives the newest one's text."""
    if url := os.environ.get("E2E_MAILDEV_URL"):
        received = partial(maildev_mails, url.rstrip("/"))
    else:
        received = partial(maildir_mails, required("E2E_MAILDIR", "/tmp/users-stack-8080/mail"))

    def newest(address: str, subject: str) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = [(date, text) for to, title, date, text in received() if to == address and title == subject]
            if found:
                return max(found)[1]
            time.sleep(0.2)
        pytest.fail(f"no mail {subject!r} to {address} reached the catcher within a minute")

    return newest
