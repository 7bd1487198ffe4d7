"""Publishing after the transaction committed.

A failed publish never turns a committed mutation into an error: the data is safe in the
database and every subscriber can re-read it; the loss is logged.
"""

from __future__ import annotations

import asyncio
import logging

from realtime import Bus
from realtime.events import Event

log = logging.getLogger("fixhub.realtime")


async def publish_all(bus: Bus, messages: list[tuple[str, Event]]) -> None:
    if not messages:
        return
    results = await asyncio.gather(
        *(bus.publish(channel, event.encode()) for channel, event in messages),
        return_exceptions=True,
    )
    for (channel, event), result in zip(messages, results, strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, asyncio.CancelledError):
                raise result
            log.error("event %s on %s was not published: %r", event.type, channel, result)
