"""The permission matrix of job conversations: every query and mutation against every standing
towards one thread, with the exact error code. Refusals change nothing.

Standings: the job's customer and the quoting worker (the thread's two parties), another
worker who quoted for the same job (a party of its own thread only), another customer, a worker
never matched to the job, an ADMIN, and an anonymous caller. (The subscription's rows are in
tests/realtime/test_messages_stream.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

import models
from tests.support.api import Actor, Api
from tests.support.messages import ACCEPT_QUOTE, THREADS, Conversation, admin, open_conversation

OK = "OK"
ROLES = (
    "customer",
    "worker",
    "other_quoting_worker",
    "other_customer",
    "unmatched_worker",
    "admin",
    "anonymous",
)
READ = {
    "customer": OK,
    "worker": OK,
    "other_quoting_worker": "NOT_FOUND",
    "other_customer": "NOT_FOUND",
    "unmatched_worker": "NOT_FOUND",
    "admin": OK,
    "anonymous": "UNAUTHENTICATED",
}
WRITE = {**READ, "admin": "FORBIDDEN"}
# After the customer hired the other worker, this thread is closed for sending.
WRITE_CLOSED = {**WRITE, "customer": "INVALID_STATE", "worker": "INVALID_STATE"}

THREAD = "query($id: ID!) { r: thread(id: $id) { id unreadCount open } }"
MESSAGES = "query($id: ID!) { r: messages(threadId: $id) { edges { node { id text } } } }"
SEND = 'mutation($id: ID!) { r: sendMessage(threadId: $id, text: "Hello there") { id } }'
MARK_READ = "mutation($id: ID!) { r: markThreadRead(threadId: $id) { id unreadCount } }"

OPERATIONS = {
    "thread": THREAD,
    "messages": MESSAGES,
    "sendMessage": SEND,
    "markThreadRead": MARK_READ,
}
MATRIX = [
    # (job state, operation, expectations per standing)
    ("open", "thread", READ),
    ("open", "messages", READ),
    ("open", "sendMessage", WRITE),
    ("open", "markThreadRead", WRITE),
    ("other_hired", "thread", READ),
    ("other_hired", "messages", READ),
    ("other_hired", "sendMessage", WRITE_CLOSED),
    ("other_hired", "markThreadRead", WRITE),
]


@dataclass
class Scene:
    conversation: Conversation
    actors: dict[str, Actor | None]


async def _scene(api: Api, state: str) -> Scene:
    c = await open_conversation(api)
    # Something to read, and something unread on both sides.
    for actor in (c.worker, c.customer, c.worker):
        await api.ok(SEND, {"id": c.thread_id}, actor)
    if state == "other_hired":
        await api.ok(ACCEPT_QUOTE, {"id": c.other_quote_id}, c.customer)
    actors: dict[str, Actor | None] = {
        "customer": c.customer,
        "worker": c.worker,
        "other_quoting_worker": c.other_worker,
        "other_customer": await api.register("CUSTOMER"),
        "unmatched_worker": await api.worker(lat=40.4, lng=-3.7),  # Madrid
        "admin": await admin(api),
        "anonymous": None,
    }
    return Scene(c, actors)


async def _snapshot() -> list[Any]:
    threads = await models.Thread.all().order_by("id").values()
    messages = await models.Message.all().order_by("id").values("id", "text", "sender_id")
    return [threads, messages]


@pytest.mark.parametrize(
    ("state", "operation", "expected"),
    [pytest.param(*row, id=f"{row[1]}-{row[0]}") for row in MATRIX],
)
async def test_matrix(api: Api, state: str, operation: str, expected: dict[str, str]) -> None:
    assert set(expected) == set(ROLES)
    query = OPERATIONS[operation]
    scene = await _scene(api, state)
    variables = {"id": scene.conversation.thread_id}
    before = await _snapshot()
    refused = [role for role in ROLES if expected[role] != OK]
    for role in refused:
        body = await api.call(query, variables, scene.actors[role])
        codes = [error["extensions"]["code"] for error in body.get("errors", [])]
        assert codes == [expected[role]], (role, body)
        assert body["data"] is None, (role, body)
    assert await _snapshot() == before, "a refusal changed something"
    for role in ROLES:
        if expected[role] == OK:
            body = await api.call(query, variables, scene.actors[role])
            assert "errors" not in body, (role, body)
            assert body["data"]["r"], (role, body)


async def test_threads_lists_only_your_own(api: Api) -> None:
    scene = await _scene(api, "open")
    c = scene.conversation
    expected = {
        "customer": [c.other_thread_id, c.thread_id],
        "worker": [c.thread_id],
        "other_quoting_worker": [c.other_thread_id],
        "other_customer": [],
        "unmatched_worker": [],
        "admin": [],  # reads any thread by id, but takes part in none
    }
    for role, thread_ids in expected.items():
        data = await api.ok(THREADS, {}, scene.actors[role])
        listed = [edge["node"]["id"] for edge in data["threads"]["edges"]]
        assert sorted(listed) == sorted(thread_ids), role
    body = await api.call(THREADS, {}, None)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("query", [THREAD, MESSAGES, SEND, MARK_READ])
@pytest.mark.parametrize("thread_id", ["999999", "abc", "-1", "0", "99999999999999999999"])
async def test_unknown_threads_are_not_found(api: Api, query: str, thread_id: str) -> None:
    customer = await api.register("CUSTOMER")
    body = await api.call(query, {"id": thread_id}, customer)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    body = await api.call(query, {"id": thread_id}, None)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
