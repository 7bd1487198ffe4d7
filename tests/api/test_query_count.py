"""No N+1: listing jobs with their quotes and workers costs the same SQL for 1 job and 20."""

from __future__ import annotations

import pytest

from tests.support.api import Api
from tests.support.query_count import StatementCounter

MY_JOBS = """{ myJobs(first: 20) { edges { node { id title customer { displayName }
  quotes { id amountCents worker { id displayName ratingAverage completedJobs } } } } } }"""


async def _statements_for_jobs(api: Api, monkeypatch: pytest.MonkeyPatch, jobs: int) -> int:
    customer = await api.register("CUSTOMER")
    workers = [await api.worker() for _ in range(2)]
    for _ in range(jobs):
        job = await api.post_job(customer)
        for worker in workers:
            await api.quote(worker, job["id"])
    counter = StatementCounter()
    with monkeypatch.context() as patch:
        counter.wrap(patch)
        data = await api.ok(MY_JOBS, actor=customer)
    assert len(data["myJobs"]["edges"]) == jobs
    assert all(len(edge["node"]["quotes"]) == 2 for edge in data["myJobs"]["edges"])
    return len(counter.statements)


async def test_my_jobs_with_quotes_and_workers_is_constant(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = await _statements_for_jobs(api, monkeypatch, 1)
    twenty = await _statements_for_jobs(api, monkeypatch, 20)
    assert one == twenty
    # viewer, jobs page, customers, quotes, workers' users, worker profiles
    assert one <= 6
