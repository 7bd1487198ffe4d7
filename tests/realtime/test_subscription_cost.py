"""A subscription's selection runs once per event, so it is priced per event when it starts."""

from __future__ import annotations

import pytest

from settings import Settings
from tests.support.websocket import LiveServer
from web import engine as engine_module
from web.cost import OBJECT_COST

EXPENSIVE = """subscription { matchingJobs { id quotes { id worker {
  reviews(first: 100) { edges { node { id rating comment } } } } } } }"""
CHEAP = "subscription { matchingJobs { id title } }"


async def test_a_subscription_over_the_budget_per_event_is_refused_and_the_socket_lives(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    worker = await api.worker()
    customer = await api.register("CUSTOMER")
    async with live_server.session(protocol, worker) as client:
        await client.subscribe("costly", EXPENSIVE, {})
        message = await client.receive()
        assert message["type"] == "error" and message["id"] == "costly", message
        error = message["payload"] if client.legacy else message["payload"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["maxCost"] == 4000
        assert "per event" in error["message"]
        # the refusal ends that operation only
        await client.subscribe("cheap", CHEAP, {})
        await client.barrier()
        job = await api.post_job(customer)
        live = await client.next_data("cheap")
        assert live["matchingJobs"]["id"] == job["id"]


async def test_a_replay_is_priced_as_the_events_it_runs_and_refused_whole_over_its_budget(
    live_server: LiveServer, protocol: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each stored event runs the selection once: a long gap with an expensive selection could
    # cost far more than one operation may. Here the replay budget is lowered to 5 events.
    api = live_server.api
    customer = await api.register("CUSTOMER")
    workers = [await api.worker() for _ in range(6)]
    job = await api.post_job(customer)
    query = "subscription($after: ID) { notifications(after: $after) { id kind title } }"
    per_event = 1 + OBJECT_COST + 3  # notifications (an object) with three fields
    monkeypatch.setattr(engine_module, "REPLAY_BUDGETS", 5 * per_event / Settings().max_query_cost)
    for worker in workers[:5]:
        await api.quote(worker, job["id"])
    async with live_server.session(protocol, customer) as client:
        await client.subscribe("five", query, {"after": "0"})
        replayed = [await client.next_data("five") for _ in range(5)]
        assert [event["notifications"]["kind"] for event in replayed] == ["QUOTE_RECEIVED"] * 5
    await api.quote(workers[5], (await api.post_job(customer))["id"])  # a sixth notification
    async with live_server.session(protocol, customer) as client:
        await client.subscribe("six", query, {"after": "0"})
        payload = await client.next_payload("six")
        [error] = payload["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["field"] == "after"
        assert "over the replay budget" in error["message"]
        await client.expect_complete("six")
