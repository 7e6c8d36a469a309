"""Cookie sessions for the web pages alone: the API never reads the session cookie, which is why it needs no CSRF
check (it takes bearer tokens only), and it does not open one either."""

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


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
