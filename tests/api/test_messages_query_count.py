"""No N+1 in conversations: listing threads (with job, parties and unread counts) and listing
messages (with senders and their thread) cost the same SQL for 1 item and for 20."""

from __future__ import annotations

import pytest

from tests.support.api import Api
from tests.support.messages import THREADS, send
from tests.support.query_count import StatementCounter

THREAD_LIST = """{ threads(first: 50) { edges { node { id lastMessageAt unreadCount open
  job { id title status } customer { id displayName } worker { id displayName ratingAverage }
} } } }"""
MESSAGE_LIST = """query($thread: ID!) { messages(threadId: $thread, first: 50) { edges { node {
  id text createdAt sender { id displayName }
  thread { id unreadCount open job { title } } } } } }"""


async def _statements_for_threads(api: Api, monkeypatch: pytest.MonkeyPatch, threads: int) -> int:
    """A worker who quoted for `threads` jobs of one customer, each with an unread message."""
    customer = await api.register("CUSTOMER")
    worker = await api.worker()
    for _ in range(threads):
        job = await api.post_job(customer)
        await api.quote(worker, job["id"])
    listing = (await api.ok(THREADS, {"first": 50}, customer))["threads"]["edges"]
    for edge in listing:
        await send(api, customer, edge["node"]["id"], "When can you come?")
    counter = StatementCounter()
    with monkeypatch.context() as patch:
        counter.wrap(patch)
        data = await api.ok(THREAD_LIST, actor=worker)
    nodes = [edge["node"] for edge in data["threads"]["edges"]]
    assert len(nodes) == threads
    assert all(node["unreadCount"] == 1 and node["open"] for node in nodes)
    return len(counter.statements)


async def test_threads_with_jobs_parties_and_unread_counts_is_constant(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = await _statements_for_threads(api, monkeypatch, 1)
    twenty = await _statements_for_threads(api, monkeypatch, 20)
    assert one == twenty
    # viewer, threads page, jobs, users, worker profiles, unread counts
    assert one <= 6


async def _statements_for_messages(api: Api, monkeypatch: pytest.MonkeyPatch, messages: int) -> int:
    customer = await api.register("CUSTOMER")
    worker = await api.worker()
    job = await api.post_job(customer)
    await api.quote(worker, job["id"])
    [edge] = (await api.ok(THREADS, {}, customer))["threads"]["edges"]
    thread_id = edge["node"]["id"]
    for n in range(messages):
        # The last message is the worker's, so the customer has something unread.
        sender = worker if (messages - 1 - n) % 2 == 0 else customer
        await send(api, sender, thread_id, f"message {n}")
    counter = StatementCounter()
    with monkeypatch.context() as patch:
        counter.wrap(patch)
        data = await api.ok(MESSAGE_LIST, {"thread": thread_id}, actor=customer)
    assert len(data["messages"]["edges"]) == messages
    return len(counter.statements)


async def test_messages_with_senders_and_thread_is_constant(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = await _statements_for_messages(api, monkeypatch, 1)
    twenty = await _statements_for_messages(api, monkeypatch, 20)
    assert one == twenty
    # viewer, thread, messages page, users, job (the thread is loaded once and reused)
    assert one <= 6
