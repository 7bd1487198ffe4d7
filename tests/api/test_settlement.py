"""The escrow of a renovation: deposits, stage releases on approval, the statement, who may do
what, and the escrow invariants after every scenario (checked in the database and against the
API)."""

from __future__ import annotations

from typing import Any

import pytest

from models import (
    EscrowEntry,
    Milestone,
    Notification,
    Project,
    ProjectEvent,
    User,
)
from resolvers import settlement
from tests.support.api import Api
from tests.support.query_count import StatementCounter
from tests.support.renovation import CONTRACT_TOTAL_CENTS, Renovation
from tests.support.settlement import (
    DEPOSIT,
    STAGE_CENTS,
    STATEMENT,
    approve,
    assert_statement_consistent,
    check_matrix,
    deposit,
    deposit_call,
    escrow_stays_consistent,
    matrix,
    passed_scene,
    project_status,
    statement,
)

__all__ = ["escrow_stays_consistent"]  # the autouse fixture, applied here too


# --- helpers, shared with test_settlement_concurrency.py and test_acceptance.py ----------------


# --- deposits and releases ---------------------------------------------------------------------


async def test_approved_stages_are_released_once_each_from_a_funded_escrow(
    api: Api, app: Any
) -> None:
    scene, milestones = await passed_scene(api, app)
    entry = await deposit(api, scene, CONTRACT_TOTAL_CENTS, "SEPA-0001")
    assert entry["kind"] == "DEPOSIT"
    assert entry["amountCents"] == CONTRACT_TOTAL_CENTS
    assert entry["externalReference"] == "SEPA-0001"
    assert entry["milestoneId"] is None
    assert entry["heldAfterCents"] == CONTRACT_TOTAL_CENTS
    assert entry["recordedBy"] == {"id": scene.customer.id}

    held = CONTRACT_TOTAL_CENTS
    for milestone, amount in zip(milestones, STAGE_CENTS, strict=True):
        approved = await approve(api, scene, milestone["id"])
        assert approved["status"] == "APPROVED"
        assert approved["releasedAt"] is not None
        held -= amount
        shown = await assert_statement_consistent(api, scene)
        assert shown["heldCents"] == held
        last = shown["entries"][-1]
        assert (last["kind"], last["milestoneId"], last["amountCents"]) == (
            "RELEASE",
            milestone["id"],
            amount,
        )
        assert last["heldAfterCents"] == held

    shown = await assert_statement_consistent(api, scene)
    assert shown["currency"] == "CNY"
    assert shown["contractTotalCents"] == CONTRACT_TOTAL_CENTS
    assert shown["depositedCents"] == shown["releasedCents"] == CONTRACT_TOTAL_CENTS
    assert shown["heldCents"] == shown["pendingReleaseCents"] == shown["outstandingCents"] == 0
    assert [e["kind"] for e in shown["entries"]] == ["DEPOSIT"] + ["RELEASE"] * 5
    assert all(stage["releasedAt"] for stage in shown["stages"])
    assert await project_status(api, scene) == "AWAITING_ACCEPTANCE"

    # Who hears of it: the payee (the decoration firm's owner) and the customer, per stage.
    released = await Notification.filter(kind="PAYMENT_RELEASED").values_list("user_id", flat=True)
    assert sorted(released) == sorted(
        [int(scene.customer.id)] * 5 + [int(scene.decoration_owner.id)] * 5
    )
    deposited = await Notification.filter(kind="DEPOSIT_RECORDED").values_list("user_id", flat=True)
    assert sorted(deposited) == sorted(
        [int(scene.decoration_owner.id), int(scene.project_manager.id)]
    )
    feed = await ProjectEvent.filter(
        project_id=int(scene.project_id), kind="PAYMENT_RECORDED"
    ).order_by("id")
    assert [event.data["entryKind"] for event in feed] == ["DEPOSIT"] + ["RELEASE"] * 5
    assert [event.data.get("milestoneId") for event in feed[1:]] == [
        int(m["id"]) for m in milestones
    ]


async def test_an_approval_before_the_deposit_waits_and_a_later_deposit_releases_it(
    api: Api, app: Any
) -> None:
    scene, milestones = await passed_scene(api, app)
    first = milestones[0]

    approved = await approve(api, scene, first["id"])
    assert approved["status"] == "APPROVED"
    assert approved["releasedAt"] is None  # nothing deposited: nothing released
    shown = await assert_statement_consistent(api, scene)
    assert shown["releasedCents"] == 0
    assert shown["pendingReleaseCents"] == STAGE_CENTS[0]
    assert shown["stages"][0]["releasedAt"] is None

    await deposit(api, scene, STAGE_CENTS[0] - 1, "part-1")  # one cent short
    shown = await assert_statement_consistent(api, scene)
    assert shown["releasedCents"] == 0
    assert shown["heldCents"] == STAGE_CENTS[0] - 1
    assert shown["pendingReleaseCents"] == STAGE_CENTS[0]

    entry = await deposit(api, scene, 1, "part-2")  # the last cent releases the stage
    assert entry["heldAfterCents"] == STAGE_CENTS[0]  # right after the deposit itself
    shown = await assert_statement_consistent(api, scene)
    assert shown["releasedCents"] == STAGE_CENTS[0]
    assert shown["heldCents"] == shown["pendingReleaseCents"] == 0
    release = shown["entries"][-1]
    assert (release["kind"], release["milestoneId"], release["heldAfterCents"]) == (
        "RELEASE",
        first["id"],
        0,
    )
    assert release["recordedBy"] == {"id": scene.customer.id}  # the deposit released it
    assert shown["stages"][0]["releasedAt"] is not None
    milestone = await Milestone.get(id=int(first["id"]))
    assert milestone.released_at is not None


async def test_stages_are_paid_in_contract_order(api: Api, app: Any) -> None:
    """A later stage never overtakes an earlier approved one that the escrow cannot cover."""
    scene, milestones = await passed_scene(api, app)
    second, third = milestones[1], milestones[2]  # 10,000.00 and 8,000.00
    await approve(api, scene, second["id"])
    await approve(api, scene, third["id"])

    await deposit(api, scene, STAGE_CENTS[2], "covers-the-third-only")
    shown = await assert_statement_consistent(api, scene)
    assert shown["releasedCents"] == 0  # the third waits behind the second
    assert shown["pendingReleaseCents"] == STAGE_CENTS[1] + STAGE_CENTS[2]

    await deposit(api, scene, STAGE_CENTS[1] - STAGE_CENTS[2], "tops-up-the-second")
    shown = await assert_statement_consistent(api, scene)
    assert [e["milestoneId"] for e in shown["entries"] if e["kind"] == "RELEASE"] == [second["id"]]
    assert shown["heldCents"] == 0
    assert shown["pendingReleaseCents"] == STAGE_CENTS[2]

    await deposit(api, scene, STAGE_CENTS[2], "the-third")
    shown = await assert_statement_consistent(api, scene)
    assert [e["milestoneId"] for e in shown["entries"] if e["kind"] == "RELEASE"] == [
        second["id"],
        third["id"],
    ]
    assert shown["pendingReleaseCents"] == 0
    # The first stage, approved last, is paid as soon as it is approved and covered.
    await deposit(api, scene, STAGE_CENTS[0], "the-first")
    await approve(api, scene, milestones[0]["id"])
    shown = await assert_statement_consistent(api, scene)
    assert shown["releasedCents"] == sum(STAGE_CENTS[:3])


async def test_one_deposit_releases_every_covered_stage_at_once(api: Api, app: Any) -> None:
    scene, milestones = await passed_scene(api, app)
    for milestone in milestones[:3]:
        await approve(api, scene, milestone["id"])
    await deposit(api, scene, sum(STAGE_CENTS[:2]) + 5, "two-stages-and-change")
    shown = await assert_statement_consistent(api, scene)
    assert [e["kind"] for e in shown["entries"]] == ["DEPOSIT", "RELEASE", "RELEASE"]
    assert [e["heldAfterCents"] for e in shown["entries"]] == [
        sum(STAGE_CENTS[:2]) + 5,
        STAGE_CENTS[1] + 5,
        5,
    ]
    assert shown["pendingReleaseCents"] == STAGE_CENTS[2]


async def test_release_approved_twice_releases_nothing_more(api: Api, app: Any) -> None:
    """What approveMilestone and depositToEscrow call: a repeat (a retry, a second caller)
    finds nothing left to release."""
    scene, milestones = await passed_scene(api, app)
    await deposit(api, scene, CONTRACT_TOTAL_CENTS, "all")
    await approve(api, scene, milestones[0]["id"])
    project = await Project.get(id=int(scene.project_id))
    user = await User.get(id=int(scene.customer.id))
    ctx = app.state.fixhub.context(user)
    for _ in range(2):
        async with ctx.write():
            assert await settlement.release_approved(ctx, project, user.id) == []
    shown = await assert_statement_consistent(api, scene)
    assert shown["releasedCents"] == STAGE_CENTS[0]


# --- idempotency, the cap, validation ----------------------------------------------------------


async def test_a_deposit_retried_with_its_reference_is_recorded_once(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    first = await deposit(api, scene, 500_000, "TRX-42")
    again = await deposit(api, scene, 500_000, "TRX-42")
    assert again == first
    padded = await deposit(api, scene, 500_000, "  TRX-42 ")  # the reference is trimmed
    assert padded == first

    body = await deposit_call(api, scene, 600_000, "TRX-42")
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert body["errors"][0]["extensions"]["field"] == "externalReference"
    assert body["errors"][0]["message"] == (
        "externalReference 'TRX-42' already recorded a deposit of 500000 cents; "
        "a different payment needs its own reference."
    )
    shown = await assert_statement_consistent(api, scene)
    assert shown["depositedCents"] == 500_000
    assert len(shown["entries"]) == 1
    assert await Notification.filter(kind="DEPOSIT_RECORDED").count() == 2  # owner + PM, once


async def test_deposits_are_capped_at_the_contract_total(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await deposit(api, scene, CONTRACT_TOTAL_CENTS - 100, "most")

    body = await deposit_call(api, scene, 101, "one-cent-too-many")
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "amountCents"}
    assert body["errors"][0]["message"] == (
        "Deposits are capped at the contract total of 40,000.00 CNY; at most 1.00 CNY "
        "(100 cents) more can be deposited."
    )
    await deposit(api, scene, 100, "the-rest")
    body = await deposit_call(api, scene, 1, "anything-more")
    assert body["errors"][0]["message"] == (
        "Deposits are capped at the contract total of 40,000.00 CNY; the escrow is fully funded."
    )
    shown = await assert_statement_consistent(api, scene)
    assert shown["depositedCents"] == CONTRACT_TOTAL_CENTS
    assert shown["outstandingCents"] == 0
    assert len(shown["entries"]) == 2


@pytest.mark.parametrize(
    ("amount", "reference", "field"),
    [
        (0, "ref", "amountCents"),
        (-500, "ref", "amountCents"),
        (100, "   ", "externalReference"),
        (100, "x" * 101, "externalReference"),
    ],
)
async def test_invalid_deposits_are_refused(
    api: Api, app: Any, amount: int, reference: str, field: str
) -> None:
    scene = await Renovation.build(api, app, contract=True)
    body = await deposit_call(api, scene, amount, reference)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await EscrowEntry.filter(project_id=int(scene.project_id)).count() == 0


async def test_deposits_need_a_filed_contract(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=False)  # PLANNING
    body = await deposit_call(api, scene, 100, "early")
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "PLANNING"}
    await scene.assign_team()  # CONTRACTING, contract not signed yet
    body = await deposit_call(api, scene, 100, "early")
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "CONTRACTING"}
    assert await EscrowEntry.all().count() == 0
    shown = await statement(api, scene)
    assert shown["contractTotalCents"] == 0
    assert shown["entries"] == shown["stages"] == []


async def test_an_unknown_project_is_not_found(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    for project_id in ("999999", "not-a-number"):
        body = await api.call(
            DEPOSIT,
            {"id": project_id, "input": {"amountCents": 1, "externalReference": "x"}},
            scene.customer,
        )
        assert body["errors"][0]["extensions"]["code"] in {"NOT_FOUND", "BAD_USER_INPUT"}
        body = await api.call(STATEMENT, {"id": project_id}, scene.customer)
        assert body["errors"][0]["extensions"]["code"] in {"NOT_FOUND", "BAD_USER_INPUT"}


# --- who may ----------------------------------------------------------------------------------


async def test_only_the_customer_deposits_and_refusals_change_nothing(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)

    def variables(role: str) -> dict[str, Any]:
        return {
            "id": scene.project_id,
            "input": {"amountCents": 1_000, "externalReference": f"by-{role}"},
        }

    expected = matrix({"customer"})
    await check_matrix(api, scene, DEPOSIT, variables, expected, refused_only=True)
    shown = await assert_statement_consistent(api, scene)
    assert shown["entries"] == [] and shown["depositedCents"] == 0
    assert await Notification.filter(kind="DEPOSIT_RECORDED").count() == 0
    await check_matrix(api, scene, DEPOSIT, variables, expected)
    shown = await assert_statement_consistent(api, scene)
    assert [e["externalReference"] for e in shown["entries"]] == ["by-customer"]


async def test_who_sees_the_statement(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await deposit(api, scene, 1_000, "seen")
    expected = matrix({"customer", "project_manager", "supervisor", "decoration_owner", "admin"})
    await check_matrix(api, scene, STATEMENT, {"id": scene.project_id}, expected)


# --- no N+1 ------------------------------------------------------------------------------------


async def _statements_for(
    api: Api, scene: Renovation, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, dict[str, Any]]:
    counter = StatementCounter()
    with monkeypatch.context() as patch:
        counter.wrap(patch)
        shown = await statement(api, scene)
    return len(counter.statements), shown


async def test_the_statement_costs_the_same_sql_for_1_entry_and_40(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, _ = await passed_scene(api, app)
    await deposit(api, small, 1_000, "only")
    one, shown = await _statements_for(api, small, monkeypatch)
    assert len(shown["entries"]) == 1

    large, milestones = await passed_scene(api, app)
    for milestone in milestones:
        await approve(api, large, milestone["id"])
    instalment = CONTRACT_TOTAL_CENTS // 35
    for n in range(34):
        await deposit(api, large, instalment, f"instalment-{n}")
    await deposit(api, large, CONTRACT_TOTAL_CENTS - 34 * instalment, "the-last")
    many, shown = await _statements_for(api, large, monkeypatch)
    assert len(shown["entries"]) == 40
    assert one == many
    # viewer, project, policy's enterprises, contract, milestones, entries, recordedBy users
    assert one <= 7
