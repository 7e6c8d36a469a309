"""Running totals of users by `active`, kept in the same transaction as every write, so that the users
list learns its total without counting the table. The totals are spread over shards: concurrent
writers update a random shard each and rarely wait on one another."""

import random
from collections import Counter

from sqlalchemy import BigInteger, Connection, SmallInteger, case, event, func, insert, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from project.api.models import User
from project.config import mysql_table_options
from project.extensions import db

SHARDS = 16


class UserCount(db.Model):
    """How many users with this `active` value one shard has counted (shards sum to the total)."""

    __tablename__ = "user_counts"
    __table_args__ = mysql_table_options(engine="InnoDB")

    active: Mapped[bool] = mapped_column(primary_key=True, autoincrement=False)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    users: Mapped[int] = mapped_column(BigInteger, default=0)


def count_rows() -> list[dict]:
    """The rows a new user_counts table starts with: every shard at zero."""
    return [{"active": active, "shard": shard, "users": 0} for active in (False, True) for shard in range(SHARDS)]


@event.listens_for(UserCount.__table__, "after_create")
def fill_new_table(table, connection, **kwargs) -> None:
    """Give a freshly created table its rows, which writers then only ever update."""
    connection.execute(insert(table), count_rows())


def add_to_counts(session: Session, changes: Counter) -> None:
    """Add `changes` ({active: difference}) to one random shard, in one statement (it locks rows in key order)."""
    changes = {active: difference for active, difference in changes.items() if difference}
    if not changes:
        return
    counts = UserCount.__table__
    statement = (
        update(counts)
        .where(counts.c.shard == random.randrange(SHARDS), counts.c.active.in_(changes))
        .values(users=counts.c.users + case(changes, value=counts.c.active))
    )
    session.connection().execute(statement)


@event.listens_for(Session, "after_flush")
def count_flushed_users(session: Session, flush_context) -> None:
    """Turn the users just inserted, deleted or (de)activated into changes of the totals. After the flush,
    so that a user row is locked before a counter row (always in that order: no deadlock), a counter is
    locked only until the commit, and a refused insert (a duplicate email) locks none."""
    changes: Counter = Counter()
    for user in session.new:
        if isinstance(user, User):
            changes[user.active] += 1
    for user in session.deleted:
        if isinstance(user, User):
            changes[user.active] -= 1
    for user in session.dirty:
        if not isinstance(user, User):
            continue
        before = inspect(user).committed_state.get("active", user.active)
        if before != user.active:
            changes[before] -= 1
            changes[user.active] += 1
    add_to_counts(session, changes)


def recount(session: Session) -> dict[bool, int]:
    """Set the totals to what the table holds, for rows written by hand past the service. Zeroing every
    shard first locks them all: a writer whose user row is not committed yet waits, then adds itself."""
    counts = UserCount.__table__
    session.execute(update(counts).values(users=0))
    actual = dict(session.execute(select(User.active, func.count()).group_by(User.active)).all())
    totals = {active: actual.get(active, 0) for active in (False, True)}
    session.execute(update(counts).where(counts.c.shard == 0).values(users=case(totals, value=counts.c.active)))
    return totals


def count_users(connection: Connection, active: bool | None = None) -> int:
    """How many users there are (with this `active` value, if given), from the shards alone."""
    statement = select(func.coalesce(func.sum(UserCount.users), 0))
    if active is not None:
        statement = statement.where(UserCount.active == active)
    return int(connection.execute(statement).scalar_one())
