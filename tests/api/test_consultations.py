"""The consultation desk through the API: a user asks, support (ADMIN) answers, the asker
follows up, either side closes; who is told what; who may see and do what (the matrix, with
exact codes); listing, limits, races, and no N+1."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

import models
from resolvers.consultations import ENTRIES_PER_WINDOW, MAX_ENTRIES
from tests.support.api import Actor, Api
from tests.support.query_count import StatementCounter
from tests.support.renovation import Renovation, make_admin

FIELDS = """id subject status projectId lastEntryAt closedAt createdAt asker { id displayName }
  entries { id text fromSupport createdAt author { id displayName } }"""
OPEN = f"""mutation($input: OpenConsultationInput!) {{ r: openConsultation(input: $input) {{
  {FIELDS} }} }}"""
REPLY = f"""mutation($id: ID!, $text: String!) {{
  r: replyToConsultation(consultationId: $id, text: $text) {{ {FIELDS} }} }}"""
CLOSE = f"""mutation($id: ID!) {{ r: closeConsultation(consultationId: $id) {{ {FIELDS} }} }}"""
ONE = f"""query($id: ID!) {{ r: consultation(id: $id) {{ {FIELDS} }} }}"""
LIST = """query($status: ConsultationStatus, $first: Int, $after: String) {
  r: consultations(status: $status, first: $first, after: $after) {
    edges { cursor node { id subject status asker { id } } }
    pageInfo { hasNextPage endCursor } } }"""
NOTIFICATIONS = """{ notifications(first: 50) { edges { node { kind title body data } } } }"""


async def ask(
    api: Api,
    actor: Actor,
    subject: str = "Can I pay in instalments?",
    text: str = "Is it possible to split the deposit into two payments?",
    project_id: str | None = None,
) -> dict[str, Any]:
    variables = {"input": {"subject": subject, "text": text, "projectId": project_id}}
    return (await api.ok(OPEN, variables, actor))["r"]


async def reply(api: Api, actor: Actor, consultation_id: str, text: str) -> dict[str, Any]:
    return (await api.ok(REPLY, {"id": consultation_id, "text": text}, actor))["r"]


async def codes(api: Api, query: str, variables: dict[str, Any], actor: Actor | None) -> list[str]:
    body = await api.call(query, variables, actor)
    assert body["data"] is None, body
    return [error["extensions"]["code"] for error in body["errors"]]


async def notified(api: Api, actor: Actor) -> list[tuple[str, int | None]]:
    """(kind, consultationId) of the actor's notifications, oldest first."""
    data = await api.ok(NOTIFICATIONS, actor=actor)
    nodes = [edge["node"] for edge in data["notifications"]["edges"]][::-1]
    return [(node["kind"], node["data"].get("consultationId")) for node in nodes]


async def snapshot() -> list[Any]:
    return [
        await models.Consultation.all().order_by("id").values(),
        await models.ConsultationEntry.all().order_by("id").values(),
        await models.Notification.all().order_by("id").values("id", "user_id", "kind"),
    ]


async def test_ask_answer_follow_up_and_close(api: Api, app: Any) -> None:
    support, other_support = await make_admin(app), await make_admin(app)
    asker = await api.register("CUSTOMER", "Carla")

    opened = await ask(api, asker)
    ident = int(opened["id"])
    assert opened["status"] == "OPEN"
    assert opened["subject"] == "Can I pay in instalments?"
    assert opened["asker"] == {"id": asker.id, "displayName": "Carla"}
    assert opened["projectId"] is None and opened["closedAt"] is None
    [question] = opened["entries"]
    assert question["text"] == "Is it possible to split the deposit into two payments?"
    assert question["fromSupport"] is False and question["author"]["id"] == asker.id
    # Every ADMIN is told; the asker is not.
    for admin in (support, other_support):
        assert await notified(api, admin) == [("CONSULTATION_OPENED", ident)]
    assert await notified(api, asker) == []

    answered = await reply(api, support, opened["id"], "Yes: two deposits are fine.")
    assert answered["status"] == "ANSWERED"
    assert [(e["fromSupport"], e["author"]["id"]) for e in answered["entries"]] == [
        (False, asker.id),
        (True, support.id),
    ]
    assert answered["lastEntryAt"] == answered["entries"][-1]["createdAt"]
    assert await notified(api, asker) == [("CONSULTATION_ANSWERED", ident)]

    followed = await reply(api, asker, opened["id"], "Great, and with a card?")
    assert followed["status"] == "OPEN"
    assert followed["entries"][-1]["fromSupport"] is False
    for admin in (support, other_support):
        assert await notified(api, admin) == [
            ("CONSULTATION_OPENED", ident),
            ("CONSULTATION_REPLIED", ident),
        ]

    # Any ADMIN may answer, not only the first one.
    answered = await reply(api, other_support, opened["id"], "Cards work too.")
    assert answered["status"] == "ANSWERED"

    closed = (await api.ok(CLOSE, {"id": opened["id"]}, support))["r"]
    assert closed["status"] == "CLOSED" and closed["closedAt"] is not None
    assert len(closed["entries"]) == 4
    assert await notified(api, asker) == [
        ("CONSULTATION_ANSWERED", ident),
        ("CONSULTATION_ANSWERED", ident),
        ("CONSULTATION_CLOSED", ident),
    ]

    # Closed is final: no replies from either side, no second close; nothing changes.
    before = await snapshot()
    for actor in (asker, support):
        body = await api.call(REPLY, {"id": opened["id"], "text": "One more thing"}, actor)
        assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "CLOSED"}
        assert await codes(api, CLOSE, {"id": opened["id"]}, actor) == ["INVALID_STATE"]
    assert await snapshot() == before
    # Still readable by both.
    for actor in (asker, support):
        assert (await api.ok(ONE, {"id": opened["id"]}, actor))["r"]["status"] == "CLOSED"


async def test_the_asker_closes_and_support_is_told(api: Api, app: Any) -> None:
    support = await make_admin(app)
    asker = await api.register("WORKER")
    opened = await ask(api, asker)
    closed = (await api.ok(CLOSE, {"id": opened["id"]}, asker))["r"]
    assert closed["status"] == "CLOSED"
    ident = int(opened["id"])
    assert await notified(api, support) == [
        ("CONSULTATION_OPENED", ident),
        ("CONSULTATION_CLOSED", ident),
    ]
    assert await notified(api, asker) == []


async def test_an_admin_may_ask_too_and_is_not_told_about_its_own_question(
    api: Api, app: Any
) -> None:
    asking_admin, support = await make_admin(app), await make_admin(app)
    opened = await ask(api, asking_admin)
    ident = int(opened["id"])
    assert await notified(api, asking_admin) == []
    assert await notified(api, support) == [("CONSULTATION_OPENED", ident)]
    # Its own replies are follow-ups; another ADMIN's are answers.
    assert (await reply(api, asking_admin, opened["id"], "Anyone?"))["status"] == "OPEN"
    answered = await reply(api, support, opened["id"], "Here.")
    assert answered["status"] == "ANSWERED" and answered["entries"][-1]["fromSupport"] is True


async def test_a_question_about_a_project_its_participants_take_part_in(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    for actor in (scene.customer, scene.supervisor, scene.decoration_owner):
        opened = await ask(api, actor, project_id=scene.project_id)
        assert opened["projectId"] == scene.project_id

    before = await snapshot()
    outsiders = [scene.outsiders["other_customer"], scene.outsiders["other_staff"]]
    for actor in outsiders:
        variables = {"input": {"subject": "S", "text": "T", "projectId": scene.project_id}}
        assert await codes(api, OPEN, variables, actor) == ["NOT_FOUND"]
    for project_id in ("999999", "nope"):
        variables = {"input": {"subject": "S", "text": "T", "projectId": project_id}}
        assert await codes(api, OPEN, variables, scene.customer) == ["NOT_FOUND"]
    assert await snapshot() == before


async def test_listing_own_and_for_admin_everything(api: Api, app: Any) -> None:
    support = await make_admin(app)
    first, second = await api.register("CUSTOMER"), await api.register("ENTERPRISE_STAFF")
    a = await ask(api, first, subject="a")
    b = await ask(api, second, subject="b")
    c = await ask(api, first, subject="c")
    await reply(api, support, c["id"], "Answer")
    await api.ok(CLOSE, {"id": a["id"]}, first)

    async def listed(actor: Actor, **variables: Any) -> list[str]:
        data = (await api.ok(LIST, variables, actor))["r"]
        return [edge["node"]["subject"] for edge in data["edges"]]

    assert await listed(first) == ["c", "a"]  # newest first
    assert await listed(second) == ["b"]
    assert await listed(await api.register("WORKER")) == []
    assert await listed(support) == ["c", "b", "a"]
    assert await listed(support, status="OPEN") == ["b"]
    assert await listed(support, status="ANSWERED") == ["c"]
    assert await listed(first, status="CLOSED") == ["a"]

    # Pages of one, for ADMIN: every consultation once, in order.
    seen, after = [], None
    while True:
        page = (await api.ok(LIST, {"first": 1, "after": after}, support))["r"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [c["id"], b["id"], a["id"]]

    for bad in ({"first": 0}, {"first": 101}, {"after": "not-a-cursor"}):
        assert await codes(api, LIST, bad, first) == ["BAD_USER_INPUT"], bad
    assert await codes(api, LIST, {}, None) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("subject", "text", "field", "message"),
    [
        ("", "Question", "subject", "subject must not be empty."),
        ("  ", "Question", "subject", "subject must not be empty."),
        ("x" * 201, "Question", "subject", "subject must be at most 200 characters."),
        ("two\nlines", "Question", "subject", "subject must be one line (no line breaks or NUL)."),
        ("Subject", "", "text", "text must not be empty."),
        ("Subject", "x" * 4001, "text", "text must be at most 4000 characters."),
        ("Subject", "nul \x00", "text", "text must not contain NUL (U+0000) characters."),
    ],
    ids=["empty-subject", "blank-subject", "long-subject", "multiline", "empty", "long", "nul"],
)
async def test_input_limits(api: Api, subject: str, text: str, field: str, message: str) -> None:
    asker = await api.register("CUSTOMER")
    body = await api.call(OPEN, {"input": {"subject": subject, "text": text}}, asker)
    [error] = body["errors"]
    assert error["message"] == message
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await models.Consultation.all().count() == 0
    # The limits themselves are fine, and the text is kept verbatim.
    verbatim = "  <b>x</b>\r\n" + "🚰" * 3987
    opened = await ask(api, asker, subject="s" * 200, text=verbatim)
    assert opened["entries"][0]["text"] == verbatim
    body = await api.call(REPLY, {"id": opened["id"], "text": " \n "}, asker)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "text"}


async def test_opening_and_replying_are_rate_limited(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = 60 * 31_666_666 + 20.5  # 20 s into a 60 s window
    monkeypatch.setattr("resolvers.ratelimit.time", SimpleNamespace(time=lambda: moment))
    support = await make_admin(app)
    asker = await api.register("CUSTOMER")
    opened = await ask(api, asker)
    for n in range(ENTRIES_PER_WINDOW - 1):
        await reply(api, asker, opened["id"], f"follow-up {n}")

    before = await snapshot()
    body = await api.call(REPLY, {"id": opened["id"], "text": "too many"}, asker)
    assert body["errors"][0]["extensions"] == {"code": "RATE_LIMITED", "retryAfterSeconds": 40}
    body = await api.call(OPEN, {"input": {"subject": "again", "text": "again"}}, asker)
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert await snapshot() == before
    # Per user; support is not limited.
    await ask(api, await api.register("CUSTOMER"))
    for n in range(ENTRIES_PER_WINDOW + 2):
        await reply(api, support, opened["id"], f"answer {n}")

    moment += 60
    assert (await reply(api, asker, opened["id"], "next window"))["status"] == "OPEN"


async def test_a_consultation_is_bounded(api: Api, app: Any) -> None:
    support = await make_admin(app)
    asker = await api.register("CUSTOMER")
    opened = await ask(api, asker)
    await models.ConsultationEntry.bulk_create(
        models.ConsultationEntry(
            consultation_id=int(opened["id"]),
            author_id=int(support.id),
            from_support=True,
            text="x",
        )
        for _ in range(MAX_ENTRIES - 1)
    )
    body = await api.call(REPLY, {"id": opened["id"], "text": "one more"}, support)
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "OPEN"}
    assert "open a new consultation" in body["errors"][0]["message"]
    assert await models.ConsultationEntry.filter(consultation_id=int(opened["id"])).count() == (
        MAX_ENTRIES
    )
    # Closing still works.
    assert (await api.ok(CLOSE, {"id": opened["id"]}, asker))["r"]["status"] == "CLOSED"


# --- The permission matrix -------------------------------------------------------------------

OK = "OK"
ROLES = ("asker", "other_customer", "worker", "staff", "admin", "anonymous")
ON_ONE = {
    "asker": OK,
    "other_customer": "NOT_FOUND",
    "worker": "NOT_FOUND",
    "staff": "NOT_FOUND",
    "admin": OK,
    "anonymous": "UNAUTHENTICATED",
}
OPERATIONS = {
    "consultation": (ONE, {}),
    "replyToConsultation": (REPLY, {"text": "Me too"}),
    "closeConsultation": (CLOSE, {}),
}


@dataclass
class Desk:
    actors: dict[str, Actor | None]

    async def consultation(self, api: Api) -> str:
        asker = self.actors["asker"]
        assert asker is not None
        return (await ask(api, asker))["id"]


async def _desk(api: Api, app: Any) -> Desk:
    return Desk(
        {
            "asker": await api.register("CUSTOMER"),
            "other_customer": await api.register("CUSTOMER"),
            "worker": await api.register("WORKER"),
            "staff": await api.register("ENTERPRISE_STAFF"),
            "admin": await make_admin(app),
            "anonymous": None,
        }
    )


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_matrix(api: Api, app: Any, operation: str) -> None:
    query, extra = OPERATIONS[operation]
    desk = await _desk(api, app)
    ident = await desk.consultation(api)
    before = await snapshot()
    for role in ROLES:
        if ON_ONE[role] != OK:
            assert await codes(api, query, {"id": ident, **extra}, desk.actors[role]) == [
                ON_ONE[role]
            ], role
    assert await snapshot() == before, "a refusal changed something"
    for role in ROLES:
        if ON_ONE[role] == OK:
            # A fresh consultation each, so that one allowed close does not end the next.
            fresh = await desk.consultation(api)
            data = await api.ok(query, {"id": fresh, **extra}, desk.actors[role])
            assert data["r"]["id"] == fresh, role


async def test_matrix_open_and_list(api: Api, app: Any) -> None:
    desk = await _desk(api, app)
    for role in ROLES:
        actor = desk.actors[role]
        if actor is None:
            assert await codes(api, OPEN, {"input": {"subject": "s", "text": "t"}}, None) == [
                "UNAUTHENTICATED"
            ]
            assert await codes(api, LIST, {}, None) == ["UNAUTHENTICATED"]
            continue
        opened = await ask(api, actor, subject=role)
        assert opened["asker"]["id"] == actor.id
        listed = [edge["node"]["subject"] for edge in (await api.ok(LIST, {}, actor))["r"]["edges"]]
        assert listed == (list(reversed(ROLES[:-1])) if role == "admin" else [role]), role


@pytest.mark.parametrize("query", [ONE, REPLY, CLOSE])
@pytest.mark.parametrize("ident", ["999999", "abc", "-1", "0", "99999999999999999999"])
async def test_unknown_consultations_are_not_found(api: Api, app: Any, query: str, ident: str):
    variables = {"id": ident, "text": "Hello"} if query is REPLY else {"id": ident}
    for actor in (await api.register("CUSTOMER"), await make_admin(app)):
        assert await codes(api, query, variables, actor) == ["NOT_FOUND"]
    assert await codes(api, query, variables, None) == ["UNAUTHENTICATED"]


# --- Races and query counts --------------------------------------------------------------------


async def test_concurrent_closes_and_replies_have_one_outcome(api: Api, app: Any) -> None:
    """On PostgreSQL these overlap: exactly one close wins, and a reply either lands before
    the close or is refused; never an entry after the consultation was closed."""
    support = await make_admin(app)
    asker = await api.register("CUSTOMER")
    opened = await ask(api, asker)
    calls = [
        api.call(CLOSE, {"id": opened["id"]}, asker),
        api.call(CLOSE, {"id": opened["id"]}, support),
        *(api.call(REPLY, {"id": opened["id"], "text": f"r{n}"}, support) for n in range(4)),
    ]
    bodies = await asyncio.gather(*calls)
    closes = Counter(
        body["errors"][0]["extensions"]["code"] if "errors" in body else OK for body in bodies[:2]
    )
    assert closes == {OK: 1, "INVALID_STATE": 1}
    replied = sum("errors" not in body for body in bodies[2:])
    for body in bodies[2:]:
        if "errors" in body:
            assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "CLOSED"}

    row = await models.Consultation.get(id=int(opened["id"]))
    assert row.status == models.ConsultationStatus.CLOSED and row.closed_at is not None
    stored = await models.ConsultationEntry.filter(consultation_id=row.id).order_by("id")
    assert len(stored) == 1 + replied


async def _statements_for_list(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch, consultations: int
) -> int:
    support = await make_admin(app)
    for n in range(consultations):
        asker = await api.register("CUSTOMER")
        opened = await ask(api, asker, subject=f"q{n}")
        await reply(api, support, opened["id"], "Answer")
        await reply(api, asker, opened["id"], "Thanks")
    # A list page asks for the first few entries of each (all 100 of 20 would be over budget).
    fields = FIELDS.replace("entries {", "entries(first: 5) {")
    query = f"{{ consultations(first: 20) {{ edges {{ node {{ {fields} }} }} }} }}"
    counter = StatementCounter()
    with monkeypatch.context() as patch:
        counter.wrap(patch)
        data = await api.ok(query, actor=support)
    nodes = [edge["node"] for edge in data["consultations"]["edges"]]
    assert len(nodes) >= consultations
    assert all(len(node["entries"]) == 3 for node in nodes)
    return len(counter.statements)


async def test_consultations_with_entries_and_authors_is_constant(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = await _statements_for_list(api, app, monkeypatch, 1)
    await models.Consultation.all().delete()
    twenty = await _statements_for_list(api, app, monkeypatch, 20)
    assert one == twenty
    # viewer, consultations page, askers, entries, authors not loaded with the askers
    assert one <= 5
