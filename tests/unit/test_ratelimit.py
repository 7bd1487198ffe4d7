"""The limiter's counters, in memory and in Redis: hit is atomic, release and reset are exact."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from resolvers import ratelimit
from resolvers.ratelimit import Limiter, MemoryLimiter, RedisLimiter
from tests.support.services import TEST_BROADCAST_URL


@pytest.fixture(params=["memory", "redis"])
async def limiter(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Limiter]:
    # Counters live in fixed windows (time // window): a test that crossed a window boundary
    # between a hit and its count would read a fresh window's zero (seen once in CI), so the
    # limiter's clock stands still here.
    now = time.time()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now))
    if request.param == "memory":
        instance: Limiter = MemoryLimiter()
    else:
        if not TEST_BROADCAST_URL:
            pytest.skip("set TEST_BROADCAST_URL to run against Redis")
        instance = RedisLimiter(TEST_BROADCAST_URL, f"test-{uuid.uuid4().hex[:12]}")
    try:
        yield instance
    finally:
        await instance.close()


async def test_concurrent_hits_each_get_their_own_count(limiter: Limiter) -> None:
    counts = await asyncio.gather(*(limiter.hit("k", 60) for _ in range(20)))
    assert sorted(counts) == list(range(1, 21))


async def test_release_takes_back_one_hit_and_never_goes_below_zero(limiter: Limiter) -> None:
    await limiter.hit("k", 60)
    await limiter.hit("k", 60)
    await limiter.release("k", 60)
    assert await limiter.count("k", 60) == 1
    await limiter.release("k", 60)
    await limiter.release("k", 60)
    await limiter.release("never-hit", 60)
    assert await limiter.count("k", 60) == 0
    assert await limiter.count("never-hit", 60) == 0
    assert await limiter.hit("k", 60) == 1


async def test_reset_clears_only_its_own_key_even_with_glob_characters(limiter: Limiter) -> None:
    for key in ("login:pair:a*", "login:pair:abc", "login:pair:a?c", "login:pair:[a]"):
        await limiter.hit(key, 60)
    await limiter.reset("login:pair:a*")
    await limiter.reset("login:pair:[a]")
    assert await limiter.count("login:pair:a*", 60) == 0
    assert await limiter.count("login:pair:[a]", 60) == 0
    assert await limiter.count("login:pair:abc", 60) == 1
    assert await limiter.count("login:pair:a?c", 60) == 1
