"""Fixtures of the fuzz tests: the seeded world, in-process (HTTP) or behind a real uvicorn
(WebSocket, on the live_server fixture)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Api
from tests.support.fuzz import World, seed
from tests.support.renovation import make_admin
from tests.support.websocket import LiveServer


@pytest.fixture
async def world(api: Api, app: Any) -> World:
    return await seed(api, await make_admin(app))


@pytest.fixture
async def live_world(live_server: LiveServer) -> World:
    return await seed(live_server.api, await make_admin(live_server.app))
