"""Scale-out for real: two `python server.py` processes on one PostgreSQL and one Redis.

Both processes start at once against an empty database (the migration lock must hold), an
event caused on one reaches a subscriber held by the other, and a held subscription survives
a Redis restart. Redis here is a private redis-server so restarting it disturbs nobody.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import (
    SECRET,
    Api,
    RedisServer,
    free_port,
    fresh_postgres_database,
    requires_postgres,
    requires_redis,
)

pytestmark = [requires_postgres, requires_redis]
ROOT = Path(__file__).resolve().parents[2]


class ServerProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.handle = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "server.py", "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
        )

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    async def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
                try:
                    if (await http.get(f"{self.http_url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"server not healthy: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.handle.close()


@pytest.fixture
async def two_servers(
    private_redis: RedisServer, tmp_path: Path
) -> AsyncIterator[tuple[ServerProcess, ServerProcess, RedisServer]]:
    async with fresh_postgres_database() as database_url:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "BROADCAST_URL": private_redis.url,
            "SECRET_KEY": SECRET,
        }
        # Both start at once against the empty database: migrations must not collide.
        servers = [ServerProcess(env, tmp_path / f"server{i}.log") for i in (1, 2)]
        try:
            await asyncio.gather(*(server.wait_healthy() for server in servers))
            yield servers[0], servers[1], private_redis
        finally:
            for server in servers:
                server.stop()


async def subscribe(
    url: str, token: str, query: str, variables: dict[str, Any]
) -> ClientConnection:
    socket_ = await connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await socket_.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(await asyncio.wait_for(socket_.recv(), 5))["type"] == "connection_ack"
    await socket_.send(
        json.dumps(
            {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
    )
    return socket_


async def next_payload(socket_: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(socket_.recv(), timeout))
    assert message["type"] == "next", message
    return message["payload"]


QUOTES = "subscription($id: ID!) { quoteReceived(jobId: $id) { id amountCents worker { id } } }"


async def test_event_on_one_process_reaches_subscriber_on_the_other_and_survives_redis_restart(
    two_servers: tuple[ServerProcess, ServerProcess, RedisServer],
) -> None:
    server_a, server_b, redis = two_servers
    async with (
        httpx.AsyncClient(base_url=server_a.http_url) as http_a,
        httpx.AsyncClient(base_url=server_b.http_url) as http_b,
    ):
        api_a, api_b = Api(http_a), Api(http_b)
        customer = await api_b.register("CUSTOMER")
        workers = [await api_a.worker() for _ in range(2)]
        job = await api_b.post_job(customer)
        assert job["matchCount"] == 2
        socket_ = await subscribe(server_b.ws_url, customer.token, QUOTES, {"id": job["id"]})
        try:
            # a quote sent through process A reaches the subscriber held by process B
            quote = await api_a.quote(workers[0], job["id"], 4200)
            payload = await next_payload(socket_)
            assert payload["data"]["quoteReceived"] == {
                "id": quote["id"],
                "amountCents": 4200,
                "worker": {"id": workers[0].id},
            }

            # Redis restarts; the held subscription keeps working without reconnecting
            await redis.kill()
            await redis.start()
            deadline = time.monotonic() + 20
            while True:
                body = await api_a.call(
                    """mutation($input: SubmitQuoteInput!) { submitQuote(input: $input) { id } }""",
                    {"input": {"jobId": job["id"], "amountCents": 4300}},
                    workers[1],
                )
                assert "errors" not in body, body
                try:
                    payload = await next_payload(socket_, timeout=1)
                    break
                except TimeoutError:
                    # published while the bus was still reconnecting: withdraw and resend
                    assert time.monotonic() < deadline, "no event after Redis restart"
                    await api_a.ok(
                        "mutation($id: ID!) { withdrawQuote(quoteId: $id) { id } }",
                        {"id": body["data"]["submitQuote"]["id"]},
                        workers[1],
                    )
                    await asyncio.sleep(0.2)
            assert payload["data"]["quoteReceived"]["amountCents"] == 4300
            assert payload["data"]["quoteReceived"]["worker"] == {"id": workers[1].id}
        finally:
            await socket_.close()


async def test_matching_job_posted_on_one_process_reaches_worker_on_the_other(
    two_servers: tuple[ServerProcess, ServerProcess, RedisServer],
) -> None:
    server_a, server_b, _ = two_servers
    async with (
        httpx.AsyncClient(base_url=server_a.http_url) as http_a,
        httpx.AsyncClient(base_url=server_b.http_url) as http_b,
    ):
        api_a, api_b = Api(http_a), Api(http_b)
        worker = await api_b.worker()
        socket_ = await subscribe(
            server_b.ws_url, worker.token, "subscription { matchingJobs { id title } }", {}
        )
        try:
            customer = await api_a.register("CUSTOMER")
            job = await api_a.post_job(customer)
            payload = await next_payload(socket_)
            assert payload["data"]["matchingJobs"]["id"] == job["id"]
        finally:
            await socket_.close()
