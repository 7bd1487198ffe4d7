"""Keyset pagination by descending id: newest first, stable while rows are added."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise import fields
from tortoise.queryset import QuerySet

from errors import BadUserInput

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20


@dataclass
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


def encode_cursor(row_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{row_id}".encode()).decode()


# Row ids are the databases' 32-bit integer keys (64-bit for a few big tables): a larger number
# cannot name a row and would overflow PostgreSQL's `integer` in a comparison (an INTERNAL error
# before this bound).
MAX_ROW_ID = 2**31 - 1
MAX_BIG_ROW_ID = 2**63 - 1


def max_id_of(query: QuerySet, key: str = "id") -> int:
    field = query.model._meta.fields_map.get(key)
    return MAX_BIG_ROW_ID if isinstance(field, fields.BigIntField) else MAX_ROW_ID


def decode_cursor(cursor: str, max_id: int = MAX_ROW_ID) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "id" or not value.isascii() or not value.isdigit() or len(value) > 19:
            raise ValueError(kind)
        row_id = int(value)
    except (ValueError, UnicodeDecodeError):
        raise BadUserInput("after is not a cursor returned by this API.", "after") from None
    if row_id > max_id:
        raise BadUserInput("after is not a cursor returned by this API.", "after")
    return row_id


def decode_feed_cursor(after: str, max_id: int) -> int:
    """A live feed's `after`: the id carried in each event, or a list cursor."""
    if after.isascii() and after.isdigit():
        if len(after) > 19 or int(after) > max_id:
            raise BadUserInput("after is not an event id or cursor returned by this API.", "after")
        return int(after)
    return decode_cursor(after, max_id)


async def paginate(
    query: QuerySet, *, first: int | None, after: str | None, max_page_size: int, key: str = "id"
) -> Page:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= max_page_size:
        raise BadUserInput(f"first must be between 1 and {max_page_size}.", "first")
    if after is not None:
        query = query.filter(**{f"{key}__lt": decode_cursor(after, max_id_of(query, key))})
    rows = await query.order_by(f"-{key}").limit(size + 1)
    items = rows[:size]
    return Page(
        items=items,
        cursors=[encode_cursor(getattr(row, key)) for row in items],
        has_next_page=len(rows) > size,
    )
