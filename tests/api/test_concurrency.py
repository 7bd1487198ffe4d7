"""Races a marketplace must survive. Runs on SQLite and, with TEST_DATABASE_URL, on
PostgreSQL, where requests really overlap (SQLite serialises writers)."""

from __future__ import annotations

import asyncio

from tortoise import connections

from models import RESPONSIVENESS_WINDOW, WorkerProfile
from tests.support.api import Api

ACCEPT = "mutation($id: ID!) { acceptQuote(quoteId: $id) { id status hiredWorker { id } } }"


async def test_concurrent_accept_quote_has_exactly_one_winner(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    workers = [await api.worker() for _ in range(4)]
    job = await api.post_job(customer)
    quotes = [await api.quote(worker, job["id"]) for worker in workers]

    bodies = await asyncio.gather(
        *(api.call(ACCEPT, {"id": quote["id"]}, customer) for quote in quotes)
    )

    winners = [body for body in bodies if "errors" not in body]
    losers = [body for body in bodies if "errors" in body]
    assert len(winners) == 1
    assert [body["errors"][0]["extensions"]["code"] for body in losers] == ["INVALID_STATE"] * 3
    rows = await connections.get("default").execute_query_dict(
        "SELECT status, COUNT(*) AS n FROM quotes GROUP BY status ORDER BY status"
    )
    assert {row["status"]: row["n"] for row in rows} == {"ACCEPTED": 1, "DECLINED": 3}


async def test_quote_cap_holds_under_concurrent_quotes(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    workers = [await api.worker() for _ in range(8)]
    job = await api.post_job(customer)
    submit = """mutation($input: SubmitQuoteInput!) { submitQuote(input: $input) { id } }"""

    bodies = await asyncio.gather(
        *(
            api.call(submit, {"input": {"jobId": job["id"], "amountCents": 9000}}, worker)
            for worker in workers
        )
    )

    accepted = [body for body in bodies if "errors" not in body]
    refused = [body["errors"][0] for body in bodies if "errors" in body]
    assert len(accepted) == 5
    assert [error["extensions"]["code"] for error in refused] == ["CONFLICT"] * 3
    assert "already has 5 quotes" in refused[0]["message"]
    count = await api.ok(
        "query($id: ID!) { job(id: $id) { quoteCount } }", {"id": job["id"]}, customer
    )
    assert count["job"]["quoteCount"] == 5


async def test_one_live_quote_per_worker_even_when_sent_twice_at_once(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    worker = await api.worker()
    job = await api.post_job(customer)
    submit = """mutation($input: SubmitQuoteInput!) { submitQuote(input: $input) { id } }"""
    variables = {"input": {"jobId": job["id"], "amountCents": 9000}}

    bodies = await asyncio.gather(*(api.call(submit, variables, worker) for _ in range(3)))

    assert sum("errors" not in body for body in bodies) == 1
    codes = [body["errors"][0]["extensions"]["code"] for body in bodies if "errors" in body]
    assert codes == ["CONFLICT", "CONFLICT"]
    count = await api.ok(
        "query($id: ID!) { job(id: $id) { quoteCount } }", {"id": job["id"]}, customer
    )
    assert count["job"]["quoteCount"] == 1


async def test_concurrent_jobs_matching_the_same_workers_all_post(api: Api) -> None:
    # Each postJob counts a match on every matched worker's profile. On PostgreSQL, sixteen at
    # once over the same twenty workers deadlocked (bench/compare.py's set-up): the updates
    # locked the profile rows in no fixed order. Every job must post, every match be counted.
    workers = [await api.worker() for _ in range(20)]
    customers = [await api.register("CUSTOMER") for _ in range(16)]
    post = """mutation($input: PostJobInput!) { postJob(input: $input) { id matchCount } }"""
    job = {
        "category": "PIPES",
        "title": "Leaking pipe",
        "description": "Drips at the joint.",
        "location": {"lat": 52.5, "lng": 13.4},
        "address": "Alexanderplatz 1, Berlin",
    }
    bodies = await asyncio.gather(
        *(api.call(post, {"input": job}, customer) for customer in customers)
    )
    assert [body.get("errors") for body in bodies] == [None] * 16
    assert {body["data"]["postJob"]["matchCount"] for body in bodies} == {20}
    rows = await connections.get("default").execute_query_dict(
        "SELECT recent_matches FROM worker_profiles WHERE user_id IN ("
        + ",".join(worker.id for worker in workers)
        + ")"
    )
    assert [row["recent_matches"] for row in rows] == [16] * 20


async def test_the_responsiveness_counters_halve_at_their_window(api: Api) -> None:
    # A match counts on the worker's profile; at RESPONSIVENESS_WINDOW matches both counters
    # halve, so a worker's old behaviour fades without a history scan.
    near_full, fresh = await api.worker(), await api.worker()
    await WorkerProfile.filter(user_id=int(near_full.id)).update(
        recent_matches=RESPONSIVENESS_WINDOW - 1, recent_quotes=11
    )
    await WorkerProfile.filter(user_id=int(fresh.id)).update(recent_matches=5, recent_quotes=3)
    customer = await api.register("CUSTOMER")
    assert (await api.post_job(customer))["matchCount"] == 2
    counters = {
        str(profile.user_id): (profile.recent_matches, profile.recent_quotes)
        for profile in await WorkerProfile.all()
    }
    assert counters == {near_full.id: (RESPONSIVENESS_WINDOW // 2, 5), fresh.id: (6, 3)}
