"""Backend-neutral pub/sub bus contract used by GraphQL subscriptions.

Callers publish JSON text on a channel and iterate over a `Subscription` obtained from
``async with bus.subscribe(channel) as sub``. Backends live in `realtime.memory` (single
process) and `realtime.redis_backend` (multi-process); `realtime.backends.create_bus` picks
one from a URL.
"""

from __future__ import annotations

import asyncio
import enum
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

__all__ = [
    "RESUBSCRIBED",
    "Bus",
    "BusUnavailable",
    "QueueSubscription",
    "SubscriberTooSlow",
    "Subscription",
]

DEFAULT_QUEUE_SIZE = 1024

# Delivered in-band, to a subscription that asked for it, when the backend re-established its
# subscription after losing it (Redis restarted): messages published meanwhile may have been
# missed, and the subscriber can catch up from storage (web/fanout.py does, from the outbox).
RESUBSCRIBED = "\x00resubscribed"


class SubscriberTooSlow(Exception):
    """The subscriber's bounded queue overflowed; it missed messages and was dropped."""


class BusUnavailable(Exception):
    """The backend cannot be reached (or the bus is not connected)."""


@runtime_checkable
class Subscription(Protocol):
    """Async iterator of the messages published on one channel."""

    def __aiter__(self) -> AsyncIterator[str]: ...

    async def __anext__(self) -> str: ...


class Bus(ABC):
    """A channel-based publish/subscribe bus."""

    @abstractmethod
    async def connect(self) -> None:
        """Acquire backend resources; must be called before publish/subscribe."""

    @abstractmethod
    async def disconnect(self) -> None:
        """End every live subscription iterator and release backend resources."""

    @abstractmethod
    async def publish(self, channel: str, message: str) -> None:
        """Deliver `message` to every current subscriber of `channel`."""

    @abstractmethod
    def subscribe(
        self, channel: str, *, notify_resubscribed: bool = False
    ) -> AbstractAsyncContextManager[Subscription]:
        """Subscribe to `channel`; the subscription is active once ``__aenter__`` returns.
        With `notify_resubscribed`, it receives `RESUBSCRIBED` after each outage of the
        backend, once it is subscribed again."""

    @abstractmethod
    async def ping(self) -> bool:
        """Return True when the backend is reachable (used by /healthz)."""


class _Signal(enum.Enum):
    """Out-of-band markers placed in a subscriber queue to end its iteration."""

    OVERFLOW = enum.auto()
    CLOSED = enum.auto()


class QueueSubscription:
    """One subscriber's bounded buffer, shared by both backends.

    Producers call `deliver` synchronously so a publisher (or the Redis reader task) never
    awaits a slow consumer: when the queue is full the subscriber is marked too slow instead.
    """

    def __init__(
        self,
        channel: str,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        *,
        notify_resubscribed: bool = False,
    ) -> None:
        self.notify_resubscribed = notify_resubscribed
        if queue_size < 1:
            raise ValueError(f"queue_size must be >= 1, got {queue_size}")
        self._channel = channel
        self._queue: asyncio.Queue[str | _Signal] = asyncio.Queue(maxsize=queue_size)
        # `_alive` stops producers; `_finished` stops the consumer once it saw the end marker
        # (the queue is empty then, so another get() would block forever).
        self._alive = True
        self._finished = False

    @property
    def channel(self) -> str:
        return self._channel

    @property
    def alive(self) -> bool:
        """False once the subscriber overflowed or was closed; it receives nothing more."""
        return self._alive

    def deliver(self, message: str) -> bool:
        """Enqueue without blocking; return False if this subscriber is (now) dead."""
        if not self._alive:
            return False
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            # The consumer has a gap in its stream now, so buffered messages are useless to
            # it: drop them and surface the overflow on its very next read.
            self._end(_Signal.OVERFLOW)
            return False
        return True

    def close(self) -> None:
        """End iteration (StopAsyncIteration on the next read). Idempotent."""
        if self._alive:
            self._end(_Signal.CLOSED)

    def _end(self, signal: _Signal) -> None:
        self._alive = False
        # Draining guarantees room for the marker and wakes a consumer blocked in get().
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(signal)

    def __aiter__(self) -> QueueSubscription:
        return self

    async def __anext__(self) -> str:
        if self._finished:
            raise StopAsyncIteration
        item = await self._queue.get()
        if isinstance(item, str):
            return item
        self._finished = True
        if item is _Signal.OVERFLOW:
            raise SubscriberTooSlow(
                f"subscriber of channel {self._channel!r} fell more than "
                f"{self._queue.maxsize} messages behind and was dropped"
            )
        raise StopAsyncIteration


def redact_url(url: str) -> str:
    """Hide a password embedded in a URL so it never ends up in logs or error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return parts._replace(netloc=user + netloc).geturl()
