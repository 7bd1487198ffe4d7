"""Redis bus: one PubSub connection per process, fanned out to local bounded queues.

Design notes (why it looks like this):

* A single reader task owns the PubSub connection's lifecycle: it opens it, re-SUBSCRIBEs every
  channel that still has local subscribers, dispatches messages, and on any connection error
  tears the PubSub down and reconnects with exponential backoff. Local subscriptions are never
  ended by an outage; they simply receive again once Redis is back.
* We keep our own channel bookkeeping instead of redis-py's ``PubSub.subscribe``: redis-py
  would silently reconnect a dropped connection and replay its own (possibly stale) channel
  set. Our PubSub therefore never learns about channels, its client has retries disabled, and
  any drop is surfaced to the reader loop, which is the only place that reconnects.
* Every command written on the PubSub connection happens under ``_lock`` so that the wanted
  state (``_channels``), what we asked Redis for (``_requested``) and the outstanding replies
  (``_pending_replies``) stay consistent. A channel is *active* once its last (UN)SUBSCRIBE
  reply arrived and the last command sent was SUBSCRIBE; ``subscribe()`` waits for that, so a
  publish issued after ``__aenter__`` returns is guaranteed to reach the subscriber.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

import metrics
from realtime.bus import (
    DEFAULT_QUEUE_SIZE,
    RESUBSCRIBED,
    Bus,
    BusUnavailable,
    QueueSubscription,
    Subscription,
    redact_url,
)

__all__ = ["RedisBus"]

logger = logging.getLogger(__name__)

# What "Redis is unreachable" looks like: redis-py's own errors plus raw socket errors
# (the builtin TimeoutError, raised by asyncio.timeout, is an OSError too).
_UNAVAILABLE_ERRORS = (RedisError, OSError)


@dataclass(eq=False)
class _ChannelState:
    """Local subscribers of one channel and whether Redis confirmed our subscription."""

    subscribers: set[QueueSubscription] = field(default_factory=set)
    # Set while the channel is confirmed subscribed on the current PubSub connection.
    active: asyncio.Event = field(default_factory=asyncio.Event)


class RedisBus(Bus):
    """Bus over Redis PUBLISH/SUBSCRIBE for multi-process deployments."""

    def __init__(
        self,
        url: str,
        *,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        command_timeout: float = 2.0,
        connect_timeout: float = 1.0,
        subscribe_timeout: float = 5.0,
        keepalive_interval: float = 15.0,
        reconnect_initial_delay: float = 0.1,
        reconnect_max_delay: float = 2.0,
    ) -> None:
        if queue_size < 1:
            raise ValueError(f"queue_size must be >= 1, got {queue_size}")
        self._url = url
        self._queue_size = queue_size
        self._command_timeout = command_timeout
        self._connect_timeout = connect_timeout
        self._subscribe_timeout = subscribe_timeout
        self._keepalive_interval = keepalive_interval
        self._reconnect_initial_delay = reconnect_initial_delay
        self._reconnect_max_delay = reconnect_max_delay

        self._client: Redis | None = None  # pooled: PUBLISH and PING
        self._sub_client: Redis | None = None  # source of the single PubSub connection
        self._reader: asyncio.Task[None] | None = None
        self._pubsub: PubSub | None = None  # None while (re)connecting or disconnected
        self._lock = asyncio.Lock()  # serialises writes on the PubSub connection
        self._channels: dict[str, _ChannelState] = {}  # channels with local subscribers
        self._requested: set[str] = set()  # SUBSCRIBEd (last command) on current connection
        self._pending_replies: dict[str, int] = {}  # outstanding (UN)SUBSCRIBE replies
        self._reset_requested = False
        self._leave_tasks: set[asyncio.Task[None]] = set()
        # Channels re-SUBSCRIBEd on a new PubSub connection whose confirmation has not arrived:
        # on it, their subscribers that asked are told they may have missed messages.
        self._resubscribing: set[str] = set()

    # -- lifecycle ---------------------------------------------------------------------------

    async def connect(self) -> None:
        """Connect and start the reader; raises BusUnavailable if Redis is unreachable now.

        Failing fast at startup surfaces a wrong URL immediately; later outages are handled
        transparently by the reconnect loop.
        """
        if self._reader is not None:
            return
        # socket_timeout=None (redis-py 8 defaults to 5 s): with a socket timeout redis-py wraps
        # every write in asyncio.wait_for, which on Python 3.11 can swallow a cancellation that
        # lands as the write completes (observed: a reader task surviving cancel()). Deadlines
        # are enforced with asyncio.timeout around each operation instead; redis-py drops a
        # connection interrupted that way, so none is reused in a dirty state.
        common: dict[str, Any] = {
            "socket_timeout": None,
            "socket_connect_timeout": self._connect_timeout,
        }
        # Two quick retries let a publish ride over stale pooled connections (e.g. after a Redis
        # restart) instead of failing on the first dead socket.
        client = Redis.from_url(
            self._url, retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2), **common
        )
        # No retries here: every PubSub connection error must reach the reader loop (see the
        # module docstring). Raw bytes so a PING reply parses the same whether or not the
        # connection is in subscribed mode, and no redis-py health checks, which would read
        # from the socket behind the reader's back. URL query options override from_url
        # keyword arguments, so pin these on the pool itself.
        sub_client = Redis.from_url(self._url, retry=Retry(NoBackoff(), 0), **common)
        sub_client.connection_pool.connection_kwargs.update(
            decode_responses=False, health_check_interval=0
        )
        try:
            async with asyncio.timeout(self._connect_timeout + self._command_timeout):
                await client.ping()
        except _UNAVAILABLE_ERRORS as exc:
            await client.aclose()
            await sub_client.aclose()
            raise BusUnavailable(
                f"cannot reach Redis at {redact_url(self._url)}: {_describe(exc)}"
            ) from exc
        self._client, self._sub_client = client, sub_client
        self._reader = asyncio.create_task(self._run(), name="realtime-redis-reader")

    async def disconnect(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            # asyncio.wait (rather than awaiting the task) lets our *own* cancellation
            # propagate while not re-raising the reader's expected CancelledError. Cancel
            # repeatedly: third-party code may swallow a cancellation delivered at an unlucky
            # moment, and a surviving reader would hang shutdown.
            while not reader.done():
                reader.cancel()
                await asyncio.wait([reader], timeout=1.0)
            if not reader.cancelled() and reader.exception() is not None:
                logger.error("Redis bus reader had crashed", exc_info=reader.exception())
        if self._leave_tasks:
            await asyncio.gather(*self._leave_tasks, return_exceptions=True)

        async with self._lock:
            pubsub, self._pubsub = self._pubsub, None
            self._requested.clear()
            self._pending_replies.clear()
        if pubsub is not None:
            await pubsub.aclose()

        channels, self._channels = self._channels, {}
        for state in channels.values():
            for sub in state.subscribers:
                sub.close()
            # Wake subscribe() calls still waiting for a confirmation; they see the bus is
            # disconnected and raise BusUnavailable instead of waiting for their timeout.
            state.active.set()

        client, self._client = self._client, None
        sub_client, self._sub_client = self._sub_client, None
        if client is not None:
            await client.aclose()
        if sub_client is not None:
            await sub_client.aclose()

    # -- public API --------------------------------------------------------------------------

    async def publish(self, channel: str, message: str) -> None:
        client = self._client
        if client is None:
            raise BusUnavailable("Redis bus is not connected (call connect() first)")
        try:
            async with asyncio.timeout(self._command_timeout):
                await client.publish(channel, message)
        except _UNAVAILABLE_ERRORS as exc:
            raise BusUnavailable(
                f"cannot publish to Redis at {redact_url(self._url)}: {_describe(exc)}"
            ) from exc

    @asynccontextmanager
    async def subscribe(
        self, channel: str, *, notify_resubscribed: bool = False
    ) -> AsyncIterator[Subscription]:
        if self._reader is None:
            raise BusUnavailable("Redis bus is not connected (call connect() first)")
        sub = QueueSubscription(channel, self._queue_size, notify_resubscribed=notify_resubscribed)
        state = self._channels.get(channel)
        if state is None:
            state = self._channels[channel] = _ChannelState()
        state.subscribers.add(sub)
        try:
            await self._wait_active(channel, state)
            yield sub
        finally:
            sub.close()
            await self._leave(channel, state, sub)

    async def ping(self) -> bool:
        client = self._client
        # A dead reader means subscriptions silently stopped working: report unhealthy.
        if client is None or self._reader is None or self._reader.done():
            return False
        try:
            async with asyncio.timeout(self._connect_timeout + self._command_timeout):
                return bool(await client.ping())
        except _UNAVAILABLE_ERRORS:
            return False

    # -- subscription bookkeeping ------------------------------------------------------------

    async def _wait_active(self, channel: str, state: _ChannelState) -> None:
        try:
            async with asyncio.timeout(self._subscribe_timeout):
                await self._sync_channel(channel)
                await state.active.wait()
        except TimeoutError:
            raise BusUnavailable(
                f"Redis did not confirm SUBSCRIBE {channel!r} within "
                f"{self._subscribe_timeout:g}s ({redact_url(self._url)})"
            ) from None
        if self._reader is None:
            raise BusUnavailable("Redis bus was disconnected while subscribing")

    async def _leave(self, channel: str, state: _ChannelState, sub: QueueSubscription) -> None:
        state.subscribers.discard(sub)
        if state.subscribers or self._reader is None:
            return
        if self._channels.get(channel) is state:
            del self._channels[channel]
        # Run the UNSUBSCRIBE in its own task and shield it: if the subscriber is being
        # cancelled it must still go out, or Redis would push this channel to us forever.
        task = asyncio.create_task(self._sync_channel(channel))
        self._leave_tasks.add(task)
        task.add_done_callback(self._leave_tasks.discard)
        await asyncio.shield(task)

    async def _sync_channel(self, channel: str) -> None:
        """Make Redis' subscription to `channel` match whether it has local subscribers.

        Idempotent; callers only change `_channels` and then call this. With the PubSub down it
        does nothing, because the reconnect re-subscribes exactly the wanted channels.
        """
        async with self._lock:
            pubsub = self._pubsub
            if pubsub is None:
                return
            wanted = channel in self._channels
            if wanted == (channel in self._requested):
                self._refresh_active(channel)
                return
            if wanted:
                self._requested.add(channel)
            else:
                self._requested.discard(channel)
            # Book the reply before sending: the reader may process it while we still await
            # the socket drain.
            self._pending_replies[channel] = self._pending_replies.get(channel, 0) + 1
            self._refresh_active(channel)
            command = "SUBSCRIBE" if wanted else "UNSUBSCRIBE"
            try:
                await self._send(pubsub, command, channel)
            except _UNAVAILABLE_ERRORS as exc:
                logger.warning("Redis %s %r failed: %s; reconnecting", command, channel, exc)
                await self._request_reset(pubsub)

    def _refresh_active(self, channel: str) -> None:
        state = self._channels.get(channel)
        if state is None:
            return
        if channel in self._requested and channel not in self._pending_replies:
            state.active.set()
        else:
            state.active.clear()

    async def _send(self, pubsub: PubSub, *args: str) -> None:
        """Write a command on the PubSub connection; caller holds `_lock`."""
        conn = pubsub.connection
        # redis-py would transparently reconnect a dropped connection here, yielding a fresh
        # socket without our subscriptions; refuse and let the reader loop rebuild instead.
        if conn is None or not conn.is_connected:
            raise RedisConnectionError("pub/sub connection is down")
        async with asyncio.timeout(self._command_timeout):
            await pubsub.execute_command(*args)

    async def _request_reset(self, pubsub: PubSub) -> None:
        if self._pubsub is not pubsub:
            return
        self._reset_requested = True
        # Closing the socket fails the reader's pending read, so it notices immediately.
        if pubsub.connection is not None:
            await pubsub.connection.disconnect(nowait=True)

    # -- reader task -------------------------------------------------------------------------

    async def _run(self) -> None:
        delay = self._reconnect_initial_delay
        recovering = False
        while True:
            try:
                pubsub = await self._open_pubsub()
            except Exception as exc:  # keep the reader alive whatever happened
                logger.warning(
                    "Redis pub/sub connection to %s failed: %s; retrying in %.1fs",
                    redact_url(self._url),
                    _describe(exc),
                    delay,
                    exc_info=_is_unexpected(exc),
                )
            else:
                if recovering:
                    metrics.BUS_RECONNECTS.inc()
                    logger.info(
                        "Redis pub/sub reconnected to %s; re-subscribed %d channel(s)",
                        redact_url(self._url),
                        len(self._requested),
                    )
                delay = self._reconnect_initial_delay
                try:
                    await self._read_messages(pubsub)
                except Exception as exc:
                    logger.warning(
                        "Redis pub/sub connection to %s lost: %s; reconnecting",
                        redact_url(self._url),
                        _describe(exc),
                        exc_info=_is_unexpected(exc),
                    )
                finally:
                    await self._close_pubsub(pubsub)
            recovering = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._reconnect_max_delay)

    async def _open_pubsub(self) -> PubSub:
        assert self._sub_client is not None
        pubsub = self._sub_client.pubsub()
        try:
            async with self._lock, asyncio.timeout(self._connect_timeout + self._command_timeout):
                # Connect explicitly: a PubSub that never subscribed has no connection, so
                # get_message() would raise RuntimeError and listen() would return at once.
                await pubsub.connect()
                channels = list(self._channels)
                if channels:
                    await pubsub.execute_command("SUBSCRIBE", *channels)
                self._pubsub = pubsub
                self._reset_requested = False
                self._requested = set(channels)
                self._pending_replies = dict.fromkeys(channels, 1)
                self._resubscribing = set(channels)
        except BaseException:
            await pubsub.aclose()
            raise
        logger.debug("Redis pub/sub connected; subscribed to %d channel(s)", len(channels))
        return pubsub

    async def _close_pubsub(self, pubsub: PubSub) -> None:
        async with self._lock:
            if self._pubsub is pubsub:
                self._pubsub = None
                self._requested.clear()
                self._pending_replies.clear()
                for state in self._channels.values():
                    state.active.clear()
        await pubsub.aclose()

    async def _read_messages(self, pubsub: PubSub) -> None:
        ping_outstanding = False
        while True:
            conn = pubsub.connection
            # get_message() would silently reconnect a dropped connection (losing every
            # subscription); treat any drop or requested reset as fatal for this PubSub.
            if self._reset_requested or conn is None or not conn.is_connected:
                raise RedisConnectionError("pub/sub connection was reset")
            message = await pubsub.get_message(timeout=self._keepalive_interval)
            if message is None:
                # Idle: a half-open TCP connection would otherwise go unnoticed forever.
                if ping_outstanding:
                    raise RedisTimeoutError("no reply to keep-alive PING")
                async with self._lock:
                    await self._send(pubsub, "PING")
                ping_outstanding = True
                continue
            ping_outstanding = False
            self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "message":
            state = self._channels.get(_text(message["channel"]))
            if state is not None:
                data = _text(message["data"])
                for sub in tuple(state.subscribers):
                    sub.deliver(data)
        elif kind in ("subscribe", "unsubscribe"):
            channel = _text(message["channel"])
            remaining = self._pending_replies.get(channel, 0) - 1
            if remaining > 0:
                self._pending_replies[channel] = remaining
            else:
                self._pending_replies.pop(channel, None)
            self._refresh_active(channel)
            if kind == "subscribe" and channel in self._resubscribing:
                self._resubscribing.discard(channel)
                state = self._channels.get(channel)
                for sub in tuple(state.subscribers if state is not None else ()):
                    if sub.notify_resubscribed:
                        sub.deliver(RESUBSCRIBED)
        # "pong" needs no handling: receiving anything already proved the connection alive.


def _is_unexpected(exc: BaseException) -> bool:
    """True for errors that are bugs rather than outages (worth a traceback in the log)."""
    return not isinstance(exc, _UNAVAILABLE_ERRORS)


def _describe(exc: BaseException) -> str:
    # asyncio.timeout raises a bare TimeoutError whose str() is empty.
    return str(exc) or type(exc).__name__


def _text(value: bytes | str) -> str:
    # Messages should be UTF-8 JSON, but a foreign publisher must not be able to crash the
    # reader loop with invalid bytes.
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value
