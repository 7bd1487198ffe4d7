"""Keyset pagination by descending id: newest first, stable while rows are added."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Generic, TypeVar

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


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "id":
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise BadUserInput("after is not a cursor returned by this API.", "after") from None


async def paginate(
    query: QuerySet, *, first: int | None, after: str | None, max_page_size: int, key: str = "id"
) -> Page:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= max_page_size:
        raise BadUserInput(f"first must be between 1 and {max_page_size}.", "first")
    if after is not None:
        query = query.filter(**{f"{key}__lt": decode_cursor(after)})
    rows = await query.order_by(f"-{key}").limit(size + 1)
    items = rows[:size]
    return Page(
        items=items,
        cursors=[encode_cursor(getattr(row, key)) for row in items],
        has_next_page=len(rows) > size,
    )
