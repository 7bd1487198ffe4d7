"""Job conversations through the API: a quote opens a thread, the two parties talk, unread
counts and read markers, pagination, verbatim text, limits, and when a thread closes."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

import models
from resolvers.messages import MAX_MESSAGE_LENGTH, MESSAGES_PER_WINDOW
from tests.support.api import Actor, Api
from tests.support.messages import (
    ACCEPT_QUOTE,
    HOSTILE,
    MESSAGES,
    SEND,
    THREAD_FIELDS,
    THREADS,
    admin,
    only_thread,
    open_conversation,
    send,
    send_error,
    texts,
)

THREAD = f"query($id: ID!) {{ thread(id: $id) {{ {THREAD_FIELDS} }} }}"
MARK_READ = f"""mutation($thread: ID!) {{ markThreadRead(threadId: $thread) {{
  {THREAD_FIELDS} }} }}"""


async def thread(api: Api, actor: Actor, thread_id: str) -> dict[str, Any]:
    return (await api.ok(THREAD, {"id": thread_id}, actor))["thread"]


async def stored_messages() -> int:
    return await models.Message.all().count()


async def test_each_quote_opens_a_thread_with_the_customer(api: Api) -> None:
    c = await open_conversation(api)

    customer_threads = (await api.ok(THREADS, {}, c.customer))["threads"]
    nodes = [edge["node"] for edge in customer_threads["edges"]]
    # No messages yet: the newest thread first.
    assert [n["id"] for n in nodes] == [c.other_thread_id, c.thread_id]
    assert nodes[1] == {
        "id": c.thread_id,
        "lastMessageAt": None,
        "unreadCount": 0,
        "open": True,
        "job": {"id": c.job_id, "status": "OPEN"},
        "customer": {"id": c.customer.id},
        "worker": {"id": c.worker.id},
    }
    assert customer_threads["pageInfo"]["hasNextPage"] is False
    # Each worker sees only its own conversation.
    assert c.thread_id != c.other_thread_id
    assert (await thread(api, c.other_worker, c.other_thread_id))["worker"] == {
        "id": c.other_worker.id
    }


async def test_quoting_again_after_withdrawing_keeps_the_thread(api: Api) -> None:
    c = await open_conversation(api)
    await send(api, c.worker, c.thread_id, "Before I withdraw")
    await api.ok(
        "mutation($id: ID!) { withdrawQuote(quoteId: $id) { id } }", {"id": c.quote_id}, c.worker
    )
    await api.quote(c.worker, c.job_id, 9000)

    assert await only_thread(api, c.worker) == c.thread_id
    assert await texts(api, c.worker, c.thread_id) == ["Before I withdraw"]


async def test_the_parties_talk_and_read(api: Api) -> None:
    c = await open_conversation(api)

    sent = await send(api, c.worker, c.thread_id, "Hello, is the pipe copper?")
    assert sent["text"] == "Hello, is the pipe copper?"
    assert sent["sender"]["id"] == c.worker.id
    # Writing marks the writer's own side read.
    assert sent["thread"]["unreadCount"] == 0
    assert sent["thread"]["lastMessageAt"] == sent["createdAt"]

    customer_view = await thread(api, c.customer, c.thread_id)
    assert customer_view["unreadCount"] == 1
    assert customer_view["lastMessageAt"] == sent["createdAt"]

    reply = await send(api, c.customer, c.thread_id, "Yes, copper.")
    assert reply["sender"] == {"id": c.customer.id, "displayName": "Carl"}
    # Replying counts as having read what came before.
    assert (await thread(api, c.customer, c.thread_id))["unreadCount"] == 0
    await send(api, c.customer, c.thread_id, "And the joint is old.")
    assert (await thread(api, c.worker, c.thread_id))["unreadCount"] == 2

    assert await texts(api, c.worker, c.thread_id) == [
        "And the joint is old.",
        "Yes, copper.",
        "Hello, is the pipe copper?",
    ]
    marked = (await api.ok(MARK_READ, {"thread": c.thread_id}, c.worker))["markThreadRead"]
    assert marked["unreadCount"] == 0 and marked["id"] == c.thread_id
    # Marking again changes nothing; the other side is untouched.
    assert (await api.ok(MARK_READ, {"thread": c.thread_id}, c.worker))["markThreadRead"][
        "unreadCount"
    ] == 0
    assert (await thread(api, c.customer, c.thread_id))["unreadCount"] == 0

    # The customer's threads: the one with the latest message first.
    await send(api, c.other_worker, c.other_thread_id, "I can come today.")
    order = [e["node"]["id"] for e in (await api.ok(THREADS, {}, c.customer))["threads"]["edges"]]
    assert order == [c.other_thread_id, c.thread_id]
    await send(api, c.worker, c.thread_id, "Tomorrow at nine?")
    customer_threads = (await api.ok(THREADS, {}, c.customer))["threads"]["edges"]
    assert [(e["node"]["id"], e["node"]["unreadCount"]) for e in customer_threads] == [
        (c.thread_id, 1),
        (c.other_thread_id, 1),
    ]


async def test_messages_are_not_notifications(api: Api) -> None:
    c = await open_conversation(api)
    before = await models.Notification.all().count()
    await send(api, c.worker, c.thread_id, "Hi")
    await send(api, c.customer, c.thread_id, "Hello")
    assert await models.Notification.all().count() == before


async def test_messages_page_newest_first(api: Api) -> None:
    c = await open_conversation(api)
    for n in range(5):
        await send(api, c.worker if n % 2 else c.customer, c.thread_id, f"message {n}")

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await api.ok(
            MESSAGES, {"thread": c.thread_id, "first": 2, "after": after}, c.customer
        )
        connection = data["messages"]
        seen += [edge["node"]["text"] for edge in connection["edges"]]
        assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == [f"message {n}" for n in reversed(range(5))]

    for bad in ({"first": 0}, {"first": 101}, {"after": "not-a-cursor"}):
        body = await api.call(MESSAGES, {"thread": c.thread_id, **bad}, c.customer)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], bad


async def test_threads_page_by_latest_activity(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    workers = [await api.worker() for _ in range(4)]
    job = await api.post_job(customer)
    for worker in workers:
        await api.quote(worker, job["id"])
    threads = {worker.id: await only_thread(api, worker) for worker in workers}
    # Activity order, latest first: workers[2], workers[0]; then without messages: [3], [1].
    await send(api, workers[0], threads[workers[0].id], "first")
    await send(api, workers[2], threads[workers[2].id], "second")
    expected = [threads[workers[i].id] for i in (2, 0, 3, 1)]

    seen: list[str] = []
    after = None
    while True:
        page = (await api.ok(THREADS, {"first": 1, "after": after}, customer))["threads"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        if len(seen) == 2:
            # Activity in a thread already listed moves it to the top; the walk goes on
            # below the cursor without repeating or skipping anything.
            await send(api, workers[0], threads[workers[0].id], "again")
    assert seen == expected

    for bad in ({"first": 0}, {"after": "bm9wZQ=="}, {"after": "%%%"}):
        body = await api.call(THREADS, bad, customer)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], bad


async def test_text_is_stored_and_returned_verbatim(api: Api) -> None:
    c = await open_conversation(api)
    for text in HOSTILE:
        assert (await send(api, c.worker, c.thread_id, text))["text"] == text
    assert await texts(api, c.customer, c.thread_id, first=50) == HOSTILE[::-1]
    stored = await models.Message.all().order_by("id").values_list("text", flat=True)
    assert stored == HOSTILE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "text must not be empty."),
        ("  \n\t ", "text must not be empty."),
        ("x" * (MAX_MESSAGE_LENGTH + 1), "text must be at most 4000 characters."),
        ("🚰" * (MAX_MESSAGE_LENGTH + 1), "text must be at most 4000 characters."),
        ("nul \x00 inside", "text must not contain NUL (U+0000) characters."),
        ("lone \ud800 surrogate", "text must be valid Unicode (no unpaired surrogates)."),
    ],
    ids=["empty", "blank", "too-long", "too-long-emoji", "nul", "surrogate"],
)
async def test_text_limits(api: Api, text: str, message: str) -> None:
    c = await open_conversation(api)
    error = await send_error(api, c.worker, c.thread_id, text)
    assert error["message"] == message
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "text"}
    assert await stored_messages() == 0
    # Exactly the limit is fine, counted in characters, not bytes.
    for longest in ("x" * MAX_MESSAGE_LENGTH, "🚰" * MAX_MESSAGE_LENGTH):
        assert (await send(api, c.worker, c.thread_id, longest))["text"] == longest


async def test_sending_is_rate_limited_per_user(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    c = await open_conversation(api)
    # One fixed moment, so the test never straddles two windows.
    moment = 60 * 31_666_666 + 15.5  # 15 s into a 60 s window
    monkeypatch.setattr("resolvers.ratelimit.time", SimpleNamespace(time=lambda: moment))

    for n in range(MESSAGES_PER_WINDOW):
        await send(api, c.worker, c.thread_id, f"spam {n}")
    error = await send_error(api, c.worker, c.thread_id, "one too many")
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfterSeconds": 45}
    error = await send_error(api, c.worker, c.thread_id, "still too many")
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert await stored_messages() == MESSAGES_PER_WINDOW
    # The limit is per user: the other party and other users still talk.
    assert (await send(api, c.customer, c.thread_id, "I can still talk"))["text"]
    assert (await send(api, c.other_worker, c.other_thread_id, "me too"))["text"]

    moment += 60  # the next window
    assert (await send(api, c.worker, c.thread_id, "back again"))["text"] == "back again"


async def test_hiring_closes_the_other_threads(api: Api) -> None:
    c = await open_conversation(api)
    await api.ok(ACCEPT_QUOTE, {"id": c.quote_id}, c.customer)

    assert (await thread(api, c.other_worker, c.other_thread_id))["open"] is False
    for actor in (c.other_worker, c.customer):
        error = await send_error(api, actor, c.other_thread_id, "Still available?")
        assert error["extensions"] == {"code": "INVALID_STATE", "status": "HIRED"}
        assert "job" in error["message"] and "HIRED" in error["message"]
    # A closed conversation can still be read and marked read.
    assert await texts(api, c.other_worker, c.other_thread_id) == []
    await api.ok(MARK_READ, {"thread": c.other_thread_id}, c.other_worker)

    # The hired worker's conversation stays open through the job.
    steps = [
        ("HIRED", None),
        ("SCHEDULED", 'scheduleJob(jobId: $id, scheduledAt: "2099-05-01T09:00:00Z")'),
        ("IN_PROGRESS", "startJob(jobId: $id)"),
        ("COMPLETED", "completeJob(jobId: $id)"),
    ]
    for status, call in steps:
        if call:
            await api.ok(f"mutation($id: ID!) {{ r: {call} {{ id }} }}", {"id": c.job_id}, c.worker)
        view = await thread(api, c.customer, c.thread_id)
        assert (view["job"]["status"], view["open"]) == (status, True)
        await send(api, c.worker, c.thread_id, f"worker during {status}")
        await send(api, c.customer, c.thread_id, f"customer during {status}")
    await api.ok(
        "mutation($id: ID!) { acceptJob(jobId: $id) { id } }", {"id": c.job_id}, c.customer
    )
    assert (await thread(api, c.worker, c.thread_id))["open"] is True
    await send(api, c.customer, c.thread_id, "Thanks, all good")
    # The other thread is still closed, whatever the hired one's job status.
    error = await send_error(api, c.other_worker, c.other_thread_id, "Congrats")
    assert error["extensions"] == {"code": "INVALID_STATE", "status": "ACCEPTED"}

    # Once the job is CLOSED (both reviews in, or the review window over) the hired thread
    # closes too.
    await models.Job.filter(id=int(c.job_id)).update(status=models.JobStatus.CLOSED)
    assert (await thread(api, c.worker, c.thread_id))["open"] is False
    error = await send_error(api, c.worker, c.thread_id, "One more thing")
    assert error["extensions"] == {"code": "INVALID_STATE", "status": "CLOSED"}


async def test_cancelling_closes_every_thread(api: Api) -> None:
    c = await open_conversation(api)
    await api.ok(
        'mutation($id: ID!) { cancelJob(jobId: $id, reason: "Fixed it myself") { id } }',
        {"id": c.job_id},
        c.customer,
    )
    for actor, thread_id in ((c.worker, c.thread_id), (c.customer, c.other_thread_id)):
        error = await send_error(api, actor, thread_id, "Oh?")
        assert error["extensions"] == {"code": "INVALID_STATE", "status": "CANCELLED"}
    assert [
        e["node"]["open"] for e in (await api.ok(THREADS, {}, c.customer))["threads"]["edges"]
    ] == [
        False,
        False,
    ]


async def test_admin_reads_any_thread_for_disputes(api: Api) -> None:
    c = await open_conversation(api)
    staff = await admin(api)
    await send(api, c.worker, c.thread_id, "The price doubled?")

    assert await texts(api, staff, c.thread_id) == ["The price doubled?"]
    view = await thread(api, staff, c.thread_id)
    assert view["unreadCount"] == 0 and view["customer"] == {"id": c.customer.id}
    # Not a party: lists no threads of its own, and never writes.
    assert (await api.ok(THREADS, {}, staff))["threads"]["edges"] == []
    error = await send_error(api, staff, c.thread_id, "Admin here")
    assert error["extensions"] == {"code": "FORBIDDEN"}
    # Reading as ADMIN moves no party's marker.
    assert (await thread(api, c.customer, c.thread_id))["unreadCount"] == 1


async def test_concurrent_sends_keep_the_thread_consistent(api: Api) -> None:
    """On PostgreSQL the sends really overlap: the thread must still point at the newest
    message, and each side's read marker at its own newest message."""
    c = await open_conversation(api)
    bodies = await asyncio.gather(
        *(
            api.call(SEND, {"thread": c.thread_id, "text": f"race {n}"}, actor)
            for n in range(6)
            for actor in (c.customer, c.worker)
        )
    )
    assert all("errors" not in body for body in bodies), bodies

    row = await models.Thread.get(id=int(c.thread_id))
    messages = await models.Message.filter(thread_id=row.id).order_by("id")
    assert len(messages) == 12
    assert row.last_message_id == messages[-1].id
    assert row.last_message_at == messages[-1].created_at
    assert row.customer_read_id == max(m.id for m in messages if m.sender_id == row.customer_id)
    assert row.worker_read_id == max(m.id for m in messages if m.sender_id == row.worker_id)
    for actor, party_id in ((c.customer, row.customer_id), (c.worker, row.worker_id)):
        marker = row.customer_read_id if party_id == row.customer_id else row.worker_read_id
        unread = [m for m in messages if m.id > marker and m.sender_id != party_id]
        assert (await thread(api, actor, c.thread_id))["unreadCount"] == len(unread)
