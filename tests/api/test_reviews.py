"""After the job: two-way reviews, service records, closing, and who may do each."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import connections

from models import Job
from resolvers.reviews import close_overdue_jobs
from tests.support.api import Api
from tests.support.points import assert_ledger_consistent
from tests.support.reviews import REVIEW_CUSTOMER, REVIEW_JOB, stars

RECORD = """query($id: ID!) { serviceRecord(jobId: $id) { jobId content
  entries { kind content } } }"""
STATUS = "query($id: ID!) { job(id: $id) { status customer { ratingAverage ratingCount } } }"


async def test_both_reviews_file_the_record_and_close_the_job(api: Api) -> None:
    customer, worker, job_id = await api.accepted_job()

    review = (await api.ok(REVIEW_JOB, stars(job_id, 4), customer))["reviewJob"]

    assert review["rating"] == 4 and review["customer"] == {"id": customer.id}
    profile = await api.ok(
        """query($id: ID!) { worker(id: $id) { ratingAverage ratingCount
             reviews { edges { node { id rating comment } } } } }""",
        {"id": worker.id},
    )
    assert profile["worker"]["ratingAverage"] == 4.0
    assert profile["worker"]["ratingCount"] == 1
    assert [e["node"]["id"] for e in profile["worker"]["reviews"]["edges"]] == [review["id"]]
    record = (await api.ok(RECORD, {"id": job_id}, worker))["serviceRecord"]
    content = record["content"]
    assert content["customer"]["id"] == int(customer.id)
    assert content["worker"]["id"] == int(worker.id)
    assert content["acceptedQuote"]["amountCents"] == 20000
    assert [step["to"] for step in content["timeline"]] == [
        "OPEN",
        "HIRED",
        "SCHEDULED",
        "IN_PROGRESS",
        "COMPLETED",
        "ACCEPTED",
    ]
    assert content["reviews"]["ofWorker"]["rating"] == 4
    assert content["reviews"]["ofCustomer"] is None
    assert content["pointsEarned"]["customer"] > 0 and content["pointsEarned"]["worker"] > 0
    assert (await api.ok(STATUS, {"id": job_id}, customer))["job"]["status"] == "ACCEPTED"

    await api.ok(REVIEW_CUSTOMER, {"input": {"jobId": job_id, "rating": 3}}, worker)

    job = (await api.ok(STATUS, {"id": job_id}, worker))["job"]
    assert job["status"] == "CLOSED"
    assert job["customer"] == {"ratingAverage": 3.0, "ratingCount": 1}
    record = (await api.ok(RECORD, {"id": job_id}, customer))["serviceRecord"]
    assert record["content"] == content  # filed content never changes
    assert [entry["kind"] for entry in record["entries"]] == ["CUSTOMER_REVIEWED", "CLOSED"]
    listed = await api.ok("{ serviceRecords { edges { node { jobId } } } }", actor=worker)
    assert [e["node"]["jobId"] for e in listed["serviceRecords"]["edges"]] == [job_id]


async def test_reviews_only_from_an_accepted_job_and_once(api: Api) -> None:
    customer, worker, job_id = await api.accepted_job(accept=False)
    body = await api.call(REVIEW_JOB, stars(job_id), customer)
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "COMPLETED"}
    await api.ok("mutation($id: ID!) { acceptJob(jobId: $id) { id } }", {"id": job_id}, customer)
    await api.ok(REVIEW_JOB, stars(job_id), customer)
    assert await api.error_code(REVIEW_JOB, stars(job_id), customer) == "CONFLICT"
    await api.ok(REVIEW_CUSTOMER, {"input": {"jobId": job_id, "rating": 5}}, worker)
    assert (
        await api.error_code(REVIEW_CUSTOMER, {"input": {"jobId": job_id, "rating": 5}}, worker)
        == "INVALID_STATE"
    )  # the job closed with the second review


@pytest.mark.parametrize(
    ("field", "value"),
    [("rating", 6), ("quality", 0), ("cleanliness", -1), ("comment", "x" * 2001)],
)
async def test_review_validation(api: Api, field: str, value: Any) -> None:
    customer, _, job_id = await api.accepted_job()
    body = await api.call(REVIEW_JOB, stars(job_id, **{field: value}), customer)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert field in error["message"]


async def test_review_permissions(api: Api) -> None:
    customer, worker, job_id = await api.accepted_job()
    other_customer = await api.register("CUSTOMER")
    other_worker = await api.worker()
    expectations = {
        REVIEW_JOB: [
            (worker, "FORBIDDEN"),
            (other_customer, "NOT_FOUND"),
            (other_worker, "NOT_FOUND"),
            (None, "UNAUTHENTICATED"),
        ],
        REVIEW_CUSTOMER: [
            (customer, "FORBIDDEN"),
            (other_customer, "NOT_FOUND"),
            (other_worker, "NOT_FOUND"),
            (None, "UNAUTHENTICATED"),
        ],
        RECORD: [
            (other_customer, "NOT_FOUND"),
            (other_worker, "NOT_FOUND"),
            (None, "UNAUTHENTICATED"),
        ],
    }
    variables = {
        REVIEW_JOB: stars(job_id),
        REVIEW_CUSTOMER: {"input": {"jobId": job_id, "rating": 4}},
        RECORD: {"id": job_id},
    }
    for query, refusals in expectations.items():
        for actor, code in refusals:
            assert await api.error_code(query, variables[query], actor) == code, (query, actor)
    rows = await connections.get("default").execute_query_dict(
        "SELECT (SELECT COUNT(*) FROM reviews) AS r, (SELECT COUNT(*) FROM customer_reviews) AS c"
    )
    assert rows == [{"r": 0, "c": 0}]
    # before the customer's review there is no record yet, even for the parties
    assert await api.error_code(RECORD, {"id": job_id}, customer) == "NOT_FOUND"


async def test_reply_once_by_the_reviewed_worker(api: Api) -> None:
    customer, worker, job_id = await api.accepted_job()
    review_id = (await api.ok(REVIEW_JOB, stars(job_id), customer))["reviewJob"]["id"]
    reply = "mutation($id: ID!, $t: String!) { replyToReview(reviewId: $id, text: $t) { reply } }"
    assert await api.error_code(reply, {"id": review_id, "t": "hi"}, customer) == "FORBIDDEN"
    assert await api.error_code(reply, {"id": review_id, "t": "hi"}) == "UNAUTHENTICATED"
    assert await api.error_code(reply, {"id": "999999", "t": "hi"}, worker) == "NOT_FOUND"
    data = await api.ok(reply, {"id": review_id, "t": "Thanks!"}, worker)
    assert data["replyToReview"]["reply"] == "Thanks!"
    assert await api.error_code(reply, {"id": review_id, "t": "again"}, worker) == "CONFLICT"


async def test_concurrent_duplicate_reviews_store_one_review_and_one_award(
    api: Api, app: Any
) -> None:
    customer, worker, job_id = await api.accepted_job()

    bodies = await asyncio.gather(
        *(api.call(REVIEW_JOB, stars(job_id), customer) for _ in range(5))
    )

    assert sum("errors" not in body for body in bodies) == 1
    assert (
        sorted(b["errors"][0]["extensions"]["code"] for b in bodies if "errors" in b)
        == ["CONFLICT"] * 4
    )
    db = connections.get("default")
    [row] = await db.execute_query_dict(
        f"SELECT COUNT(*) AS n FROM reviews WHERE job_id = {int(job_id)}"
    )
    assert row["n"] == 1
    earned = await db.execute_query_dict(
        f"SELECT user_id, COUNT(*) AS n FROM point_transactions WHERE job_id = {int(job_id)}"
        " AND kind = 'EARN' GROUP BY user_id ORDER BY user_id"
    )
    assert [(r["user_id"], r["n"]) for r in earned] == sorted(
        [(int(customer.id), 1), (int(worker.id), 1)]
    )
    profile = await api.ok("query($id: ID!) { worker(id: $id) { ratingCount } }", {"id": worker.id})
    assert profile["worker"]["ratingCount"] == 1
    await assert_ledger_consistent()


async def test_jobs_close_when_the_review_window_ends(api: Api, app: Any) -> None:
    customer, _, job_id = await api.accepted_job()
    await Job.filter(id=int(job_id)).update(accepted_at=datetime.now(UTC) - timedelta(days=15))
    state = app.state.fixhub

    assert await close_overdue_jobs(state.context()) == 1
    assert await close_overdue_jobs(state.context()) == 0  # idempotent

    assert (await api.ok(STATUS, {"id": job_id}, customer))["job"]["status"] == "CLOSED"
    body = await api.call(REVIEW_JOB, stars(job_id), customer)
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "CLOSED"}
