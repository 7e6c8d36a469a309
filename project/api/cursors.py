"""Cursors of the users list: a place in it and the sort it belongs to, signed with the app's secret key, so that
a client can only send back what the service gave it; opaque, URL-safe text. An empty cursor is the list's start."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from marshmallow import ValidationError, fields

from project.users.reads import SORT_KEYS, Place, sort_columns

SALT = "users-list-cursor"  # a cursor is no other signed value of the app's
INVALID = "Not a valid cursor."
DIRECTIONS = {"after": False, "before": True}


@dataclass(frozen=True)
class Cursor:
    """Where a walk through the users list goes on from: a place and its sort, or (place None) the list's start,
    in any sort."""

    sort: str | None = None
    place: Place | None = None


START = Cursor()


def signer() -> URLSafeSerializer:
    """What signs and checks cursors: the app's secret key, for cursors alone."""
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def encode(sort: str, place: Place) -> str:
    """The cursor of this place in the list as `sort` orders it."""
    key = [value.isoformat() if isinstance(value, datetime) else value for value in place.key]
    direction = next(name for name, before in DIRECTIONS.items() if before == place.before)
    return signer().dumps([sort, direction, key])


def decode(text: str) -> Cursor:
    """The cursor this text is, if the service made it; ValidationError otherwise."""
    try:
        sort, direction, key = signer().loads(text)
        columns = sort_columns(sort) if sort in SORT_KEYS else ()
        values = tuple(typed(column.type.python_type, value) for column, value in zip(columns, key, strict=True))
        place = Place(values, before=DIRECTIONS[direction])
    except (BadData, ValueError, TypeError, KeyError) as error:  # unsigned, altered, or not a place
        raise ValidationError(INVALID) from error
    if not values:
        raise ValidationError(INVALID)
    return Cursor(sort, place)


def typed(kind: type, value: object) -> object:
    """A key's value from the JSON a cursor holds, as the column gives it: an aware datetime from its ISO form."""
    if kind is datetime and isinstance(value, str):
        instant = datetime.fromisoformat(value)
        if instant.tzinfo is not None:
            return instant
    elif type(value) is kind:
        return value
    raise TypeError(f"not a {kind.__name__}")


class CursorField(fields.String):
    """A cursor from a Link header of the users list, or empty for the list's start."""

    def _deserialize(self, value, attr, data, **kwargs) -> Cursor:
        text = super()._deserialize(value, attr, data, **kwargs)
        return decode(text) if text else START
