"""Abuse at the HTTP level: a precise 4xx, never a 5xx, from nginx and from gunicorn directly; nginx, which
fronts the service in every deployment, answers in the JSON envelope (gunicorn's own pages are its own)."""

import json
import socket

import pytest
import requests


def raw(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are; the status, headers and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


def envelope(message: str) -> dict:
    return {"status": "fail", "message": message}


class Server:
    """Where a test sends its abuse, and what the answer's body must be: nginx answers in the envelope."""

    def __init__(self, port: int, enveloped: bool) -> None:
        self.port, self.enveloped = port, enveloped

    def check(self, status: int, body: bytes, expected_status: int, message: str) -> None:
        assert status == expected_status
        if self.enveloped:
            assert json.loads(body) == envelope(message)


@pytest.fixture(params=["nginx", "gunicorn"])
def server(request, stack) -> Server:
    return Server(stack.port, True) if request.param == "nginx" else Server(stack.app_port, False)


def test_a_body_over_the_limit(server):
    body = b'{"username": "' + b"x" * (1024 * 1024) + b'", "email": "big@example.com"}'
    url = f"http://127.0.0.1:{server.port}/users"
    response = requests.post(url, data=body, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (413, envelope("Request Entity Too Large"))  # the app's own


def test_a_uri_too_long(server):
    response = requests.get(f"http://127.0.0.1:{server.port}/users?q=" + "a" * 9000)
    server.check(response.status_code, response.content, 414, "URI Too Long")


def test_a_long_uri_that_nginx_passes_reaches_the_app(stack):
    response = requests.get(f"{stack.url}/users?q=" + "a" * 6000)
    expected = {
        "status": "fail",
        "message": "Invalid parameters.",
        "errors": {"q": ["Length must be between 1 and 128."]},
    }
    assert (response.status_code, response.json()) == (400, expected)


def test_a_header_too_large(server):
    response = requests.get(f"http://127.0.0.1:{server.port}/ping", headers={"X-Padding": "a" * 9000})
    server.check(response.status_code, response.content, 431, "Request Header Fields Too Large")


def test_too_many_headers(stack):
    headers = {f"X-Header-{n}": "v" for n in range(120)}
    response = requests.get(f"{stack.app_url}/ping", headers=headers)  # nginx passes them; gunicorn takes 100
    assert response.status_code == 431


def test_a_malformed_request_line(server):
    status, _, body = raw(server.port, b"GARBAGE / HTTP/1.1 extra\r\nHost: 127.0.0.1\r\n\r\n")
    server.check(status, body, 400, "Bad Request")


def test_a_bad_content_length(server):
    status, _, body = raw(server.port, b"POST /users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n")
    server.check(status, body, 400, "Bad Request")
