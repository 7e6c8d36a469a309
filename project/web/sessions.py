"""Cookie sessions for the web pages alone: an API request neither reads nor writes a session cookie, and
does not pay for opening one (Flask opens the session before routing: envelope.is_api decides by path)."""

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from project.envelope import is_api


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, off the API only (Flask's documented hook: app.session_interface)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if is_api():
            return None  # Flask then uses a null session, which nothing on the API writes to
        return super().open_session(app, request)
