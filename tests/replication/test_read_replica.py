"""Reads on a read replica: others read what the replica has (lag injected on purpose shows it), a client reads
its own writes from the primary for a while, signing in reads the primary, and a replica that is down sends
reads to the primary with no error; where each read went is counted (users_service_replica_reads_total)."""

import ipaddress
import itertools
import re
import uuid
from collections.abc import Iterator

import pymysql
import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

from project.auth.stores import RedisStore
from project.tests.contract import GOOD_PASSWORD, NOT_FOUND
from tests.e2e.live import wait_until
from tests.replication.conftest import DATABASE, Replication

BEHIND = r"[0-9]+ s behind, over REPLICA_MAX_LAG_SECONDS \(3 s\): reads go to the primary"
REPLICA_DOWN = "Can't connect to MySQL server ([Errno 111] Connection refused) (2003)"
ADDRESSES = (str(ipaddress.IPv4Address("10.0.0.1") + number) for number in itertools.count())  # each used once


class Client:
    """A client of the app at an address of its own, with a bearer token once it has one."""

    def __init__(self, app: Flask, address: str, token: str | None = None) -> None:
        self.http: FlaskClient = app.test_client()
        self.address, self.token = address, token

    def request(self, method: str, path: str, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return self.http.open(
            path, method=method, headers=headers, environ_base={"REMOTE_ADDR": self.address}, **kwargs
        )

    def get(self, path: str) -> tuple[int, dict]:
        """A GET's status and JSON body."""
        answer = self.request("GET", path)
        return answer.status_code, answer.json

    def with_token(self, token: str) -> "Client":
        return Client(self.http.application, self.address, token)


def routed() -> dict[str, float]:
    """The reads counted so far by where they went."""
    name = "users_service_replica_reads_total"
    return {
        route: REGISTRY.get_sample_value(name, {"route": route}) or 0.0 for route in ("replica", "primary", "skipped")
    }


def moved(before: dict[str, float]) -> dict[str, float]:
    """The reads counted since `before`, by where they went."""
    return {route: count - before[route] for route, count in routed().items()}


def clients(app: Flask, count: int) -> list[Client]:
    """Clients at addresses no other test uses."""
    return [Client(app, next(ADDRESSES)) for _ in range(count)]


def add_user(client: Client, password: str | None = None) -> dict:
    """A new user, added by the client; its JSON."""
    tag = uuid.uuid4().hex[:12]
    fields = {"username": f"u{tag}", "email": f"{tag}@example.com"} | ({"password": password} if password else {})
    added = client.request("POST", "/users", json=fields)
    assert added.status_code == 201, added.json
    return added.json["data"]


def found(user: dict) -> dict:
    return {"status": "success", "data": user}


@pytest.fixture
def lagging(replication: Replication) -> Iterator[Replication]:
    """The replica an hour behind the primary: nothing written meanwhile reaches it until the test ends."""
    replication.lag(3600)
    yield replication
    replication.lag(0)
    replication.caught_up()


def total(client: Client) -> int:
    """How many users the list says there are, as this client reads it."""
    status, body = client.get("/users")
    assert status == 200, body
    return body["data"]["pagination"]["total"]


def test_others_read_the_replica_and_a_writer_reads_its_own_writes(app, lagging):
    writer, other = clients(app, 2)
    before = total(other)
    user = add_user(writer)
    counted = routed()
    assert writer.get(f"/users/{user['id']}") == (200, found(user))
    assert other.get(f"/users/{user['id']}") == (404, NOT_FOUND)
    assert moved(counted) == {"replica": 1, "primary": 1, "skipped": 0}
    assert (total(writer), total(other)) == (before + 1, before)
    lagging.lag(0)
    lagging.caught_up()
    assert other.get(f"/users/{user['id']}") == (200, found(user))


def test_a_writer_reads_from_the_replica_again_after_a_while(app, lagging):
    (writer,) = clients(app, 1)
    user = add_user(writer)
    assert writer.get(f"/users/{user['id']}") == (200, found(user))
    wait_until(lambda: writer.get(f"/users/{user['id']}") == (404, NOT_FOUND), what="the writer back on the replica")


def test_a_token_that_wrote_reads_its_writes_from_any_address(app, lagging):
    signer_up, signer_in, changer, reader = clients(app, 4)
    user = add_user(signer_up, password=GOOD_PASSWORD)
    # Signing in reads the primary: the user is not on the replica.
    signed = signer_in.request("POST", "/auth/login", json={"email": user["email"], "password": GOOD_PASSWORD})
    assert signed.status_code == 200, signed.json
    token = signed.json["data"]["token"]
    status, me = reader.with_token(token).get("/auth/me")
    assert (status, me["data"]["email"]) == (200, user["email"])
    changed = changer.with_token(token).request("PATCH", f"/users/{user['id']}", json={"username": "changed"})
    assert changed.status_code == 200, changed.json
    assert reader.with_token(token).get(f"/users/{user['id']}") == (200, found({**user, "username": "changed"}))
    assert reader.get(f"/users/{user['id']}") == (404, NOT_FOUND)


def test_reads_go_to_the_primary_while_the_replica_is_down(app, replication):
    writer, other = clients(app, 2)
    user = add_user(writer)
    replication.caught_up()
    replication.replica.stop()
    try:
        counted = routed()
        assert other.get(f"/users/{user['id']}") == (200, found(user))
        assert moved(counted) == {"replica": 0, "primary": 0, "skipped": 1}
        checks = {"database": "ok", "replica": REPLICA_DOWN}
        if isinstance(app.extensions["auth_store"], RedisStore):
            checks["redis"] = "ok"
        assert other.get("/health") == (200, {"status": "success", "message": "ready", "data": checks})
    finally:
        replication.replica.start()
    # Back on the replica once it answers again: a write held back there shows it.
    replication.lag(3600)
    try:
        held_back = add_user(writer)
        wait_until(lambda: other.get(f"/users/{held_back['id']}") == (404, NOT_FOUND), what="reads on the replica")
    finally:
        replication.lag(0)
        replication.caught_up()


def test_the_services_user_cannot_write_on_the_replica(replication):
    connection = pymysql.connect(
        host="127.0.0.1", port=replication.replica.port, user="users", password=replication.password, database=DATABASE
    )
    with connection, connection.cursor() as cursor, pytest.raises(pymysql.err.OperationalError) as refused:
        cursor.execute("DELETE FROM users")
    assert refused.value.args[0] == 1290  # ER_OPTION_PREVENTS_STATEMENT: --read-only


def test_a_replica_too_far_behind_is_skipped_until_it_catches_up(app, lagging):
    writer, other = clients(app, 2)
    user = add_user(writer)
    assert other.get(f"/users/{user['id']}") == (404, NOT_FOUND)  # read on the replica, which lags a little
    limit, app.config["REPLICA_MAX_LAG_SECONDS"] = app.config["REPLICA_MAX_LAG_SECONDS"], 3
    try:
        wait_until(lambda: other.get(f"/users/{user['id']}") == (200, found(user)), what="reads on the primary")
        status, body = other.get("/health")
        assert status == 200
        assert re.fullmatch(BEHIND, body["data"]["replica"]), body
        lagging.lag(0)
        lagging.caught_up()
        lagging.lag(3600)
        held_back = add_user(writer)
        assert other.get(f"/users/{held_back['id']}") == (404, NOT_FOUND)  # caught up: read on the replica again
    finally:
        app.config["REPLICA_MAX_LAG_SECONDS"] = limit
