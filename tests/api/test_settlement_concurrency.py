"""Races the escrow must survive. Real on PostgreSQL (TEST_DATABASE_URL), where the requests
overlap; on SQLite, which serialises writers, the same scenarios run one by one. The escrow
invariants are checked after every scenario, in the database and against the API."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from models import EscrowEntry, EscrowKind, Milestone, MilestoneStatus, Notification, Project, User
from resolvers import settlement
from tests.support.api import Api
from tests.support.renovation import CONTRACT_TOTAL_CENTS, Renovation
from tests.support.settlement import (
    STAGE_CENTS,
    approve,
    assert_statement_consistent,
    deposit,
    deposit_call,
    escrow_stays_consistent,
    passed_scene,
    project_status,
)

__all__ = ["escrow_stays_consistent"]  # the autouse fixture, applied here too

pytestmark = pytest.mark.postgres

APPROVE = "mutation($id: ID!) { approveMilestone(milestoneId: $id) { id status } }"


def outcome(bodies: list[dict[str, Any]]) -> Counter[str]:
    return Counter(
        body["errors"][0]["extensions"]["code"] if "errors" in body else "OK" for body in bodies
    )


async def assert_nothing_left_releasable(scene: Renovation, held: int) -> None:
    """Once the dust settles no approved stage is stuck: the first unpaid approved stage (in
    contract order) costs more than the escrow holds."""
    waiting = await Milestone.filter(
        project_id=int(scene.project_id), status=MilestoneStatus.APPROVED, released_at=None
    ).order_by("position")
    if waiting:
        assert waiting[0].amount_cents > held, (waiting[0].position, held)


async def test_concurrent_approvals_against_a_deposit_covering_only_some(
    api: Api, app: Any
) -> None:
    scene, milestones = await passed_scene(api, app)
    covered = STAGE_CENTS[0] + STAGE_CENTS[1]  # 18,000.00 of 40,000.00
    await deposit(api, scene, covered, "first-instalment")

    bodies = await asyncio.gather(
        *(api.call(APPROVE, {"id": m["id"]}, scene.customer) for m in milestones)
    )

    assert outcome(bodies) == {"OK": 5}  # approving never waits for money
    shown = await assert_statement_consistent(api, scene)
    assert shown["depositedCents"] == covered
    assert 0 < shown["releasedCents"] <= covered
    released = [e["milestoneId"] for e in shown["entries"] if e["kind"] == "RELEASE"]
    assert len(released) == len(set(released))  # each stage at most once
    assert shown["pendingReleaseCents"] == CONTRACT_TOTAL_CENTS - shown["releasedCents"]
    await assert_nothing_left_releasable(scene, shown["heldCents"])
    assert await project_status(api, scene) == "AWAITING_ACCEPTANCE"

    await deposit(api, scene, CONTRACT_TOTAL_CENTS - covered, "the-rest")
    shown = await assert_statement_consistent(api, scene)
    assert shown["releasedCents"] == CONTRACT_TOTAL_CENTS
    assert shown["heldCents"] == shown["pendingReleaseCents"] == 0
    assert await EscrowEntry.filter(project_id=int(scene.project_id), kind="RELEASE").count() == 5


async def test_concurrent_deposits_with_one_reference_are_recorded_once(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)

    bodies = await asyncio.gather(*(deposit_call(api, scene, 700_000, "WIRE-7") for _ in range(20)))

    assert outcome(bodies) == {"OK": 20}
    assert len({body["data"]["depositToEscrow"]["id"] for body in bodies}) == 1
    shown = await assert_statement_consistent(api, scene)
    assert shown["depositedCents"] == 700_000
    assert len(shown["entries"]) == 1
    assert await Notification.filter(kind="DEPOSIT_RECORDED").count() == 2  # owner + PM, once


async def test_concurrent_deposits_beyond_the_total_are_capped(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)

    bodies = await asyncio.gather(
        *(deposit_call(api, scene, 400_000, f"part-{n}") for n in range(12))
    )

    assert outcome(bodies) == {"OK": 10, "BAD_USER_INPUT": 2}
    shown = await assert_statement_consistent(api, scene)
    assert shown["depositedCents"] == CONTRACT_TOTAL_CENTS
    assert shown["outstandingCents"] == 0
    assert len(shown["entries"]) == 10


async def test_concurrent_deposits_and_approvals_settle_everything_once(api: Api, app: Any) -> None:
    scene, milestones = await passed_scene(api, app)
    instalment = CONTRACT_TOTAL_CENTS // 8

    bodies = await asyncio.gather(
        *(api.call(APPROVE, {"id": m["id"]}, scene.customer) for m in milestones),
        *(deposit_call(api, scene, instalment, f"instalment-{n}") for n in range(8)),
        *(deposit_call(api, scene, instalment, "instalment-0") for _ in range(4)),  # retries
    )

    assert outcome(bodies) == {"OK": 17}
    shown = await assert_statement_consistent(api, scene)
    assert shown["depositedCents"] == shown["releasedCents"] == CONTRACT_TOTAL_CENTS
    assert shown["heldCents"] == shown["pendingReleaseCents"] == 0
    assert [e["kind"] for e in shown["entries"]].count("DEPOSIT") == 8
    assert [e["kind"] for e in shown["entries"]].count("RELEASE") == 5
    assert await Notification.filter(kind="PAYMENT_RELEASED").count() == 10  # 5 stages x 2


async def test_concurrent_release_calls_pay_a_stage_once_and_never_beyond_deposits(
    api: Api, app: Any
) -> None:
    """What approveMilestone and depositToEscrow call, raced directly: two approved stages,
    money for one; ten callers at once release it exactly once and leave the other waiting."""
    scene, milestones = await passed_scene(api, app)
    for milestone in milestones[:2]:
        await approve(api, scene, milestone["id"])  # nothing deposited: nothing released
    project_id = int(scene.project_id)
    # A deposit whose release has not run yet (as if the process stopped between the two).
    async with in_transaction():
        await Project.filter(id=project_id).update(deposited_cents=STAGE_CENTS[0] + 5)
        await EscrowEntry.create(
            project_id=project_id,
            kind=EscrowKind.DEPOSIT,
            amount_cents=STAGE_CENTS[0] + 5,
            external_reference="unreleased",
            held_after_cents=STAGE_CENTS[0] + 5,
            recorded_by_id=int(scene.customer.id),
        )
    user = await User.get(id=int(scene.customer.id))
    state = app.state.fixhub

    async def release() -> int:
        ctx = state.context(user)
        async with ctx.write():
            project = await Project.get(id=project_id)
            return len(await settlement.release_approved(ctx, project, user.id))

    released = await asyncio.gather(*(release() for _ in range(10)))

    assert sorted(released) == [0] * 9 + [1]
    shown = await assert_statement_consistent(api, scene)
    assert shown["releasedCents"] == STAGE_CENTS[0]
    assert shown["heldCents"] == 5
    assert shown["pendingReleaseCents"] == STAGE_CENTS[1]
    assert [e["milestoneId"] for e in shown["entries"] if e["kind"] == "RELEASE"] == [
        milestones[0]["id"]
    ]
    assert await Notification.filter(kind="PAYMENT_RELEASED").count() == 2
