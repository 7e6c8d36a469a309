"""Cookie sessions for the web pages alone: an API request neither reads nor sets a session cookie, and
does not pay for opening one (Flask opens the session before routing, so the path decides)."""

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from project.errors import API_PATH


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, outside the API only."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if API_PATH.match(request.path):
            return None  # Flask then uses a null session, which nothing on the API writes to
        return super().open_session(app, request)
