"""What nginx adds in front of the service: limits and errors in the envelope, headers, request ids, gzip."""

import os
import subprocess

import pytest
import requests

from project.tests.contract import GENERATED_ID
from tests.e2e.test_contract import assert_json

pytestmark = pytest.mark.proxy

SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


def test_bodies_over_the_limit_get_the_envelope_from_nginx(http):
    response = http.post("/users", data=b"x" * (1024 * 1024 + 1), headers={"Content-Type": "application/json"})
    assert_json(response, 413, {"status": "fail", "message": "Request Entity Too Large"})


def test_a_body_at_the_limit_reaches_the_service(http):
    body = '{"username": "' + "x" * (1024 * 1024 - 48) + '", "email": "limit@example.com"}'
    assert len(body) <= 1024 * 1024
    response = http.post("/users", data=body, headers={"Content-Type": "application/json"})
    expected = {
        "status": "fail",
        "message": "Invalid payload.",
        "errors": {"username": ["Length must be between 1 and 128."]},
    }
    assert_json(response, 400, expected)


def test_security_headers_on_every_answer(http):
    for method, path in (("get", "/ping"), ("get", "/"), ("get", "/users/xxx"), ("get", "/nope"), ("delete", "/ping")):
        response = getattr(http, method)(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.raw.headers.getlist(name) == [value], (path, name)
        assert len(response.raw.headers.getlist("Content-Security-Policy")) == 1, path


def test_the_metrics_are_not_served_to_the_public(http):
    """The metrics are on a port of their own (METRICS_BIND), which nginx never passes on: through it, no /metrics."""
    for path in ("/metrics", "/metrics/"):
        assert_json(http.get(path), 404, {"status": "fail", "message": "Not Found"})


def test_server_header_has_no_version(http):
    assert http.get("/ping").headers["Server"] == "nginx"


def test_request_ids(http):
    generated = http.get("/ping").headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(generated)
    assert http.get("/ping").headers["X-Request-ID"] != generated
    assert http.get("/ping", headers={"X-Request-ID": "client-id.42"}).headers["X-Request-ID"] == "client-id.42"
    for forged in ("has spaces", "x" * 129, "new\\nline", "<script>"):
        assert GENERATED_ID.fullmatch(http.get("/ping", headers={"X-Request-ID": forged}).headers["X-Request-ID"])


def test_json_and_pages_are_compressed(http, email):
    for number in range(12):
        http.post("/users", json={"username": f"gzip {number}", "email": f"{number}.{email}"})
    for path in ("/users", "/", "/static/style.css"):
        response = http.get(path, headers={"Accept-Encoding": "gzip"})
        assert (response.status_code, response.headers.get("Content-Encoding")) == (200, "gzip"), path
        assert "Accept-Encoding" in response.headers["Vary"]


def test_upstream_connections_are_kept_alive(base_url):
    """After the requests end, nginx still holds open connections to gunicorn, ready for the next ones."""
    with requests.Session() as session:
        for _ in range(20):
            assert session.get(f"{base_url}/ping").status_code == 200
    upstream = f"127.0.0.1:{os.environ.get('STACK_APP_PORT', '5001')}"
    idle = subprocess.run(["ss", "-Htn", "state", "established", "dst", upstream], capture_output=True, text=True)
    assert idle.stdout.count("\n") >= 1


def test_links_keep_the_scheme_host_and_port_the_client_used(http, base_url):
    response = http.get("/users?per_page=1", headers={"Host": "localhost:9999", "X-Forwarded-Port": "1"})
    scheme = base_url.split(":", 1)[0]  # https through nginx's TLS: the service believes nginx's X-Forwarded-Proto
    assert response.headers["Link"].startswith(f"<{scheme}://localhost:9999/users?")


def test_only_trusted_host_names_are_served(http):
    """A Host nginx does not serve (TRUSTED_HOSTS) is refused by its default server, in the envelope."""
    for host in ("evil.example", "evil.example:8080", "127.0.0.2"):
        response = http.get("/users?per_page=1", headers={"Host": host})
        assert_json(response, 400, {"status": "fail", "message": "Bad Request"})
        assert "Link" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"
