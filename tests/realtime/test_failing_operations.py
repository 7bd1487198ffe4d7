"""One failing operation ends that operation only: the socket and its other operations live
on, on both protocols. And a replay is whole or refused, never partial."""

from __future__ import annotations

import pytest

import resolvers.notifications
from models import Notification
from tests.support.websocket import LiveServer

NOTIFICATIONS = """subscription($after: ID) { notifications(after: $after) { id kind } }"""


async def test_an_impossible_cursor_refuses_that_subscription_only(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER")
    worker = await api.worker()
    async with live_server.session(protocol, customer) as client:
        await client.subscribe("good", NOTIFICATIONS, {})
        await client.subscribe("bad", NOTIFICATIONS, {"after": "99999999999999999999"})
        payload = await client.next_payload("bad")
        assert payload["data"] is None
        [error] = payload["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
        await client.expect_complete("bad")
        # the socket and the other subscription live on
        await client.barrier()
        job = await api.post_job(customer)
        await api.quote(worker, job["id"])
        live = await client.next_data("good")
        assert live["notifications"]["kind"] == "QUOTE_RECEIVED"


async def test_a_bug_behind_one_subscription_ends_it_with_an_error(
    live_server: LiveServer, protocol: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER")
    worker = await api.worker()

    async def broken_replay(*_: object, **__: object) -> list[Notification]:
        raise RuntimeError("a bug in the replay")

    async with live_server.session(protocol, customer) as client:
        await client.subscribe("good", NOTIFICATIONS, {})
        await client.barrier()
        monkeypatch.setattr(resolvers.notifications, "notifications_after", broken_replay)
        await client.subscribe("bad", NOTIFICATIONS, {"after": "1"})
        message = await client.receive()
        assert message["id"] == "bad" and message["type"] == "error", message
        errors = (
            message["payload"] if isinstance(message["payload"], list) else [message["payload"]]
        )
        assert errors[0]["extensions"]["code"] == "INTERNAL"
        assert "a bug in the replay" not in str(message)  # no internals leak
        if client.legacy:
            await client.expect_complete("bad")
        monkeypatch.undo()
        job = await api.post_job(customer)
        await api.quote(worker, job["id"])
        live = await client.next_data("good")
        assert live["notifications"]["kind"] == "QUOTE_RECEIVED"


async def test_a_replay_longer_than_the_limit_is_refused_not_cut(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER")
    user_id = int(customer.id)
    await Notification.bulk_create(
        [
            Notification(user_id=user_id, kind="QUOTE_RECEIVED", title=f"n{i}", body="", data={})
            for i in range(502)
        ]
    )
    first = await Notification.filter(user_id=user_id).order_by("id").first()
    assert first is not None
    async with live_server.session(protocol, customer) as client:
        # 501 stored after the cursor: more than the replay limit of 500
        await client.subscribe("n", NOTIFICATIONS, {"after": str(first.id)})
        payload = await client.next_payload("n")
        assert payload["data"] is None
        [error] = payload["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["message"].startswith("More than 500 notifications were stored after")
        await client.expect_complete("n")
        # 500 after the next one: replayed whole
        second = await Notification.filter(user_id=user_id).order_by("id").offset(1).first()
        assert second is not None
        await client.subscribe("m", NOTIFICATIONS, {"after": str(second.id)})
        replayed = [await client.next_data("m") for _ in range(500)]
        assert len({item["notifications"]["id"] for item in replayed}) == 500
        await client.expect_nothing_pending()
