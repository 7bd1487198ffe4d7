"""The home-repair flow through the HTTP API, as a client would run it."""

from __future__ import annotations

from tests.support.api import Api

HIRE = "mutation($id: ID!) { acceptQuote(quoteId: $id) { id status hiredWorker { id } } }"


async def test_post_quote_hire_and_finish(api: Api) -> None:
    # given a customer and a plumber whose service circle contains the job
    customer = await api.register("CUSTOMER")
    plumber = await api.worker()
    far_plumber = await api.worker(lat=48.13, lng=11.58)  # Munich: out of range
    electrician = await api.worker(categories=("WATER_ELECTRICAL",))

    # when the customer posts a job
    job = await api.post_job(customer)

    # then only the plumber in range is matched, with reasons
    assert job["status"] == "OPEN"
    assert job["matchCount"] == 1
    matched = await api.ok(
        """{ myMatchedJobs { edges { node { score distanceKm reasons { code text value }
             job { id title } } } } }""",
        actor=plumber,
    )
    [edge] = matched["myMatchedJobs"]["edges"]
    assert edge["node"]["job"]["id"] == job["id"]
    assert edge["node"]["distanceKm"] < 25
    assert {r["code"] for r in edge["node"]["reasons"]} >= {"DISTANCE", "RATING"}
    for outsider in (far_plumber, electrician):
        empty = await api.ok("{ myMatchedJobs { edges { cursor } } }", actor=outsider)
        assert empty["myMatchedJobs"]["edges"] == []

    # when the plumber quotes and the customer hires
    quote = await api.quote(plumber, job["id"], 15000)
    quotes = await api.ok(
        """query($id: ID!) { job(id: $id) { quotes { id amountCents worker { id displayName
             ratingAverage ratingCount completedJobs } } } }""",
        {"id": job["id"]},
        customer,
    )
    assert [q["id"] for q in quotes["job"]["quotes"]] == [quote["id"]]
    hired = await api.ok(HIRE, {"id": quote["id"]}, customer)
    assert hired["acceptQuote"] == {
        "id": job["id"],
        "status": "HIRED",
        "hiredWorker": {"id": plumber.id},
    }

    # then the worker books, starts, completes, and the customer accepts
    steps = [
        ('scheduleJob(jobId: $id, scheduledAt: "2099-01-01T09:00:00Z")', plumber, "SCHEDULED"),
        ("startJob(jobId: $id)", plumber, "IN_PROGRESS"),
        ("completeJob(jobId: $id)", plumber, "COMPLETED"),
        ("acceptJob(jobId: $id)", customer, "ACCEPTED"),
    ]
    for call, actor, status in steps:
        data = await api.ok(
            f"mutation($id: ID!) {{ r: {call} {{ status }} }}", {"id": job["id"]}, actor
        )
        assert data["r"]["status"] == status
    profile = await api.ok(
        "query($id: ID!) { worker(id: $id) { completedJobs } }", {"id": plumber.id}
    )
    assert profile["worker"]["completedJobs"] == 1


async def test_illegal_move_names_current_status(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    plumber = await api.worker()
    job = await api.post_job(customer)
    quote = await api.quote(plumber, job["id"])
    await api.ok(HIRE, {"id": quote["id"]}, customer)
    body = await api.call(
        "mutation($id: ID!) { completeJob(jobId: $id) { status } }", {"id": job["id"]}, plumber
    )
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_STATE", "status": "HIRED"}
    assert "HIRED" in error["message"]


async def test_quote_count_counts_live_quotes_after_a_hire(api: Api) -> None:
    # given a job with three quotes
    customer = await api.register("CUSTOMER")
    workers = [await api.worker() for _ in range(3)]
    job = await api.post_job(customer)
    quotes = [await api.quote(worker, job["id"], 10000 + i) for i, worker in enumerate(workers)]
    count = "query($id: ID!) { job(id: $id) { quoteCount } }"
    assert (await api.ok(count, {"id": job["id"]}, customer))["job"]["quoteCount"] == 3

    # when the customer hires one, the other two are declined
    hired = await api.ok(
        "mutation($id: ID!) { acceptQuote(quoteId: $id) { quoteCount } }",
        {"id": quotes[0]["id"]},
        customer,
    )

    # then only the accepted quote is live
    assert hired["acceptQuote"]["quoteCount"] == 1
    assert (await api.ok(count, {"id": job["id"]}, customer))["job"]["quoteCount"] == 1
