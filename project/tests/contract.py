"""What the API promises, as every test suite checks it (in-process, end-to-end and under faults): the
fixed envelopes, the routes that need the database, and what a page and a response carry."""

import re

PONG = {"status": "success", "message": "pong!"}
READY = {"status": "success", "message": "ready", "data": {"database": "ok"}}
BAD_ID = {"status": "fail", "message": "Param id error"}
NOT_FOUND = {"status": "fail", "message": "User does not exist"}
EMAIL_TAKEN = {"status": "fail", "message": "Sorry. That email already exists."}
UNAVAILABLE = {"status": "fail", "message": "The database is unavailable. Try again shortly."}
# Every route that needs the database: (method, path, JSON body).
DATABASE_ROUTES = [
    ("GET", "/users", None),
    ("GET", "/users/1", None),
    ("POST", "/users", {"username": "down", "email": "down@example.com"}),
    ("PUT", "/users/1", {"username": "down", "email": "down@example.com"}),
    ("PATCH", "/users/1", {"active": False}),
    ("DELETE", "/users/1", None),
]
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
GENERATED_ID = re.compile(r"[0-9a-f]{32}")
# Signing in, and who may change whom: the answers that never vary.
INVALID_CREDENTIALS = {"status": "fail", "message": "Invalid email or password."}
NOT_SIGNED_IN = {"status": "fail", "message": "Provide a valid auth token."}
FORBIDDEN = {"status": "fail", "message": "You do not have permission to do that."}
TOO_MANY_ATTEMPTS = {"status": "fail", "message": "Too many failed sign-in attempts. Try again later."}
STORE_UNAVAILABLE = {"status": "fail", "message": "The token store is unavailable. Try again shortly."}
INVALID_REFRESH_TOKEN = {"status": "fail", "message": "Provide a valid refresh token."}
SESSION_NOT_FOUND = {"status": "fail", "message": "Session does not exist"}
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # 256 bits, URL-safe Base64
GOOD_PASSWORD = "correct horse battery staple"

# Account recovery: the answers, whatever the email.
RESET_LINK_SENT = {
    "status": "success",
    "message": "If that email has an account, a link to reset its password has been sent.",
}
PASSWORD_RESET = {"status": "success", "message": "Your password has been reset."}
EMAIL_VERIFIED = {"status": "success", "message": "Your email is verified."}
VERIFY_LINK_SENT = {
    "status": "success",
    "message": "If that email has an account waiting to be verified, a link to verify it has been sent.",
}
INVALID_LINK = {"status": "fail", "message": "The link is invalid or has expired."}
NOT_VERIFIED = {"status": "fail", "message": "Verify your email address first."}
TOO_MANY_REQUESTS = {"status": "fail", "message": "Too many requests. Try again later."}
