"""The read replica (DATABASE_READ_URL): reads that may lag go to it, except a client's that wrote in the last
READ_YOUR_WRITES_SECONDS (by the same address, or with the same bearer token), which read their own writes on the
primary. A replica that fails is left alone for REPLICA_RETRY_SECONDS, and one more than REPLICA_MAX_LAG_SECONDS
behind until it catches up (asked every REPLICA_LAG_CHECK_SECONDS): meanwhile every read goes to the primary, with
no error. Signing in and checking tokens always read the primary (project.users.reads)."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from project import metrics
from project.auth.errors import StoreUnavailable
from project.auth.stores import digest, store
from project.config import REPLICA
from project.database import DATABASE_UNAVAILABLE, database_problem
from project.extensions import db

log = logging.getLogger(__name__)
T = TypeVar("T")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class ReplicaState:
    """Until when (seconds since the epoch) this process leaves the replica alone after it failed; whether it is
    too far behind to read from (why), and until when that answer holds."""

    skipped_until: float = 0.0
    behind: str | None = None
    behind_until: float = 0.0


def init_app(app: Flask) -> None:
    """With a replica configured, note every client that writes, so that it reads its own writes."""
    if REPLICA in app.config["SQLALCHEMY_BINDS"]:
        app.extensions["replica"] = ReplicaState()
        app.after_request(note_writer)


def replica_engine() -> Engine | None:
    """The replica's engine, when one is configured."""
    return db.engines.get(REPLICA)


def reading(work: Callable[..., T], *args: object) -> T:
    """`work(connection, *args)`, on the replica when this request may read from it, else on the primary; on
    the primary again when the replica fails. Where each read went is counted (project.metrics)."""
    replica = replica_engine()
    if replica is None:
        with db.engine.connect() as connection:
            return work(connection, *args)
    if (route := replica_route()) == "replica":
        try:
            with replica.connect() as connection:
                metrics.REPLICA_READS.labels(route).inc()  # (one that fails there is counted again, as skipped)
                return work(connection, *args)
        except DATABASE_UNAVAILABLE as error:
            skip_replica(error)
            route = "skipped"
    metrics.REPLICA_READS.labels(route).inc()
    with db.engine.connect() as connection:
        return work(connection, *args)


def replica_route() -> str:
    """Where this read goes: "replica"; "primary" outside requests (a command reads what it wrote) and for a client
    that wrote lately; "skipped" while the replica is left alone after a failure or is too far behind."""
    if not has_request_context():
        return "primary"
    if current_app.extensions["replica"].skipped_until > time.time() or too_far_behind():
        return "skipped"
    if "read_replica" not in g:  # asked once per request
        g.read_replica = not wrote_recently()
    return "replica" if g.read_replica else "primary"


def too_far_behind() -> bool:
    """Whether the replica is more than REPLICA_MAX_LAG_SECONDS behind, as it said when last asked (at most
    REPLICA_LAG_CHECK_SECONDS ago)."""
    state, now = current_app.extensions["replica"], time.time()
    if now >= state.behind_until:
        state.behind_until = now + current_app.config["REPLICA_LAG_CHECK_SECONDS"]
        state.behind = lag_problem()
        if state.behind is not None:
            log.warning("replica: %s", state.behind)
    return state.behind is not None


def lag_problem() -> str | None:
    """Why the replica is too far behind to read from, or None when it is not: its lag past
    REPLICA_MAX_LAG_SECONDS, or why its lag cannot be known (its user needs MariaDB's SLAVE MONITOR privilege,
    MySQL's REPLICATION CLIENT). A server that replicates from none is as current as itself."""
    limit = current_app.config["REPLICA_MAX_LAG_SECONDS"]
    try:
        with replica_engine().connect() as connection:
            status = connection.exec_driver_sql("SHOW REPLICA STATUS").mappings().first()
    except SQLAlchemyError as error:
        return f"lag unknown ({database_problem(error)}): reads go to the primary"
    if status is None:
        return None
    seconds = status.get("Seconds_Behind_Master", status.get("Seconds_Behind_Source"))
    if seconds is None:
        return "not replicating (its lag is NULL): reads go to the primary"
    if seconds > limit:
        return f"{seconds} s behind, over REPLICA_MAX_LAG_SECONDS ({limit:g} s): reads go to the primary"
    return None


def wrote_recently() -> bool:
    """Whether the client has written lately; when the store cannot say, it is taken to have."""
    try:
        return store().wrote_recently(writer_keys(), time.time())
    except (StoreUnavailable, *DATABASE_UNAVAILABLE) as error:
        log.warning("reading from the primary: recent writers unknown: %s", store_problem(error))
        return True


def note_writer(response: Response) -> Response:
    """After a write that succeeded, the client reads from the primary for READ_YOUR_WRITES_SECONDS."""
    if request.method in SAFE_METHODS or response.status_code >= 400:
        return response
    now = time.time()
    try:
        store().add_writers(writer_keys(), now + current_app.config["READ_YOUR_WRITES_SECONDS"], now)
    except (StoreUnavailable, *DATABASE_UNAVAILABLE) as error:  # the write is done: it is answered as such
        log.warning("%s %s not noted as a recent writer: %s", request.method, request.path, store_problem(error))
    return response


def store_problem(error: Exception) -> str:
    """What went wrong with the store (Redis, or the database), naming no host."""
    return error.reason if isinstance(error, StoreUnavailable) else database_problem(error)


def writer_keys() -> list[str]:
    """What the client is known by: its address, and the token of its Authorization header when it sends one (as
    digests)."""
    keys = [digest(f"address:{request.remote_addr}")]
    if (credentials := request.authorization) is not None and credentials.token:
        keys.append(digest(f"token:{credentials.token}"))
    return keys


def skip_replica(error: SQLAlchemyError) -> None:
    """Leave the replica alone for REPLICA_RETRY_SECONDS, reading from the primary meanwhile."""
    seconds = current_app.config["REPLICA_RETRY_SECONDS"]
    current_app.extensions["replica"].skipped_until = time.time() + seconds
    log.warning("replica unavailable, reading from the primary for %g s: %s", seconds, database_problem(error))
