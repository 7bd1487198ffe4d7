"""In-process bus: fan-out to local subscribers only (tests, single-worker deployments)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from realtime.bus import DEFAULT_QUEUE_SIZE, Bus, BusUnavailable, QueueSubscription, Subscription

__all__ = ["MemoryBus"]


class MemoryBus(Bus):
    """Fan-out to bounded per-subscriber queues inside this event loop."""

    def __init__(self, *, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        if queue_size < 1:
            raise ValueError(f"queue_size must be >= 1, got {queue_size}")
        self._queue_size = queue_size
        self._channels: dict[str, set[QueueSubscription]] = {}
        self._connected = False

    async def connect(self) -> None:
        self._connected = True

    async def disconnect(self) -> None:
        self._connected = False
        channels, self._channels = self._channels, {}
        for subscribers in channels.values():
            for sub in subscribers:
                sub.close()

    async def publish(self, channel: str, message: str) -> None:
        self._require_connected()
        subscribers = self._channels.get(channel)
        if not subscribers:
            return
        # Copy: overflowing subscribers are removed while we iterate.
        for sub in tuple(subscribers):
            if not sub.deliver(message):
                subscribers.discard(sub)

    @asynccontextmanager
    async def subscribe(
        self, channel: str, *, notify_resubscribed: bool = False
    ) -> AsyncIterator[Subscription]:
        # An in-process bus has no outage to announce.
        self._require_connected()
        sub = QueueSubscription(channel, self._queue_size)
        self._channels.setdefault(channel, set()).add(sub)
        try:
            yield sub
        finally:
            sub.close()
            subscribers = self._channels.get(channel)
            if subscribers is not None:
                subscribers.discard(sub)
                if not subscribers:
                    del self._channels[channel]

    async def ping(self) -> bool:
        return self._connected

    def _require_connected(self) -> None:
        if not self._connected:
            raise BusUnavailable("memory bus is not connected (call connect() first)")
