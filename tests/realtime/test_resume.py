"""Resuming a subscription with `after`: every event carries a cursor (in the `extensions` of
its payload); a client that went away and subscribes again with the last cursor it received
gets exactly what it missed, oldest first, then the live events: no duplicate, no gap, and
nothing it would not have been delivered live. For quoteReceived, jobUpdated, matchingJobs
and messageReceived (notifications and projectProgress take the same cursors besides their
own ids). Cursors not issued by the server, or older than what is kept, are refused with
BAD_USER_INPUT."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from resolvers import outbox
from tests.support.api import Actor, Api
from tests.support.messages import admin, open_conversation, send
from tests.support.websocket import TRANSPORT_WS, LiveServer, WsClient

QUOTES = (
    "subscription($job: ID!, $after: String) { quoteReceived(jobId: $job, after: $after) { id } }"
)
UPDATES = (
    "subscription($job: ID!, $after: String) { jobUpdated(jobId: $job, after: $after) { status } }"
)
MATCHES = "subscription($after: String) { matchingJobs(after: $after) { id } }"
MESSAGES = (
    "subscription($thread: ID!, $after: String) "
    "{ messageReceived(threadId: $thread, after: $after) { id } }"
)
NOTIFICATIONS = "subscription($after: ID) { notifications(after: $after) { id } }"


@dataclass
class Feed:
    """One subscription: who follows it, and how to cause its next event (returning what the
    subscriber will read in it), plus something it must never see."""

    actor: Actor
    query: str
    variables: dict[str, Any]
    field: str
    key: str
    cause: Callable[[int], Awaitable[str]]
    unrelated: Callable[[], Awaitable[None]]


async def quote_feed(api: Api) -> Feed:
    customer = await api.register("CUSTOMER")
    workers = [await api.worker() for _ in range(4)]
    job = await api.post_job(customer)
    other_job = await api.post_job(await api.register("CUSTOMER"))

    async def cause(n: int) -> str:
        return str((await api.quote(workers[n], job["id"]))["id"])

    async def unrelated() -> None:
        await api.quote(workers[0], other_job["id"])

    return Feed(customer, QUOTES, {"job": job["id"]}, "quoteReceived", "id", cause, unrelated)


async def update_feed(api: Api) -> Feed:
    customer = await api.register("CUSTOMER")
    worker = await api.worker()
    job = await api.post_job(customer)
    quote = await api.quote(worker, job["id"])
    other_customer = await api.register("CUSTOMER")
    steps = [
        (customer, "acceptQuote(quoteId: $id)", quote["id"]),
        (worker, 'scheduleJob(jobId: $id, scheduledAt: "2099-01-01T09:00:00Z")', job["id"]),
        (worker, "startJob(jobId: $id)", job["id"]),
        (worker, "completeJob(jobId: $id)", job["id"]),
    ]

    async def cause(n: int) -> str:
        actor, call, ident = steps[n]
        data = await api.ok(
            f"mutation($id: ID!) {{ r: {call} {{ status }} }}", {"id": ident}, actor
        )
        return str(data["r"]["status"])

    async def unrelated() -> None:
        await api.ok(
            'mutation($id: ID!) { cancelJob(jobId: $id, reason: "changed plans") { id } }',
            {"id": (await api.post_job(other_customer))["id"]},
            other_customer,
        )

    return Feed(customer, UPDATES, {"job": job["id"]}, "jobUpdated", "status", cause, unrelated)


async def match_feed(api: Api) -> Feed:
    worker = await api.worker(categories=("CLEANING",))
    await api.worker(lat=48.1, lng=11.6, categories=("CLEANING",))  # in Munich
    customer = await api.register("CUSTOMER")

    async def cause(n: int) -> str:
        return str((await api.post_job(customer, category="CLEANING"))["id"])

    async def unrelated() -> None:
        # Matched to the worker in Munich only: the audience check keeps it from this one.
        job = await api.post_job(customer, category="CLEANING", lat=48.1, lng=11.6)
        assert job["matchCount"] == 1

    return Feed(worker, MATCHES, {}, "matchingJobs", "id", cause, unrelated)


async def message_feed(api: Api) -> Feed:
    c = await open_conversation(api)

    async def cause(n: int) -> str:
        return str((await send(api, c.worker, c.thread_id, f"message {n}"))["id"])

    async def unrelated() -> None:
        await send(api, c.other_worker, c.other_thread_id, "not for this thread")

    return Feed(
        c.customer, MESSAGES, {"thread": c.thread_id}, "messageReceived", "id", cause, unrelated
    )


FEEDS = {
    "quoteReceived": quote_feed,
    "jobUpdated": update_feed,
    "matchingJobs": match_feed,
    "messageReceived": message_feed,
}


async def next_event(client: WsClient, op_id: str, feed: Feed) -> tuple[str, str]:
    payload = await client.next_payload(op_id)
    assert "errors" not in payload, payload
    return payload["data"][feed.field][feed.key], payload["extensions"]["cursor"]


@pytest.mark.parametrize("name", FEEDS)
async def test_resuming_after_the_last_cursor_delivers_exactly_what_was_missed(
    live_server: LiveServer, name: str
) -> None:
    api = live_server.api
    feed = await FEEDS[name](api)
    async with live_server.session(TRANSPORT_WS, feed.actor) as client:
        await client.subscribe("live", feed.query, feed.variables)
        await client.barrier()
        first = await feed.cause(0)
        seen, cursor = await next_event(client, "live", feed)
        assert seen == first
    # Away: two events of this feed, and one that is not for it.
    missed = [await feed.cause(1)]
    await feed.unrelated()
    missed.append(await feed.cause(2))

    async with live_server.session(TRANSPORT_WS, feed.actor) as client:
        await client.subscribe("resumed", feed.query, {**feed.variables, "after": cursor})
        replayed = [await next_event(client, "resumed", feed) for _ in missed]
        assert [value for value, _ in replayed] == missed
        # Each replayed event has its own cursor, after the one resumed from, in order.
        secret = live_server_secret(live_server)
        positions = [outbox.position_of(secret, c) for c in [cursor] + [c for _, c in replayed]]
        assert positions == sorted(set(positions))
        # Then live, once.
        live = await feed.cause(3)
        assert (await next_event(client, "resumed", feed))[0] == live
        await client.expect_nothing_pending()


def live_server_secret(live_server: LiveServer) -> str:
    return str(live_server.app.state.fixhub.settings.secret_key)


async def test_event_cursor_then_subscribe_receives_what_happened_in_between(
    live_server: LiveServer,
) -> None:
    api = live_server.api
    feed = await quote_feed(api)
    start = (await api.ok("{ eventCursor }", {}, feed.actor))["eventCursor"]
    happened = await feed.cause(0)
    async with live_server.session(TRANSPORT_WS, feed.actor) as client:
        await client.subscribe("q", feed.query, {**feed.variables, "after": start})
        assert (await next_event(client, "q", feed))[0] == happened
        live = await feed.cause(1)
        assert (await next_event(client, "q", feed))[0] == live
        await client.expect_nothing_pending()


async def test_notifications_take_an_event_cursor_as_well_as_an_id(
    live_server: LiveServer,
) -> None:
    api = live_server.api
    feed = await quote_feed(api)  # each quote notifies the customer
    start = (await api.ok("{ eventCursor }", {}, feed.actor))["eventCursor"]
    await feed.cause(0)
    async with live_server.session(TRANSPORT_WS, feed.actor) as client:
        await client.subscribe("n", NOTIFICATIONS, {"after": start})
        payload = await client.next_payload("n")
        assert payload["data"]["notifications"]["id"] and payload["extensions"]["cursor"]
        await client.expect_nothing_pending()


@pytest.mark.parametrize(
    "cursor",
    [
        "ev1.AAAAAAAAAAEAAAAAAAAAAA",  # the right shape, not signed by this server
        "ev1.not base64!",
        "ev1.",
        "12",  # an id, where only cursors are meant
        "x" * 5000,
    ],
)
async def test_a_cursor_not_issued_here_is_refused(live_server: LiveServer, cursor: str) -> None:
    feed = await quote_feed(live_server.api)
    async with live_server.session(TRANSPORT_WS, feed.actor) as client:
        await client.subscribe("q", feed.query, {**feed.variables, "after": cursor})
        assert await client.refusal_code("q") == "BAD_USER_INPUT"


async def test_a_cursor_from_the_future_or_older_than_the_retention_is_refused(
    live_server: LiveServer,
) -> None:
    api = live_server.api
    feed = await quote_feed(api)
    secret = live_server_secret(live_server)
    old = (await api.ok("{ eventCursor }", {}, feed.actor))["eventCursor"]
    for n in range(3):
        await feed.cause(n)
    future = outbox.cursor_for(secret, await outbox.latest_position() + 10)
    # Everything published is past the retention now (the newest row is always kept).
    assert await outbox.prune(datetime.now(UTC) + timedelta(days=1)) > 0
    async with live_server.session(TRANSPORT_WS, feed.actor) as client:
        for op_id, cursor in (("old", old), ("future", future)):
            await client.subscribe(op_id, feed.query, {**feed.variables, "after": cursor})
            assert await client.refusal_code(op_id) == "BAD_USER_INPUT"
        # The newest cursor still works.
        newest = outbox.cursor_for(secret, await outbox.latest_position())
        await client.subscribe("ok", feed.query, {**feed.variables, "after": newest})
        await client.barrier()
        live = await feed.cause(3)
        assert (await next_event(client, "ok", feed))[0] == live


async def test_the_replay_applies_the_subscription_permissions(live_server: LiveServer) -> None:
    """A cursor grants nothing: another customer cannot resume a job's quotes feed."""
    api = live_server.api
    feed = await quote_feed(api)
    start = (await api.ok("{ eventCursor }", {}, feed.actor))["eventCursor"]
    await feed.cause(0)
    stranger = await api.register("CUSTOMER")
    async with live_server.session(TRANSPORT_WS, stranger) as client:
        await client.subscribe("q", feed.query, {**feed.variables, "after": start})
        assert await client.refusal_code("q") in {"NOT_FOUND", "FORBIDDEN"}


@pytest.mark.parametrize("role", ["CUSTOMER", "WORKER", "ADMIN", None])
async def test_event_cursor_is_for_signed_in_users(
    live_server: LiveServer, role: str | None
) -> None:
    api = live_server.api
    if role is None:
        assert await api.error_code("{ eventCursor }", {}) == "UNAUTHENTICATED"
        return
    actor = await admin(api) if role == "ADMIN" else await api.register(role)
    cursor = (await api.ok("{ eventCursor }", {}, actor))["eventCursor"]
    assert outbox.position_of(live_server_secret(live_server), cursor) >= 0
