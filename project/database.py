"""The schema as a whole: dropping it, for recreate_db and the tests (the migrations build it)."""

from sqlalchemy import MetaData, Table

from project.extensions import db


def drop_schema() -> None:
    """Drop every table of the service's, migrations' version table included (triggers go with their table)."""
    db.drop_all()
    Table("alembic_version", MetaData()).drop(db.engine, checkfirst=True)
