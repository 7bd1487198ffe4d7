"""Fixed-window counters for login attempts, shared across processes when Redis is configured.

In-process counters would let an attacker multiply the limit by the number of processes, so
with a redis:// BROADCAST_URL the counters live in Redis (INCR + EXPIRE).

`hit` counts and returns the new count in one atomic step (one event-loop step in memory, INCR
in Redis): a caller that must not let concurrent requests slip past a limit hits first and
refuses when the count it got exceeds the limit, and never checks `count` and then hits.
"""

from __future__ import annotations

import time
from typing import Protocol

import redis.asyncio as redis

import metrics
from errors import RateLimited


class Limiter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> int: ...
    async def release(self, key: str, window_seconds: int) -> None:
        """Take back one hit of the current window (never below zero)."""
        ...

    async def count(self, key: str, window_seconds: int) -> int: ...
    async def reset(self, key: str) -> None: ...
    async def close(self) -> None: ...


def seconds_left(window_seconds: int) -> int:
    """Seconds until the current fixed window ends (what `retryAfterSeconds` tells a client)."""
    return window_seconds - int(time.time()) % window_seconds


async def enforce(
    limiter: Limiter, key: str, *, limit: int, window_seconds: int, reason: str
) -> None:
    """Counts one hit of `key` and refuses with RATE_LIMITED once this window's count passes
    `limit`: "<reason>; try again in N s.", with `retryAfterSeconds` N."""
    if await limiter.hit(key, window_seconds) > limit:
        # "login:pair:<account>:<address>" -> "login:pair": the limit, not who hit it.
        metrics.RATE_LIMITED.labels(":".join(key.split(":")[:2])).inc()
        retry_after = seconds_left(window_seconds)
        raise RateLimited(f"{reason}; try again in {retry_after} s.", retry_after)


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

    async def release(self, key: str, window_seconds: int) -> None:
        window, count = self._current(key, window_seconds)
        if count > 0:
            self._windows[key] = (window, count - 1)

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

    async def release(self, key: str, window_seconds: int) -> None:
        await self._client.eval(_RELEASE, 1, self._key(key, window_seconds))

    async def count(self, key: str, window_seconds: int) -> int:
        value = await self._client.get(self._key(key, window_seconds))
        return int(value or 0)

    async def reset(self, key: str) -> None:
        # Windows expire by themselves; a successful login only clears one pair's failures.
        # The key is escaped: a `*` in it must not match (and delete) other keys' counters.
        pattern = f"{_glob_escape(self._prefix + key)}:*"
        async for stale in self._client.scan_iter(match=pattern):
            await self._client.delete(stale)

    async def close(self) -> None:
        await self._client.aclose()


# DECR only an existing, positive counter: a window that rolled over meanwhile stays at zero.
_RELEASE = """
local value = tonumber(redis.call('GET', KEYS[1]) or '0')
if value > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


def _glob_escape(text: str) -> str:
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)


def create_limiter(broadcast_url: str, namespace: str = "") -> Limiter:
    if broadcast_url.startswith(("redis://", "rediss://")):
        return RedisLimiter(broadcast_url, namespace)
    return MemoryLimiter()
