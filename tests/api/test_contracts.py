"""The contract: drafting, redrafting, signing by both sides, filing (record, milestones, project
IN_PROGRESS), validation and the permission matrix of every contract operation."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from models import (
    ProjectRecord,
)
from tests.support.api import Actor, Api
from tests.support.contracts import (
    CONTRACT_FIELDS,
    DRAFT,
    SIGN,
    TERMS,
    check_matrix,
    contract_input,
    draft,
    feed,
    notifications,
    notified_kinds,
    project_state,
    refused_except,
)
from tests.support.renovation import CONTRACT_TOTAL_CENTS, STAGES, Renovation

CONTRACT = f"""
query($id: ID!) {{ projectContract(projectId: $id) {{ {CONTRACT_FIELDS} }} }}"""
PROJECT = "query($id: ID!) { project(id: $id) { id status } }"
CANCEL = 'mutation($id: ID!) { cancelProject(projectId: $id, reason: "Moved away") { id } }'
RECORDS = """
query($id: ID!, $kind: RecordKind) {
  projectRecords(projectId: $id, kind: $kind) {
    id kind subject version supersedesId sha256 contentText content
  }
}"""


# --- Helpers shared by the project test files ----------------------------------------------


async def sign(api: Api, scene: Renovation, signer: Actor, revision: int) -> dict[str, Any]:
    data = await api.ok(SIGN, {"id": scene.project_id, "revision": revision}, signer)
    return data["signContract"]


async def project_status(api: Api, scene: Renovation) -> str:
    data = await api.ok(PROJECT, {"id": scene.project_id}, scene.customer)
    return data["project"]["status"]


# --- Drafting ----------------------------------------------------------------------------------


async def test_draft_asks_both_sides_to_sign(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)

    contract = await draft(api, scene)

    assert contract["revision"] == 1
    assert contract["status"] == "DRAFT"
    assert contract["totalCents"] == CONTRACT_TOTAL_CENTS
    assert contract["currency"] == "CNY"
    assert contract["terms"] == TERMS
    assert contract["draftedBy"]["id"] == scene.project_manager.id
    assert contract["customerSignedAt"] is None and contract["enterpriseSignedAt"] is None
    assert contract["record"] is None
    assert [
        (s["position"], s["name"], s["percent"], s["amountCents"]) for s in contract["stages"]
    ] == [
        (1, "Plumbing & electrical", 20, 800_000),
        (2, "Masonry & tiling", 25, 1_000_000),
        (3, "Carpentry", 20, 800_000),
        (4, "Painting", 20, 800_000),
        (5, "Completion", 15, 600_000),
    ]
    for signer in (scene.customer, scene.decoration_owner):
        to_sign = [n for n in await notifications(api, signer) if n["kind"] == "CONTRACT_TO_SIGN"]
        assert len(to_sign) == 1
        assert to_sign[0]["data"]["revision"] == 1
    assert "CONTRACT_TO_SIGN" not in await notified_kinds(api, scene.project_manager)
    assert "CONTRACT_TO_SIGN" not in await notified_kinds(api, scene.designer)
    drafted = [e for e in await feed(api, scene) if e["kind"] == "CONTRACT_DRAFTED"]
    assert len(drafted) == 1 and drafted[0]["data"]["revision"] == 1
    # Everyone on the project reads it.
    seen = await api.ok(CONTRACT, {"id": scene.project_id}, scene.supervisor)
    assert seen["projectContract"]["id"] == contract["id"]


async def test_no_contract_reads_as_null(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    data = await api.ok(CONTRACT, {"id": scene.project_id}, scene.customer)
    assert data["projectContract"] is None


async def test_drafting_needs_a_contracting_project(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    await api.ok(CANCEL, {"id": scene.project_id}, scene.customer)
    before = await project_state(scene.project_id)

    body = await api.call(
        DRAFT, {"id": scene.project_id, "input": contract_input()}, scene.project_manager
    )

    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "CANCELLED"}
    assert await project_state(scene.project_id) == before


async def test_signing_before_any_draft_is_invalid_state(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    body = await api.call(SIGN, {"id": scene.project_id, "revision": 1}, scene.customer)
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "CONTRACTING"}


def _stages(*percents: int) -> list[dict[str, Any]]:
    return [{"name": f"Stage {n}", "percent": p} for n, p in enumerate(percents, start=1)]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"total_cents": 0}, "totalCents", "totalCents must be a positive number of cents."),
        ({"total_cents": -5}, "totalCents", "totalCents must be a positive number of cents."),
        ({"stages": []}, "stages", "stages must list between 1 and 10 stages."),
        (
            {"stages": _stages(*([10] * 9), 5, 5)},
            "stages",
            "stages must list between 1 and 10 stages.",
        ),
        (
            {"stages": _stages(50, 40)},
            "stages",
            "stages percentages must add up to 100; they add up to 90.",
        ),
        (
            {"stages": _stages(60, 50)},
            "stages",
            "stages percentages must add up to 100; they add up to 110.",
        ),
        (
            {"stages": _stages(100, 0)},
            "stages[1].percent",
            "stages[1].percent must be between 1 and 100.",
        ),
        (
            {"stages": _stages(101)},
            "stages[0].percent",
            "stages[0].percent must be between 1 and 100.",
        ),
        (
            {"stages": [{"name": "  ", "percent": 100}]},
            "stages[0].name",
            "stages[0].name must not be empty.",
        ),
        (
            {"stages": [{"name": "Tiling", "percent": 50}, {"name": " tiling ", "percent": 50}]},
            "stages[1].name",
            "stages[1].name repeats 'tiling': every stage needs its own name.",
        ),
        ({"terms": " "}, "terms", "terms must not be empty."),
    ],
)
async def test_draft_validation(
    api: Api, app: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    scene = await Renovation.build(api, app, team=True)
    before = await project_state(scene.project_id)

    body = await api.call(
        DRAFT,
        {"id": scene.project_id, "input": contract_input(**overrides)},
        scene.project_manager,
    )

    assert body["errors"] == [
        {
            "message": message,
            "locations": body["errors"][0]["locations"],
            "path": ["draftContract"],
            "extensions": {"code": "BAD_USER_INPUT", "field": field},
        }
    ]
    assert await project_state(scene.project_id) == before


# --- Signing and filing ------------------------------------------------------------------------


async def test_both_signatures_file_the_contract_and_start_the_work(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    revision = (await draft(api, scene))["revision"]

    half = await sign(api, scene, scene.customer, revision)

    assert half["status"] == "DRAFT"
    assert half["customerSignedAt"] is not None and half["enterpriseSignedAt"] is None
    assert await project_status(api, scene) == "CONTRACTING"
    assert await scene.milestones() == []
    # The enterprise side is asked to complete it.
    asks = [
        n
        for n in await notifications(api, scene.decoration_owner)
        if n["kind"] == "CONTRACT_TO_SIGN"
    ]
    assert [n["data"]["revision"] for n in asks] == [1, 1]
    assert "files it" in asks[-1]["body"]

    filed = await sign(api, scene, scene.decoration_owner, revision)

    assert filed["status"] == "FILED"
    assert filed["enterpriseSignedBy"]["id"] == scene.decoration_owner.id
    record = filed["record"]
    assert (record["kind"], record["subject"], record["version"]) == ("CONTRACT", "contract", 1)
    assert record["sha256"] == hashlib.sha256(record["contentText"].encode()).hexdigest()
    assert record["content"]["totalCents"] == CONTRACT_TOTAL_CENTS
    assert record["content"]["revision"] == 1
    assert [s["amountCents"] for s in record["content"]["stages"]] == [
        s["amountCents"] for s in filed["stages"]
    ]
    assert record["content"]["customer"]["userId"] == int(scene.customer.id)
    assert record["content"]["enterprise"]["signedById"] == int(scene.decoration_owner.id)
    assert await project_status(api, scene) == "IN_PROGRESS"
    milestones = await scene.milestones()
    assert [(m["position"], m["name"], m["amountCents"], m["status"]) for m in milestones] == [
        (s["position"], s["name"], s["amountCents"], "PENDING") for s in filed["stages"]
    ]
    assert sum(m["amountCents"] for m in milestones) == CONTRACT_TOTAL_CENTS
    kinds = [e["kind"] for e in await feed(api, scene)]
    assert kinds[-5:] == [
        "CONTRACT_DRAFTED",
        "CONTRACT_SIGNED",
        "CONTRACT_SIGNED",
        "RECORD_FILED",
        "PROJECT_STATUS_CHANGED",
    ]
    # Every participant but the one who completed it learns it is filed.
    for actor in (scene.customer, scene.project_manager, scene.supervisor, scene.designer):
        assert (await notified_kinds(api, actor)).count("CONTRACT_FILED") == 1
    assert "CONTRACT_FILED" not in await notified_kinds(api, scene.decoration_owner)


async def test_project_manager_may_sign_for_the_enterprise(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    revision = (await draft(api, scene))["revision"]
    await sign(api, scene, scene.project_manager, revision)
    filed = await sign(api, scene, scene.customer, revision)
    assert filed["status"] == "FILED"
    assert filed["enterpriseSignedBy"]["id"] == scene.project_manager.id


async def test_renovation_factory_files_the_contract(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    assert await project_status(api, scene) == "IN_PROGRESS"
    assert len(await scene.milestones()) == len(STAGES)


@pytest.mark.parametrize(
    ("total", "percents", "amounts"),
    [
        (1_000_001, (33, 33, 34), [330_000, 330_000, 340_001]),
        (100, (33, 33, 34), [33, 33, 34]),
        (99, (50, 50), [49, 50]),
        (7, (10, 20, 30, 40), [0, 1, 2, 4]),
        (1, (100,), [1]),
        (123_456_789, (17, 17, 17, 17, 16, 16), None),
    ],
)
async def test_stage_amounts_add_up_exactly(
    api: Api, app: Any, total: int, percents: tuple[int, ...], amounts: list[int] | None
) -> None:
    """Each stage gets its percent rounded down; the last stage takes the remainder."""
    scene = await Renovation.build(api, app, team=True)
    drafted = await draft(api, scene, total_cents=total, stages=_stages(*percents))
    if amounts is not None:
        assert [s["amountCents"] for s in drafted["stages"]] == amounts
    assert sum(s["amountCents"] for s in drafted["stages"]) == total
    await sign(api, scene, scene.customer, drafted["revision"])
    await sign(api, scene, scene.decoration_owner, drafted["revision"])
    milestones = await scene.milestones()
    assert [m["amountCents"] for m in milestones] == [s["amountCents"] for s in drafted["stages"]]
    assert sum(m["amountCents"] for m in milestones) == total


async def test_redraft_clears_signatures_and_stale_revision_is_conflict(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    first = await draft(api, scene)
    await sign(api, scene, scene.customer, first["revision"])

    second = await draft(api, scene, total_cents=3_000_000)

    assert second["revision"] == 2
    assert second["customerSignedAt"] is None and second["enterpriseSignedAt"] is None
    assert second["totalCents"] == 3_000_000
    before = await project_state(scene.project_id)
    body = await api.call(
        SIGN, {"id": scene.project_id, "revision": first["revision"]}, scene.decoration_owner
    )
    assert body["errors"][0]["extensions"] == {"code": "CONFLICT", "revision": 2}
    assert "revision 2" in body["errors"][0]["message"]
    assert await project_state(scene.project_id) == before
    # The customer's earlier signature does not count for revision 2.
    half = await sign(api, scene, scene.decoration_owner, 2)
    assert half["status"] == "DRAFT" and half["customerSignedAt"] is None
    filed = await sign(api, scene, scene.customer, 2)
    assert filed["status"] == "FILED"
    assert filed["record"]["content"]["totalCents"] == 3_000_000
    assert filed["record"]["content"]["revision"] == 2
    assert sum(m["amountCents"] for m in await scene.milestones()) == 3_000_000
    # Both sides were asked to sign revision 2.
    for signer in (scene.customer, scene.decoration_owner):
        revisions = [
            n["data"]["revision"]
            for n in await notifications(api, signer)
            if n["kind"] == "CONTRACT_TO_SIGN"
        ]
        assert 2 in revisions


async def test_signing_again_changes_nothing(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    revision = (await draft(api, scene))["revision"]
    first = await sign(api, scene, scene.customer, revision)
    before = await project_state(scene.project_id)

    again = await sign(api, scene, scene.customer, revision)

    assert again["customerSignedAt"] == first["customerSignedAt"]
    assert await project_state(scene.project_id) == before
    # Once filed, a retry by either side returns the filed contract and files nothing more.
    await sign(api, scene, scene.project_manager, revision)
    filed_state = await project_state(scene.project_id)
    for signer in (scene.customer, scene.project_manager, scene.decoration_owner):
        retry = await sign(api, scene, signer, revision)
        assert retry["status"] == "FILED"
    assert await project_state(scene.project_id) == filed_state
    assert (
        await ProjectRecord.filter(project_id=int(scene.project_id), kind="CONTRACT").count() == 1
    )


async def test_a_filed_contract_is_final(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    contract = (await api.ok(CONTRACT, {"id": scene.project_id}, scene.customer))["projectContract"]
    before = await project_state(scene.project_id)

    redraft = await api.call(
        DRAFT, {"id": scene.project_id, "input": contract_input()}, scene.project_manager
    )
    stale = await api.call(
        SIGN, {"id": scene.project_id, "revision": contract["revision"] + 1}, scene.customer
    )

    assert redraft["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "FILED"}
    assert stale["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "FILED"}
    assert await project_state(scene.project_id) == before
    records = await api.ok(RECORDS, {"id": scene.project_id, "kind": "CONTRACT"}, scene.customer)
    assert len(records["projectRecords"]) == 1
    assert records["projectRecords"][0]["id"] == contract["record"]["id"]


async def test_cancelled_project_cannot_be_signed(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    revision = (await draft(api, scene))["revision"]
    await api.ok(CANCEL, {"id": scene.project_id}, scene.customer)
    body = await api.call(SIGN, {"id": scene.project_id, "revision": revision}, scene.customer)
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "CANCELLED"}


# --- Permissions ------------------------------------------------------------------------------


async def test_permissions_draft_contract(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    await check_matrix(
        api,
        scene,
        DRAFT,
        {"id": scene.project_id, "input": contract_input()},
        refused_except({"project_manager"}),
    )


async def test_permissions_sign_contract(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    revision = (await draft(api, scene))["revision"]
    await check_matrix(
        api,
        scene,
        SIGN,
        {"id": scene.project_id, "revision": revision},
        refused_except({"customer", "project_manager", "decoration_owner"}),
    )
    assert await project_status(api, scene) == "IN_PROGRESS"


async def test_permissions_project_contract(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    await draft(api, scene)
    await check_matrix(
        api,
        scene,
        CONTRACT,
        {"id": scene.project_id},
        refused_except(set(), viewers_forbidden=False),
    )


async def test_unknown_project_is_not_found(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    for query, variables in (
        (DRAFT, {"id": "999999", "input": contract_input()}),
        (SIGN, {"id": "999999", "revision": 1}),
        (CONTRACT, {"id": "nope"}),
    ):
        body = await api.call(query, variables, scene.project_manager)
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
