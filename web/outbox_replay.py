"""Replay from an outbox cursor, for every subscription: what the subscriber would have been
delivered on its channel after the cursor, decided by the same spec (audience, then root) as
the live fan-out in web/fanout.py.

A feed with an older replay of its own (notifications and projectProgress: `after` is the id
of a stored row) keeps it for an `after` that is not an outbox cursor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from resolvers import outbox
from resolvers.context import Context
from schema import SubscriptionSpec

# (context, arguments) -> (dedup key, root value, cursor to carry or None), oldest first.
Replay = Callable[[Context, dict[str, Any]], Awaitable[list[tuple[int, Any, str | None]]]]


def replay_for(spec: SubscriptionSpec, channel: str, arguments: dict[str, Any]) -> Replay | None:
    """How to replay this subscription, or None when it starts live only. The key of each
    replayed item is an outbox position when `keyed_by_position(arguments)`, else the row id
    of the feed's own replay."""
    after = arguments.get("after")
    if keyed_by_position(spec, arguments):
        assert isinstance(after, str)
        return lambda context, _arguments: _from_outbox(spec, channel, context, after)
    legacy = spec.replay
    if legacy is None:
        return None

    async def replay(context: Context, arguments: dict[str, Any]) -> list[Any]:
        return [(key, root, None) for key, root in await legacy(context, arguments)]

    return replay


def keyed_by_position(spec: SubscriptionSpec, arguments: dict[str, Any]) -> bool:
    after = arguments.get("after")
    if outbox.is_cursor(after):
        return True
    # A feed without its own replay only knows outbox cursors (refused if `after` is not one).
    return spec.replay is None and after is not None


async def _from_outbox(
    spec: SubscriptionSpec, channel: str, context: Context, cursor: str
) -> list[tuple[int, Any, str | None]]:
    events = await outbox.events_after(context.settings.secret_key, channel, cursor)
    items: list[tuple[int, Any, str | None]] = []
    for event in events:
        assert event.position is not None
        if spec.audience is not None and not spec.admits(context.user, spec.audience(event)):
            continue
        root = await spec.root(context.for_new_operation(), event)
        if root is not None:
            items.append((event.position, root, event.cursor))
    return items
