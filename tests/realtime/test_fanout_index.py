"""The fan-out indexes subscribers by recipient: an event that names its recipients costs the
members it names, not every member of the channel. And a selection with viewer-dependent
fields runs its shared part once per event (web/split.py), answering each viewer exactly what
the whole selection would have."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import pytest

from models import Role, User
from realtime import channels
from realtime.events import job_matched, message_sent
from schema import SPECS
from schema.common import SubscriptionSpec
from tests.support.query_count import StatementCounter
from tests.support.websocket import TRANSPORT_WS, LiveServer
from web.fanout import Group, Member

MATCHING_JOBS = "subscription { matchingJobs { id title } }"
MY_MATCH = "subscription { matchingJobs { id title category myMatch { score distanceKm } } }"


class AdmitsCounter:
    """Counts SubscriptionSpec.admits calls: how many members an event was checked against."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        admits = SubscriptionSpec.admits

        def counting(spec: SubscriptionSpec, user: User | None, audience: Any) -> bool:
            self.calls += 1
            return admits(spec, user, audience)

        monkeypatch.setattr(SubscriptionSpec, "admits", counting)


def _member(
    user: User | None, into: list[tuple[int | None, str]], arrived: asyncio.Event | None = None
) -> Member:
    def deliver(_event_id: int, payload: str) -> bool:
        into.append((user.id if user else None, payload))
        if arrived is not None:
            arrived.set()
        return True

    return Member(user=user, deliver=deliver, end=lambda _reason: None)


def test_an_event_for_20_of_1000_members_checks_only_those_20(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = SPECS["messageReceived"]  # audience: the participants; ADMIN receives every event
    group = Group(prepared=None, operation_name=None, variables=None)  # type: ignore[arg-type]
    delivered: list[tuple[int | None, str]] = []
    workers = [_member(User(id=i, role=Role.WORKER), delivered) for i in range(1, 1001)]
    admin = _member(User(id=5000, role=Role.ADMIN), delivered)
    anonymous = _member(None, delivered)
    for member in [*workers, admin, anonymous]:
        group.add(spec, member)
    counter = AdmitsCounter(monkeypatch)

    named = frozenset(range(100, 120))
    recipients = group.recipients(spec, named | {99_999})  # one id subscribed nowhere
    assert counter.calls == 21  # the 20 named members and the ADMIN, none of the other 980
    assert {m.user.id for m in recipients if m.user} == set(named) | {5000}

    # an event without an audience reaches every member, the anonymous one included
    assert len(group.recipients(spec, None)) == 1002
    # a member that left is no longer a candidate, and an emptied bucket is gone
    group.remove(workers[100])
    assert 101 not in group.by_user
    assert {m.user.id for m in group.recipients(spec, named) if m.user} == (set(named) - {101}) | {
        5000
    }


async def test_a_matched_job_on_the_shared_channel_reaches_only_its_workers(
    app: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub itself, on the real bus (memory or Redis): 1,000 members on matchingJobs, one
    job.matched event naming 20 of them."""
    state = app.state.fixhub
    customer = await api.register("CUSTOMER")
    job = await api.post_job(customer)
    prepared = await state.engine.prepare(MATCHING_JOBS)
    delivered: list[tuple[int | None, str]] = []
    arrived = asyncio.Event()
    members = [
        _member(User(id=i, role=Role.WORKER), delivered, arrived) for i in range(10_001, 11_001)
    ]
    spec = SPECS["matchingJobs"]
    channel = channels.job_matches()
    for member in members:
        await state.hub.join(channel, spec, prepared, MATCHING_JOBS, None, None, member)
    counter = AdmitsCounter(monkeypatch)
    named = list(range(10_500, 10_520))
    try:
        await state.bus.publish(channel, job_matched(int(job["id"]), named).encode())
        async with asyncio.timeout(10):
            while len(delivered) < len(named):
                await arrived.wait()
                arrived.clear()
        await asyncio.sleep(0.05)  # nothing more arrives
        assert sorted(user_id for user_id, _ in delivered) == named
        assert counter.calls == len(named)
        payload = json.loads(delivered[0][1])
        assert payload == {
            "data": {"matchingJobs": {"id": job["id"], "title": "Leaking pipe under the sink"}}
        }
    finally:
        for member in members:
            state.hub.leave(channel, member)
    assert state.hub.channel_count == 0


async def test_each_matched_worker_gets_its_own_match_from_one_shared_run(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = live_server.api
    engine = live_server.app.state.fixhub.engine
    runs: list[str] = []
    execute = engine.execute

    async def counting_execute(prepared: Any, **kwargs: Any) -> Any:
        if kwargs.get("root_value") is not None:
            runs.append(prepared.text)
        return await execute(prepared, **kwargs)

    monkeypatch.setattr(engine, "execute", counting_execute)
    customer = await api.register("CUSTOMER")
    # three workers at different distances from the job: three different matches
    workers = [await api.worker(lat=52.5 + 0.02 * i, lng=13.4) for i in range(3)]
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for worker in workers:
            client = await stack.enter_async_context(live_server.session(TRANSPORT_WS, worker))
            await client.subscribe("mine", MY_MATCH, {})
            await client.barrier()
            clients.append(client)
        statements = StatementCounter()
        statements.wrap(monkeypatch)
        job = await api.post_job(customer)
        answers = [await client.next_payload("mine") for client in clients]
    matches_read = [
        s
        for s in statements.statements
        if "job_matches" in s and s.lstrip().upper().startswith("SELECT")
    ]

    assert runs == [MY_MATCH + "\n# shared part"] + [MY_MATCH + "\n# per viewer part"] * 3
    assert len(matches_read) == 1  # the three viewers' matches in one batched query
    for worker, answer in zip(workers, answers, strict=True):
        assert "errors" not in answer, answer
        assert answer["extensions"]["cursor"]  # resumable like a whole run's payload
        got = answer["data"]["matchingJobs"]
        assert list(got) == ["id", "title", "category", "myMatch"]  # the selection's order
        mine = await api.ok(
            "query($id: ID!) { job(id: $id) { myMatch { score distanceKm } } }",
            {"id": job["id"]},
            worker,
        )
        assert got == {
            "id": job["id"],
            "title": "Leaking pipe under the sink",
            "category": "PIPES",
            "myMatch": mine["job"]["myMatch"],
        }
    distances = [answer["data"]["matchingJobs"]["myMatch"]["distanceKm"] for answer in answers]
    assert len(set(distances)) == 3


def test_the_index_serves_every_channel_whose_events_name_recipients() -> None:
    """message.sent on a project thread and project.event name their participants: the same
    index serves them (and a job-thread message, naming no one, reaches every member)."""
    spec = SPECS["messageReceived"]
    group = Group(prepared=None, operation_name=None, variables=None)  # type: ignore[arg-type]
    delivered: list[tuple[int | None, str]] = []
    for user_id in (1, 2, 3):
        group.add(spec, _member(User(id=user_id, role=Role.CUSTOMER), delivered))
    project_message = message_sent(9, 4, participant_ids=[2])
    job_message = message_sent(10, 5)
    assert spec.audience is not None
    to_project = group.recipients(spec, spec.audience(project_message))
    assert [m.user.id for m in to_project if m.user] == [2]
    assert len(group.recipients(spec, spec.audience(job_message))) == 3
