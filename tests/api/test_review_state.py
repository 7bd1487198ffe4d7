"""Job.viewerHasReviewed: after a reload the web app knows whether to offer the review form.
Only the two parties that give a review learn whether they gave it; everyone else reads null
(or, not seeing the job at all, NOT_FOUND)."""

from __future__ import annotations

import pytest

from tests.support.api import Actor, Api
from tests.support.messages import admin
from tests.support.query_count import StatementCounter
from tests.support.reviews import REVIEW_CUSTOMER, REVIEW_JOB, stars

STATE = "query($id: ID!) { job(id: $id) { viewerHasReviewed } }"


async def _state(api: Api, job_id: str, actor: Actor) -> bool | None:
    result: bool | None = (await api.ok(STATE, {"id": job_id}, actor))["job"]["viewerHasReviewed"]
    return result


async def test_each_party_learns_whether_it_gave_its_own_review(api: Api) -> None:
    customer, worker, job_id = await api.accepted_job()
    assert await _state(api, job_id, customer) is False
    assert await _state(api, job_id, worker) is False

    await api.ok(REVIEW_JOB, stars(job_id), customer)
    # The customer's review is the customer's: the worker still has to give its own.
    assert await _state(api, job_id, customer) is True
    assert await _state(api, job_id, worker) is False

    await api.ok(REVIEW_CUSTOMER, {"input": {"jobId": job_id, "rating": 4}}, worker)
    assert await _state(api, job_id, worker) is True
    assert await _state(api, job_id, customer) is True


async def test_the_worker_review_alone_does_not_mark_the_customer(api: Api) -> None:
    customer, worker, job_id = await api.accepted_job()
    await api.ok(REVIEW_CUSTOMER, {"input": {"jobId": job_id, "rating": 4}}, worker)
    assert await _state(api, job_id, worker) is True
    assert await _state(api, job_id, customer) is False


async def test_nobody_but_the_two_parties_reads_it(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    hired, quoting, matched = await api.worker(), await api.worker(), await api.worker()
    job = await api.post_job(customer)
    quote = await api.quote(hired, job["id"])
    await api.quote(quoting, job["id"])
    await api.ok(
        "mutation($id: ID!) { acceptQuote(quoteId: $id) { id } }", {"id": quote["id"]}, customer
    )
    the_admin = await admin(api)
    # Neither a worker that quoted and was declined, nor one only matched, nor ADMIN gives a
    # review on this job: null, whatever the reviews say.
    for actor in (quoting, matched, the_admin):
        assert await _state(api, job["id"], actor) is None, actor.role
    assert await _state(api, job["id"], hired) is False
    assert await _state(api, job["id"], customer) is False
    stranger_customer, far_worker = await api.register("CUSTOMER"), await api.worker(lat=10.0)
    for actor in (stranger_customer, far_worker):
        assert await api.error_code(STATE, {"id": job["id"]}, actor) == "NOT_FOUND"
    assert await api.error_code(STATE, {"id": job["id"]}, None) == "UNAUTHENTICATED"


MY_JOBS = "{ myJobs(first: 20) { edges { node { id viewerHasReviewed } } } }"


async def _statements(api: Api, monkeypatch: pytest.MonkeyPatch, jobs: int) -> int:
    customer = await api.register("CUSTOMER")
    for _ in range(jobs):
        await api.post_job(customer)
    counter = StatementCounter()
    with monkeypatch.context() as patch:
        counter.wrap(patch)
        data = await api.ok(MY_JOBS, actor=customer)
    assert [edge["node"]["viewerHasReviewed"] for edge in data["myJobs"]["edges"]] == [False] * jobs
    return len(counter.statements)


async def test_listing_the_review_state_of_many_jobs_is_one_query(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await _statements(api, monkeypatch, 1) == await _statements(api, monkeypatch, 15)
