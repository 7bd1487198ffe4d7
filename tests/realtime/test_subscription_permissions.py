"""Who may subscribe to what: every subscription against every standing towards one job.

A refusal is one result carrying the error (`next`, legacy `data`) followed by `complete`. An
allowed subscription must then actually deliver: the row's event is triggered and must arrive.
Each row runs on both protocols at once (one socket each).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.api import Actor, Api
from tests.support.websocket import PROTOCOLS, LiveServer

BERLIN = (52.52, 13.405)
MUNICH = (48.13, 11.58)

DOCUMENTS = {
    "quoteReceived": "subscription($job: ID!) { quoteReceived(jobId: $job) { id } }",
    "matchingJobs": "subscription { matchingJobs { id } }",
    "jobUpdated": "subscription($job: ID!) { jobUpdated(jobId: $job) { id status } }",
}

ALLOWED = "allowed"
# subscription, subscriber's standing towards the job, expected outcome
MATRIX = [
    ("quoteReceived", "customer", ALLOWED),
    ("quoteReceived", "other_customer", "NOT_FOUND"),
    ("quoteReceived", "matched_worker", "FORBIDDEN"),
    ("quoteReceived", "quoting_worker", "FORBIDDEN"),
    ("quoteReceived", "unmatched_worker", "NOT_FOUND"),
    ("quoteReceived", "anonymous", "UNAUTHENTICATED"),
    ("matchingJobs", "customer", "FORBIDDEN"),
    ("matchingJobs", "other_customer", "FORBIDDEN"),
    ("matchingJobs", "matched_worker", ALLOWED),
    ("matchingJobs", "quoting_worker", ALLOWED),
    ("matchingJobs", "unmatched_worker", ALLOWED),
    ("matchingJobs", "anonymous", "UNAUTHENTICATED"),
    ("jobUpdated", "customer", ALLOWED),
    ("jobUpdated", "other_customer", "NOT_FOUND"),
    ("jobUpdated", "matched_worker", "FORBIDDEN"),
    ("jobUpdated", "quoting_worker", ALLOWED),
    ("jobUpdated", "unmatched_worker", "NOT_FOUND"),
    ("jobUpdated", "anonymous", "UNAUTHENTICATED"),
]


@dataclass
class World:
    """One open job in Berlin and everyone's standing towards it."""

    api: Api
    job_id: str
    actors: dict[str, Actor | None]
    locations: dict[str, tuple[float, float]]

    @classmethod
    async def build(cls, api: Api) -> World:
        customer = await api.register("CUSTOMER")
        actors: dict[str, Actor | None] = {
            "customer": customer,
            "other_customer": await api.register("CUSTOMER"),
            "matched_worker": await api.worker(*BERLIN),
            "quoting_worker": await api.worker(*BERLIN),
            "unmatched_worker": await api.worker(*MUNICH),  # out of range of the job
            "anonymous": None,
        }
        job = await api.post_job(customer, lat=BERLIN[0], lng=BERLIN[1])
        assert job["matchCount"] == 2
        quoting = actors["quoting_worker"]
        assert quoting is not None
        await api.quote(quoting, job["id"])
        locations = {"matched_worker": BERLIN, "quoting_worker": BERLIN, "unmatched_worker": MUNICH}
        return cls(api, job["id"], actors, locations)

    def actor(self, role: str) -> Actor:
        actor = self.actors[role]
        assert actor is not None
        return actor

    async def trigger(self, subscription: str, role: str) -> dict[str, Any]:
        """Cause an event the subscriber may see; return the data it must receive."""
        customer = self.actor("customer")
        if subscription == "quoteReceived":
            quote = await self.api.quote(self.actor("matched_worker"), self.job_id)
            return {"quoteReceived": {"id": quote["id"]}}
        if subscription == "matchingJobs":
            lat, lng = self.locations[role]
            job = await self.api.post_job(customer, lat=lat, lng=lng)
            return {"matchingJobs": {"id": job["id"]}}
        await self.api.ok(
            'mutation($id: ID!) { cancelJob(jobId: $id, reason: "Fixed it myself") { id } }',
            {"id": self.job_id},
            customer,
        )
        return {"jobUpdated": {"id": self.job_id, "status": "CANCELLED"}}


@pytest.mark.parametrize(
    ("subscription", "role", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in MATRIX],
)
async def test_subscription_permissions(
    live_server: LiveServer, subscription: str, role: str, expected: str
) -> None:
    world = await World.build(live_server.api)
    document = DOCUMENTS[subscription]
    variables = {"job": world.job_id} if "$job" in document else None
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(live_server.session(protocol, world.actors[role]))
            for protocol in PROTOCOLS
        ]
        for client in clients:
            await client.subscribe("sub", document, variables)

        if expected != ALLOWED:
            for client in clients:
                assert await client.refusal_code("sub") == expected, client.protocol
            assert live_server.app.state.fixhub.hub.channel_count == 0  # nothing was subscribed
            return

        for client in clients:
            await client.barrier()  # live, and no refusal arrived
        data = await world.trigger(subscription, role)
        for client in clients:
            assert await client.next_data("sub") == data, client.protocol
