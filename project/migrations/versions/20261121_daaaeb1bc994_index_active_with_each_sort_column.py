"""index active with each sort column

Revision ID: daaaeb1bc994
Revises: 85c0711f22c3
Create Date: 2026-11-21 14:01:48.441530
"""

from alembic import op

revision = "daaaeb1bc994"
down_revision = "85c0711f22c3"
branch_labels = None
depends_on = None

SORT_COLUMNS = ("created_at", "email", "id", "username")


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        for column in SORT_COLUMNS:
            batch_op.create_index(f"ix_users_active_{column}", ["active", column], unique=False)


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        for column in reversed(SORT_COLUMNS):
            batch_op.drop_index(f"ix_users_active_{column}")
