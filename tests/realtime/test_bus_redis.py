"""Redis-only bus behaviour: server-side refcounting, cross-process delivery, outages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from redis.asyncio import Redis

import metrics
from realtime import BusUnavailable, RedisBus, Subscription
from tests.support.redis_server import RedisServer, free_port

REDIS_URL = os.environ.get("TEST_BROADCAST_URL", "")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="TEST_BROADCAST_URL is not set"),
]


def new_channel() -> str:
    return f"test-bus-redis-{uuid.uuid4().hex}"


async def receive(sub: Subscription, wait: float = 2.0) -> str:
    async with asyncio.timeout(wait):
        return await anext(sub)


@pytest.fixture
async def bus() -> AsyncIterator[RedisBus]:
    instance = RedisBus(REDIS_URL, queue_size=8)
    await instance.connect()
    try:
        yield instance
    finally:
        await instance.disconnect()


@pytest.fixture
async def other_bus() -> AsyncIterator[RedisBus]:
    """A second RedisBus, standing in for another server process."""
    instance = RedisBus(REDIS_URL)
    await instance.connect()
    try:
        yield instance
    finally:
        await instance.disconnect()


@pytest.fixture
async def admin() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    try:
        yield client
    finally:
        await client.aclose()


async def numsub(admin: Redis, channel: str) -> int:
    [(_, count)] = await admin.pubsub_numsub(channel)
    return int(count)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 2.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.02)
    return await check()


async def test_one_server_subscription_per_channel_released_by_last_leaver(
    bus: RedisBus, admin: Redis
) -> None:
    channel = new_channel()
    async with bus.subscribe(channel) as stays:
        async with bus.subscribe(channel), bus.subscribe(channel):
            # Three local subscribers share the process's single Redis subscription.
            assert await numsub(admin, channel) == 1
        await bus.publish(channel, "still subscribed")
        assert await receive(stays) == "still subscribed"
        assert await numsub(admin, channel) == 1

    # UNSUBSCRIBE is sent on exit; the server applies it asynchronously w.r.t. our admin
    # connection, hence the short poll.
    async def unsubscribed() -> bool:
        return await numsub(admin, channel) == 0

    assert await eventually(unsubscribed)


async def test_cancelled_subscriber_still_unsubscribes(bus: RedisBus, admin: Redis) -> None:
    channel = new_channel()
    entered = asyncio.Event()

    async def consume() -> None:
        async with bus.subscribe(channel) as sub:
            entered.set()
            async for _ in sub:
                pass

    task = asyncio.create_task(consume())
    await asyncio.wait_for(entered.wait(), 2.0)
    assert await numsub(admin, channel) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    async def unsubscribed() -> bool:
        return await numsub(admin, channel) == 0

    assert await eventually(unsubscribed)


async def test_disconnect_right_after_connect_is_prompt() -> None:
    # Regression: a cancellation swallowed inside redis-py (asyncio.wait_for around socket
    # writes on Python 3.11) used to leave the reader alive and stall disconnect().
    # Cancel the reader at many different points of its connection handshake.
    for yields in range(40):
        bus = RedisBus(REDIS_URL)
        await bus.connect()
        for _ in range(yields):
            await asyncio.sleep(0)
        started = time.monotonic()
        await bus.disconnect()
        assert time.monotonic() - started < 0.5


async def test_two_buses_deliver_across_processes(
    bus: RedisBus, other_bus: RedisBus, admin: Redis
) -> None:
    channel = new_channel()
    async with bus.subscribe(channel) as here, other_bus.subscribe(channel) as there:
        assert await numsub(admin, channel) == 2
        await other_bus.publish(channel, "from other")
        await bus.publish(channel, "from here")
        assert [await receive(here), await receive(here)] == ["from other", "from here"]
        assert [await receive(there), await receive(there)] == ["from other", "from here"]


async def test_publish_from_other_process_right_after_subscribe(
    bus: RedisBus, other_bus: RedisBus
) -> None:
    for _ in range(20):
        channel = new_channel()
        async with bus.subscribe(channel) as sub:
            await other_bus.publish(channel, "hi")
            assert await receive(sub) == "hi"


async def test_idle_keepalive_pings_do_not_disturb_delivery(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="realtime.redis_backend")
    bus = RedisBus(REDIS_URL, keepalive_interval=0.05)
    await bus.connect()
    try:
        await asyncio.sleep(0.2)  # PINGs while not subscribed to anything
        channel = new_channel()
        async with bus.subscribe(channel) as sub:
            await asyncio.sleep(0.2)  # PINGs while in subscribed mode
            await bus.publish(channel, "after idle")
            assert await receive(sub) == "after idle"
        assert await bus.ping() is True
    finally:
        await bus.disconnect()
    assert not caplog.records, "the keep-alive must not trigger a reconnect"


async def test_connect_to_unreachable_redis_fails_fast() -> None:
    bus = RedisBus(f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    with pytest.raises(BusUnavailable, match="cannot reach Redis"):
        await bus.connect()
    assert time.monotonic() - started < 3.0
    assert await bus.ping() is False


# -- outage: a private redis-server we can kill and restart ---------------------------------


async def test_subscription_survives_redis_restart(private_redis: RedisServer) -> None:
    reconnects_before = metrics.REGISTRY.get_sample_value("fixhub_bus_reconnects_total")
    bus = RedisBus(private_redis.url, subscribe_timeout=0.5)
    await bus.connect()
    try:
        channel = new_channel()
        async with bus.subscribe(channel) as sub:
            await bus.publish(channel, "before")
            assert await receive(sub) == "before"

            await private_redis.kill()

            # While Redis is down, publishing fails promptly instead of hanging...
            started = time.monotonic()
            with pytest.raises(BusUnavailable):
                await bus.publish(channel, "lost")
            assert time.monotonic() - started < 3.0
            # ...and a new subscription cannot be confirmed.
            with pytest.raises(BusUnavailable, match="did not confirm SUBSCRIBE"):
                async with bus.subscribe(new_channel()):
                    pass
            assert await bus.ping() is False

            await private_redis.start()

            # The reader re-subscribes after its backoff; until then publishes reach nobody,
            # so keep publishing until the *same* held subscription receives one.
            deadline = time.monotonic() + 10.0
            received = None
            attempt = 0
            while received is None and time.monotonic() < deadline:
                attempt += 1
                try:
                    await bus.publish(channel, f"after-{attempt}")
                except BusUnavailable:
                    await asyncio.sleep(0.05)
                    continue
                with contextlib.suppress(TimeoutError):
                    received = await receive(sub, wait=0.1)
            assert received is not None and received.startswith("after-")
            assert (
                metrics.REGISTRY.get_sample_value("fixhub_bus_reconnects_total")
                == reconnects_before + 1
            )  # on /metrics

            await bus.publish(channel, "steady")
            while (message := await receive(sub)) != "steady":
                assert message.startswith("after-")  # late copies of the retries above
            assert await bus.ping() is True
    finally:
        await bus.disconnect()
