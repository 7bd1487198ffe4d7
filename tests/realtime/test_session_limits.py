"""A WebSocket session ends with its token (4403); one user cannot hold more than
WS_MAX_SOCKETS_PER_USER sockets per process (4429), nor run more than
WS_MAX_OPERATIONS_PER_USER operations over them; a subscription's document is held while it
lives, so it is smaller than a query's (MAX_SUBSCRIPTION_TOKENS). On both protocols."""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from models import User
from resolvers.tokens import issue_token
from settings import Settings
from tests.support.services import SECRET
from tests.support.websocket import LiveServer

NOTIFICATIONS = "subscription { notifications { id } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(
        ws_max_sockets_per_user=2, ws_max_operations_per_user=4, max_subscription_tokens=40
    )


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


async def _refused_operation(client: object, op_id: str) -> dict:
    message = await client.receive()  # type: ignore[attr-defined]
    assert message["type"] == "error" and message["id"] == op_id, message
    payload = message["payload"]
    return payload if isinstance(payload, dict) else payload[0]


async def test_a_user_runs_at_most_the_cap_of_operations_over_all_sockets(
    live_server: LiveServer, protocol: str
) -> None:
    customer = await live_server.api.register("CUSTOMER")
    other = await live_server.api.register("CUSTOMER")
    async with (
        live_server.session(protocol, customer) as first,
        live_server.session(protocol, customer) as second,
    ):
        # (a legacy barrier is a query: an operation of its own while it runs)
        for op_id in ("a", "b"):
            await first.subscribe(op_id, NOTIFICATIONS, {})
            await first.barrier()
        await second.subscribe("c", NOTIFICATIONS, {})
        await second.barrier()
        await second.subscribe("d", NOTIFICATIONS, {})  # the fourth: the cap
        await second.subscribe("e", NOTIFICATIONS, {})
        error = await _refused_operation(second, "e")
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert "at most 4" in error["message"]
        async with live_server.session(protocol, other) as stranger:  # others are not affected
            await stranger.subscribe("x", NOTIFICATIONS, {})
            await stranger.expect_nothing_pending()
        # ending one on the first socket frees a place on the second
        await first.stop("a")
        if first.legacy:
            await first.expect_complete("a")
        await first.barrier()
        await second.subscribe("e", NOTIFICATIONS, {})
        await second.stop("e")
        if second.legacy:
            await second.expect_complete("e")
        await second.barrier()
        assert not [m for m in second._pending if m.get("type") == "error"], second._pending


async def test_a_subscription_document_is_held_to_its_own_token_limit(
    live_server: LiveServer, protocol: str
) -> None:
    customer = await live_server.api.register("CUSTOMER")
    fields = " ".join(f"t{i}: title" for i in range(15))  # 45 tokens
    long_subscription = f"subscription Long {{ notifications {{ {fields} }} }}"
    async with live_server.session(protocol, customer) as client:
        await client.subscribe("long", long_subscription, {})
        error = await _refused_operation(client, "long")
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "at most 40 tokens" in error["message"]
        # a query of that size still runs on the same socket
        query = f"query Long {{ me {{ {' '.join(f'f{i}: displayName' for i in range(20))} }} }}"
        await client.subscribe("query", query, {})
        data = await client.next_data("query")
        assert data["me"]["f19"] == "Customer"
        await client.expect_complete("query")
        await client.subscribe("short", NOTIFICATIONS, {})
        await client.expect_nothing_pending()
