"""The end of a renovation: the customer accepts (or lists defects, which the project manager
fixes), then evaluates the enterprises and the platform, once each. Who may do each, with the
exact codes; refused calls change nothing; the escrow invariants hold throughout."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import pytest

from models import Enterprise, Evaluation, Notification, Project, ProjectEvent, ProjectRecord
from resolvers.filing import sha256_hex
from tests.support.api import Actor, Api
from tests.support.renovation import CONTRACT_TOTAL_CENTS, SEATS, Renovation, register_enterprise
from tests.support.settlement import (
    OK,
    approve,
    assert_statement_consistent,
    check_matrix,
    deposit,
    deposit_call,
    escrow_stays_consistent,
    matrix,
    pass_milestone,
    passed_scene,
)

__all__ = ["escrow_stays_consistent"]  # the autouse fixture, applied here too

PROJECT_FIELDS = "id status openDefects acceptedAt"
ACCEPT = f"""mutation($id: ID!, $input: AcceptanceInput!) {{
  acceptProject(projectId: $id, input: $input) {{ {PROJECT_FIELDS} }} }}"""
RESOLVE = f"""mutation($id: ID!, $note: String!) {{
  resolveDefects(projectId: $id, note: $note) {{ {PROJECT_FIELDS} }} }}"""
PROJECT = f"query($id: ID!) {{ project(id: $id) {{ {PROJECT_FIELDS} }} }}"
EVALUATION_FIELDS = """id target rating comment createdAt customer { id }
  enterprise { id name ratingAverage ratingCount }
  record { id kind subject version sha256 content }"""
EVALUATE_ENTERPRISE = f"""mutation($id: ID!, $enterprise: ID!, $rating: Int!, $comment: String) {{
  evaluateEnterprise(projectId: $id, enterpriseId: $enterprise, rating: $rating,
    comment: $comment) {{ {EVALUATION_FIELDS} }} }}"""
EVALUATE_PLATFORM = f"""mutation($id: ID!, $rating: Int!, $comment: String) {{
  evaluatePlatform(projectId: $id, rating: $rating, comment: $comment) {{
    {EVALUATION_FIELDS} }} }}"""
EVALUATIONS = f"""query($id: ID!) {{ projectEvaluations(projectId: $id) {{
  {EVALUATION_FIELDS} }} }}"""
ENTERPRISE = """query($id: ID!) { enterprise(id: $id) {
  id ratingAverage ratingCount completedProjects } }"""
RECORDS = """query($id: ID!, $kind: RecordKind) { projectRecords(projectId: $id, kind: $kind) {
  id kind subject version content } }"""


# --- helpers -----------------------------------------------------------------------------------


async def awaiting_acceptance(api: Api, app: Any, *, funded: bool = True) -> Renovation:
    """Every milestone approved (and, when funded, every stage paid): AWAITING_ACCEPTANCE."""
    scene, milestones = await passed_scene(api, app)
    if funded:
        await deposit(api, scene, CONTRACT_TOTAL_CENTS, "full-payment")
    for milestone in milestones:
        await approve(api, scene, milestone["id"])
    assert await project_of(api, scene) == {
        "id": scene.project_id,
        "status": "AWAITING_ACCEPTANCE",
        "openDefects": [],
        "acceptedAt": None,
    }
    return scene


async def accepted(api: Api, app: Any) -> Renovation:
    scene = await awaiting_acceptance(api, app)
    await api.ok(ACCEPT, accept_vars(scene), scene.customer)
    return scene


def accept_vars(
    scene: Renovation, *, accepted: bool = True, defects: list[str] | None = None, note: str = ""
) -> dict[str, Any]:
    return {
        "id": scene.project_id,
        "input": {"accepted": accepted, "defects": defects, "note": note or None},
    }


async def project_of(api: Api, scene: Renovation) -> dict[str, Any]:
    return (await api.ok(PROJECT, {"id": scene.project_id}, scene.customer))["project"]


async def enterprise_of(api: Api, scene: Renovation, enterprise_id: str) -> dict[str, Any]:
    return (await api.ok(ENTERPRISE, {"id": enterprise_id}, scene.customer))["enterprise"]


def enterprise_ids(scene: Renovation) -> list[str]:
    return [scene.firms[kind].enterprise_id for kind, _, _, _ in SEATS]


async def told_of_status(status: str) -> list[int]:
    """Who was notified that a project moved to `status`."""
    notes = await Notification.filter(kind="PROJECT_STATUS_CHANGED")
    return [note.user_id for note in notes if note.data.get("status") == status]


def code(body: dict[str, Any]) -> str:
    assert body.get("errors"), body
    return body["errors"][0]["extensions"]["code"]


async def evaluate(
    api: Api, scene: Renovation, enterprise_id: str, rating: int, comment: str | None = None
) -> dict[str, Any]:
    variables = {
        "id": scene.project_id,
        "enterprise": enterprise_id,
        "rating": rating,
        "comment": comment,
    }
    return await api.call(EVALUATE_ENTERPRISE, variables, scene.customer)


# --- acceptance --------------------------------------------------------------------------------


async def test_accepting_files_the_acceptance_and_counts_a_completed_project_per_firm(
    api: Api, app: Any
) -> None:
    scene = await awaiting_acceptance(api, app)
    before = {ident: await enterprise_of(api, scene, ident) for ident in enterprise_ids(scene)}
    assert all(firm["completedProjects"] == 0 for firm in before.values())

    data = await api.ok(
        ACCEPT, accept_vars(scene, note="Beautiful work, thank you."), scene.customer
    )

    project = data["acceptProject"]
    assert project["status"] == "ACCEPTED"
    assert project["openDefects"] == []
    assert project["acceptedAt"] is not None
    for ident in enterprise_ids(scene):
        assert (await enterprise_of(api, scene, ident))["completedProjects"] == 1

    records = (
        await api.ok(RECORDS, {"id": scene.project_id, "kind": "ACCEPTANCE"}, scene.customer)
    )["projectRecords"]
    assert [(r["kind"], r["subject"], r["version"]) for r in records] == [
        ("ACCEPTANCE", "acceptance", 1)
    ]
    content = records[0]["content"]
    assert content["projectId"] == int(scene.project_id)
    assert content["note"] == "Beautiful work, thank you."
    assert content["contractTotalCents"] == CONTRACT_TOTAL_CENTS
    assert content["escrow"] == {
        "depositedCents": CONTRACT_TOTAL_CENTS,
        "releasedCents": CONTRACT_TOTAL_CENTS,
        "heldCents": 0,
    }
    assert [stage["position"] for stage in content["stages"]] == [1, 2, 3, 4, 5]
    assert all(stage["releasedAt"] and stage["approvedAt"] for stage in content["stages"])
    assert sorted(str(i) for i in content["enterprises"].values()) == sorted(enterprise_ids(scene))

    shown = await assert_statement_consistent(api, scene)
    assert shown["heldCents"] == shown["outstandingCents"] == 0  # accepted means settled
    feed = await ProjectEvent.filter(
        project_id=int(scene.project_id), kind="PROJECT_STATUS_CHANGED"
    ).order_by("-id")
    assert feed[0].data["status"] == "ACCEPTED"
    told = await told_of_status("ACCEPTED")
    assert int(scene.designer.id) in told and int(scene.customer.id) not in told

    # Once only: the second acceptance finds the project ACCEPTED and counts nothing again.
    body = await api.call(ACCEPT, accept_vars(scene), scene.customer)
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "ACCEPTED"}
    for ident in enterprise_ids(scene):
        assert (await enterprise_of(api, scene, ident))["completedProjects"] == 1


async def test_defects_send_the_project_back_until_the_manager_fixes_them(
    api: Api, app: Any
) -> None:
    scene = await awaiting_acceptance(api, app)

    data = await api.ok(
        ACCEPT,
        accept_vars(
            scene,
            accepted=False,
            defects=[
                "Bathroom tile cracked",
                "  Door scrapes the floor  ",
                "Bathroom tile cracked",
            ],
            note="Please fix before I accept.",
        ),
        scene.customer,
    )
    assert data["acceptProject"] == {
        "id": scene.project_id,
        "status": "RECTIFYING",
        "openDefects": ["Bathroom tile cracked", "Door scrapes the floor"],
        "acceptedAt": None,
    }
    told = await told_of_status("RECTIFYING")
    assert int(scene.project_manager.id) in told

    # Still open: neither the customer nor the manager can skip the loop.
    body = await api.call(ACCEPT, accept_vars(scene), scene.customer)
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "RECTIFYING"}

    data = await api.ok(
        RESOLVE,
        {"id": scene.project_id, "note": "Tile replaced, door planed."},
        scene.project_manager,
    )
    assert data["resolveDefects"]["status"] == "AWAITING_ACCEPTANCE"
    assert data["resolveDefects"]["openDefects"] == []
    body = await api.call(RESOLVE, {"id": scene.project_id, "note": "again"}, scene.project_manager)
    assert body["errors"][0]["extensions"] == {
        "code": "INVALID_STATE",
        "status": "AWAITING_ACCEPTANCE",
    }
    told = await told_of_status("AWAITING_ACCEPTANCE")
    assert int(scene.customer.id) in told

    data = await api.ok(ACCEPT, accept_vars(scene), scene.customer)
    assert data["acceptProject"]["status"] == "ACCEPTED"
    statuses = [
        event.data["status"]
        for event in await ProjectEvent.filter(
            project_id=int(scene.project_id), kind="PROJECT_STATUS_CHANGED"
        ).order_by("id")
    ]
    assert statuses[-4:] == ["AWAITING_ACCEPTANCE", "RECTIFYING", "AWAITING_ACCEPTANCE", "ACCEPTED"]
    await assert_statement_consistent(api, scene)


async def test_a_project_is_accepted_only_once_every_stage_is_paid(api: Api, app: Any) -> None:
    scene = await awaiting_acceptance(api, app, funded=False)

    body = await api.call(ACCEPT, accept_vars(scene), scene.customer)
    assert body["errors"][0]["extensions"] == {
        "code": "INVALID_STATE",
        "status": "AWAITING_ACCEPTANCE",
    }
    assert body["errors"][0]["message"] == (
        f"Project {scene.project_id} cannot be accepted before every stage is paid: "
        "40,000.00 CNY for 5 stage(s) is not yet released; deposit 40,000.00 CNY more first."
    )
    assert (await project_of(api, scene))["status"] == "AWAITING_ACCEPTANCE"
    assert not await ProjectRecord.filter(project_id=int(scene.project_id), kind="ACCEPTANCE")
    assert all(firm.completed_projects == 0 for firm in await Enterprise.all())

    # Defects can be listed whatever was paid; paying in full then allows accepting.
    await deposit(api, scene, CONTRACT_TOTAL_CENTS, "pays-everything")
    shown = await assert_statement_consistent(api, scene)
    assert shown["releasedCents"] == CONTRACT_TOTAL_CENTS
    data = await api.ok(ACCEPT, accept_vars(scene), scene.customer)
    assert data["acceptProject"]["status"] == "ACCEPTED"


async def test_acceptance_needs_the_work_done(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)  # IN_PROGRESS
    body = await api.call(ACCEPT, accept_vars(scene), scene.customer)
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "IN_PROGRESS"}
    body = await api.call(
        ACCEPT, accept_vars(scene, accepted=False, defects=["Nothing done"]), scene.customer
    )
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "IN_PROGRESS"}
    body = await api.call(RESOLVE, {"id": scene.project_id, "note": "x"}, scene.project_manager)
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "IN_PROGRESS"}
    assert (await project_of(api, scene))["status"] == "IN_PROGRESS"


@pytest.mark.parametrize(
    ("accepted", "defects", "note", "field"),
    [
        (True, ["Scratch on the parquet"], None, "defects"),
        (False, None, None, "defects"),
        (False, [], None, "defects"),
        (False, ["   "], None, "defects[0]"),
        (False, ["x" * 301], None, "defects[0]"),
        (False, [f"Defect {n}" for n in range(21)], None, "defects"),
        (True, None, "x" * 2001, "note"),
    ],
)
async def test_invalid_decisions_are_refused(
    api: Api,
    app: Any,
    accepted: bool,
    defects: list[str] | None,
    note: str | None,
    field: str,
) -> None:
    scene = await awaiting_acceptance(api, app)
    variables = {
        "id": scene.project_id,
        "input": {"accepted": accepted, "defects": defects, "note": note},
    }
    body = await api.call(ACCEPT, variables, scene.customer)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert (await project_of(api, scene))["status"] == "AWAITING_ACCEPTANCE"


async def test_resolving_defects_needs_a_note(api: Api, app: Any) -> None:
    scene = await awaiting_acceptance(api, app)
    await api.ok(ACCEPT, accept_vars(scene, accepted=False, defects=["Leak"]), scene.customer)
    body = await api.call(RESOLVE, {"id": scene.project_id, "note": "  "}, scene.project_manager)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "note"}
    assert (await project_of(api, scene))["openDefects"] == ["Leak"]


# --- evaluations -------------------------------------------------------------------------------


async def test_each_enterprise_and_the_platform_are_evaluated_once_and_filed(
    api: Api, app: Any
) -> None:
    scene = await accepted(api, app)
    firms = enterprise_ids(scene)

    for ident, rating in zip(firms, [5, 4, 3, 5], strict=True):
        body = await evaluate(api, scene, ident, rating, f"Rated {rating}")
        assert "errors" not in body, body
        shown = body["data"]["evaluateEnterprise"]
        assert shown["target"] == f"enterprise:{ident}"
        assert shown["rating"] == rating
        assert shown["comment"] == f"Rated {rating}"
        assert shown["customer"] == {"id": scene.customer.id}
        assert shown["enterprise"]["id"] == ident
        assert shown["enterprise"]["ratingAverage"] == rating  # its first evaluation
        assert shown["enterprise"]["ratingCount"] == 1
        record = shown["record"]
        assert (record["kind"], record["subject"], record["version"]) == (
            "EVALUATION",
            f"evaluation:enterprise:{ident}",
            1,
        )
        assert record["content"]["rating"] == rating

    platform = await api.ok(
        EVALUATE_PLATFORM,
        {"id": scene.project_id, "rating": 4, "comment": "Smooth."},
        scene.customer,
    )
    shown = platform["evaluatePlatform"]
    assert (shown["target"], shown["enterprise"], shown["rating"]) == ("platform", None, 4)
    assert shown["record"]["subject"] == "evaluation:platform"

    # A second evaluation of any of them is a CONFLICT that changes nothing.
    body = await evaluate(api, scene, firms[0], 1, "Changed my mind")
    assert body["errors"][0]["extensions"] == {
        "code": "CONFLICT",
        "target": f"enterprise:{firms[0]}",
    }
    body = await api.call(EVALUATE_PLATFORM, {"id": scene.project_id, "rating": 1}, scene.customer)
    assert body["errors"][0]["extensions"] == {"code": "CONFLICT", "target": "platform"}
    first = await enterprise_of(api, scene, firms[0])
    assert (first["ratingAverage"], first["ratingCount"]) == (5.0, 1)

    listed = (await api.ok(EVALUATIONS, {"id": scene.project_id}, scene.designer))[
        "projectEvaluations"
    ]
    assert [e["target"] for e in listed] == [f"enterprise:{i}" for i in firms] + ["platform"]
    assert [e["rating"] for e in listed] == [5, 4, 3, 5, 4]
    assert (
        await ProjectRecord.filter(project_id=int(scene.project_id), kind="EVALUATION").count() == 5
    )
    feed = await ProjectEvent.filter(project_id=int(scene.project_id), kind="EVALUATION_FILED")
    assert len(feed) == 5
    told = await Notification.filter(kind="PROJECT_EVALUATED").values_list("user_id", flat=True)
    assert sorted(told) == sorted(int(scene.firms[kind].owner.id) for kind, *_ in SEATS)
    # The filed content hashes to the stored sha256, as any participant can check.
    stored = await ProjectRecord.get(id=int(listed[0]["record"]["id"]))
    assert json.loads(stored.content) == listed[0]["record"]["content"]
    assert sha256_hex(stored.content) == stored.sha256 == listed[0]["record"]["sha256"]


async def test_an_enterprise_rating_averages_over_projects(api: Api, app: Any) -> None:
    scene = await accepted(api, app)
    decoration = scene.firms["DECORATION"].enterprise_id
    await evaluate(api, scene, decoration, 5)
    # A second project of another customer with the same team.
    other = Renovation(api, scene.admin, await api.register("CUSTOMER"), scene.firms, "", {})
    data = await api.ok(
        """mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }""",
        {
            "input": {
                "title": "Kitchen",
                "address": "Schönhauser Allee 1, Berlin",
                "location": {"lat": 52.53, "lng": 13.41},
                "areaSqm": 12.0,
                "budgetCents": 4_000_000,
                "description": "A kitchen.",
            }
        },
        other.customer,
    )
    other.project_id = data["createProject"]["id"]
    await other.assign_team()
    await other.sign_contract()
    for milestone in await other.milestones():
        await pass_milestone(api, other, milestone["id"])
    await deposit(api, other, CONTRACT_TOTAL_CENTS, "second")
    for milestone in await other.milestones():
        await approve(api, other, milestone["id"])
    await api.ok(ACCEPT, accept_vars(other), other.customer)
    body = await evaluate(api, other, decoration, 2)
    assert body["data"]["evaluateEnterprise"]["enterprise"]["ratingAverage"] == 3.5
    firm = await enterprise_of(api, scene, decoration)
    assert (firm["ratingAverage"], firm["ratingCount"], firm["completedProjects"]) == (3.5, 2, 2)


async def test_evaluations_wait_for_acceptance_and_check_their_input(api: Api, app: Any) -> None:
    scene = await awaiting_acceptance(api, app)
    decoration = scene.firms["DECORATION"].enterprise_id
    body = await evaluate(api, scene, decoration, 5)
    assert body["errors"][0]["extensions"] == {
        "code": "INVALID_STATE",
        "status": "AWAITING_ACCEPTANCE",
    }
    body = await api.call(EVALUATE_PLATFORM, {"id": scene.project_id, "rating": 5}, scene.customer)
    assert code(body) == "INVALID_STATE"

    await api.ok(ACCEPT, accept_vars(scene), scene.customer)
    for rating in (0, 6, -1):
        body = await evaluate(api, scene, decoration, rating)
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "rating"}
    body = await evaluate(api, scene, decoration, 5, "x" * 2001)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "comment"}

    stranger: Actor = await api.register("ENTERPRISE_STAFF")
    unrelated = await register_enterprise(api, stranger, "DECORATION")
    body = await evaluate(api, scene, unrelated, 5)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "enterpriseId"}
    body = await evaluate(api, scene, "999999", 5)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "enterpriseId"}

    assert await Evaluation.all().count() == 0
    assert all(firm.rating_count == 0 for firm in await Enterprise.all())


@pytest.mark.postgres
async def test_concurrent_evaluations_of_one_target_count_once(api: Api, app: Any) -> None:
    scene = await accepted(api, app)
    decoration = scene.firms["DECORATION"].enterprise_id

    bodies = await asyncio.gather(
        *(evaluate(api, scene, decoration, 4) for _ in range(8)),
        *(
            api.call(EVALUATE_PLATFORM, {"id": scene.project_id, "rating": 3}, scene.customer)
            for _ in range(8)
        ),
    )

    outcomes = Counter(code(body) if "errors" in body else OK for body in bodies)
    assert outcomes == {OK: 2, "CONFLICT": 14}
    firm = await Enterprise.get(id=int(decoration))
    assert (firm.rating_sum, firm.rating_count) == (4, 1)
    assert await Evaluation.filter(project_id=int(scene.project_id)).count() == 2
    records = await ProjectRecord.filter(project_id=int(scene.project_id), kind="EVALUATION")
    assert sorted(r.subject for r in records) == [
        f"evaluation:enterprise:{decoration}",
        "evaluation:platform",
    ]


# --- who may ----------------------------------------------------------------------------------


async def test_only_the_customer_decides_on_acceptance(api: Api, app: Any) -> None:
    scene = await awaiting_acceptance(api, app)
    variables = accept_vars(scene, accepted=False, defects=["Crack"])
    await check_matrix(api, scene, ACCEPT, variables, matrix({"customer"}), refused_only=True)
    assert (await project_of(api, scene))["status"] == "AWAITING_ACCEPTANCE"
    await check_matrix(api, scene, ACCEPT, variables, matrix({"customer"}))
    assert (await project_of(api, scene))["openDefects"] == ["Crack"]

    resolve = {"id": scene.project_id, "note": "Fixed."}
    expected = matrix({"project_manager"})
    await check_matrix(api, scene, RESOLVE, resolve, expected, refused_only=True)
    assert (await project_of(api, scene))["status"] == "RECTIFYING"
    await check_matrix(api, scene, RESOLVE, resolve, expected)
    assert (await project_of(api, scene))["status"] == "AWAITING_ACCEPTANCE"

    accept = accept_vars(scene)
    await check_matrix(api, scene, ACCEPT, accept, matrix({"customer"}), refused_only=True)
    assert (await project_of(api, scene))["status"] == "AWAITING_ACCEPTANCE"
    assert all(firm.completed_projects == 0 for firm in await Enterprise.all())
    await check_matrix(api, scene, ACCEPT, accept, matrix({"customer"}))
    assert (await project_of(api, scene))["status"] == "ACCEPTED"


async def test_only_the_customer_evaluates(api: Api, app: Any) -> None:
    scene = await accepted(api, app)
    decoration = scene.firms["DECORATION"].enterprise_id
    enterprise_vars = {"id": scene.project_id, "enterprise": decoration, "rating": 5}
    platform_vars = {"id": scene.project_id, "rating": 5}
    expected = matrix({"customer"})

    for query, variables in (
        (EVALUATE_ENTERPRISE, enterprise_vars),
        (EVALUATE_PLATFORM, platform_vars),
    ):
        await check_matrix(api, scene, query, variables, expected, refused_only=True)
    assert await Evaluation.all().count() == 0
    assert (await Enterprise.get(id=int(decoration))).rating_count == 0
    for query, variables in (
        (EVALUATE_ENTERPRISE, enterprise_vars),
        (EVALUATE_PLATFORM, platform_vars),
    ):
        await check_matrix(api, scene, query, variables, expected)
    assert await Evaluation.all().count() == 2


async def test_every_participant_sees_the_evaluations(api: Api, app: Any) -> None:
    scene = await accepted(api, app)
    await api.ok(EVALUATE_PLATFORM, {"id": scene.project_id, "rating": 5}, scene.customer)
    everyone = {role: OK for role in scene.actors()}
    everyone.update(
        {"other_customer": "NOT_FOUND", "worker": "NOT_FOUND", "other_staff": "NOT_FOUND"}
    )
    everyone["anonymous"] = "UNAUTHENTICATED"
    await check_matrix(api, scene, EVALUATIONS, {"id": scene.project_id}, everyone)


async def test_an_accepted_project_is_settled_and_takes_no_more_deposits(
    api: Api, app: Any
) -> None:
    scene = await accepted(api, app)
    project = await Project.get(id=int(scene.project_id))
    assert project.accepted_at is not None
    assert project.open_defects == []
    assert project.deposited_cents == project.released_cents == CONTRACT_TOTAL_CENTS
    # The escrow is closed: a retried deposit still answers with its entry, a new one is refused.
    retried = await deposit_call(api, scene, CONTRACT_TOTAL_CENTS, "full-payment")
    assert retried["data"]["depositToEscrow"]["externalReference"] == "full-payment"
    body = await deposit_call(api, scene, 1, "after-acceptance")
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "ACCEPTED"}
