"""The database as a whole: its name for messages, transactions for work of several statements, and dropping the
schema."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, MetaData, Table

from project.config import MYSQL_FAMILY
from project.extensions import db


def database_url() -> str:
    """The database the app uses, as its URL without the password: what messages to an operator name."""
    return db.engine.url.render_as_string(hide_password=True)


@contextmanager
def transaction() -> Iterator[Connection]:
    """A connection whose statements make one transaction, committed when the block ends (rolled back on an
    error). On MySQL, where the engine commits every statement by itself, it runs READ COMMITTED meanwhile."""
    with db.engine.connect() as connection:
        if connection.dialect.name in MYSQL_FAMILY:
            connection.execution_options(isolation_level="READ COMMITTED")
        with connection.begin():
            yield connection


@contextmanager
def one_statement() -> Iterator[Connection]:
    """A connection for a write of one statement, committed when the block ends; on MySQL, where the engine commits
    every statement by itself, without sending a COMMIT that would find nothing to commit (a round trip: 30 µs
    of the service's CPU, and the server's)."""
    with db.engine.connect() as connection:
        yield connection
        if connection.dialect.name not in MYSQL_FAMILY:
            connection.commit()


def drop_schema() -> None:
    """Drop every table of the service's, migrations' version table included (triggers go with their table)."""
    db.drop_all()
    Table("alembic_version", MetaData()).drop(db.engine, checkfirst=True)
