"""No committed event is lost: real `python server.py` processes, killed with SIGKILL between
a commit and its publish, or publishing while Redis is down. On the embedded default (SQLite
file, in-process bus) and, with TEST_DATABASE_URL / TEST_BROADCAST_URL, on PostgreSQL with a
private Redis.

The kill uses FIXHUB_TEST_KILL_AFTER_COMMIT (refused in production): the process sends itself
SIGKILL right after committing a transaction that stored a `quote.submitted` event, before its
outbox relay could publish it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection

from tests.support.api import Actor, Api
from tests.support.redis_server import RedisServer, free_port
from tests.support.server_process import ServerProcess, next_payload, subscribe
from tests.support.services import (
    SECRET,
    TEST_BROADCAST_URL,
    TEST_DATABASE_URL,
    fresh_postgres_database,
    requires_redis,
)

QUOTES = (
    "subscription($id: ID!, $after: String) "
    "{ quoteReceived(jobId: $id, after: $after) { id amountCents } }"
)


@contextlib.asynccontextmanager
async def database(tmp_path: Path) -> AsyncIterator[str]:
    if TEST_DATABASE_URL:
        async with fresh_postgres_database() as url:
            yield url
    else:
        yield f"sqlite://{tmp_path / 'fixhub.sqlite3'}"


def server_env(database_url: str, broadcast_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "BROADCAST_URL": broadcast_url,
        "SECRET_KEY": SECRET,
        "OUTBOX_POLL_SECONDS": "0.5",
        **extra,
    }


async def started(env: dict[str, str], log: Path) -> ServerProcess:
    server = ServerProcess(env, log)
    try:
        await server.wait_healthy(timeout=60)
    except BaseException:
        server.stop()
        raise
    return server


async def customer_with_job(api: Api, workers: int) -> tuple[Actor, list[Actor], str]:
    customer = await api.register("CUSTOMER")
    hired = [await api.worker() for _ in range(workers)]
    job = await api.post_job(customer)
    assert job["matchCount"] == workers
    return customer, hired, job["id"]


async def event_cursor(api: Api, actor: Actor) -> str:
    return str((await api.ok("{ eventCursor }", {}, actor))["eventCursor"])


async def expect_silence(socket_: ClientConnection, window: float) -> None:
    with contextlib.suppress(TimeoutError):
        message = await asyncio.wait_for(socket_.recv(), window)
        raise AssertionError(f"expected nothing more, got {message}")


@contextlib.asynccontextmanager
async def bus_if_shared() -> AsyncIterator[RedisServer | None]:
    """A private Redis when the run has Redis (TEST_BROADCAST_URL), else none (memory bus)."""
    if not TEST_BROADCAST_URL:
        yield None
        return
    redis = RedisServer(free_port())
    await redis.start()
    try:
        yield redis
    finally:
        await redis.kill()


async def test_a_process_killed_between_commit_and_publish_delivers_the_event_after_restart(
    tmp_path: Path,
) -> None:
    async with bus_if_shared() as redis, database(tmp_path) as database_url:
        broadcast_url = redis.url if redis is not None else "memory://"
        env = server_env(database_url, broadcast_url)
        doomed = await started(
            {**env, "FIXHUB_TEST_KILL_AFTER_COMMIT": "quote.submitted"}, tmp_path / "doomed.log"
        )
        # With a shared database and bus, a second process holds a live subscription: its
        # relay's poll publishes what the dead process left behind, without any reconnect.
        other = await started(env, tmp_path / "other.log") if redis is not None else None
        restarted = None
        try:
            async with httpx.AsyncClient(base_url=doomed.http_url, timeout=30) as http:
                api = Api(http)
                customer, [worker], job_id = await customer_with_job(api, 1)
                cursor = await event_cursor(api, customer)
                held = None
                if other is not None:
                    held = await subscribe(
                        other.ws_url, customer.token, QUOTES, {"id": job_id, "after": None}
                    )
                    await asyncio.sleep(0.5)  # the subscribe is handled
                with pytest.raises(httpx.TransportError):
                    await api.quote(worker, job_id, 4200)
            assert doomed.process.wait(10) == -signal.SIGKILL
            doomed.stop()

            if held is not None:
                payload = await next_payload(held, timeout=15)
                assert payload["data"]["quoteReceived"]["amountCents"] == 4200
                delivered_live = payload["data"]["quoteReceived"]["id"]

            restarted = await started(env, tmp_path / "restarted.log")
            resumed = await subscribe(
                restarted.ws_url, customer.token, QUOTES, {"id": job_id, "after": cursor}
            )
            try:
                payload = await next_payload(resumed, timeout=15)
                quote = payload["data"]["quoteReceived"]
                assert quote["amountCents"] == 4200  # committed, then delivered
                assert payload["extensions"]["cursor"]
                await expect_silence(resumed, 1.5)  # exactly once
            finally:
                await resumed.close()
            if held is not None:
                assert quote["id"] == delivered_live
                # The restarted process's relay finds it published: no second delivery.
                await expect_silence(held, 1.5)
                await held.close()
        finally:
            for server in (doomed, other, restarted):
                if server is not None:
                    server.stop()


async def receive_quotes(socket_: ClientConnection, count: int, timeout: float) -> list[Any]:
    quotes = []
    deadline = time.monotonic() + timeout
    while len(quotes) < count:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"only {quotes} arrived"
        message = json.loads(await asyncio.wait_for(socket_.recv(), remaining))
        assert message["type"] == "next", message
        quotes.append(message["payload"]["data"]["quoteReceived"])
    return quotes


@requires_redis
async def test_quotes_sent_while_redis_is_down_all_reach_the_subscriber_when_it_returns(
    private_redis: RedisServer, tmp_path: Path
) -> None:
    async with database(tmp_path) as database_url:
        env = server_env(database_url, private_redis.url, MAX_QUOTES_PER_JOB="10")
        server = await started(env, tmp_path / "server.log")
        try:
            async with httpx.AsyncClient(base_url=server.http_url, timeout=30) as http:
                api = Api(http)
                customer, workers, job_id = await customer_with_job(api, 6)
                socket_ = await subscribe(
                    server.ws_url, customer.token, QUOTES, {"id": job_id, "after": None}
                )
                try:
                    await asyncio.sleep(0.5)  # the subscribe is handled
                    first = await api.quote(workers[0], job_id, 1000)
                    assert (await receive_quotes(socket_, 1, 10))[0]["id"] == first["id"]

                    await private_redis.kill()
                    sent = []
                    outage_started = time.monotonic()
                    for n, worker in enumerate(workers[1:], start=1):
                        started_at = time.monotonic()
                        sent.append((await api.quote(worker, job_id, 1000 + n))["id"])
                        # The mutation answers although the bus is down (committed, stored).
                        assert time.monotonic() - started_at < 5
                        await asyncio.sleep(2)
                    assert time.monotonic() - outage_started >= 10
                    await private_redis.start()

                    received = await receive_quotes(socket_, len(sent), 30)
                    assert [quote["id"] for quote in received] == sent  # all, in order
                    await expect_silence(socket_, 1.5)  # and each once
                finally:
                    await socket_.close()
        finally:
            server.stop()
