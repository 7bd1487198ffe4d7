"""A renovation project's thread through the API: opened once on first use, shared by every
participant (ADMIN reads only), unread counts per participant, listed in `threads` beside job
threads, closed only by cancelling the project, and the permission matrix with exact codes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import models
from tests.support.api import Actor, Api
from tests.support.messages import THREADS, send, send_error, texts
from tests.support.query_count import StatementCounter
from tests.support.renovation import ASSIGN_TEAM, CREATE_PROJECT, Renovation, add_member

FIELDS = """id lastMessageAt unreadCount open job { id } worker { id } customer { id }
  project { id title status }"""
PROJECT_THREAD = f"query($id: ID!) {{ r: projectThread(projectId: $id) {{ {FIELDS} }} }}"
THREAD = f"query($id: ID!) {{ r: thread(id: $id) {{ {FIELDS} }} }}"
MESSAGES = "query($id: ID!) { r: messages(threadId: $id) { edges { node { id text } } } }"
SEND = 'mutation($id: ID!) { r: sendMessage(threadId: $id, text: "Hello team") { id } }'
MARK_READ = "mutation($id: ID!) { r: markThreadRead(threadId: $id) { id unreadCount } }"
CANCEL = """mutation($id: ID!) { cancelProject(projectId: $id, reason: "Moving abroad") {
  id status } }"""

PARTIES = (
    "customer",
    "designer",
    "project_manager",
    "supervisor",
    "material_budgeter",
    "decoration_owner",
    "supplier_owner",
)


async def open_thread(api: Api, actor: Actor, project_id: str) -> dict[str, Any]:
    return (await api.ok(PROJECT_THREAD, {"id": project_id}, actor))["r"]


async def view(api: Api, actor: Actor, thread_id: str) -> dict[str, Any]:
    return (await api.ok(THREAD, {"id": thread_id}, actor))["r"]


async def listed(api: Api, actor: Actor) -> list[str]:
    data = await api.ok(THREADS, {}, actor)
    return [edge["node"]["id"] for edge in data["threads"]["edges"]]


async def test_the_thread_opens_once_and_belongs_to_the_project(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    assert await models.Thread.filter(project_id=int(scene.project_id)).count() == 0

    thread = await open_thread(api, scene.supervisor, scene.project_id)
    assert thread == {
        "id": thread["id"],
        "lastMessageAt": None,
        "unreadCount": 0,
        "open": True,
        "job": None,
        "worker": None,
        "customer": {"id": scene.customer.id},
        "project": {
            "id": scene.project_id,
            "title": "Flat renovation, Prenzlauer Berg",
            "status": "CONTRACTING",
        },
    }
    # Every participant (and ADMIN) gets the same thread.
    for role, actor in scene.actors().items():
        if role in PARTIES or role == "admin":
            assert actor is not None
            assert (await open_thread(api, actor, scene.project_id))["id"] == thread["id"]
    assert await models.Thread.filter(project_id=int(scene.project_id)).count() == 1


async def test_concurrent_first_use_opens_one_thread(api: Api, app: Any) -> None:
    """On PostgreSQL the first calls overlap: the unique project column lets one insert win,
    and the others read its row."""
    scene = await Renovation.build(api, app, team=True)
    actors = [scene.customer, scene.designer, scene.project_manager, scene.supervisor]
    bodies = await asyncio.gather(
        *(api.call(PROJECT_THREAD, {"id": scene.project_id}, actor) for actor in actors * 2)
    )
    assert all("errors" not in body for body in bodies), bodies
    assert len({body["data"]["r"]["id"] for body in bodies}) == 1
    assert await models.Thread.filter(project_id=int(scene.project_id)).count() == 1


async def test_participants_talk_with_their_own_unread_counts(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    thread_id = (await open_thread(api, scene.customer, scene.project_id))["id"]

    await send(api, scene.customer, thread_id, "When do the tiles arrive?")
    await send(api, scene.customer, thread_id, "And which colour?")
    sent = await send(api, scene.project_manager, thread_id, "Tuesday, white.")
    assert sent["sender"]["id"] == scene.project_manager.id
    assert sent["thread"]["unreadCount"] == 0  # writing marks the writer's side read

    unread = {
        "customer": 1,
        "project_manager": 0,  # replied after both of the customer's messages
        "designer": 3,
        "supervisor": 3,
        "material_budgeter": 3,
        "decoration_owner": 3,
        "supplier_owner": 3,
        "admin": 0,  # reads, keeps no marker
    }
    actors = scene.actors()
    for role, count in unread.items():
        actor = actors[role]
        assert actor is not None
        data = await view(api, actor, thread_id)
        assert (data["unreadCount"], data["lastMessageAt"]) == (count, sent["createdAt"]), role
    assert await texts(api, scene.supervisor, thread_id) == [
        "Tuesday, white.",
        "And which colour?",
        "When do the tiles arrive?",
    ]

    marked = (await api.ok(MARK_READ, {"id": thread_id}, scene.supervisor))["r"]
    assert marked == {"id": thread_id, "unreadCount": 0}
    marker = await models.ThreadReadMarker.get(
        thread_id=int(thread_id), user_id=int(scene.supervisor.id)
    )
    assert marker.read_id == int(sent["id"])
    # Marking again changes nothing; nobody else's count moved.
    await api.ok(MARK_READ, {"id": thread_id}, scene.supervisor)
    assert (await view(api, scene.designer, thread_id))["unreadCount"] == 3
    # Markers of those who wrote (customer, project manager) or marked read (supervisor).
    assert await models.ThreadReadMarker.filter(thread_id=int(thread_id)).count() == 3

    later = await send(api, scene.designer, thread_id, "Drawings updated.")
    assert (await view(api, scene.supervisor, thread_id))["unreadCount"] == 1
    assert (await view(api, scene.designer, thread_id))["unreadCount"] == 0
    assert (await view(api, scene.customer, thread_id))["unreadCount"] == 2
    marker = await models.ThreadReadMarker.get(
        thread_id=int(thread_id), user_id=int(scene.designer.id)
    )
    assert marker.read_id == int(later["id"])
    # Messages are not notifications, in project threads either.
    assert not await models.Notification.filter(kind__startswith="MESSAGE").exists()


async def test_threads_lists_the_project_thread_for_its_participants(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    thread_id = (await open_thread(api, scene.admin, scene.project_id))["id"]
    for role, actor in scene.actors().items():
        if actor is None:
            continue
        expected = [thread_id] if role in PARTIES else []  # ADMIN lists none of its own
        assert await listed(api, actor) == expected, role

    # Beside job threads, ordered by the latest message.
    worker = await api.worker()
    job = await api.post_job(scene.customer)
    await api.quote(worker, job["id"])
    [job_thread] = await listed(api, worker)
    assert await listed(api, scene.customer) == [job_thread, thread_id]
    await send(api, scene.supervisor, thread_id, "Site visit at 10")
    assert await listed(api, scene.customer) == [thread_id, job_thread]
    await send(api, worker, job_thread, "I can come on Monday")
    edges = (await api.ok(THREADS, {}, scene.customer))["threads"]["edges"]
    assert [(e["node"]["id"], e["node"]["unreadCount"]) for e in edges] == [
        (job_thread, 1),
        (thread_id, 1),
    ]
    assert edges[0]["node"]["job"] == {"id": job["id"], "status": "OPEN"}
    assert edges[1]["node"]["job"] is None and edges[1]["node"]["worker"] is None


async def test_someone_taken_off_the_team_loses_the_thread(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    thread_id = (await open_thread(api, scene.customer, scene.project_id))["id"]
    await send(api, scene.designer, thread_id, "First sketches attached")
    old_designer = scene.designer

    design = scene.firms["DESIGN"]
    new_designer = await api.register("ENTERPRISE_STAFF", name="New designer")
    await add_member(api, design.owner, design.enterprise_id, new_designer, "DESIGNER")
    team = {**scene.team_input(), "designerId": new_designer.id}
    await api.ok(ASSIGN_TEAM, {"id": scene.project_id, "input": team}, scene.customer)

    assert await listed(api, old_designer) == []
    for query in (THREAD, MESSAGES, SEND, MARK_READ):
        body = await api.call(query, {"id": thread_id}, old_designer)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    assert await listed(api, new_designer) == [thread_id]
    assert await texts(api, new_designer, thread_id) == ["First sketches attached"]
    assert (await view(api, new_designer, thread_id))["unreadCount"] == 1


async def test_cancelling_closes_the_thread_and_acceptance_does_not(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    thread_id = (await open_thread(api, scene.customer, scene.project_id))["id"]
    await send(api, scene.customer, thread_id, "Before the end")

    # An ACCEPTED project keeps its thread for after-care (status set directly: reaching it
    # through the API is the whole project flow, tested elsewhere).
    await models.Project.filter(id=int(scene.project_id)).update(
        status=models.ProjectStatus.ACCEPTED
    )
    assert (await view(api, scene.supervisor, thread_id))["open"] is True
    await send(api, scene.project_manager, thread_id, "A crack? We will come by.")
    await models.Project.filter(id=int(scene.project_id)).update(
        status=models.ProjectStatus.CONTRACTING
    )

    await api.ok(CANCEL, {"id": scene.project_id}, scene.customer)
    assert (await view(api, scene.supervisor, thread_id))["open"] is False
    before = await models.Message.all().count()
    for actor in (scene.customer, scene.project_manager):
        error = await send_error(api, actor, thread_id, "Still there?")
        assert error["extensions"] == {"code": "INVALID_STATE", "status": "CANCELLED"}
        assert f"project {scene.project_id} is CANCELLED" in error["message"]
    assert await models.Message.all().count() == before
    # Still readable, and read markers still move.
    assert len(await texts(api, scene.supervisor, thread_id)) == 2
    assert (await api.ok(MARK_READ, {"id": thread_id}, scene.supervisor))["r"]["unreadCount"] == 0


async def test_concurrent_sends_keep_every_marker_consistent(api: Api, app: Any) -> None:
    """On PostgreSQL the sends overlap, including each participant's first marker: the thread
    points at the newest message, each sender's marker at its own newest message."""
    scene = await Renovation.build(api, app, team=True)
    thread_id = (await open_thread(api, scene.customer, scene.project_id))["id"]
    senders = [scene.customer, scene.designer, scene.project_manager, scene.supervisor]
    bodies = await asyncio.gather(
        *(api.call(SEND, {"id": thread_id}, actor) for _ in range(3) for actor in senders),
        *(api.call(MARK_READ, {"id": thread_id}, actor) for actor in senders),
    )
    assert all("errors" not in body for body in bodies), bodies

    row = await models.Thread.get(id=int(thread_id))
    stored = await models.Message.filter(thread_id=row.id).order_by("id")
    assert len(stored) == 12
    assert (row.last_message_id, row.last_message_at) == (stored[-1].id, stored[-1].created_at)
    for actor in senders:
        markers = await models.ThreadReadMarker.filter(thread_id=row.id, user_id=int(actor.id))
        assert len(markers) == 1
        own = max(m.id for m in stored if m.sender_id == int(actor.id))
        assert markers[0].read_id >= own
        unread = [m for m in stored if m.id > markers[0].read_id and m.sender_id != int(actor.id)]
        assert (await view(api, actor, thread_id))["unreadCount"] == len(unread)


# --- The permission matrix -------------------------------------------------------------------

OK = "OK"
OUTSIDERS = {"other_customer": "NOT_FOUND", "worker": "NOT_FOUND", "other_staff": "NOT_FOUND"}
READ = {
    **{role: OK for role in PARTIES},
    "admin": OK,
    **OUTSIDERS,
    "anonymous": "UNAUTHENTICATED",
}
WRITE = {**READ, "admin": "FORBIDDEN"}
CANCELLED_WRITE = {**WRITE, **{role: "INVALID_STATE" for role in PARTIES}}
OPERATIONS = {
    "projectThread": PROJECT_THREAD,
    "thread": THREAD,
    "messages": MESSAGES,
    "sendMessage": SEND,
    "markThreadRead": MARK_READ,
}
MATRIX = [
    ("open", "projectThread", READ),
    ("open", "thread", READ),
    ("open", "messages", READ),
    ("open", "sendMessage", WRITE),
    ("open", "markThreadRead", WRITE),
    ("cancelled", "projectThread", READ),
    ("cancelled", "messages", READ),
    ("cancelled", "sendMessage", CANCELLED_WRITE),
    ("cancelled", "markThreadRead", WRITE),
]


async def _snapshot() -> list[Any]:
    return [
        await models.Thread.all().order_by("id").values(),
        await models.Message.all().order_by("id").values("id", "text", "sender_id"),
        await models.ThreadReadMarker.all().order_by("id").values(),
    ]


@pytest.mark.parametrize(
    ("state", "operation", "expected"),
    [pytest.param(*row, id=f"{row[1]}-{row[0]}") for row in MATRIX],
)
async def test_matrix(
    api: Api, app: Any, state: str, operation: str, expected: dict[str, str]
) -> None:
    scene = await Renovation.build(api, app, team=True)
    actors = scene.actors()
    assert set(expected) == set(actors)
    thread_id = (await open_thread(api, scene.customer, scene.project_id))["id"]
    for actor in (scene.customer, scene.supervisor, scene.customer):
        await api.ok(SEND, {"id": thread_id}, actor)
    if state == "cancelled":
        await api.ok(CANCEL, {"id": scene.project_id}, scene.customer)
    ident = scene.project_id if operation == "projectThread" else thread_id
    query = OPERATIONS[operation]

    before = await _snapshot()
    for role, outcome in expected.items():
        if outcome != OK:
            body = await api.call(query, {"id": ident}, actors[role])
            codes = [error["extensions"]["code"] for error in body.get("errors", [])]
            assert codes == [outcome], (role, body)
            assert body["data"] is None, (role, body)
    assert await _snapshot() == before, "a refusal changed something"
    for role, outcome in expected.items():
        if outcome == OK:
            body = await api.call(query, {"id": ident}, actors[role])
            assert "errors" not in body, (role, body)
            assert body["data"]["r"], (role, body)


@pytest.mark.parametrize("project_id", ["999999", "abc", "0"])
async def test_unknown_projects_have_no_thread(api: Api, project_id: str) -> None:
    customer = await api.register("CUSTOMER")
    body = await api.call(PROJECT_THREAD, {"id": project_id}, customer)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    body = await api.call(PROJECT_THREAD, {"id": project_id}, None)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


# --- No N+1 ----------------------------------------------------------------------------------

THREAD_LIST = """{ threads(first: 50) { edges { node { id lastMessageAt unreadCount open
  job { id } worker { id } customer { id displayName } project { id title status } } } } }"""


async def _statements_for_project_threads(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch, projects: int
) -> int:
    """The supervisor of `projects` projects of one customer and one team, each project's
    thread with a message the supervisor has not read and one it wrote."""
    scene = await Renovation.build(api, app, team=True)
    project_ids = [scene.project_id]
    for _ in range(projects - 1):
        data = await api.ok(
            CREATE_PROJECT,
            {
                "input": {
                    "title": "Another flat",
                    "address": "Kastanienallee 14, Berlin",
                    "location": {"lat": 52.538, "lng": 13.41},
                    "areaSqm": 60.0,
                    "budgetCents": 3_000_000,
                    "description": "Kitchen and bathroom.",
                }
            },
            scene.customer,
        )
        project_id = data["createProject"]["id"]
        await api.ok(ASSIGN_TEAM, {"id": project_id, "input": scene.team_input()}, scene.customer)
        project_ids.append(project_id)
    for project_id in project_ids:
        thread_id = (await open_thread(api, scene.customer, project_id))["id"]
        await send(api, scene.supervisor, thread_id, "Inspection booked")
        await send(api, scene.customer, thread_id, "Thanks")
    counter = StatementCounter()
    with monkeypatch.context() as patch:
        counter.wrap(patch)
        data = await api.ok(THREAD_LIST, actor=scene.supervisor)
    nodes = [edge["node"] for edge in data["threads"]["edges"]]
    assert len(nodes) == projects
    assert all(node["unreadCount"] == 1 and node["open"] for node in nodes)
    return len(counter.statements)


async def test_project_threads_with_projects_and_unread_counts_is_constant(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = await _statements_for_project_threads(api, app, monkeypatch, 1)
    twenty = await _statements_for_project_threads(api, app, monkeypatch, 20)
    assert one == twenty
    # viewer, threads page, projects, users (customers), read markers, unread counts, and the
    # chosen enterprises (policy.project_roles loads the four seats one after another: one
    # batch per seat, whatever the number of projects)
    assert one <= 10
