"""Fixtures of the fuzz tests: the seeded world, in-process (HTTP) or behind a real uvicorn
(WebSocket, the fixtures of tests/realtime)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.fuzz.harness import World, seed
from tests.realtime.conftest import LiveServer, live_server, protocol
from tests.renovation import make_admin

__all__ = ["live_server", "protocol"]


@pytest.fixture
async def world(api: Api, app: Any) -> World:
    return await seed(api, await make_admin(app))


@pytest.fixture
async def live_world(live_server: LiveServer) -> World:
    return await seed(live_server.api, await make_admin(live_server.app))
