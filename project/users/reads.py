"""Reads: a user by id, the user a token names, and pages of users, sorted and filtered, whose cost does not grow
with the table: by page number, or by keyset (the users just after, or just before, a place in the sorted list),
whose cost does not grow with the depth either. They run as SQLAlchemy Core statements on a connection of the
engine's pool (the read replica's, where one is configured and the request may read from it: project.replica),
and give each user as a mapping of its profile's columns, never with its password's hash."""

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import ceil
from typing import Any

from marshmallow import fields
from sqlalchemy import ColumnElement, Connection, RowMapping, Select, and_, bindparam, func, or_, select

from project.extensions import db
from project.replica import reading
from project.users.errors import UserNotFound
from project.users.models import ID_RANGE, Email, QueryBoolean, Text, User, UserCount

USERS = User.__table__
COUNTS = UserCount.__table__
SORT_FIELDS = ("id", "username", "email", "created_at")
SORT_KEYS = [*SORT_FIELDS, *(f"-{name}" for name in SORT_FIELDS)]
NEWEST_FIRST = "-created_at"
PAGE_MAX = 2**31 - 1  # a page number past any table, small enough for every OFFSET to stay an integer
SORTABLE = {name: USERS.c[name] for name in SORT_FIELDS}
# What a read shows of a user: never its password's hash, nor its tokens' version.
PROFILE = [
    *(USERS.c[name] for name in ("id", "username", "email", "active", "created_at", "admin")),
    USERS.c.email_verified.label("verified"),
]
USER_BY_ID = select(*PROFILE).where(USERS.c.id == bindparam("user_id"))
# What proving a password needs besides.
ACCOUNT = select(*PROFILE, USERS.c.password_hash, USERS.c.token_version)


def contains(text: str) -> ColumnElement:
    """The users whose username (in any case) or email holds the text; instr() and lower() behave alike on MySQL and
    SQLite (whose lower() the app makes Unicode-aware)."""
    needle = text.lower()
    return or_(func.instr(func.lower(USERS.c.username), needle) > 0, func.instr(USERS.c.email, needle) > 0)


@dataclass(frozen=True)
class Filter:
    """A filter of the users list: the field its query parameter is read and documented with, the condition it adds
    for a value, and whether the running totals (kept for each `active` value) still count the users it keeps."""

    field: fields.Field
    condition: Callable[[Any], ColumnElement]
    counted: bool = False


FILTERS = {
    "username": Filter(
        Text(metadata={"description": "Only users with exactly this username."}),
        lambda username: USERS.c.username == username,
    ),
    "email": Filter(
        Email(metadata={"description": "Only the user with this email."}), lambda email: USERS.c.email == email
    ),
    "active": Filter(
        QueryBoolean(metadata={"description": "Only active (true) or inactive (false) users."}),
        lambda active: USERS.c.active == active,
        counted=True,
    ),
    "q": Filter(
        Text(metadata={"description": "Only users whose username (any case) or email contains this text."}), contains
    ),
}


@dataclass(frozen=True)
class Paging:
    """Where a page lies in a whole list, by number."""

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


@dataclass(frozen=True)
class Page(Paging):
    """One page of users and where it lies in the whole list."""

    users: list[RowMapping]


@dataclass(frozen=True)
class Place:
    """A place in a sorted list: just after the user whose sort key is `key` (its sort column's value, then its id
    where that column is not unique), or just before it."""

    key: tuple
    before: bool = False


@dataclass(frozen=True)
class Stretch:
    """The users on one side of a place (in the list's order), and whether more may lie past each end."""

    users: list[RowMapping]
    per_page: int
    total: int
    more_before: bool
    more_after: bool


def read_user(user_id: int) -> RowMapping:
    """The user with this id (from the read replica, where the request may read from it)."""
    return reading(fetch_user, user_id)


def fetch_user(connection: Connection, user_id: int) -> RowMapping:
    """The user with this id, read on this connection; an id no INT key can hold is simply not found."""
    user = None
    if user_id in ID_RANGE:
        user = connection.execute(USER_BY_ID, {"user_id": user_id}).mappings().one_or_none()
    if user is None:
        raise UserNotFound()
    return user


def read_principal(user_id: int, token_version: int) -> RowMapping | None:
    """The user a token names, if it is active and its tokens are still at this version; from the primary."""
    statement = USER_BY_ID.where(USERS.c.active.is_(True), USERS.c.token_version == token_version)
    with db.engine.connect() as connection:
        return connection.execute(statement, {"user_id": user_id}).mappings().one_or_none()


def read_account(*, user_id: int | None = None, email: str | None = None) -> RowMapping | None:
    """The user with this id or email, with its password's hash and tokens' version, for proving a password; None if
    there is none. From the primary."""
    column, value = (USERS.c.id, user_id) if email is None else (USERS.c.email, email)
    with db.engine.connect() as connection:
        return connection.execute(ACCOUNT.where(column == value)).mappings().one_or_none()


def fetch_accounts(connection: Connection, emails: Iterable[str]) -> dict[str, RowMapping]:
    """The users with these emails, as read_account shows them, by email, read on this connection."""
    found = connection.execute(ACCOUNT.where(USERS.c.email.in_(list(emails)))).mappings()
    return {account["email"]: account for account in found}


def find_users(*, page: int = 1, per_page: int = 20, sort: str = NEWEST_FIRST, **filtered: Any) -> Page:
    """A page of the users that match every filter given (see FILTERS), in the order `sort` names (ties broken by
    id)."""
    conditions = [FILTERS[name].condition(value) for name, value in filtered.items()]
    order = ordering(sort)
    statement = select(*PROFILE).where(*conditions).order_by(*order).limit(per_page)
    if page > 1:  # the rows to skip are skipped on an index alone: the page's ids first, then their rows
        ids = select(USERS.c.id).where(*conditions).order_by(*order).limit(per_page).offset((page - 1) * per_page)
        statement = profiles(ids, order)
    users, total = reading(users_and_total, statement, conditions, filtered)
    return Page(users=users, page=page, per_page=per_page, total=total)


def walk_users(place: Place | None, *, per_page: int = 20, sort: str = NEWEST_FIRST, **filtered: Any) -> Stretch:
    """Up to `per_page` users that match every filter (see FILTERS), in the order `sort` names, just past the place
    (from the start of the list without one): a walk by keyset, which neither skips nor repeats a user present all
    along, whatever is added or deleted meanwhile, and costs the same at any depth (the sort column's index is
    entered at the place)."""
    conditions = [FILTERS[name].condition(value) for name, value in filtered.items()]
    backwards = place is not None and place.before
    order = ordering(sort, backwards=backwards)
    ids = select(USERS.c.id).where(*conditions).order_by(*order).limit(per_page + 1)
    if place is not None:
        ids = ids.where(past(sort, place))
    users, total = reading(users_and_total, profiles(ids, order), conditions, filtered)
    more = len(users) > per_page
    users = users[:per_page]
    if backwards:  # read towards the start of the list: back in the list's order
        users.reverse()
    # Whoever came from a place has the users on its other side to go back to, past those shown (none shown:
    # they were deleted meanwhile, and only the list's start is left to go to).
    went_on = place is not None and bool(users)
    return Stretch(
        users,
        per_page,
        total,
        more_before=more if backwards else went_on,
        more_after=went_on if backwards else more,
    )


def users_and_total(connection: Connection, statement: Select, conditions: list, filtered: dict) -> tuple[list, int]:
    """The users a statement selects, and how many match the conditions in all: from the running totals when every
    filter given is one they count by (no rows are counted), else by counting them."""
    users = list(connection.execute(statement).mappings())
    if all(FILTERS[name].counted for name in filtered):
        return users, count_users(connection, filtered.get("active"))
    return users, connection.execute(select(func.count()).select_from(USERS).where(*conditions)).scalar_one()


def count_users(connection: Connection, active: bool | None = None) -> int:
    """How many users there are (with this `active` value, if given), from the running totals alone."""
    statement = select(func.coalesce(func.sum(COUNTS.c.users), 0))
    if active is not None:
        statement = statement.where(COUNTS.c.active == active)
    return int(connection.execute(statement).scalar_one())


def profiles(ids: Select, order: tuple) -> Select:
    """The profiles of the users a statement selects the ids of, in this order: the ids are found on an index
    alone, then only their rows are read. Reading rows directly, MariaDB 10.11 walks (active, column) from its
    start to the place when `active` filters too (500,000 entries, 50 ms, halfway into 1,000,000 users, instead
    of the page's 21)."""
    found = ids.subquery("found")
    return select(*PROFILE).join(found, USERS.c.id == found.c.id).order_by(*order)


def sort_key(sort: str, user: RowMapping) -> tuple:
    """The user's key in the order `sort` names: the place just after it or just before it."""
    return tuple(user[column.name] for column in sort_columns(sort))


def past(sort: str, place: Place) -> ColumnElement:
    """The users past the place, going the way the walk goes: (column, id) beyond (value, id) in the sort's
    direction. Spelled `column beyond value OR (column = value AND id beyond its id)`, MariaDB enters the index at
    (value, id) and reads only the page's entries; `column >= value AND (...)` enters it at the value and reads
    every tie first (10,000 users seeded in one batch share a created_at: 2.7 ms instead of 0.3 ms), and a row
    comparison, (column, id) < (value, id), walks the whole index (500,000 entries)."""
    beyond = operator.gt if sort.startswith("-") == place.before else operator.lt
    column, *tie_break = sort_columns(sort)
    value, *tie_value = place.key
    if not tie_break:
        return beyond(column, value)
    return or_(beyond(column, value), and_(column == value, beyond(tie_break[0], tie_value[0])))


def ordering(sort: str, *, backwards: bool = False) -> tuple:
    """ORDER BY for a sort key such as "username" or "-created_at" (or, `backwards`, its reverse); the id breaks
    ties in the same direction."""
    descending = sort.startswith("-") != backwards
    return tuple(by.desc() if descending else by.asc() for by in sort_columns(sort))


def sort_columns(sort: str) -> tuple:
    """The columns a sort key orders by: its column, then the id where that column is not unique (a unique column
    has no ties, and MySQL walks its index only when asked for that column alone)."""
    column = SORTABLE[sort.removeprefix("-")]
    return (column,) if column.primary_key or column.unique else (column, USERS.c.id)
