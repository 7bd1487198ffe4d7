"""Scale-out for real: two `python server.py` processes on one PostgreSQL and one Redis.

Both processes start at once against an empty database (the migration lock must hold), an
event caused on one reaches a subscriber held by the other, and a held subscription survives
a Redis restart. Redis here is a private redis-server so restarting it disturbs nobody.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.support.api import Api
from tests.support.redis_server import RedisServer
from tests.support.server_process import QUOTES, ServerProcess, next_payload, subscribe
from tests.support.services import (
    requires_postgres,
    requires_redis,
)

pytestmark = [requires_postgres, requires_redis]


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
