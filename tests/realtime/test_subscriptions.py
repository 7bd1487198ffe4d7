"""Subscriptions end to end: HTTP mutations publish, the fan-out executes each subscriber's
selection and the sockets receive the results; with both WebSocket protocols."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from tests.support.websocket import LEGACY_WS, PROTOCOLS, TRANSPORT_WS, LiveServer, WsClient

QUOTE_RECEIVED = """subscription($id: ID!) { quoteReceived(jobId: $id) {
    id amountCents currency message status job { id } worker { id displayName ratingCount } } }"""
MATCHING_JOBS = "subscription { matchingJobs { id title category status customer { id } } }"
JOB_UPDATED = """subscription($id: ID!) { jobUpdated(jobId: $id) {
    id status hiredWorker { id } quotes { id status worker { id } } } }"""
HIRE = "mutation($id: ID!) { acceptQuote(quoteId: $id) { id status } }"


async def test_customer_receives_a_new_quote_with_its_worker(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER")
    plumber = await api.worker()
    job = await api.post_job(customer)
    async with live_server.session(protocol, customer) as client:
        await client.subscribe("quotes", QUOTE_RECEIVED, {"id": job["id"]})
        await client.barrier()
        quote = await api.quote(plumber, job["id"], 15000)
        data = await client.next_data("quotes")
    assert data == {
        "quoteReceived": {
            "id": quote["id"],
            "amountCents": 15000,
            "currency": "CNY",
            "message": "Can do",
            "status": "PENDING",
            "job": {"id": job["id"]},
            "worker": {"id": plumber.id, "displayName": "Worker", "ratingCount": 0},
        }
    }


async def test_each_customer_receives_only_quotes_for_own_job(live_server: LiveServer) -> None:
    api = live_server.api
    customers = [await api.register("CUSTOMER") for _ in range(2)]
    plumber = await api.worker()
    jobs = [await api.post_job(customer) for customer in customers]
    async with contextlib.AsyncExitStack() as stack:
        clients: list[WsClient] = []
        for protocol, customer, job in zip(PROTOCOLS, customers, jobs, strict=True):
            client = await stack.enter_async_context(live_server.session(protocol, customer))
            # Same document, same operation id: only the variables tell them apart.
            await client.subscribe("quotes", QUOTE_RECEIVED, {"id": job["id"]})
            await client.barrier()
            clients.append(client)

        quote = await api.quote(plumber, jobs[0]["id"])
        assert (await clients[0].next_data("quotes"))["quoteReceived"]["id"] == quote["id"]
        await clients[1].expect_silence()

        quote = await api.quote(plumber, jobs[1]["id"])
        assert (await clients[1].next_data("quotes"))["quoteReceived"]["id"] == quote["id"]


async def test_matched_worker_receives_new_job_and_unmatched_worker_does_not(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER")
    plumber = await api.worker()
    far_plumber = await api.worker(lat=48.13, lng=11.58)  # Munich: out of range
    electrician = await api.worker(categories=("WATER_ELECTRICAL",))
    async with contextlib.AsyncExitStack() as stack:
        clients = {}
        for name, worker in [("near", plumber), ("far", far_plumber), ("other", electrician)]:
            client = await stack.enter_async_context(live_server.session(protocol, worker))
            await client.subscribe("jobs", MATCHING_JOBS)
            await client.barrier()
            clients[name] = client

        job = await api.post_job(customer)
        assert await clients["near"].next_data("jobs") == {
            "matchingJobs": {
                "id": job["id"],
                "title": "Leaking pipe under the sink",
                "category": "PIPES",
                "status": "OPEN",
                "customer": {"id": customer.id},
            }
        }
        # The event was published and fanned out; the others were not matched, so nothing.
        await asyncio.gather(clients["far"].expect_silence(), clients["other"].expect_silence())


async def test_job_update_reaches_customer_and_quoting_workers_each_with_their_view(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER")
    hired, declined = await api.worker(), await api.worker()
    job = await api.post_job(customer)
    hired_quote = await api.quote(hired, job["id"], 10000)
    declined_quote = await api.quote(declined, job["id"], 20000)
    async with contextlib.AsyncExitStack() as stack:
        clients = {}
        for name, actor in [("customer", customer), ("hired", hired), ("declined", declined)]:
            client = await stack.enter_async_context(live_server.session(protocol, actor))
            await client.subscribe("job", JOB_UPDATED, {"id": job["id"]})
            await client.barrier()
            clients[name] = client

        await api.ok(HIRE, {"id": hired_quote["id"]}, customer)
        views = {name: (await c.next_data("job"))["jobUpdated"] for name, c in clients.items()}

    for view in views.values():
        assert view["id"] == job["id"]
        assert view["status"] == "HIRED"
        assert view["hiredWorker"] == {"id": hired.id}
    # The customer sees every quote; each worker only its own (executed per viewer).
    assert views["customer"]["quotes"] == [
        {"id": hired_quote["id"], "status": "ACCEPTED", "worker": {"id": hired.id}},
        {"id": declined_quote["id"], "status": "DECLINED", "worker": {"id": declined.id}},
    ]
    assert views["hired"]["quotes"] == [views["customer"]["quotes"][0]]
    assert views["declined"]["quotes"] == [views["customer"]["quotes"][1]]


async def test_every_status_move_is_published_in_order(live_server: LiveServer) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER")
    plumber = await api.worker()
    job = await api.post_job(customer)
    quote = await api.quote(plumber, job["id"])
    moves = [
        (HIRE, {"id": quote["id"]}, customer),
        (
            'mutation($id: ID!) { scheduleJob(jobId: $id, scheduledAt: "2099-01-01T09:00:00Z") '
            "{ id } }",
            {"id": job["id"]},
            plumber,
        ),
        ("mutation($id: ID!) { startJob(jobId: $id) { id } }", {"id": job["id"]}, plumber),
        ("mutation($id: ID!) { completeJob(jobId: $id) { id } }", {"id": job["id"]}, plumber),
        ("mutation($id: ID!) { acceptJob(jobId: $id) { id } }", {"id": job["id"]}, customer),
    ]
    async with live_server.session(TRANSPORT_WS, plumber) as client:
        await client.subscribe(
            "job",
            "subscription($id: ID!) { jobUpdated(jobId: $id) { status } }",
            {"id": job["id"]},
        )
        await client.barrier()
        for document, variables, actor in moves:
            await api.ok(document, variables, actor)
        statuses = [(await client.next_data("job"))["jobUpdated"]["status"] for _ in moves]
        await client.expect_silence(0.2)
    assert statuses == ["HIRED", "SCHEDULED", "IN_PROGRESS", "COMPLETED", "ACCEPTED"]


async def test_subscription_is_ended_when_the_event_stream_ends(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    state = live_server.app.state.fixhub
    worker = await api.worker()
    customer = await api.register("CUSTOMER")
    async with live_server.session(protocol, worker) as client:
        await client.subscribe("jobs", MATCHING_JOBS)
        await client.barrier()
        await state.bus.disconnect()  # ends every stream on the bus
        try:
            await _expect_stream_error(client, "jobs")
            assert state.hub.channel_count == 0
            # While the bus is down, a new subscription is refused the same way.
            await client.subscribe("jobs", MATCHING_JOBS)
            await _expect_stream_error(client, "jobs")
        finally:
            await state.bus.connect()
        # The client is told, so it can subscribe again, and that works.
        await client.subscribe("jobs", MATCHING_JOBS)
        await client.barrier()
        job = await api.post_job(customer)
        assert (await client.next_data("jobs"))["matchingJobs"]["id"] == job["id"]


async def _expect_stream_error(client: WsClient, op_id: str) -> None:
    message = await client.receive()
    assert message["type"] == "error" and message["id"] == op_id, message
    error = message["payload"] if client.legacy else message["payload"][0]
    assert error["extensions"]["code"] == "UNAVAILABLE"  # subscribe again
    if client.legacy:
        await client.expect_complete(op_id)
    await client.expect_nothing_pending()


# -- Fan-out: how often a selection is executed -----------------------------------------------


class ExecutionCounter:
    """Counts the fan-out's executions (those with a root value) per prepared document."""

    def __init__(self, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
        self.engine = live_server.app.state.fixhub.engine
        self.calls: list[Any] = []
        execute = self.engine.execute

        async def counting_execute(prepared: Any, **kwargs: Any) -> Any:
            if kwargs.get("root_value") is not None:
                self.calls.append(prepared)
            return await execute(prepared, **kwargs)

        monkeypatch.setattr(self.engine, "execute", counting_execute)

    def of(self, document: str) -> int:
        return sum(1 for call in self.calls if call.text == document)


@pytest.fixture
def executions(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> ExecutionCounter:
    return ExecutionCounter(live_server, monkeypatch)


async def test_shared_selection_runs_once_per_event_for_all_its_sockets(
    live_server: LiveServer, executions: ExecutionCounter
) -> None:
    api = live_server.api
    document = "subscription($id: ID!) { quoteReceived(jobId: $id) { id amountCents } }"
    customer = await api.register("CUSTOMER")
    workers = [await api.worker() for _ in range(2)]
    job = await api.post_job(customer)
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for index in range(5):
            protocol = TRANSPORT_WS if index % 2 else LEGACY_WS  # both protocols share it
            client = await stack.enter_async_context(live_server.session(protocol, customer))
            await client.subscribe(f"op-{index}", document, {"id": job["id"]})
            await client.barrier()
            clients.append(client)

        for event, (worker, amount) in enumerate(zip(workers, (9000, 9500), strict=True), 1):
            quote = await api.quote(worker, job["id"], amount)
            for index, client in enumerate(clients):
                assert await client.next_data(f"op-{index}") == {
                    "quoteReceived": {"id": quote["id"], "amountCents": amount}
                }
            assert executions.of(document) == event


async def test_viewer_dependent_selection_runs_once_per_distinct_viewer(
    live_server: LiveServer, executions: ExecutionCounter
) -> None:
    api = live_server.api
    per_viewer = "subscription($id: ID!) { jobUpdated(jobId: $id) { id quotes { id } } }"
    shared = "subscription($id: ID!) { jobUpdated(jobId: $id) { id status } }"
    customer = await api.register("CUSTOMER")
    hired, other = await api.worker(), await api.worker()
    job = await api.post_job(customer)
    hired_quote = await api.quote(hired, job["id"])
    other_quote = await api.quote(other, job["id"])
    subscribers = [customer, customer, hired, other]  # four sockets, three viewers
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for actor in subscribers:
            client = await stack.enter_async_context(live_server.session(TRANSPORT_WS, actor))
            await client.subscribe("per-viewer", per_viewer, {"id": job["id"]})
            await client.subscribe("shared", shared, {"id": job["id"]})
            await client.barrier()
            clients.append(client)

        await api.ok(HIRE, {"id": hired_quote["id"]}, customer)
        results = []
        for client in clients:
            got = {}
            for _ in range(2):
                message = await client.receive()
                got[message["id"]] = message["payload"]["data"]["jobUpdated"]
            results.append(got)

    # `quotes` depends on the viewer (SubscriptionSpec.per_viewer): `id` runs once for all,
    # `quotes` once per distinct viewer (web/split.py); `id status` once for all.
    assert executions.of(per_viewer) == 0
    assert executions.of(per_viewer + "\n# shared part") == 1
    assert executions.of(per_viewer + "\n# per viewer part") == 3
    assert executions.of(shared) == 1
    quote_ids = [[q["id"] for q in result["per-viewer"]["quotes"]] for result in results]
    assert quote_ids == [
        [hired_quote["id"], other_quote["id"]],
        [hired_quote["id"], other_quote["id"]],
        [hired_quote["id"]],
        [other_quote["id"]],
    ]
    assert all(result["shared"] == {"id": job["id"], "status": "HIRED"} for result in results)
