"""The database as a whole: its name and its problems for messages, a duplicate key told by its error code, the
lock that lets one instance at a time migrate it, and dropping the schema."""

import fcntl
import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import Connection, MetaData, Table, text
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from project.config import MYSQL_FAMILY
from project.extensions import db

# What the database driver raises when the server cannot be reached or gives up on a connection.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
HOST_AND_USER = re.compile(r" on '[^']*'| for user '[^']*'@'[^']*'")  # where the service runs, and as whom
# A unique key duplicated: MySQL's error 1062 (ER_DUP_ENTRY), and the name of SQLite's extended result code.
DUPLICATE_KEY = (1062, "SQLITE_CONSTRAINT_UNIQUE")


def database_problem(error: SQLAlchemyError) -> str:
    """What went wrong with the database, naming no host or user, e.g. "Can't connect to MySQL server (2003)"."""
    reason = getattr(error, "orig", None) or error
    if len(reason.args) == 2 and isinstance(reason.args[0], int):  # PyMySQL's (code, message)
        code, message = reason.args
        return f"{HOST_AND_USER.sub('', str(message))} ({code})"
    return str(reason)


def is_duplicate_key(error: IntegrityError) -> bool:
    """Whether the statement was refused for duplicating a unique key, as the driver's error code says."""
    reason = error.orig
    code = getattr(reason, "sqlite_errorname", None) or (reason.args[0] if reason.args else None)
    return code in DUPLICATE_KEY


def database_url() -> str:
    """The database the app uses, as its URL without the password: what messages to an operator name."""
    return db.engine.url.render_as_string(hide_password=True)


MIGRATION_LOCK = "users-service migrations"


@contextmanager
def migration_lock(timeout: float) -> Iterator[Connection | None]:
    """Hold, while the block runs, the lock that instances migrating the database take turns on: MySQL's named
    lock (GET_LOCK), on the connection the block is given to migrate on; on SQLite, an exclusive lock on a file
    beside the database (and no connection). TimeoutError when another holds it longer than `timeout` seconds."""
    if db.engine.dialect.name not in MYSQL_FAMILY:
        with Path(f"{db.engine.url.database}.migrating").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield None
        return
    with db.engine.connect() as connection:
        taken = connection.execute(
            text("SELECT GET_LOCK(:name, :timeout)"), {"name": MIGRATION_LOCK, "timeout": timeout}
        )
        if taken.scalar() != 1:
            raise TimeoutError(f"another instance has been migrating the database for over {timeout:g} s")
        connection.commit()  # (the lock is the session's, not the transaction's)
        try:
            yield connection
        finally:
            connection.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": MIGRATION_LOCK})


def upgrade_schema(connection: Connection | None) -> tuple[str | None, int]:
    """Apply the migrations that are missing, on this connection if one is given (the one holding the migration
    lock: a pool of one connection, as GUNICORN_THREADS=1 makes it, has no second one to give), else on one of
    the engine's (project/migrations/env.py takes it from Alembic's config attributes, as Alembic's cookbook
    shares a connection); the revision the database was at (None: it had no schema) and how many were applied."""
    config = current_app.extensions["migrate"].migrate.get_config()
    with nullcontext(connection) if connection is not None else db.engine.connect() as reading:
        before = MigrationContext.configure(reading).get_current_revision()
    script = ScriptDirectory.from_config(config)
    missing = len(list(script.iterate_revisions("heads", before or "base")))
    if connection is None:
        command.upgrade(config, "head")
        return before, missing
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    connection.commit()  # the version table's row, which Alembic leaves to the connection's owner to commit
    return before, missing


def drop_schema() -> None:
    """Drop every table of the service's, migrations' version table included (triggers go with their table)."""
    db.drop_all()
    Table("alembic_version", MetaData()).drop(db.engine, checkfirst=True)
