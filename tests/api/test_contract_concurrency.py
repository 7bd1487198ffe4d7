"""Races the contract must survive, on PostgreSQL where the requests really overlap: the
signature that completes the contract files it exactly once, and a redraft racing a signature
leaves either a filed contract or a clean new revision, never a mix."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from models import Contract, Milestone, Notification, Project, ProjectEvent, ProjectRecord
from tests.support.api import Api
from tests.support.contracts import DRAFT, SIGN, contract_input, draft
from tests.support.renovation import CONTRACT_TOTAL_CENTS, STAGES, Renovation
from tests.support.services import requires_postgres

pytestmark = [pytest.mark.postgres, requires_postgres]


def outcome(bodies: list[dict[str, Any]]) -> Counter[str]:
    return Counter(
        body["errors"][0]["extensions"]["code"] if "errors" in body else "OK" for body in bodies
    )


async def assert_filed_once(project_id: str, total_cents: int = CONTRACT_TOTAL_CENTS) -> None:
    ident = int(project_id)
    records = await ProjectRecord.filter(project_id=ident, kind="CONTRACT")
    assert len(records) == 1
    contract = await Contract.get(project_id=ident)
    assert contract.status == "FILED" and contract.record_id == records[0].id
    milestones = await Milestone.filter(project_id=ident).order_by("position")
    assert [m.position for m in milestones] == list(range(1, len(STAGES) + 1))
    assert sum(m.amount_cents for m in milestones) == total_cents
    assert (await Project.get(id=ident)).status == "IN_PROGRESS"
    events = await ProjectEvent.filter(project_id=ident).values_list("kind", "data")
    kinds = [kind for kind, _ in events]
    started = [
        d for k, d in events if k == "PROJECT_STATUS_CHANGED" and d["status"] == "IN_PROGRESS"
    ]
    assert len(started) == 1
    assert kinds.count("CONTRACT_SIGNED") == 2
    assert kinds.count("RECORD_FILED") == 1


async def test_both_sides_sign_at_the_same_moment(api: Api, app: Any) -> None:
    for _ in range(5):  # several projects: the race goes either way
        scene = await Renovation.build(api, app, team=True)
        revision = (await draft(api, scene))["revision"]

        bodies = await asyncio.gather(
            *(
                api.call(SIGN, {"id": scene.project_id, "revision": revision}, signer)
                for signer in (scene.customer, scene.decoration_owner)
            )
        )

        assert outcome(bodies) == {"OK": 2}
        assert {body["data"]["signContract"]["status"] for body in bodies} <= {"DRAFT", "FILED"}
        assert "FILED" in {body["data"]["signContract"]["status"] for body in bodies}
        await assert_filed_once(scene.project_id)


async def test_every_signer_at_once_many_times(api: Api, app: Any) -> None:
    """The customer, the project manager and the firm owner each sign several times at once
    (double clicks, retries): one filing, one set of milestones, one CONTRACT_FILED each."""
    scene = await Renovation.build(api, app, team=True)
    revision = (await draft(api, scene))["revision"]
    signers = [scene.customer, scene.project_manager, scene.decoration_owner] * 4

    bodies = await asyncio.gather(
        *(api.call(SIGN, {"id": scene.project_id, "revision": revision}, s) for s in signers)
    )

    assert outcome(bodies) == {"OK": len(signers)}
    await assert_filed_once(scene.project_id)
    filed_notes = await Notification.filter(kind="CONTRACT_FILED").values_list("user_id", flat=True)
    assert len(filed_notes) == len(set(filed_notes))


async def test_redraft_racing_the_completing_signature(api: Api, app: Any) -> None:
    """Either the signature wins (filed; the redraft is INVALID_STATE) or the redraft wins
    (revision 2, no signatures; the stale signature is CONFLICT). Never both, never a mix."""
    results: Counter[str] = Counter()
    for _ in range(6):
        scene = await Renovation.build(api, app, team=True)
        revision = (await draft(api, scene))["revision"]
        await api.ok(SIGN, {"id": scene.project_id, "revision": revision}, scene.customer)

        signed, redrafted = await asyncio.gather(
            api.call(SIGN, {"id": scene.project_id, "revision": revision}, scene.decoration_owner),
            api.call(
                DRAFT,
                {"id": scene.project_id, "input": contract_input(total_cents=2_000_000)},
                scene.project_manager,
            ),
        )

        contract = await Contract.get(project_id=int(scene.project_id))
        if "errors" not in signed:
            results["signature first"] += 1
            assert redrafted["errors"][0]["extensions"] == {
                "code": "INVALID_STATE",
                "status": "FILED",
            }
            await assert_filed_once(scene.project_id)
        else:
            results["redraft first"] += 1
            assert signed["errors"][0]["extensions"] == {"code": "CONFLICT", "revision": 2}
            assert "errors" not in redrafted
            assert (contract.status, contract.revision) == ("DRAFT", 2)
            assert contract.customer_signed_at is None and contract.enterprise_signed_at is None
            assert await ProjectRecord.filter(project_id=int(scene.project_id)).count() == 0
            assert await Milestone.filter(project_id=int(scene.project_id)).count() == 0
    assert sum(results.values()) == 6


async def test_concurrent_first_drafts_make_one_contract(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)

    bodies = await asyncio.gather(
        *(
            api.call(
                DRAFT, {"id": scene.project_id, "input": contract_input()}, scene.project_manager
            )
            for _ in range(5)
        )
    )

    assert outcome(bodies) == {"OK": 5}
    assert sorted(body["data"]["draftContract"]["revision"] for body in bodies) == [1, 2, 3, 4, 5]
    assert await Contract.filter(project_id=int(scene.project_id)).count() == 1
