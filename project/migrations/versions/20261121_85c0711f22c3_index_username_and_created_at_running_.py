"""index username and created_at; running user counts

Revision ID: 85c0711f22c3
Revises: cb6e14d3af6e
Create Date: 2026-11-21 12:08:19.867722
"""

import sqlalchemy as sa
from alembic import op

revision = "85c0711f22c3"
down_revision = "cb6e14d3af6e"
branch_labels = None
depends_on = None

SHARDS = 16


def upgrade():
    user_counts = op.create_table(
        "user_counts",
        sa.Column("active", sa.Boolean(), autoincrement=False, nullable=False),
        sa.Column("shard", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("users", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("active", "shard", name=op.f("pk_user_counts")),
        mysql_engine="InnoDB",
        mariadb_engine="InnoDB",
    )
    op.bulk_insert(
        user_counts,
        [{"active": active, "shard": shard, "users": 0} for active in (False, True) for shard in range(SHARDS)],
    )
    # The users already there are counted once, into shard 0.
    op.execute(
        "UPDATE user_counts SET users = (SELECT COUNT(*) FROM users WHERE users.active = user_counts.active)"
        " WHERE shard = 0"
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_username"), ["username"], unique=False)


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_username"))
        batch_op.drop_index(batch_op.f("ix_users_created_at"))
    op.drop_table("user_counts")
