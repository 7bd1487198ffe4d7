"""deploy/Caddyfile for real: Caddy in front of two `python server.py` processes on PostgreSQL
and Redis, as compose.yaml runs them. Requests and subscriptions work through the proxy, and
when one process goes away the proxy sends new requests and sockets to the other."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.support.api import Api
from tests.support.redis_server import free_port
from tests.support.server_process import (
    QUOTES,
    ChildProcess,
    ServerProcess,
    next_payload,
    subscribe,
)
from tests.support.services import requires_postgres, requires_redis

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    requires_postgres,
    requires_redis,
    pytest.mark.skipif(
        shutil.which("caddy") is None and not os.environ.get("CI"),
        reason="Caddy is not installed (apt-get install -y caddy; .ci/run installs it)",
    ),
]
HEALTH_INTERVAL = 2  # deploy/Caddyfile's health_interval


class Proxy(ChildProcess):
    """Caddy running deploy/Caddyfile in front of `upstreams`."""

    def __init__(self, upstreams: list[ServerProcess], tmp_path: Path) -> None:
        caddy = shutil.which("caddy")
        assert caddy, "CI needs Caddy: apt-get install -y caddy"
        port = free_port()
        env = {
            **os.environ,
            "FIXHUB_UPSTREAMS": " ".join(f"127.0.0.1:{server.port}" for server in upstreams),
            "PROXY_PORT": str(port),
            # Caddy keeps its state under these; a test's stays in its own folder.
            "XDG_CONFIG_HOME": str(tmp_path / "caddy-config"),
            "XDG_DATA_HOME": str(tmp_path / "caddy-data"),
        }
        command = [caddy, "run", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"]
        super().__init__(command, env, tmp_path / "caddy.log", port)


QUOTES_AFTER = (
    "subscription($id: ID!, $after: String) {"
    " quoteReceived(jobId: $id, after: $after) { id amountCents worker { id } } }"
)


@pytest.fixture
async def proxied(
    two_servers: tuple[ServerProcess, ServerProcess, object], tmp_path: Path
) -> AsyncIterator[tuple[Proxy, ServerProcess, ServerProcess]]:
    server_a, server_b, _ = two_servers
    proxy = Proxy([server_a, server_b], tmp_path)
    try:
        await proxy.wait_answering("/healthz", timeout=20)
        yield proxy, server_a, server_b
    finally:
        proxy.stop()


async def test_requests_and_subscriptions_go_through_the_proxy_and_survive_a_process_leaving(
    proxied: tuple[Proxy, ServerProcess, ServerProcess],
) -> None:
    proxy, server_a, _ = proxied
    async with httpx.AsyncClient(base_url=proxy.http_url) as http:
        api = Api(http)
        assert (await http.get("/metrics")).status_code == 404  # scraped per process only
        customer = await api.register("CUSTOMER")
        workers = [await api.worker() for _ in range(2)]
        job = await api.post_job(customer)
        # From a cursor read first, so the quote arrives even if it is published before the
        # subscription joined its channel (the mutation may land on the other process).
        now = (await api.ok("{ eventCursor }", {}, customer))["eventCursor"]
        socket_ = await subscribe(
            proxy.ws_url, customer.token, QUOTES_AFTER, {"id": job["id"], "after": now}
        )
        try:
            quote = await api.quote(workers[0], job["id"], 4200)
            payload = await next_payload(socket_)
            assert payload["data"]["quoteReceived"]["id"] == quote["id"]
        finally:
            await socket_.close()

        # One process leaves (a restart, a crash): once the proxy's health check (every 2 s)
        # has noticed, it sends everything to the other.
        server_a.stop()
        await asyncio.sleep(HEALTH_INTERVAL + 1)
        socket_ = await subscribe(proxy.ws_url, customer.token, QUOTES, {"id": job["id"]})
        try:
            await asyncio.sleep(0.2)  # the subscription is live before the quote is sent
            quote = await api.quote(workers[1], job["id"], 4300)
            payload = await next_payload(socket_)
            assert payload["data"]["quoteReceived"] == {
                "id": quote["id"],
                "amountCents": 4300,
                "worker": {"id": workers[1].id},
            }
        finally:
            await socket_.close()
