"""sessions and account events: a session per sign-in with its refresh tokens, access tokens tied to a session, and
the account's activity

Revision ID: c4e8a2f6d0b9
Revises: b8f3d2e6a1c4
Create Date: 2026-12-04 05:00:00.000000

Access tokens issued before have no session: they are deleted, and their users sign in again (at most TOKEN_TTL,
an hour, of signed-in time lost; with Redis, the old tokens' keys name no session and are refused likewise).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from project.config import mysql_table_options

revision = "c4e8a2f6d0b9"
down_revision = "b8f3d2e6a1c4"
branch_labels = None
depends_on = None

TABLE_OPTIONS = mysql_table_options(engine="InnoDB", charset="utf8mb4", collate="utf8mb4_bin")


def upgrade():
    op.execute("DELETE FROM auth_tokens")
    with op.batch_alter_table("auth_tokens") as batch:
        batch.add_column(sa.Column("session_id", sa.String(length=22), nullable=False))
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.String(length=22), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("last_used_at", sa.Double(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_sessions")),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_auth_sessions_user_id_created_at", "auth_sessions", ["user_id", "created_at"])
    op.create_index(op.f("ix_auth_sessions_expires_at"), "auth_sessions", ["expires_at"])
    op.create_table(
        "refresh_tokens",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=22), nullable=False),
        sa.Column("spent_at", sa.Double(), nullable=True),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_refresh_tokens")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_refresh_tokens_session_id"), "refresh_tokens", ["session_id"])
    op.create_index(op.f("ix_refresh_tokens_expires_at"), "refresh_tokens", ["expires_at"])
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb"), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=True),
        sa.Column("session_id", sa.String(length=22), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_events")),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_account_events_user_id_id", "account_events", ["user_id", "id"])
    op.create_index(op.f("ix_account_events_at"), "account_events", ["at"])
    with op.batch_alter_table("mail_requests") as batch:
        batch.add_column(sa.Column("address", sa.String(length=45), nullable=True))
        batch.add_column(sa.Column("user_agent", sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table("mail_requests") as batch:
        batch.drop_column("user_agent")
        batch.drop_column("address")
    op.drop_table("account_events")
    op.drop_table("refresh_tokens")
    op.drop_table("auth_sessions")
    with op.batch_alter_table("auth_tokens") as batch:
        batch.drop_column("session_id")
