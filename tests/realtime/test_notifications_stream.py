"""The notifications subscription: stored, replayed after a cursor, then live, with no
duplicate and no gap; only ever one's own."""

from __future__ import annotations

from tests.support.websocket import LiveServer

NOTIFICATIONS = """subscription($after: ID) { notifications(after: $after) { id kind data } }"""
FEED = "{ notifications(first: 50) { edges { node { id kind } } } }"


async def test_replay_after_cursor_then_live(live_server: LiveServer, protocol: str) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER")
    workers = [await api.worker() for _ in range(3)]
    job = await api.post_job(customer)
    # while the customer is offline, two quotes arrive
    await api.quote(workers[0], job["id"])
    await api.quote(workers[1], job["id"])
    stored = (await api.ok(FEED, actor=customer))["notifications"]["edges"]
    first_id, second_id = sorted(int(edge["node"]["id"]) for edge in stored)

    async with live_server.session(protocol, customer) as client:
        # the client saw the first one before going offline: it asks for what came after
        await client.subscribe("n", NOTIFICATIONS, {"after": str(first_id)})
        replayed = await client.next_data("n")
        assert int(replayed["notifications"]["id"]) == second_id
        await client.barrier()
        await api.quote(workers[2], job["id"])
        live = await client.next_data("n")
        assert live["notifications"]["kind"] == "QUOTE_RECEIVED"
        assert int(live["notifications"]["id"]) > second_id
        await client.expect_silence()


async def test_without_cursor_only_live_and_only_own(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER")
    other = await api.register("CUSTOMER")
    worker = await api.worker()
    job = await api.post_job(customer)
    await api.quote(worker, job["id"])  # stored before subscribing: not replayed without after
    async with live_server.session(protocol, other) as client:
        await client.subscribe("n", NOTIFICATIONS, {})
        await client.barrier()
        job2 = await api.post_job(customer)
        await api.quote(worker, job2["id"])
        await client.expect_silence()  # the other customer hears nothing of it


async def test_anonymous_is_refused(live_server: LiveServer, protocol: str) -> None:
    async with live_server.session(protocol) as client:
        await client.subscribe("n", NOTIFICATIONS, {})
        assert await client.refusal_code("n") == "UNAUTHENTICATED"
