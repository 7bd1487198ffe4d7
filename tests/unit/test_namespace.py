"""Deployments sharing one bus never see each other's events."""

from __future__ import annotations

import asyncio

from realtime import MemoryBus
from realtime.namespace import NamespacedBus


async def test_same_channel_in_two_namespaces_is_two_channels() -> None:
    shared = MemoryBus(queue_size=8)
    await shared.connect()
    blue, green = NamespacedBus(shared, "blue"), NamespacedBus(shared, "green")
    try:
        async with (
            blue.subscribe("fixhub:job:1:quotes") as blue_sub,
            green.subscribe("fixhub:job:1:quotes") as green_sub,
        ):
            await green.publish("fixhub:job:1:quotes", "for green")
            await blue.publish("fixhub:job:1:quotes", "for blue")
            assert await asyncio.wait_for(anext(blue_sub), 1) == "for blue"
            assert await asyncio.wait_for(anext(green_sub), 1) == "for green"
    finally:
        await shared.disconnect()
