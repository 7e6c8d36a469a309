"""Hundreds of writes from many clients at once: every 201 is a stored row, and every stored row a 201."""

import threading
from concurrent.futures import ThreadPoolExecutor

from project.tests.contract import EMAIL_TAKEN
from tests.faults.conftest import client

CLIENTS = 50
WRITES_EACH = 8
BURST_CLIENTS = 30


def stored(admin, pattern: str) -> set[tuple[int, str]]:
    with admin.cursor() as cursor:
        cursor.execute("SELECT id, email FROM users WHERE email LIKE %s", (pattern,))
        return {(row[0], row[1]) for row in cursor.fetchall()}


def test_every_acknowledged_write_is_stored_exactly_once(stack, admin, tag):
    def write(number: int) -> list:
        with client(f"127.0.1.{number + 10}") as http:  # each client its own address, as nginx counts them
            return [
                http.post(
                    f"{stack.url}/users",
                    json={"username": f"client {number}", "email": f"lost-{tag}-{number}-{k}@example.com"},
                    timeout=60,
                )
                for k in range(WRITES_EACH)
            ]

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = [answer for answers in pool.map(write, range(CLIENTS)) for answer in answers]
    assert sorted({answer.status_code for answer in answers}) == [201]
    acknowledged = {(answer.json()["data"]["id"], answer.json()["data"]["email"]) for answer in answers}
    assert len(acknowledged) == CLIENTS * WRITES_EACH
    assert stored(admin, f"lost-{tag}-%") == acknowledged
    with admin.cursor() as cursor:
        cursor.execute("SELECT (SELECT SUM(users) FROM user_counts), (SELECT COUNT(*) FROM users)")
        counted, rows = cursor.fetchone()
    assert counted == rows  # the running totals the list relies on stayed exact under load


def test_a_burst_on_one_email_stores_one_row(stack, admin, tag):
    email = f"burst-{tag}@example.com"
    barrier = threading.Barrier(BURST_CLIENTS)

    def write(number: int):
        with client(f"127.0.2.{number + 10}") as http:
            barrier.wait()
            return http.post(f"{stack.url}/users", json={"username": f"burst {number}", "email": email}, timeout=60)

    with ThreadPoolExecutor(BURST_CLIENTS) as pool:
        answers = list(pool.map(write, range(BURST_CLIENTS)))
    assert sorted(answer.status_code for answer in answers) == [201] + [400] * (BURST_CLIENTS - 1)
    refused = [answer.json() for answer in answers if answer.status_code == 400]
    assert refused == [EMAIL_TAKEN] * (BURST_CLIENTS - 1)
    assert len(stored(admin, email)) == 1
