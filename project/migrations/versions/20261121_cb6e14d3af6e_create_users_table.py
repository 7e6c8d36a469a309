"""create users table

Revision ID: cb6e14d3af6e
Revises:
Create Date: 2026-11-21 11:40:59.315100
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "cb6e14d3af6e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("email", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sqlite_autoincrement=True,  # ids are never reused on SQLite either
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
        mysql_engine="InnoDB",
        mariadb_charset="utf8mb4",  # what SQLAlchemy's MariaDB dialect (mariadb:// URLs) reads
        mariadb_collate="utf8mb4_bin",
        mariadb_engine="InnoDB",
    )


def downgrade():
    op.drop_table("users")
