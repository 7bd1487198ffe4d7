"""A subscription's selection runs once per event, so it is priced per event when it starts."""

from __future__ import annotations

from tests.realtime.conftest import LiveServer

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
