"""One JSON access-log line per request, from gunicorn and from nginx, with the request id the client saw."""

import json

import requests

from tests.e2e.live import wait_until
from tests.faults.conftest import client


def lines_with(path, request_id: str) -> list[dict]:
    entries = (json.loads(line) for line in path.read_text().splitlines() if line.startswith("{"))
    return [entry for entry in entries if entry.get("request_id") == request_id]


def test_each_request_is_one_json_line_with_its_id(stack, tag):
    request_id = f"faults-{tag}"
    response = requests.get(f"{stack.url}/users/xxx", headers={"X-Request-ID": request_id}, timeout=5)
    assert (response.status_code, response.headers["X-Request-ID"]) == (400, request_id)
    wait_until(lambda: lines_with(stack.run_dir / "gunicorn.log", request_id), what="gunicorn logging the request")
    [app] = lines_with(stack.run_dir / "gunicorn.log", request_id)
    assert {key: app[key] for key in ("method", "path", "status", "remote_addr")} == {
        "method": "GET",
        "path": "/users/xxx",
        "status": 400,
        "remote_addr": "127.0.0.1",
    }
    assert app["duration_ms"] >= 0
    wait_until(lambda: lines_with(stack.run_dir / "nginx-access.log", request_id), what="nginx logging the request")
    [proxy] = lines_with(stack.run_dir / "nginx-access.log", request_id)
    assert (proxy["method"], proxy["uri"], proxy["status"]) == ("GET", "/users/xxx", 400)


def test_the_client_address_is_the_one_nginx_saw(stack, tag):
    request_id = f"address-{tag}"
    with client("127.0.4.20") as http:
        http.get(f"{stack.url}/ping", headers={"X-Request-ID": request_id, "X-Forwarded-For": "6.6.6.6"}, timeout=5)
    wait_until(lambda: lines_with(stack.run_dir / "gunicorn.log", request_id), what="gunicorn logging the request")
    [app] = lines_with(stack.run_dir / "gunicorn.log", request_id)
    assert app["remote_addr"] == "127.0.4.20"  # one trusted hop: a forged X-Forwarded-For is not believed
