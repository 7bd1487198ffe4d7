"""Fixed-window counters for login attempts, shared across processes when Redis is configured.

In-process counters would let an attacker multiply the limit by the number of processes, so
with a redis:// BROADCAST_URL the counters live in Redis (INCR + EXPIRE).
"""

from __future__ import annotations

import time
from typing import Protocol

import redis.asyncio as redis


class Limiter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> int: ...
    async def count(self, key: str, window_seconds: int) -> int: ...
    async def reset(self, key: str) -> None: ...
    async def close(self) -> None: ...


class MemoryLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}

    def _current(self, key: str, window_seconds: int) -> tuple[int, int]:
        window = int(time.time()) // window_seconds
        stored_window, count = self._windows.get(key, (window, 0))
        if len(self._windows) > 100_000:  # bounded: forget the oldest windows wholesale
            self._windows.clear()
        return (window, count) if stored_window == window else (window, 0)

    async def hit(self, key: str, window_seconds: int) -> int:
        window, count = self._current(key, window_seconds)
        self._windows[key] = (window, count + 1)
        return count + 1

    async def count(self, key: str, window_seconds: int) -> int:
        return self._current(key, window_seconds)[1]

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    async def close(self) -> None:
        self._windows.clear()


class RedisLimiter:
    def __init__(self, url: str, namespace: str = "") -> None:
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = f"{namespace}:fixhub:ratelimit:" if namespace else "fixhub:ratelimit:"

    def _key(self, key: str, window_seconds: int) -> str:
        return f"{self._prefix}{key}:{int(time.time()) // window_seconds}"

    async def hit(self, key: str, window_seconds: int) -> int:
        full_key = self._key(key, window_seconds)
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incr(full_key)
            pipe.expire(full_key, window_seconds + 1)
            count, _ = await pipe.execute()
        return int(count)

    async def count(self, key: str, window_seconds: int) -> int:
        value = await self._client.get(self._key(key, window_seconds))
        return int(value or 0)

    async def reset(self, key: str) -> None:
        # Windows expire by themselves; a successful login only clears the account's failures.
        async for stale in self._client.scan_iter(match=f"{self._prefix}{key}:*"):
            await self._client.delete(stale)

    async def close(self) -> None:
        await self._client.aclose()


def create_limiter(broadcast_url: str, namespace: str = "") -> Limiter:
    if broadcast_url.startswith(("redis://", "rediss://")):
        return RedisLimiter(broadcast_url, namespace)
    return MemoryLimiter()
