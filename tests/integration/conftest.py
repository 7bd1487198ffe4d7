"""Fixtures of the integration tests: real `python server.py` processes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess
from tests.support.services import SECRET, fresh_postgres_database


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
