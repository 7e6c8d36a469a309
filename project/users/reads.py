"""Reads: a user by id, and pages of users, sorted and filtered, whose cost does not grow with the table.
They run as plain SQL on a connection of the engine's pool, not through the ORM session: a read builds
no session and no ORM objects (measured with make bench-compare: GET /users/<id> served 0.63 of the
requests per second through the session; see README, Performance)."""

from dataclasses import dataclass
from math import ceil

from sqlalchemy import ColumnElement, Connection, Row, bindparam, func, or_, select
from sqlalchemy.orm import Session

from project.extensions import db
from project.users.errors import UserNotFound
from project.users.models import ID_RANGE, User, UserCount

USERS = User.__table__
COUNTS = UserCount.__table__
SORT_FIELDS = ("id", "username", "email", "created_at")
SORT_KEYS = [*SORT_FIELDS, *(f"-{name}" for name in SORT_FIELDS)]
NEWEST_FIRST = "-created_at"
PAGE_MAX = 2**31 - 1  # a page number past any table, small enough for every OFFSET to stay an integer
SORTABLE = {name: USERS.c[name] for name in SORT_FIELDS}
# What a read shows of a user: never its password's hash, nor its tokens' version.
PROFILE = [USERS.c[name] for name in ("id", "username", "email", "active", "created_at", "admin")]
USER_BY_ID = select(*PROFILE).where(USERS.c.id == bindparam("user_id"))  # built once: the hottest read
# What signing in and checking a token need besides.
ACCOUNT = select(*PROFILE, USERS.c.password_hash, USERS.c.token_version)


@dataclass(frozen=True)
class Page:
    """One page of users and where it lies in the whole list."""

    users: list[Row]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return ceil(self.total / self.per_page)

    @property
    def last(self) -> int:
        """The last page's number: an empty list still has a first page."""
        return max(self.pages, 1)


def read_user(user_id: int) -> Row:
    """The user with this id, on a connection of its own."""
    with db.engine.connect() as connection:
        return fetch_user(connection, user_id)


def fetch_user(connection: Connection | Session, user_id: int) -> Row:
    """The user with this id, read on this connection or session; an id no INT key can hold is simply not
    found."""
    if user_id not in ID_RANGE:
        raise UserNotFound()
    user = connection.execute(USER_BY_ID, {"user_id": user_id}).one_or_none()
    if user is None:
        raise UserNotFound()
    return user


def read_account(*, user_id: int | None = None, email: str | None = None) -> Row | None:
    """The user with this id or email, with its password's hash and tokens' version; None if there is none."""
    column, value = (USERS.c.id, user_id) if email is None else (USERS.c.email, email)
    with db.engine.connect() as connection:
        return connection.execute(ACCOUNT.where(column == value)).one_or_none()


def find_users(
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str = NEWEST_FIRST,
    username: str | None = None,
    email: str | None = None,
    active: bool | None = None,
    q: str | None = None,
) -> Page:
    """A page of the users that match every filter given, in the order `sort` names (ties broken by id)."""
    conditions = filters(username=username, email=email, active=active, q=q)
    order = ordering(sort)
    statement = select(*PROFILE).where(*conditions).order_by(*order).limit(per_page)
    if page > 1:  # the rows to skip are skipped on an index alone: the page's ids first, then their rows
        ids = select(USERS.c.id).where(*conditions).order_by(*order).limit(per_page).offset((page - 1) * per_page)
        page_ids = ids.subquery("page_ids")
        statement = select(*PROFILE).join(page_ids, USERS.c.id == page_ids.c.id).order_by(*order)
    with db.engine.connect() as connection:
        users = connection.execute(statement).all()
        if username is None and email is None and q is None:
            total = count_users(connection, active)  # the running totals: no rows are counted
        else:
            total = connection.execute(select(func.count()).select_from(USERS).where(*conditions)).scalar_one()
    return Page(users=list(users), page=page, per_page=per_page, total=total)


def count_users(connection: Connection, active: bool | None = None) -> int:
    """How many users there are (with this `active` value, if given), from the running totals alone."""
    statement = select(func.coalesce(func.sum(COUNTS.c.users), 0))
    if active is not None:
        statement = statement.where(COUNTS.c.active == active)
    return int(connection.execute(statement).scalar_one())


def filters(*, username: str | None, email: str | None, active: bool | None, q: str | None) -> list[ColumnElement]:
    """SQL conditions for the filters given: exact username, email and active; `q` a substring of either text."""
    conditions = []
    if username is not None:
        conditions.append(USERS.c.username == username)
    if email is not None:
        conditions.append(USERS.c.email == email)
    if active is not None:
        conditions.append(USERS.c.active == active)
    if q is not None:
        # instr() and lower() behave alike on MySQL and SQLite (whose lower() the app makes Unicode-aware).
        needle = q.lower()
        conditions.append(
            or_(func.instr(func.lower(USERS.c.username), needle) > 0, func.instr(USERS.c.email, needle) > 0)
        )
    return conditions


def ordering(sort: str) -> tuple:
    """ORDER BY for a sort key such as "username" or "-created_at"; the id breaks ties in the same direction.
    A unique column has no ties, and MySQL walks its index only when asked for that column alone."""
    column = SORTABLE[sort.removeprefix("-")]
    columns = (column,) if column.primary_key or column.unique else (column, USERS.c.id)
    return tuple(by.desc() if sort.startswith("-") else by.asc() for by in columns)
