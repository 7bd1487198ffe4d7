"""Publishing after the transaction committed.

A failed publish never turns a committed mutation into an error: the data is safe in the
database and every subscriber can re-read it; the loss is logged.
"""

from __future__ import annotations

import asyncio
import logging
import time

import metrics
import tracing
from realtime import Bus
from realtime.events import Event

log = logging.getLogger("fixhub.realtime")


async def publish_all(bus: Bus, messages: list[tuple[str, Event]]) -> None:
    if not messages:
        return
    published_at = time.time()
    results = await asyncio.gather(
        *(_publish(bus, channel, event, published_at) for channel, event in messages),
        return_exceptions=True,
    )
    for (channel, event), result in zip(messages, results, strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, asyncio.CancelledError):
                raise result
            metrics.EVENTS_NOT_PUBLISHED.labels(metrics.channel_kind(channel)).inc()
            log.error("event %s on %s was not published: %r", event.type, channel, result)
        else:
            metrics.EVENTS_PUBLISHED.labels(metrics.channel_kind(channel)).inc()


async def _publish(bus: Bus, channel: str, event: Event, published_at: float) -> None:
    with tracing.publish_span(metrics.channel_kind(channel)) as carrier:
        await bus.publish(channel, event.encode(published_at, carrier))
