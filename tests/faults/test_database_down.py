"""MariaDB stopped, restarted, and dropping connections: 503s while it is away, recovery with no restart."""

import time

import requests

from project.tests.contract import DATABASE_ROUTES, PONG, UNAVAILABLE

REQUESTS_TO_REACH_EVERY_WORKER = 40


def all_succeed(stack, count: int = REQUESTS_TO_REACH_EVERY_WORKER) -> list[int]:
    """The statuses of `count` reads, each on a new connection (so they spread over the workers)."""
    return [requests.get(f"{stack.url}/users?per_page=1", timeout=5).status_code for _ in range(count)]


def service_connections(admin) -> list[int]:
    with admin.cursor() as cursor:
        cursor.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'users'")
        return [row[0] for row in cursor.fetchall()]


def drop_service_connections(admin) -> None:
    """Close, from the server's side, every connection the service holds."""
    with admin.cursor() as cursor:
        for connection_id in service_connections(admin):
            cursor.execute(f"KILL CONNECTION {int(connection_id)}")


def test_while_the_database_is_down_and_after_it_is_back(stack, mariadb, account):
    assert all_succeed(stack) == [200] * REQUESTS_TO_REACH_EVERY_WORKER  # every worker holds pooled connections
    mariadb.stop()
    with requests.Session() as http:
        for method, path, body in DATABASE_ROUTES:  # with a token: the changes are checked past it
            response = http.request(method, f"{stack.url}{path}", json=body, headers=account["auth"], timeout=5)
            assert (response.status_code, response.json()) == (503, UNAVAILABLE), (method, path)
            assert response.headers["Retry-After"] == "5"
            assert response.headers["Content-Type"] == "application/json"
        page = http.get(f"{stack.url}/", headers={"Accept": "text/html"}, timeout=5)
        assert (page.status_code, page.headers["Content-Type"]) == (503, "text/html; charset=utf-8")
        health = http.get(f"{stack.url}/health", timeout=5)
        reason = "Can't connect to MySQL server ([Errno 111] Connection refused) (2003)"
        assert (health.status_code, health.json()) == (503, {**UNAVAILABLE, "errors": {"database": [reason]}})
        ping = http.get(f"{stack.url}/ping", timeout=5)
        assert (ping.status_code, ping.json()) == (200, PONG)
    mariadb.start()
    # The first requests after MariaDB answers again succeed: no stale pooled connection reaches a client.
    assert all_succeed(stack) == [200] * REQUESTS_TO_REACH_EVERY_WORKER
    assert requests.get(f"{stack.url}/health", timeout=5).status_code == 200


def test_connections_the_server_closes(stack, admin):
    assert all_succeed(stack) == [200] * REQUESTS_TO_REACH_EVERY_WORKER
    assert service_connections(admin)
    drop_service_connections(admin)
    assert all_succeed(stack) == [200] * REQUESTS_TO_REACH_EVERY_WORKER


def test_connections_past_the_servers_idle_timeout(stack, admin):
    with admin.cursor() as cursor:
        cursor.execute("SELECT @@GLOBAL.wait_timeout")
        [[default]] = cursor.fetchall()
        cursor.execute("SET GLOBAL wait_timeout = 1")
    try:
        drop_service_connections(admin)  # the service's next connections get the short timeout
        assert all_succeed(stack) == [200] * REQUESTS_TO_REACH_EVERY_WORKER
        time.sleep(2)  # the server closes every connection idle for a second
        assert all_succeed(stack) == [200] * REQUESTS_TO_REACH_EVERY_WORKER
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"SET GLOBAL wait_timeout = {int(default)}")
