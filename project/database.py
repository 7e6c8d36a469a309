"""The service's database connections: a transactional engine for writes, an autocommit one for reads
(the `reads` bind), and the check that keeps pooled MySQL connections healthy without a round trip."""

import select

from sqlalchemy import Connection, MetaData, Table, event
from sqlalchemy.exc import DisconnectionError

from project.config import MYSQL_FAMILY
from project.extensions import db


def check_connections_on_checkout() -> None:
    """Before either pool hands out a MySQL connection, make sure the server has not closed it."""
    for engine in db.engines.values():
        if engine.dialect.name in MYSQL_FAMILY:
            event.listen(engine, "checkout", refuse_closed_connection)


def drop_schema() -> None:
    """Drop every table of the service's, migrations' version table included."""
    db.drop_all()
    Table("alembic_version", MetaData()).drop(db.engine, checkfirst=True)


def reading() -> Connection:
    """A connection from the read engine, for queries that need no transaction (use it in a `with`)."""
    return db.engines["reads"].connect()


def refuse_closed_connection(dbapi_connection, connection_record, connection_proxy) -> None:
    """An idle connection the server has closed (a restart, a KILL, its idle timeout) has the server's
    farewell or an end of file waiting on its socket; a healthy idle one has nothing. Polling the socket
    costs a system call, where a ping would cost a round trip. Raising DisconnectionError makes the pool
    discard the connection and hand out a new one."""
    sock = getattr(dbapi_connection, "_sock", None)  # PyMySQL's socket
    if sock is None:
        dbapi_connection.ping(reconnect=False)  # no socket to look at: ask the server instead
    else:
        waiting = select.poll()  # not select(): it fails on descriptors past 1023, which a busy worker reaches
        waiting.register(sock, select.POLLIN)
        if waiting.poll(0):
            raise DisconnectionError("the server has closed this connection")
