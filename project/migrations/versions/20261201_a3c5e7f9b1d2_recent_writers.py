"""recent writers: the clients that read from the primary while a read replica may lag

Revision ID: a3c5e7f9b1d2
Revises: 5ed293da0711
Create Date: 2026-12-01 23:40:00.000000

Where no Redis is configured and a read replica is (DATABASE_READ_URL), a client that wrote is kept here, by its
address's or its token's digest, until it may read from the replica again.
"""

import sqlalchemy as sa
from alembic import op

from project.config import mysql_table_options

revision = "a3c5e7f9b1d2"
down_revision = "5ed293da0711"
branch_labels = None
depends_on = None

TABLE_OPTIONS = mysql_table_options(engine="InnoDB", charset="utf8mb4", collate="utf8mb4_bin")


def upgrade():
    op.create_table(
        "recent_writers",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("until", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_recent_writers")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_recent_writers_until"), "recent_writers", ["until"])


def downgrade():
    op.drop_table("recent_writers")
