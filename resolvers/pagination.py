"""Keyset pagination by descending id: newest first, stable while rows are added."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise import fields
from tortoise.queryset import QuerySet

from errors import BadUserInput
from resolvers.ids import decode_cursor, decode_feed_cursor, encode_cursor
from resolvers.validation import MAX_BIG_ROW_ID, MAX_ROW_ID

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


def max_id_of(query: QuerySet, key: str = "id") -> int:
    """The largest id the `key` column of the query's table can hold."""
    field = query.model._meta.fields_map.get(key)
    return MAX_BIG_ROW_ID if isinstance(field, fields.BigIntField) else MAX_ROW_ID


async def oldest_first(query: QuerySet, first: int, after: str | None) -> list:
    """A page of a list read oldest first: the first `first` rows after the row id `after`
    (the id of the last row a client has), for the project lists that take first/after."""
    if after is not None:
        query = query.filter(id__gt=decode_feed_cursor(after, max_id_of(query)))
    return await query.order_by("id").limit(first)


async def stored_after(
    query: QuerySet, after: str, *, limit: int, what: str, read_with: str
) -> list:
    """The rows of `query` after the feed cursor `after`, oldest first, for a replay: all of
    them, or BAD_USER_INPUT when more than `limit` are stored after it. Never a partial
    replay: the rest would be a silent gap before the live events."""
    last = decode_feed_cursor(after, max_id_of(query))
    stored = await query.filter(id__gt=last).order_by("id").limit(limit + 1)
    if len(stored) > limit:
        raise BadUserInput(
            f"More than {limit} {what} were stored after {after}: read them with {read_with}, "
            "then subscribe after the newest.",
            "after",
        )
    return stored


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
