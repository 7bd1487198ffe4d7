"""Helpers of tests/api/test_settlement.py, shared with the tests that build on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tortoise import connections

from models import (
    EscrowEntry,
    Project,
)
from tests.support.api import Actor, Api
from tests.support.renovation import Renovation

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
