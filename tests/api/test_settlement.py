"""The escrow of a renovation: deposits, stage releases on approval, the statement, who may do
what, and the escrow invariants after every scenario (checked in the database and against the
API)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tortoise import connections

from models import (
    EscrowEntry,
    Milestone,
    Notification,
    Project,
    ProjectEvent,
    User,
)
from resolvers import settlement
from tests.api.test_query_count import StatementCounter
from tests.conftest import Actor, Api
from tests.renovation import CONTRACT_TOTAL_CENTS, Renovation

OK = "OK"
# The five stages of tests.renovation: 20/25/20/20/15 % of 40,000.00.
STAGE_CENTS = [800_000, 1_000_000, 800_000, 800_000, 600_000]

DEPOSIT = """mutation($id: ID!, $input: DepositInput!) {
  depositToEscrow(projectId: $id, input: $input) {
    id kind amountCents externalReference milestoneId heldAfterCents
    recordedBy { id } createdAt } }"""
STATEMENT = """query($id: ID!) { projectStatement(projectId: $id) {
  currency contractTotalCents depositedCents releasedCents heldCents pendingReleaseCents
  outstandingCents
  entries { id kind amountCents externalReference milestoneId heldAfterCents recordedBy { id }
    createdAt milestone { id position } }
  stages { amountCents releasedAt milestone { id position status amountCents releasedAt } } } }"""
REPORT = """mutation($id: ID!, $input: ProgressInput!) {
  reportProgress(milestoneId: $id, input: $input) { id } }"""
READY = "mutation($id: ID!) { markMilestoneReady(milestoneId: $id) { id status } }"
INSPECT = """mutation($id: ID!, $input: InspectionInput!) {
  inspectMilestone(milestoneId: $id, input: $input) { id passed } }"""
APPROVE = "mutation($id: ID!) { approveMilestone(milestoneId: $id) { id status releasedAt } }"
PROJECT_STATUS = "query($id: ID!) { project(id: $id) { id status openDefects acceptedAt } }"


# --- helpers, shared with test_settlement_concurrency.py and test_acceptance.py ----------------


async def deposit_call(
    api: Api, scene: Renovation, amount: int, reference: str, actor: Actor | None = None
) -> dict[str, Any]:
    variables = {
        "id": scene.project_id,
        "input": {"amountCents": amount, "externalReference": reference},
    }
    return await api.call(DEPOSIT, variables, actor or scene.customer)


async def deposit(api: Api, scene: Renovation, amount: int, reference: str) -> dict[str, Any]:
    body = await deposit_call(api, scene, amount, reference)
    assert "errors" not in body, body
    return body["data"]["depositToEscrow"]


async def statement(api: Api, scene: Renovation, actor: Actor | None = None) -> dict[str, Any]:
    data = await api.ok(STATEMENT, {"id": scene.project_id}, actor or scene.customer)
    return data["projectStatement"]


async def pass_milestone(api: Api, scene: Renovation, milestone_id: str) -> None:
    """Reported done, ready, and passed by the supervisor: it waits for the customer."""
    progress = {"percent": 100, "note": "Done.", "photoUrls": []}
    await api.ok(REPORT, {"id": milestone_id, "input": progress}, scene.project_manager)
    await api.ok(READY, {"id": milestone_id}, scene.project_manager)
    verdict = {"passed": True, "findings": "All good.", "photoUrls": []}
    await api.ok(INSPECT, {"id": milestone_id, "input": verdict}, scene.supervisor)


async def approve(api: Api, scene: Renovation, milestone_id: str) -> dict[str, Any]:
    return (await api.ok(APPROVE, {"id": milestone_id}, scene.customer))["approveMilestone"]


async def passed_scene(api: Api, app: Any) -> tuple[Renovation, list[dict[str, Any]]]:
    """A signed contract whose five milestones all wait for the customer's approval."""
    scene = await Renovation.build(api, app, contract=True)
    milestones = await scene.milestones()
    for milestone in milestones:
        await pass_milestone(api, scene, milestone["id"])
    return scene, milestones


async def project_status(api: Api, scene: Renovation) -> str:
    data = await api.ok(PROJECT_STATUS, {"id": scene.project_id}, scene.customer)
    return data["project"]["status"]


async def assert_escrow_consistent_in_db() -> None:
    """For every project, straight from the tables: the ledger sums to the project's totals,
    each entry's held_after is the running balance in ledger order and never negative,
    deposits stay within the contract total, and each released milestone has exactly one
    RELEASE entry of its amount (and only approved milestones are released)."""
    db = connections.get("default")
    projects = await db.execute_query_dict(
        "SELECT p.id, p.deposited_cents, p.released_cents, c.total_cents FROM projects p "
        "LEFT JOIN contracts c ON c.project_id = p.id AND c.status = 'FILED'"
    )
    entries = await db.execute_query_dict(
        "SELECT project_id, kind, amount_cents, held_after_cents, milestone_id, created_at "
        "FROM escrow_entries ORDER BY project_id, id"
    )
    milestones = await db.execute_query_dict(
        "SELECT id, project_id, status, amount_cents, released_at FROM milestones"
    )
    running: dict[int, tuple[int, int]] = {}
    releases: dict[int, dict[str, Any]] = {}
    for entry in entries:
        deposited, released = running.get(entry["project_id"], (0, 0))
        if entry["kind"] == "DEPOSIT":
            assert entry["milestone_id"] is None, entry
            deposited += int(entry["amount_cents"])
        else:
            assert entry["kind"] == "RELEASE", entry
            assert entry["milestone_id"] not in releases, entry  # one release per stage
            releases[entry["milestone_id"]] = entry
            released += int(entry["amount_cents"])
        running[entry["project_id"]] = (deposited, released)
        assert int(entry["held_after_cents"]) == deposited - released >= 0, entry
    for project in projects:
        deposited, released = running.get(project["id"], (0, 0))
        assert (int(project["deposited_cents"]), int(project["released_cents"])) == (
            deposited,
            released,
        ), project
        assert 0 <= released <= deposited, project
        if project["total_cents"] is not None:
            assert deposited <= int(project["total_cents"]), project
        else:
            assert deposited == 0, project
    for milestone in milestones:
        release = releases.pop(milestone["id"], None)
        if milestone["released_at"] is None:
            assert release is None, milestone
            continue
        assert release is not None, milestone
        assert milestone["status"] == "APPROVED", milestone
        assert int(release["amount_cents"]) == int(milestone["amount_cents"]), milestone
        assert release["project_id"] == milestone["project_id"], milestone
    assert not releases  # every RELEASE names a released milestone


async def assert_statement_consistent(api: Api, scene: Renovation) -> dict[str, Any]:
    """The statement adds up by itself, and agrees with the database."""
    await assert_escrow_consistent_in_db()
    shown = await statement(api, scene)
    deposits = [e["amountCents"] for e in shown["entries"] if e["kind"] == "DEPOSIT"]
    releases = [e["amountCents"] for e in shown["entries"] if e["kind"] == "RELEASE"]
    assert shown["depositedCents"] == sum(deposits)
    assert shown["releasedCents"] == sum(releases)
    assert shown["heldCents"] == shown["depositedCents"] - shown["releasedCents"] >= 0
    assert shown["outstandingCents"] == shown["contractTotalCents"] - shown["depositedCents"] >= 0
    held = 0
    for entry in shown["entries"]:
        held += entry["amountCents"] if entry["kind"] == "DEPOSIT" else -entry["amountCents"]
        assert entry["heldAfterCents"] == held >= 0, entry
        if entry["kind"] == "RELEASE":
            assert entry["milestone"]["id"] == entry["milestoneId"], entry
            assert entry["externalReference"] is None, entry
        else:
            assert entry["milestone"] is None and entry["externalReference"], entry
    released_at = {e["milestoneId"]: e["createdAt"] for e in shown["entries"] if e["milestoneId"]}
    pending = 0
    for stage in shown["stages"]:
        milestone = stage["milestone"]
        assert stage["amountCents"] == milestone["amountCents"]
        assert stage["releasedAt"] == released_at.get(milestone["id"])
        assert stage["releasedAt"] == milestone["releasedAt"]  # the same moment, both sides
        if milestone["status"] == "APPROVED" and stage["releasedAt"] is None:
            pending += stage["amountCents"]
    assert shown["pendingReleaseCents"] == pending
    assert [s["milestone"]["position"] for s in shown["stages"]] == sorted(
        s["milestone"]["position"] for s in shown["stages"]
    )
    if shown["stages"]:
        assert sum(s["amountCents"] for s in shown["stages"]) == shown["contractTotalCents"]
    project = await Project.get(id=int(scene.project_id))
    assert (shown["depositedCents"], shown["releasedCents"]) == (
        project.deposited_cents,
        project.released_cents,
    )
    rows = await EscrowEntry.filter(project_id=project.id).order_by("id")
    assert [e["id"] for e in shown["entries"]] == [str(row.id) for row in rows]
    return shown


@pytest.fixture(autouse=True)
async def escrow_stays_consistent(app: Any) -> AsyncIterator[None]:
    """Whatever a test did, the escrow invariants hold in the database afterwards."""
    yield
    await assert_escrow_consistent_in_db()


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


FORBIDDEN_PARTIES = (
    "designer",
    "project_manager",
    "supervisor",
    "material_budgeter",
    "decoration_owner",
    "supplier_owner",
    "admin",
)
OUTSIDERS = {"other_customer": "NOT_FOUND", "worker": "NOT_FOUND", "other_staff": "NOT_FOUND"}


def matrix(allowed: set[str], refused_parties: str = "FORBIDDEN") -> dict[str, str]:
    expected = {"anonymous": "UNAUTHENTICATED", **OUTSIDERS}
    for role in ("customer", *FORBIDDEN_PARTIES):
        expected[role] = OK if role in allowed else refused_parties
    return expected


async def check_matrix(
    api: Api,
    scene: Renovation,
    query: str,
    variables: dict[str, Any] | Any,
    expected: dict[str, str],
    *,
    refused_only: bool = False,
) -> None:
    """Every standing of Renovation.actors(), refused ones first, each with its exact code.
    `variables` may be a function of the role (e.g. a fresh reference per caller)."""
    actors = scene.actors()
    assert set(expected) == set(actors), set(actors) ^ set(expected)
    for role, outcome in sorted(expected.items(), key=lambda item: item[1] == OK):
        if refused_only and outcome == OK:
            continue
        values = variables(role) if callable(variables) else variables
        body = await api.call(query, values, actors[role])
        if outcome == OK:
            assert "errors" not in body, (role, body)
        else:
            assert body.get("errors"), (role, body)
            assert body["errors"][0]["extensions"]["code"] == outcome, (role, body)


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
