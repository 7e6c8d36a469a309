"""count users with triggers

Revision ID: 4f2b9c1d7e3a
Revises: daaaeb1bc994
Create Date: 2026-11-23 07:00:00.000000

The running totals in user_counts were kept by the service's own writes, so rows written with plain SQL
left them wrong. From here on the database keeps them: a trigger on each insert, delete and update of
`users` adjusts the shard the row's id falls in, inside the same transaction, whoever writes. Concurrent
writers of different ids touch different shards. TRUNCATE fires no trigger: `manage.py recount_users`
repairs the totals after one.
"""

from alembic import op

revision = "4f2b9c1d7e3a"
down_revision = "daaaeb1bc994"
branch_labels = None
depends_on = None

SHARD = "{row}.id & 15"  # 16 shards, numbered 0 to 15 whatever the id's sign
CHANGES = {
    "insert": f"UPDATE user_counts SET users = users + 1 WHERE active = NEW.active AND shard = {SHARD.format(row='NEW')}",
    "delete": f"UPDATE user_counts SET users = users - 1 WHERE active = OLD.active AND shard = {SHARD.format(row='OLD')}",
    # A row whose `active` (or id) changes leaves one count for another; any other change touches none.
    "update": (
        "UPDATE user_counts SET users = users"
        f" + (active = NEW.active AND shard = {SHARD.format(row='NEW')})"
        f" - (active = OLD.active AND shard = {SHARD.format(row='OLD')})"
        " WHERE (NEW.active <> OLD.active OR NEW.id <> OLD.id)"
        f" AND shard IN ({SHARD.format(row='NEW')}, {SHARD.format(row='OLD')})"
    ),
}


def trigger(event: str, statement: str) -> str:
    """CREATE TRIGGER in the dialect at hand: SQLite wants the body between BEGIN and END."""
    head = f"CREATE TRIGGER users_count_{event} AFTER {event.upper()} ON users FOR EACH ROW"
    if op.get_bind().dialect.name == "sqlite":
        return f"{head} BEGIN {statement}; END"
    return f"{head} {statement}"


def upgrade():
    for event, statement in CHANGES.items():
        op.execute(trigger(event, statement))
    # Start from the true totals, in shard 0 (only their sums mean anything).
    op.execute("UPDATE user_counts SET users = 0")
    op.execute(
        "UPDATE user_counts SET users = (SELECT COUNT(*) FROM users WHERE users.active = user_counts.active)"
        " WHERE shard = 0"
    )


def downgrade():
    for event in CHANGES:
        op.execute(f"DROP TRIGGER users_count_{event}")
