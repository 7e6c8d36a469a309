"""Abuse at the HTTP level, at nginx and at gunicorn directly: a precise 4xx in the JSON envelope, never a 5xx."""

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


@pytest.fixture(params=["nginx", "gunicorn"])
def port(request, stack) -> int:
    return stack.port if request.param == "nginx" else stack.app_port


def test_a_body_over_the_limit(stack, port):
    body = b'{"username": "' + b"x" * (1024 * 1024) + b'", "email": "big@example.com"}'
    response = requests.post(f"http://127.0.0.1:{port}/users", data=body, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (413, envelope("Request Entity Too Large"))


def test_a_uri_too_long(port):
    response = requests.get(f"http://127.0.0.1:{port}/users?q=" + "a" * 9000)
    assert (response.status_code, response.json()) == (414, envelope("URI Too Long"))


def test_a_header_too_large(port):
    response = requests.get(f"http://127.0.0.1:{port}/ping", headers={"X-Padding": "a" * 9000})
    assert (response.status_code, response.json()) == (431, envelope("Request Header Fields Too Large"))


def test_too_many_headers(stack):
    headers = {f"X-Header-{n}": "v" for n in range(120)}
    response = requests.get(f"{stack.app_url}/ping", headers=headers)  # nginx passes them; gunicorn takes 100
    assert (response.status_code, response.json()) == (431, envelope("Request Header Fields Too Large"))


def test_a_malformed_request_line(port):
    status, headers, body = raw(port, b"GARBAGE / HTTP/1.1 extra\r\nHost: x\r\n\r\n")
    assert (status, headers["content-type"], json.loads(body)) == (400, "application/json", envelope("Bad Request"))


def test_a_bad_content_length(port):
    status, headers, _ = raw(port, b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")
    assert (status, headers["content-type"]) == (400, "application/json")
