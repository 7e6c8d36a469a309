"""Security headers on every response: no sniffing, no framing, no referrer, a Content-Security-Policy
that fits what is served, and no caching of API answers."""

from flask import Flask, request

from project.application import ServiceResponse
from project.envelope import answers_json

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Swagger UI sets inline style attributes as it renders; it runs no inline script.
DOCS_POLICY = PAGE_POLICY + "; style-src 'self' 'unsafe-inline'"
COMMON = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"))
API_HEADERS = (*COMMON, ("Content-Security-Policy", API_POLICY), ("Cache-Control", "no-store"))
PAGE_HEADERS = (*COMMON, ("Content-Security-Policy", PAGE_POLICY))
DOCS_HEADERS = (*COMMON, ("Content-Security-Policy", DOCS_POLICY))


def register_security_headers(app: Flask) -> None:
    """Add the headers to every response the app gives."""
    app.after_request(add_security_headers)


def add_security_headers(response: ServiceResponse) -> ServiceResponse:
    """Add the common headers, and the policy and caching rules for the kind of answer (the app sets none
    of these anywhere else; static files' own Cache-Control is kept)."""
    if answers_json(response.status_code):
        kind = API_HEADERS
    elif request.endpoint == "pages.docs":
        kind = DOCS_HEADERS
    else:
        kind = PAGE_HEADERS
    response.sent_headers += kind
    return response
