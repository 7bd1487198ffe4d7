"""Behaviour shared by every bus backend (memory always; Redis when TEST_BROADCAST_URL is set)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest

from realtime import (
    Bus,
    BusUnavailable,
    MemoryBus,
    RedisBus,
    SubscriberTooSlow,
    Subscription,
    create_bus,
)

REDIS_URL = os.environ.get("TEST_BROADCAST_URL", "")
QUEUE_SIZE = 8

requires_redis = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="TEST_BROADCAST_URL is not set"),
]


@pytest.fixture(
    params=[
        pytest.param("memory://", id="memory"),
        pytest.param(REDIS_URL, id="redis", marks=requires_redis),
    ]
)
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    instance = create_bus(request.param, queue_size=QUEUE_SIZE)
    await instance.connect()
    try:
        yield instance
    finally:
        await instance.disconnect()


def new_channel() -> str:
    # The Redis server is shared with other test runs: never reuse a channel name.
    return f"test-bus-{uuid.uuid4().hex}"


async def receive(sub: Subscription, wait: float = 2.0) -> str:
    async with asyncio.timeout(wait):
        return await anext(sub)


async def test_delivers_in_publish_order(bus: Bus) -> None:
    channel = new_channel()
    async with bus.subscribe(channel) as sub:
        for i in range(5):
            await bus.publish(channel, f'{{"n": {i}}}')
        assert [await receive(sub) for _ in range(5)] == [f'{{"n": {i}}}' for i in range(5)]


async def test_channels_are_isolated(bus: Bus) -> None:
    first, second = new_channel(), new_channel()
    async with bus.subscribe(first) as sub:
        await bus.publish(second, "other")
        await bus.publish(first, "mine")
        assert await receive(sub) == "mine"


async def test_two_subscribers_of_one_channel_both_receive(bus: Bus) -> None:
    channel = new_channel()
    async with bus.subscribe(channel) as one, bus.subscribe(channel) as two:
        await bus.publish(channel, "hello")
        assert await receive(one) == "hello"
        assert await receive(two) == "hello"


async def test_remaining_subscriber_still_receives_after_other_leaves(bus: Bus) -> None:
    channel = new_channel()
    async with bus.subscribe(channel) as stays:
        async with bus.subscribe(channel) as leaves:
            await bus.publish(channel, "both")
            assert await receive(leaves) == "both"
        assert await receive(stays) == "both"
        await bus.publish(channel, "after")
        assert await receive(stays) == "after"
    # Re-subscribing after everyone left works as a fresh first subscriber.
    async with bus.subscribe(channel) as again:
        await bus.publish(channel, "again")
        assert await receive(again) == "again"


async def test_publish_immediately_after_subscribe_is_received(bus: Bus) -> None:
    # No sleep between entering and publishing: __aenter__ must only return once the
    # subscription is live (for Redis: once the server confirmed the SUBSCRIBE).
    for _ in range(20):
        channel = new_channel()
        async with bus.subscribe(channel) as sub:
            await bus.publish(channel, "first")
            assert await receive(sub) == "first"


async def test_fifty_concurrent_first_subscribers_all_receive(bus: Bus) -> None:
    channel = new_channel()
    entered = asyncio.Event()
    ready = 0
    results: list[str] = []

    async def subscriber() -> None:
        nonlocal ready
        async with bus.subscribe(channel) as sub:
            ready += 1
            if ready == 50:
                entered.set()
            results.append(await receive(sub, wait=5.0))

    tasks = [asyncio.create_task(subscriber()) for _ in range(50)]
    await asyncio.wait_for(entered.wait(), 5.0)
    await bus.publish(channel, "fan-out")
    await asyncio.gather(*tasks)
    assert results == ["fan-out"] * 50


async def test_leave_and_join_race_keeps_channel_subscribed(bus: Bus) -> None:
    for _ in range(20):
        channel = new_channel()
        leaving = bus.subscribe(channel)
        await leaving.__aenter__()
        joined = bus.subscribe(channel)
        # The last subscriber leaves while a new one joins: the joiner must end up live.
        _, sub = await asyncio.gather(leaving.__aexit__(None, None, None), joined.__aenter__())
        try:
            await bus.publish(channel, "still here")
            assert await receive(sub) == "still here"
        finally:
            await joined.__aexit__(None, None, None)


async def test_slow_subscriber_overflows_while_fast_one_continues(bus: Bus) -> None:
    channel = new_channel()
    async with bus.subscribe(channel) as slow, bus.subscribe(channel) as fast:
        received = []
        # Batches smaller than the queue keep the fast subscriber within bounds while the
        # slow one (never read) accumulates 20 > QUEUE_SIZE messages.
        for batch in range(5):
            sent = [f"{batch}-{i}" for i in range(4)]
            for message in sent:
                await bus.publish(channel, message)
            received += [await receive(fast) for _ in sent]
        assert received == [f"{b}-{i}" for b in range(5) for i in range(4)]

        with pytest.raises(SubscriberTooSlow):
            await receive(slow)
        # Raised once; the subscription is dead afterwards.
        with pytest.raises(StopAsyncIteration):
            await receive(slow)

        await bus.publish(channel, "after overflow")
        assert await receive(fast) == "after overflow"


async def test_exiting_the_context_ends_iteration(bus: Bus) -> None:
    channel = new_channel()
    async with bus.subscribe(channel) as sub:
        pass
    with pytest.raises(StopAsyncIteration):
        await receive(sub)


async def test_disconnect_ends_live_iterators(bus: Bus) -> None:
    channel = new_channel()
    got: list[str] = []

    async def consume() -> None:
        async with bus.subscribe(channel) as sub:
            async for message in sub:
                got.append(message)

    task = asyncio.create_task(consume())
    for _ in range(100):  # wait until the consumer is subscribed
        await bus.publish(channel, "ping")
        await asyncio.sleep(0.01)
        if got:
            break
    assert got
    await bus.disconnect()
    await asyncio.wait_for(task, 2.0)  # `async for` ended with StopAsyncIteration
    assert await bus.ping() is False
    with pytest.raises(BusUnavailable):
        await bus.publish(channel, "too late")


async def test_ping_reports_connected_backend(bus: Bus) -> None:
    assert await bus.ping() is True


async def test_publish_without_subscribers_is_a_no_op(bus: Bus) -> None:
    await bus.publish(new_channel(), "nobody listens")


@pytest.mark.parametrize("url", ["memory://", pytest.param(REDIS_URL, marks=requires_redis)])
async def test_unconnected_bus_refuses_work(url: str) -> None:
    bus = create_bus(url)
    assert await bus.ping() is False
    with pytest.raises(BusUnavailable):
        await bus.publish(new_channel(), "x")
    with pytest.raises(BusUnavailable):
        async with bus.subscribe(new_channel()):
            pass


def test_create_bus_picks_backend_from_url() -> None:
    assert isinstance(create_bus("memory://"), MemoryBus)
    assert isinstance(create_bus("redis://127.0.0.1:6379/0"), RedisBus)
    assert isinstance(create_bus("rediss://user:secret@example.com:6380/1"), RedisBus)


@pytest.mark.parametrize("url", ["", "http://localhost", "kafka://broker:9092", "redis"])
def test_create_bus_rejects_unknown_urls(url: str) -> None:
    with pytest.raises(ValueError, match="unsupported bus URL"):
        create_bus(url)


def test_create_bus_error_hides_password() -> None:
    with pytest.raises(ValueError) as excinfo:
        create_bus("amqp://user:hunter2@broker/")
    assert "hunter2" not in str(excinfo.value)


def test_queue_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="queue_size"):
        create_bus("memory://", queue_size=0)
