"""Cookie sessions for the web pages alone: the API never reads the session cookie, which is why it needs no CSRF
check (it takes bearer tokens only), and it does not open one either."""

from urllib.parse import urlsplit

from flask import Flask, Request, current_app, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

# Where a browser sends a Secure cookie over plain HTTP too (it counts them as secure contexts).
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
HTTPS_NEEDED = (
    "This page needs HTTPS: over plain HTTP your browser never sends its session cookie back, so no form can work. "
    "The Deployment section of the README says how to serve it over HTTPS."
)


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, off the API's paths only (Flask's documented hook: app.session_interface;
    Flask opens the session before routing, so the path decides). An API request gets Flask's null session, which
    refuses to be written: no API code can come to rely on a cookie (docs/performance.md has what it saves)."""

    def __init__(self, api_paths: frozenset[str]) -> None:
        self.api_paths = api_paths

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.split("/")[1] in self.api_paths:
            return None
        return super().open_session(app, request)


def cookie_cannot_return() -> bool:
    """Whether the session cookie is Secure (production) and this page came over plain HTTP from a host that is
    not local, so the browser will not send the cookie back."""
    secure_only = current_app.config["SESSION_COOKIE_SECURE"]
    return secure_only and not request.is_secure and urlsplit(request.host_url).hostname not in LOCAL_HOSTS
