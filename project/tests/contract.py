"""What the API promises, as every test suite checks it (in-process, end-to-end and under faults): the
fixed envelopes, the routes that need the database, and what a page and a response carry."""

import re

PONG = {"status": "success", "message": "pong!"}
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
