"""Flask extensions, created unbound here and bound to the app in the factory."""

import sqlite3

from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base whose constraints and indexes get stable names, as migrations need."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_name)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


@event.listens_for(Engine, "connect")
def configure_sqlite(connection, record) -> None:
    """Make SQLite's lower() fold all of Unicode, as MySQL's does, not only ASCII; and let readers go on while one
    writes, committing without waiting for the disk at every transaction (the write-ahead log, with synchronous
    NORMAL: SQLite's own advice for it, which keeps the file consistent through any crash)."""
    if isinstance(connection, sqlite3.Connection):
        connection.create_function("lower", 1, lambda text: text.lower() if isinstance(text, str) else text)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
mail = Mail()
