"""Where the realtime feeds stand: a cursor to resume any subscription from."""

from __future__ import annotations

import strawberry

from resolvers import outbox
from schema.common import Info


@strawberry.type
class RealtimeQuery:
    @strawberry.field(
        description="A cursor for this moment: subscribe with it as `after` and you receive "
        "every event committed after it, even those that happened before the subscription "
        "started (e.g. read it, load the page, then subscribe). Each event then carries its "
        "own `cursor` in the `extensions` of its `next` payload. Signed-in users only."
    )
    async def event_cursor(self, info: Info) -> str:
        return await outbox.event_cursor(info.context)
