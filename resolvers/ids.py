"""Ids and cursors as the API shows them: `ID` arguments naming rows, and opaque page cursors."""

from __future__ import annotations

import base64

from errors import BadUserInput, NotFound
from resolvers import validation
from resolvers.validation import MAX_ROW_ID, row_id


def parse_id(value: str | int, what: str) -> int:
    """The row id of an `ID` argument: ASCII digits naming a possible row (validation.row_id;
    int() would also take " 1", "1_0" and full-width digits as aliases of real ids), or
    NOT_FOUND, quoting at most the first 40 characters of what was sent."""
    number = value if isinstance(value, int) else validation.row_id(str(value), MAX_ROW_ID)
    if number is None or not 0 < number <= MAX_ROW_ID:
        shown = str(value)
        raise NotFound(what, shown if len(shown) <= 40 else shown[:40] + "...")
    return number


def encode_cursor(row_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{row_id}".encode()).decode()


def decode_cursor(cursor: str, max_id: int = MAX_ROW_ID) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        kind = value = ""
    number = row_id(value, max_id) if kind == "id" else None
    if number is None:
        raise BadUserInput("after is not a cursor returned by this API.", "after")
    return number


def decode_feed_cursor(after: str, max_id: int) -> int:
    """A live feed's `after`: the id carried in each event, or a list cursor."""
    if not (after.isascii() and after.isdigit()):
        return decode_cursor(after, max_id)
    number = row_id(after, max_id)
    if number is None:
        raise BadUserInput("after is not an event id or cursor returned by this API.", "after")
    return number
