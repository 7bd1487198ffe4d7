"""Every list that can grow is bounded: capped where it is written, paged or cut where it is
read, and a page size out of range is a clear BAD_USER_INPUT."""

from __future__ import annotations

from typing import Any

import pytest

from models import Quote
from resolvers.quotes import MAX_QUOTES_PER_WORKER_PER_JOB
from tests.support.api import Actor, Api
from tests.support.designs_materials import ITEMS, file_plan
from tests.support.filing import confirm_design
from tests.support.renovation import Renovation

WITHDRAW = "mutation($id: ID!) { withdrawQuote(quoteId: $id) { id status } }"
JOB_QUOTES = "query($id: ID!) { job(id: $id) { quotes { id status worker { id } } } }"
RECORDS_PAGE = """query($id: ID!, $first: Int, $after: ID) {
  projectRecords(projectId: $id, first: $first, after: $after) { id kind } }"""


async def _quote_and_withdraw(api: Api, worker: Actor, job_id: str) -> str:
    quote = await api.quote(worker, job_id)
    await api.ok(WITHDRAW, {"id": quote["id"]}, worker)
    return quote["id"]


async def test_a_worker_may_send_three_quotes_for_one_job(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    worker = await api.worker()
    job = await api.post_job(customer)
    for _ in range(MAX_QUOTES_PER_WORKER_PER_JOB):
        await _quote_and_withdraw(api, worker, job["id"])
    body = await api.call(
        """mutation($input: SubmitQuoteInput!) { submitQuote(input: $input) { id } }""",
        {"input": {"jobId": job["id"], "amountCents": 12000}},
        worker,
    )
    [error] = body["errors"]
    assert error["extensions"] == {"code": "CONFLICT", "limit": MAX_QUOTES_PER_WORKER_PER_JOB}
    assert error["message"] == (
        "You have sent 3 quotes for this job, the most one worker may send."
    )
    assert await Quote.filter(job_id=int(job["id"])).count() == MAX_QUOTES_PER_WORKER_PER_JOB


async def test_job_quotes_show_every_live_quote_and_the_newest_others(api: Api) -> None:
    # MAX_QUOTES_PER_JOB is 5 here, so a job lists at most 10 quotes.
    customer = await api.register("CUSTOMER")
    workers = [await api.worker() for _ in range(4)]  # matched when the job is posted
    job = await api.post_job(customer)
    withdrawn: list[str] = []
    live: list[str] = []
    for worker in workers:
        withdrawn += [await _quote_and_withdraw(api, worker, job["id"]) for _ in range(2)]
        live.append((await api.quote(worker, job["id"]))["id"])
    quotes = (await api.ok(JOB_QUOTES, {"id": job["id"]}, customer))["job"]["quotes"]
    assert len(quotes) == 10
    shown = [quote["id"] for quote in quotes]
    assert set(live) <= set(shown)
    assert set(shown) - set(live) == set(withdrawn[-6:])  # the newest withdrawn ones
    assert shown == sorted(shown, key=int)  # still oldest first


async def test_project_records_are_read_a_page_at_a_time(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    for title in ("Option A", "Option B"):
        await confirm_design(scene, title)
    everything = (await api.ok(RECORDS_PAGE, {"id": scene.project_id}, scene.customer))[
        "projectRecords"
    ]
    assert len(everything) >= 3
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        page = (
            await api.ok(
                RECORDS_PAGE, {"id": scene.project_id, "first": 2, "after": after}, scene.customer
            )
        )["projectRecords"]
        if not page:
            break
        assert len(page) <= 2
        pages += page
        after = page[-1]["id"]
    assert pages == everything  # no gap, no repeat, oldest first


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 0}, "first must be between 1 and 500."),
        ({"first": 501}, "first must be between 1 and 500."),
        ({"after": "not-an-id"}, "after is not a cursor returned by this API."),
        (
            {"after": "99999999999999999999"},
            "after is not an event id or cursor returned by this API.",
        ),
    ],
)
async def test_a_page_out_of_range_is_refused(
    api: Api, app: Any, variables: dict[str, Any], message: str
) -> None:
    scene = await Renovation.build(api, app, team=False)
    body = await api.call(RECORDS_PAGE, {"id": scene.project_id, **variables}, scene.customer)
    [error] = body["errors"]
    assert error["message"] == message
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_list_that_takes_first_returns_that_many(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await file_plan(api, scene)  # four lines
    query = """query($id: ID!, $first: Int!) { materialPlans(projectId: $id, first: 1) {
      items(first: $first) { name } } }"""
    every = await api.ok(query, {"id": scene.project_id, "first": 200}, scene.customer)
    [plan] = every["materialPlans"]
    assert [item["name"] for item in plan["items"]] == [item["name"] for item in ITEMS]
    two = await api.ok(query, {"id": scene.project_id, "first": 2}, scene.customer)
    assert two["materialPlans"][0]["items"] == plan["items"][:2]
    for first in (0, 201):
        body = await api.call(query, {"id": scene.project_id, "first": first}, scene.customer)
        assert body["errors"][0]["message"] == "first must be between 1 and 200."
