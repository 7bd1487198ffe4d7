"""The outbox itself: events exist exactly when the change that caused them committed, a
mutation answers once its events are published, and (PostgreSQL) two relays working at once
publish every event once, in position order."""

from __future__ import annotations

import asyncio
from typing import Any

from tortoise.transactions import in_transaction

from models import OutboxEvent
from realtime import MemoryBus
from realtime.events import Event
from resolvers import outbox
from resolvers.relay import Relay
from tests.support.api import Api
from tests.support.services import requires_postgres


async def test_events_are_stored_with_the_change_and_published_before_the_reply(
    app: Any, api: Api
) -> None:
    customer = await api.register("CUSTOMER")
    worker = await api.worker()
    job = await api.post_job(customer)
    before = await OutboxEvent.all().count()
    await api.quote(worker, job["id"])
    stored = await OutboxEvent.filter(position__gt=await outbox.latest_position() - 10).order_by(
        "position"
    )
    assert await OutboxEvent.all().count() > before
    quote_events = [row for row in stored if row.type == "quote.submitted"]
    assert len(quote_events) == 1
    # Published (and marked) before the mutation answered.
    assert await OutboxEvent.filter(published_at=None).count() == 0

    # A refused mutation (a second quote on the same job) leaves no event behind.
    count = await OutboxEvent.all().count()
    assert await api.error_code(
        """mutation($input: SubmitQuoteInput!) { submitQuote(input: $input) { id } }""",
        {"input": {"jobId": job["id"], "amountCents": 500}},
        worker,
    )
    assert await OutboxEvent.all().count() == count


@requires_postgres
async def test_two_relays_at_once_publish_each_event_once_in_order(app: Any) -> None:
    await app.state.fixhub.relay.stop()  # only the two below publish
    settings = app.state.fixhub.settings
    channel = "fixhub:test:relay-order"
    # One bus for both, as two processes share one Redis: its queue keeps the publish order.
    bus = MemoryBus()
    await bus.connect()
    received: list[int] = []
    ready = asyncio.Event()

    async def listen() -> None:
        async with bus.subscribe(channel) as subscription:
            ready.set()
            async for raw in subscription:
                position = Event.decode(raw).position
                assert position is not None
                received.append(position)

    listener = asyncio.create_task(listen())
    await ready.wait()
    relays = [Relay(bus, settings), Relay(bus, settings)]  # each with its own in-process lock

    async def write_and_relay(n: int) -> None:
        async with in_transaction() as connection:
            await outbox.store(connection, [(channel, Event("test.event", n, {}))])
        await relays[n % 2].publish_pending()

    await asyncio.gather(*(write_and_relay(n) for n in range(60)))
    for relay in relays:
        await relay.publish_pending()
    await asyncio.sleep(0.05)
    listener.cancel()
    rows = await OutboxEvent.filter(channel=channel).order_by("position")
    assert len(rows) == 60 and all(row.published_at is not None for row in rows)
    assert received == [row.position for row in rows]  # each once, in position order
    positions = [row.position for row in rows]
    assert positions == list(range(positions[0], positions[0] + 60))  # no gap
