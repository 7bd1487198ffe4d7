"""projectProgress: a project's stored feed, replayed after a cursor and then live, for its
participants only."""

from __future__ import annotations

from typing import Any

from tests.support.renovation import (
    ASSIGN_TEAM,
    PARTICIPANTS,
    SIGN_CONTRACT,
    STAGES,
    Renovation,
    verified_firm,
)
from tests.support.websocket import LiveServer

PROGRESS = """subscription($id: ID!, $after: ID) {
  projectProgress(projectId: $id, after: $after) { id projectId kind summary data actor { id } }
}"""
EVENTS = """query($id: ID!) {
  projectEvents(projectId: $id, first: 100) { edges { node { id kind } } }
}"""
DRAFT = """mutation($id: ID!, $input: ContractInput!) {
  draftContract(projectId: $id, input: $input) { revision }
}"""


async def _draft(scene: Renovation, total_cents: int = 1_000_000) -> int:
    data = await scene.api.ok(
        DRAFT,
        {
            "id": scene.project_id,
            "input": {"totalCents": total_cents, "stages": STAGES, "terms": "Standard terms."},
        },
        scene.project_manager,
    )
    return data["draftContract"]["revision"]


async def _stored_ids(scene: Renovation) -> list[int]:
    data = await scene.api.ok(EVENTS, {"id": scene.project_id}, scene.customer)
    return sorted(int(edge["node"]["id"]) for edge in data["projectEvents"]["edges"])


async def test_participants_follow_live_and_everyone_else_is_refused(
    live_server: LiveServer, protocol: str
) -> None:
    scene = await Renovation.build(live_server.api, live_server.app, team=True)
    variables: dict[str, Any] = {"id": scene.project_id}
    async with (
        live_server.session(protocol, scene.customer) as customer,
        live_server.session(protocol, scene.supervisor) as supervisor,
        live_server.session(protocol, scene.admin) as admin,
    ):
        for client in (customer, supervisor, admin):
            await client.subscribe("feed", PROGRESS, variables)
            await client.barrier()

        refused = {
            name: actor
            for name, actor in scene.actors().items()
            if name in {"other_customer", "worker", "other_staff", "anonymous"}
        }
        for name, actor in refused.items():
            async with live_server.session(protocol, actor) as outsider:
                await outsider.subscribe("feed", PROGRESS, variables)
                expected = "UNAUTHENTICATED" if actor is None else "NOT_FOUND"
                assert await outsider.refusal_code("feed") == expected, name

        await _draft(scene)
        seen = []
        for client in (customer, supervisor, admin):
            event = (await client.next_data("feed"))["projectProgress"]
            assert event["kind"] == "CONTRACT_DRAFTED"
            assert event["projectId"] == scene.project_id
            assert event["actor"]["id"] == scene.project_manager.id
            seen.append(event["id"])
            await client.expect_silence()
        assert len(set(seen)) == 1  # the same stored event, to every follower
        assert int(seen[0]) == max(await _stored_ids(scene))


async def test_after_replays_what_was_stored_then_continues_live(
    live_server: LiveServer, protocol: str
) -> None:
    scene = await Renovation.build(live_server.api, live_server.app, team=True)
    revision = await _draft(scene)
    stored = await _stored_ids(scene)
    assert len(stored) >= 3  # created, team assigned, moved to contracting, drafted
    cursor = stored[0]

    async with live_server.session(protocol, scene.supervisor) as client:
        await client.subscribe("feed", PROGRESS, {"id": scene.project_id, "after": str(cursor)})
        replayed = [
            int((await client.next_data("feed"))["projectProgress"]["id"]) for _ in stored[1:]
        ]
        assert replayed == stored[1:]
        await client.barrier()

        # both sign: the contract is filed and the project moves on, live, after the replay
        for signer in (scene.customer, scene.decoration_owner):
            await scene.api.ok(
                SIGN_CONTRACT,
                {"id": scene.project_id, "revision": revision},
                signer,
            )
        now_stored = await _stored_ids(scene)
        fresh = [event_id for event_id in now_stored if event_id > stored[-1]]
        live = [(await client.next_data("feed"))["projectProgress"] for _ in fresh]
        assert [int(event["id"]) for event in live] == fresh  # no duplicate, no gap, in order
        kinds = {event["kind"] for event in live}
        assert {"CONTRACT_SIGNED", "RECORD_FILED", "PROJECT_STATUS_CHANGED"} <= kinds
        await client.expect_silence()


async def test_a_cursor_that_is_not_an_event_id_is_refused(
    live_server: LiveServer, protocol: str
) -> None:
    scene = await Renovation.build(live_server.api, live_server.app, team=True)
    async with live_server.session(protocol, scene.customer) as client:
        await client.subscribe("feed", PROGRESS, {"id": scene.project_id, "after": "yesterday"})
        assert await client.refusal_code("feed") == "BAD_USER_INPUT"


async def test_someone_taken_off_the_team_stops_receiving_at_once(
    live_server: LiveServer, protocol: str
) -> None:
    scene = await Renovation.build(live_server.api, live_server.app, team=True)
    replacement = await verified_firm(live_server.api, scene.admin, "SUPERVISION", "SUPERVISOR")
    variables = {"id": scene.project_id}
    async with (
        live_server.session(protocol, scene.supervisor) as dropped,
        live_server.session(protocol, scene.customer) as customer,
    ):
        for client in (dropped, customer):
            await client.subscribe("feed", PROGRESS, variables)
            await client.barrier()

        # before the contract the customer may still change the team
        team = {
            **scene.team_input(),
            "supervisionEnterpriseId": replacement.enterprise_id,
            "supervisorId": replacement.person.id,
        }
        await scene.api.ok(ASSIGN_TEAM, {"id": scene.project_id, "input": team}, scene.customer)
        await _draft(scene)

        kinds = [(await customer.next_data("feed"))["projectProgress"]["kind"] for _ in range(2)]
        assert kinds == ["TEAM_ASSIGNED", "CONTRACT_DRAFTED"]
        await dropped.expect_silence()  # not even the news of their own removal, live

    async with live_server.session(protocol, scene.supervisor) as again:
        await again.subscribe("feed", PROGRESS, variables)
        assert await again.refusal_code("feed") == "NOT_FOUND"
    async with live_server.session(protocol, replacement.person) as newcomer:
        await newcomer.subscribe("feed", PROGRESS, variables)
        await newcomer.barrier()


async def test_matrix_every_participant_may_follow_and_no_one_else(
    live_server: LiveServer, protocol: str
) -> None:
    scene = await Renovation.build(live_server.api, live_server.app, team=True)
    for name, actor in scene.actors().items():
        async with live_server.session(protocol, actor) as client:
            await client.subscribe("feed", PROGRESS, {"id": scene.project_id})
            if name in PARTICIPANTS:
                await client.barrier()  # subscribed: nothing refused, nothing sent
                await client.expect_nothing_pending()
            else:
                expected = "UNAUTHENTICATED" if actor is None else "NOT_FOUND"
                assert await client.refusal_code("feed") == expected, name
