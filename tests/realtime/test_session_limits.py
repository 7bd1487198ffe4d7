"""A WebSocket session ends with its token (4403), and one user cannot hold more than
WS_MAX_SOCKETS_PER_USER sockets per process (4429); on both protocols."""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from models import User
from resolvers.tokens import issue_token
from settings import Settings
from tests.conftest import SECRET
from tests.realtime.conftest import LiveServer

NOTIFICATIONS = "subscription { notifications { id } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(ws_max_sockets_per_user=2)


async def _closed_code(client: object, timeout: float = 10.0) -> tuple[list[dict], int | None]:
    """Messages received until the server closes the socket, and the close code."""
    seen = []
    try:
        while True:
            seen.append(await client.receive(timeout=timeout))  # type: ignore[attr-defined]
    except ConnectionClosed as closed:
        return seen, closed.rcvd.code if closed.rcvd else None


async def test_the_session_ends_when_its_token_expires(
    live_server: LiveServer, protocol: str
) -> None:
    customer = await live_server.api.register("CUSTOMER")
    user = await User.get(id=int(customer.id))
    token = issue_token(user, SECRET, ttl_seconds=2)
    async with live_server.socket(protocol) as client:
        await client.init(token)
        await client.subscribe("n", NOTIFICATIONS, {})
        await client.barrier()
        seen, code = await _closed_code(client)
    assert code == 4403
    if client.legacy:
        assert {
            "type": "connection_error",
            "payload": {"message": "Forbidden: token expired"},
        } in seen
    assert not [m for m in seen if m.get("type") in ("next", "data")]


async def test_a_user_holds_at_most_the_cap_of_sockets(
    live_server: LiveServer, protocol: str
) -> None:
    customer = await live_server.api.register("CUSTOMER")
    other = await live_server.api.register("CUSTOMER")
    async with live_server.session(protocol, customer), live_server.session(protocol, customer):
        async with live_server.socket(protocol) as third:
            await third.send(
                {
                    "type": "connection_init",
                    "payload": {"authorization": f"Bearer {customer.token}"},
                }
            )
            _, code = await _closed_code(third)
            assert code == 4429
        async with live_server.session(protocol, other):  # another user is not affected
            pass
    # closing frees the slots: the same user connects again
    await asyncio.sleep(0.2)
    async with live_server.session(protocol, customer), live_server.session(protocol, customer):
        pass
