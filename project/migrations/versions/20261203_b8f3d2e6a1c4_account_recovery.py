"""account recovery: whether a user's email is verified, requests for mailed links, and the outbox of mails

Revision ID: b8f3d2e6a1c4
Revises: e7d1c4a9b2f6
Create Date: 2026-12-03 19:40:00.000000

Users who exist already are unverified: with REQUIRE_VERIFIED_EMAIL on, they verify (POST /auth/request-verify-token)
before they sign in. A request for a mailed link is kept in mail_requests (the same for any email) until the mail
worker answers it. Mails are written to mail_outbox with the change they tell of, and deleted once delivered.
"""

import sqlalchemy as sa
from alembic import op

from project.config import mysql_table_options

revision = "b8f3d2e6a1c4"
down_revision = "e7d1c4a9b2f6"
branch_labels = None
depends_on = None

TABLE_OPTIONS = mysql_table_options(engine="InnoDB", charset="utf8mb4", collate="utf8mb4_bin")


def upgrade():
    op.add_column("users", sa.Column("email_verified", sa.Boolean(), server_default="0", nullable=False))
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("queued_at", sa.Double(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("due_at", sa.Double(), nullable=False),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
        **TABLE_OPTIONS,
    )
    op.create_index(op.f("ix_mail_outbox_due_at"), "mail_outbox", ["due_at"])
    op.create_table(
        "mail_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_requests")),
        **TABLE_OPTIONS,
    )


def downgrade():
    op.drop_table("mail_requests")
    op.drop_table("mail_outbox")
    op.drop_column("users", "email_verified")
