"""Abuse at the HTTP level: a precise 4xx, never a 5xx, from nginx and from gunicorn directly; nginx, which
fronts the service in every deployment, answers in the JSON envelope with the headers of the app's API answers
(gunicorn's own pages are its own)."""

import socket

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from project.answers import API_HEADERS
from project.tests.contract import PONG
from tests.faults.conftest import check_nginx_answer, envelope


def raw(port: int, request: bytes, close_write: bool = False) -> tuple[int, CaseInsensitiveDict, bytes]:
    """Send bytes as they are (then, with close_write, say that nothing more follows, as a client that declared a
    body and never sends it); the status, headers and body of the answer, read up to its Content-Length or to the
    end of the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        if close_write:
            connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
            head, found, body = answer.partition(b"\r\n\r\n")
            if found and len(body) >= int(parse_headers(head).get("Content-Length", len(body) + 1)):
                break
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), parse_headers(head), body


def parse_headers(head: bytes) -> CaseInsensitiveDict:
    """The headers of an answer's head (its status line skipped)."""
    _, *lines = head.decode("latin-1").split("\r\n")
    return CaseInsensitiveDict({name: value.strip() for name, _, value in (line.partition(":") for line in lines)})


def test_the_app_sends_its_api_headers(app_headers):
    assert app_headers == API_HEADERS  # what nginx's own answers are compared with is the app's, as it stands


class Server:
    """Where a test sends its abuse, and what the answer must be: nginx answers in the envelope, with the app's
    headers."""

    def __init__(self, port: int, enveloped: bool, app_headers: dict) -> None:
        self.port, self.enveloped, self.app_headers = port, enveloped, app_headers

    def check(self, status: int, headers, body: bytes, expected_status: int, message: str) -> None:
        assert status == expected_status
        if self.enveloped:
            check_nginx_answer(headers, body, message, self.app_headers)


@pytest.fixture(params=["nginx", "gunicorn"])
def server(request, stack, app_headers) -> Server:
    if request.param == "nginx":
        return Server(stack.port, True, app_headers)
    return Server(stack.app_port, False, app_headers)


def test_a_body_over_the_limit(server):
    body = b'{"username": "' + b"x" * (1024 * 1024) + b'", "email": "big@example.com"}'
    url = f"http://127.0.0.1:{server.port}/users"
    response = requests.post(url, data=body, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (413, envelope("Request Entity Too Large"))  # the app's, too
    server.check(response.status_code, response.headers, response.content, 413, "Request Entity Too Large")


def test_a_uri_too_long(server):
    response = requests.get(f"http://127.0.0.1:{server.port}/users?q=" + "a" * 9000)
    server.check(response.status_code, response.headers, response.content, 414, "URI Too Long")


def test_a_long_uri_that_nginx_passes_reaches_the_app(stack):
    response = requests.get(f"{stack.url}/users?q=" + "a" * 6000)
    expected = {
        "status": "fail",
        "message": "Invalid parameters.",
        "errors": {"q": ["Length must be between 1 and 128."]},
    }
    assert (response.status_code, response.json()) == (400, expected)


def test_a_header_too_large(server):
    # Past nginx's 8k buffer, and past gunicorn's 16k (it takes a line nginx passes, and what nginx adds to it).
    response = requests.get(f"http://127.0.0.1:{server.port}/ping", headers={"X-Padding": "a" * 17000})
    server.check(response.status_code, response.headers, response.content, 431, "Request Header Fields Too Large")


def test_the_longest_header_line_nginx_passes_reaches_the_app(stack):
    # A line that fills nginx's 8k buffer, to which nginx adds the client's address.
    value = "1" * (8 * 1024 - len("X-Forwarded-For: \r\n"))
    response = requests.get(f"{stack.url}/ping", headers={"X-Forwarded-For": value})
    assert (response.status_code, response.json()) == (200, PONG)


def test_as_many_headers_as_nginx_passes_reach_the_app(stack):
    # With requests' own few, just under the 1000 Debian's nginx takes (the official image takes more, and so does
    # gunicorn).
    headers = {f"X-Header-{n}": "v" for n in range(990)}
    response = requests.get(f"{stack.url}/ping", headers=headers)
    assert (response.status_code, response.json()) == (200, PONG)


def test_more_headers_than_nginx_takes(stack, app_headers):
    # Past any nginx's limit: Debian's 1000 headers, the official image's four 8k buffers.
    request = b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + b"X: 1\r\n" * 12000 + b"\r\n"
    status, headers, body = raw(stack.port, request)
    assert status == 431
    check_nginx_answer(headers, body, "Request Header Fields Too Large", app_headers)


def test_a_malformed_request_line(server):
    status, headers, body = raw(server.port, b"GARBAGE / HTTP/1.1 extra\r\nHost: 127.0.0.1\r\n\r\n")
    server.check(status, headers, body, 400, "Bad Request")


def test_a_bad_content_length(server):
    request = b"POST /users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n"
    status, headers, body = raw(server.port, request)
    server.check(status, headers, body, 400, "Bad Request")


# Each sent several times: what nginx does can depend on how far it read when the client stopped sending.
REPEATS = 20
LOCAL = b"Host: 127.0.0.1\r\nConnection: close\r\n"
# Requests nginx answers itself, before any location is chosen or in its default server, and how.
NGINX_REFUSES = {
    "an unknown host": (b"GET /ping HTTP/1.1\r\nHost: elsewhere.example\r\n\r\n", 400, "Bad Request"),
    "TRACE": (b"TRACE /ping HTTP/1.1\r\n" + LOCAL + b"\r\n", 405, "Method Not Allowed"),
    "a declared body over the limit": (
        b"POST /users HTTP/1.1\r\n" + LOCAL + b"Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n",
        413,
        "Request Entity Too Large",
    ),
    "an unsupported Transfer-Encoding": (
        b"POST /users HTTP/1.1\r\n" + LOCAL + b"Content-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n",
        501,
        "Not Implemented",
    ),
    "HTTP/2.0 in the request line": (b"GET /ping HTTP/2.0\r\n" + LOCAL + b"\r\n", 505, "HTTP Version Not Supported"),
}


@pytest.mark.parametrize("kind", list(NGINX_REFUSES))
def test_what_nginx_refuses_itself(stack, app_headers, kind):
    request, expected_status, message = NGINX_REFUSES[kind]
    for _ in range(REPEATS):
        status, headers, body = raw(stack.port, request, close_write=True)
        assert status == expected_status
        check_nginx_answer(headers, body, message, app_headers)
