"""sign in: passwords, admins, tokens and sign-in attempts

Revision ID: 5ed293da0711
Revises: 4f2b9c1d7e3a
Create Date: 2026-12-01 05:21:01.643404

Users get a password's hash (none: the user cannot sign in), an admin flag and the version their tokens
must carry. Where no Redis is configured, tokens and sign-in attempts are kept in two tables of their own.
"""

import sqlalchemy as sa
from alembic import op

revision = "5ed293da0711"
down_revision = "4f2b9c1d7e3a"
branch_labels = None
depends_on = None

TABLE_OPTIONS = {
    f"{prefix}_{name}": value
    for prefix in ("mysql", "mariadb")
    for name, value in (("engine", "InnoDB"), ("charset", "utf8mb4"), ("collate", "utf8mb4_bin"))
}


def upgrade():
    # Plain ALTER TABLEs, not a batch: on SQLite a batch would copy the table, dropping its triggers.
    op.add_column("users", sa.Column("password_hash", sa.String(length=255), nullable=True))
    op.add_column("users", sa.Column("admin", sa.Boolean(), server_default="0", nullable=False))
    op.add_column("users", sa.Column("token_version", sa.Integer(), server_default="0", nullable=False))

    op.create_table(
        "auth_tokens",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_auth_tokens")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_auth_tokens_expires_at"), "auth_tokens", ["expires_at"])
    op.create_index(op.f("ix_auth_tokens_user_id"), "auth_tokens", ["user_id"])

    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("attempt", sa.String(length=32), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_sign_in_attempts_at"), "sign_in_attempts", ["at"])
    op.create_index("ix_sign_in_attempts_key_at", "sign_in_attempts", ["key", "at"])


def downgrade():
    op.drop_table("sign_in_attempts")
    op.drop_table("auth_tokens")
    for column in ("token_version", "admin", "password_hash"):
        op.drop_column("users", column)
