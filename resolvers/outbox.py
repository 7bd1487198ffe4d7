"""The outbox's rows: written in the transaction of the change that caused them, the cursors
clients resume from, and what a subscriber missed.

Positions. Every row gets `position` = the previous highest + 1, assigned right before its
transaction commits while a lock is held until the commit (a PostgreSQL advisory transaction
lock; on SQLite the database's own write lock, which the transaction holds from its first
write). So positions are gap-free and in commit order: when a reader sees position n, every
position below n is committed and visible too. That is what makes "replay everything after
the cursor, then live" exact, and lets the relay publish strictly in order.

Cursors. A cursor names a position, signed with the deployment's secret key so that a client
cannot forge one and a cursor of another deployment is refused (BAD_USER_INPUT) rather than
silently meaning something else. Positions are global, not per feed: the cursor of any event
(or of `eventCursor`) marks a moment, and any feed can resume from it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime
from typing import TYPE_CHECKING

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from errors import BadUserInput
from models import OutboxEvent
from realtime.events import Event
from resolvers import policy

if TYPE_CHECKING:
    from resolvers.context import Context

# Any constant works; it only has to be the same in every fixhub process (and differ from
# models.database.MIGRATION_LOCK_KEY).
POSITION_LOCK_KEY = 0x0F1A_B0C

CURSOR_PREFIX = "ev1."
# How many stored events one subscription may replay; further behind, the client reloads.
MAX_REPLAY = 1000


def is_postgres(connection: BaseDBAsyncClient) -> bool:
    return connection.capabilities.dialect == "postgres"


async def store(connection: BaseDBAsyncClient, messages: list[tuple[str, Event]]) -> range:
    """Write the events of the transaction on `connection`, just before it commits; returns
    their positions."""
    if is_postgres(connection):
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [POSITION_LOCK_KEY])
    top = await _top_position(connection)
    await OutboxEvent.bulk_create(
        [
            OutboxEvent(
                position=top + offset,
                channel=channel,
                type=event.type,
                subject_id=event.id,
                data=event.data,
            )
            for offset, (channel, event) in enumerate(messages, start=1)
        ],
        using_db=connection,
    )
    return range(top + 1, top + 1 + len(messages))


def event_of(row: OutboxEvent, secret_key: str) -> Event:
    return Event(
        row.type,
        row.subject_id,
        row.data or {},
        position=row.position,
        cursor=cursor_for(secret_key, row.position),
    )


# -- cursors -----------------------------------------------------------------------------


def _signature(secret_key: str, position: int) -> bytes:
    message = f"fixhub outbox cursor {position}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).digest()[:8]


def cursor_for(secret_key: str, position: int) -> str:
    raw = position.to_bytes(8, "big") + _signature(secret_key, position)
    return CURSOR_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def is_cursor(text: object) -> bool:
    """Is `text` meant as an outbox cursor (rather than an older id-based `after`)?"""
    return isinstance(text, str) and text.startswith(CURSOR_PREFIX)


def position_of(secret_key: str, cursor: str) -> int:
    """The position a cursor names; BAD_USER_INPUT if it was not issued here."""
    body = cursor.removeprefix(CURSOR_PREFIX)
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 16:
        raise BadUserInput("This cursor is not one fixhub issued.", field="after")
    position = int.from_bytes(raw[:8], "big")
    if not hmac.compare_digest(raw[8:], _signature(secret_key, position)):
        raise BadUserInput("This cursor is not one this server issued.", field="after")
    return position


async def event_cursor(ctx: Context) -> str:
    """The cursor of now, for any signed-in user (every feed needs an account); anonymous
    callers learn nothing, not even how many events happened."""
    policy.require_user(ctx.viewer)
    return cursor_for(ctx.settings.secret_key, await latest_position())


async def latest_position() -> int:
    return await _top_position(connections.get("default"))


async def _top_position(connection: BaseDBAsyncClient) -> int:
    _, rows = await connection.execute_query(
        "SELECT COALESCE(MAX(position), 0) AS top FROM outbox_events"
    )
    return int(rows[0]["top"])


# -- replay ------------------------------------------------------------------------------


async def events_after(secret_key: str, channel: str, cursor: str) -> list[Event]:
    """What was stored on `channel` after `cursor`, oldest first.

    Refused (BAD_USER_INPUT) when the cursor is not ours, names a position not reached yet,
    or is older than what is retained (events after it may have been pruned)."""
    position = position_of(secret_key, cursor)
    _, rows = await connections.get("default").execute_query(
        "SELECT MIN(position) AS low, MAX(position) AS high FROM outbox_events"
    )
    low, high = rows[0]["low"], rows[0]["high"]
    if position > (int(high) if high is not None else 0):
        raise BadUserInput("This cursor is not one this server issued.", field="after")
    if low is not None and position < int(low) - 1:
        raise BadUserInput(
            "This cursor is too old: events after it are no longer kept. Reload the data "
            "and subscribe again without `after`.",
            field="after",
        )
    stored = (
        await OutboxEvent.filter(channel=channel, position__gt=position)
        .order_by("position")
        .limit(MAX_REPLAY + 1)
    )
    if len(stored) > MAX_REPLAY:
        raise BadUserInput(
            f"More than {MAX_REPLAY} events happened after this cursor: reload the data and "
            "subscribe again without `after`.",
            field="after",
        )
    return [event_of(row, secret_key) for row in stored]


async def rows_after(secret_key: str, channel: str, position: int) -> list[Event]:
    """Every retained event on `channel` after `position` (the fan-out's catch-up after its
    bus connection was re-established), oldest first."""
    stored = (
        await OutboxEvent.filter(channel=channel, position__gt=position)
        .order_by("position")
        .limit(MAX_REPLAY)
    )
    return [event_of(row, secret_key) for row in stored]


async def prune(published_before: datetime) -> int:
    """Delete events published before `published_before`, always keeping the newest one (it
    tells `events_after` where the retained history starts)."""
    high = await latest_position()
    return await OutboxEvent.filter(published_at__lt=published_before, position__lt=high).delete()
