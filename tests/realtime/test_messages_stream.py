"""messageReceived over a real WebSocket against a real uvicorn, on both protocols: the other
party's message arrives live (verbatim, with per-viewer fields), other threads stay silent, and
every standing towards the thread is either served or refused with its exact code; the same for
a renovation project's thread."""

from __future__ import annotations

import contextlib

import pytest

from tests.support.api import Actor
from tests.support.messages import ACCEPT_QUOTE, HOSTILE, admin, open_conversation, send
from tests.support.renovation import ASSIGN_TEAM, Renovation, verified_firm
from tests.support.websocket import PROTOCOLS, LiveServer

RECEIVED = """subscription($thread: ID!) { messageReceived(threadId: $thread) {
  id text sender { id displayName } createdAt thread { id unreadCount open } } }"""
RECEIVED_ID = "subscription($thread: ID!) { messageReceived(threadId: $thread) { id text } }"

ALLOWED = "allowed"
MATRIX = [
    ("customer", ALLOWED),
    ("worker", ALLOWED),
    ("admin", ALLOWED),
    ("other_quoting_worker", "NOT_FOUND"),
    ("other_customer", "NOT_FOUND"),
    ("unmatched_worker", "NOT_FOUND"),
    ("anonymous", "UNAUTHENTICATED"),
]


async def test_the_customer_receives_the_workers_message(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    c = await open_conversation(api)
    async with (
        live_server.session(protocol, c.customer) as customer,
        live_server.session(protocol, c.worker) as worker,
    ):
        await customer.subscribe("chat", RECEIVED, {"thread": c.thread_id})
        await worker.subscribe("chat", RECEIVED, {"thread": c.thread_id})
        await customer.barrier()
        await worker.barrier()

        # Another thread of the same job stays silent here.
        await send(api, c.other_worker, c.other_thread_id, "Not for this thread")
        text = HOSTILE[7]  # direction overrides, zero-width characters, a BOM
        sent = await send(api, c.worker, c.thread_id, text)

        expected = {
            "id": sent["id"],
            "text": text,
            "sender": {"id": c.worker.id, "displayName": "Worker"},
            "createdAt": sent["createdAt"],
        }
        received = (await customer.next_data("chat"))["messageReceived"]
        assert received == {
            **expected,
            "thread": {"id": c.thread_id, "unreadCount": 1, "open": True},
        }
        # The same event, executed for the sender: its own side is read.
        received = (await worker.next_data("chat"))["messageReceived"]
        assert received == {
            **expected,
            "thread": {"id": c.thread_id, "unreadCount": 0, "open": True},
        }

        reply = await send(api, c.customer, c.thread_id, "See you at nine")
        assert (await worker.next_data("chat"))["messageReceived"]["id"] == reply["id"]
        assert (await customer.next_data("chat"))["messageReceived"]["id"] == reply["id"]
        await customer.expect_nothing_pending()
        await worker.expect_nothing_pending()


async def test_the_hired_thread_stays_live_and_the_declined_one_is_closed(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    c = await open_conversation(api)
    async with live_server.session(protocol, c.customer) as customer:
        await customer.subscribe("hired", RECEIVED, {"thread": c.thread_id})
        await customer.subscribe("declined", RECEIVED, {"thread": c.other_thread_id})
        await customer.barrier()
        await api.ok(ACCEPT_QUOTE, {"id": c.quote_id}, c.customer)

        body = await api.call(
            'mutation($t: ID!) { sendMessage(threadId: $t, text: "Too late?") { id } }',
            {"t": c.other_thread_id},
            c.other_worker,
        )
        assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "HIRED"}
        sent = await send(api, c.worker, c.thread_id, "Booked for Monday")
        data = (await customer.next_data("hired"))["messageReceived"]
        assert (data["id"], data["thread"]["open"]) == (sent["id"], True)
        await customer.expect_nothing_pending()


@pytest.mark.parametrize(("role", "expected"), [pytest.param(*row, id=row[0]) for row in MATRIX])
async def test_subscription_permissions(live_server: LiveServer, role: str, expected: str) -> None:
    api = live_server.api
    c = await open_conversation(api)
    actors: dict[str, Actor | None] = {
        "customer": c.customer,
        "worker": c.worker,
        "admin": await admin(api),
        "other_quoting_worker": c.other_worker,
        "other_customer": await api.register("CUSTOMER"),
        "unmatched_worker": await api.worker(lat=40.4, lng=-3.7),  # Madrid
        "anonymous": None,
    }
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(live_server.session(protocol, actors[role]))
            for protocol in PROTOCOLS
        ]
        for client in clients:
            await client.subscribe("sub", RECEIVED_ID, {"thread": c.thread_id})

        if expected != ALLOWED:
            for client in clients:
                assert await client.refusal_code("sub") == expected, client.protocol
            assert live_server.app.state.fixhub.hub.channel_count == 0  # nothing subscribed
            return

        for client in clients:
            await client.barrier()  # live, and no refusal arrived
        sender = c.customer if role == "worker" else c.worker
        sent = await send(api, sender, c.thread_id, "Anyone there?")
        for client in clients:
            assert await client.next_data("sub") == {
                "messageReceived": {"id": sent["id"], "text": "Anyone there?"}
            }, client.protocol


async def test_unknown_thread_is_refused(live_server: LiveServer, protocol: str) -> None:
    customer = await live_server.api.register("CUSTOMER")
    async with live_server.session(protocol, customer) as client:
        for op_id, thread_id in (("a", "424242"), ("b", "not-a-number")):
            await client.subscribe(op_id, RECEIVED_ID, {"thread": thread_id})
            assert await client.refusal_code(op_id) == "NOT_FOUND"
    assert live_server.app.state.fixhub.hub.channel_count == 0


async def test_a_project_threads_messages_reach_its_participants(
    live_server: LiveServer, protocol: str
) -> None:
    """A project thread goes through the same stream and the same policy: participants and
    ADMIN (who reads only) receive its messages, each with their own unread count; outsiders
    and anonymous callers are refused with their exact codes and subscribe to nothing."""
    api = live_server.api
    scene = await Renovation.build(api, live_server.app, team=True)
    thread = await api.ok(
        "query($id: ID!) { projectThread(projectId: $id) { id } }",
        {"id": scene.project_id},
        scene.customer,
    )
    thread_id = thread["projectThread"]["id"]
    refused = {
        "other_customer": "NOT_FOUND",
        "worker": "NOT_FOUND",
        "other_staff": "NOT_FOUND",
        "anonymous": "UNAUTHENTICATED",
    }
    actors = scene.actors()
    for role, code in refused.items():
        async with live_server.session(protocol, actors[role]) as client:
            await client.subscribe("sub", RECEIVED, {"thread": thread_id})
            assert await client.refusal_code("sub") == code, role
    assert live_server.app.state.fixhub.hub.channel_count == 0

    async with (
        live_server.session(protocol, scene.supervisor) as supervisor,
        live_server.session(protocol, scene.admin) as admin_client,
    ):
        for client in (supervisor, admin_client):
            await client.subscribe("chat", RECEIVED, {"thread": thread_id})
            await client.barrier()
        sent = await send(api, scene.project_manager, thread_id, "Tiles arrive on Tuesday")
        expected = {
            "id": sent["id"],
            "text": "Tiles arrive on Tuesday",
            "sender": {"id": scene.project_manager.id, "displayName": "Project Manager"},
            "createdAt": sent["createdAt"],
        }
        received = (await supervisor.next_data("chat"))["messageReceived"]
        assert received == {**expected, "thread": {"id": thread_id, "unreadCount": 1, "open": True}}
        received = (await admin_client.next_data("chat"))["messageReceived"]
        assert received == {**expected, "thread": {"id": thread_id, "unreadCount": 0, "open": True}}
        await supervisor.expect_nothing_pending()
        await admin_client.expect_nothing_pending()


async def test_someone_taken_off_the_team_stops_receiving_the_project_thread(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    scene = await Renovation.build(api, live_server.app, team=True)
    replacement = await verified_firm(api, scene.admin, "SUPERVISION", "SUPERVISOR")
    thread = await api.ok(
        "query($id: ID!) { projectThread(projectId: $id) { id } }",
        {"id": scene.project_id},
        scene.customer,
    )
    thread_id = thread["projectThread"]["id"]
    async with (
        live_server.session(protocol, scene.supervisor) as dropped,
        live_server.session(protocol, scene.customer) as customer,
    ):
        for client in (dropped, customer):
            await client.subscribe("chat", RECEIVED, {"thread": thread_id})
            await client.barrier()
        team = {
            **scene.team_input(),
            "supervisionEnterpriseId": replacement.enterprise_id,
            "supervisorId": replacement.person.id,
        }
        await api.ok(ASSIGN_TEAM, {"id": scene.project_id, "input": team}, scene.customer)
        await send(api, scene.project_manager, thread_id, "Welcome to the new supervisor")
        received = (await customer.next_data("chat"))["messageReceived"]
        assert received["text"] == "Welcome to the new supervisor"
        await dropped.expect_silence()
