"""The stored notification feed: what each party is told, reading it, marking it read."""

from __future__ import annotations

from tests.support.api import Actor, Api
from tests.support.reviews import REVIEW_JOB, stars

FEED = """query($unread: Boolean!) { notifications(unreadOnly: $unread, first: 50) {
  edges { node { id kind title data read } } } unreadNotificationCount }"""


async def kinds(api: Api, actor: Actor, unread: bool = False) -> list[str]:
    data = await api.ok(FEED, {"unread": unread}, actor)
    return [edge["node"]["kind"] for edge in data["notifications"]["edges"]][::-1]


async def test_each_party_is_told_what_concerns_it(api: Api) -> None:
    customer, worker, job_id = await api.accepted_job()
    await api.ok(REVIEW_JOB, stars(job_id), customer)

    assert await kinds(api, customer) == [
        "QUOTE_RECEIVED",
        "JOB_STATUS_CHANGED",  # scheduled
        "JOB_STATUS_CHANGED",  # in progress
        "JOB_STATUS_CHANGED",  # completed
        "POINTS_EARNED",
        "SERVICE_RECORD_FILED",
    ]
    assert await kinds(api, worker) == [
        "HIRED",
        "JOB_STATUS_CHANGED",  # accepted by the customer
        "POINTS_EARNED",
        "REVIEW_RECEIVED",
        "SERVICE_RECORD_FILED",
    ]


async def test_declined_workers_are_told(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    chosen, other = await api.worker(), await api.worker()
    job = await api.post_job(customer)
    quote = await api.quote(chosen, job["id"])
    await api.quote(other, job["id"])
    await api.ok(
        "mutation($id: ID!) { acceptQuote(quoteId: $id) { id } }", {"id": quote["id"]}, customer
    )
    assert await kinds(api, other) == ["QUOTE_DECLINED"]
    assert await kinds(api, chosen) == ["HIRED"]


async def test_mark_read_touches_only_own_notifications(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    worker = await api.worker()
    job = await api.post_job(customer)
    await api.quote(worker, job["id"])
    feed = await api.ok(FEED, {"unread": True}, customer)
    [edge] = feed["notifications"]["edges"]
    assert feed["unreadNotificationCount"] == 1
    assert edge["node"]["data"]["jobId"] == int(job["id"])
    mark = "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }"
    # someone else's id changes nothing and reveals nothing
    assert (await api.ok(mark, {"ids": [edge["node"]["id"]]}, worker))["markNotificationsRead"] == 0
    assert (await api.ok(mark, {"ids": [edge["node"]["id"]]}, customer))[
        "markNotificationsRead"
    ] == 1
    assert await kinds(api, customer, unread=True) == []
    assert await api.error_code(mark, {"ids": ["1"]}) == "UNAUTHENTICATED"
    assert await api.error_code(FEED, {"unread": False}) == "UNAUTHENTICATED"
