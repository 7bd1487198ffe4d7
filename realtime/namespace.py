"""Several deployments (or test runs) on one Redis: every channel name gets a namespace, so
their events never reach each other's subscribers."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from realtime.bus import Bus, Subscription


class NamespacedBus(Bus):
    def __init__(self, inner: Bus, namespace: str) -> None:
        self._inner = inner
        self._prefix = f"{namespace}:"

    async def connect(self) -> None:
        await self._inner.connect()

    async def disconnect(self) -> None:
        await self._inner.disconnect()

    async def publish(self, channel: str, message: str) -> None:
        await self._inner.publish(self._prefix + channel, message)

    def subscribe(
        self, channel: str, *, notify_resubscribed: bool = False
    ) -> AbstractAsyncContextManager[Subscription]:
        return self._inner.subscribe(
            self._prefix + channel, notify_resubscribed=notify_resubscribed
        )

    async def ping(self) -> bool:
        return await self._inner.ping()
