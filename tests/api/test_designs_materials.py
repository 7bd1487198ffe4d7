"""Design proposals and their filing, material plans (server-side money), deliveries and their
status machine, the permission matrix of every operation, and no N+1 in the lists."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from models import ProjectRecord
from tests.support.api import Api
from tests.support.contracts import (
    check_matrix,
    feed,
    notifications,
    notified_kinds,
    project_state,
    refused_except,
)
from tests.support.designs_materials import FILE_PLAN, ITEMS, PLAN, RECORD, file_plan
from tests.support.query_count import StatementCounter
from tests.support.renovation import Renovation

PROPOSAL = f"""id title description documentUrl estimateCents currency status designer {{ id }}
  {RECORD} createdAt"""
SUBMIT = f"""
mutation($id: ID!, $input: DesignProposalInput!) {{
  submitDesignProposal(projectId: $id, input: $input) {{ {PROPOSAL} }}
}}"""
CONFIRM = f"""
mutation($id: ID!) {{ confirmDesignProposal(proposalId: $id) {{ {PROPOSAL} }} }}"""
PROPOSALS = f"""
query($id: ID!) {{ designProposals(projectId: $id) {{ {PROPOSAL} }} }}"""

# Listing every plan with all 200 possible lines of each is over the query budget: a list
# asks for the first lines of each (the tests' plans have four).
PLANS = f"""query($id: ID!) {{ materialPlans(projectId: $id, first: 10) {{
  {PLAN.replace("items {", "items(first: 10) {")} }} }}"""

DELIVERY = """id status carrier trackingNumber items { name quantity }
  missingItems { name quantity } confirmationNote recordedBy { id } confirmedBy { id }
  dispatchedAt deliveredAt confirmedAt plan { id version }"""
RECORD_DELIVERY = f"""
mutation($id: ID!, $input: DeliveryInput!) {{
  recordDelivery(projectId: $id, input: $input) {{ {DELIVERY} }}
}}"""
DELIVERED = f"""
mutation($id: ID!) {{ markDeliveryDelivered(deliveryId: $id) {{ {DELIVERY} }} }}"""
CONFIRM_RECEIPT = f"""
mutation($id: ID!, $missing: [DeliveryItemInput!], $note: String) {{
  confirmDeliveryReceipt(deliveryId: $id, missingItems: $missing, note: $note) {{ {DELIVERY} }}
}}"""
LISTED_DELIVERY = DELIVERY.replace("items {", "items(first: 20) {").replace(
    "missingItems {", "missingItems(first: 20) {"
)
DELIVERIES = (
    f"""query($id: ID!) {{ deliveries(projectId: $id, first: 10) {{ {LISTED_DELIVERY} }} }}"""
)

# 2.5 x 333 = 832.5 -> 833; 3 x 1299 = 3897; 0.1 x 5 = 0.5 -> 1 (half up, not to even);
# 12.345 x 99 = 1222.155 -> 1222
LINE_TOTALS = [833, 3897, 1, 1222]


def proposal_input(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Scandinavian, light oak",
        "description": "Open kitchen, oak floors, white walls.",
        "documentUrl": "https://designs.example.com/p/1.pdf",
        "estimateCents": 3_800_000,
        **overrides,
    }


async def submit(api: Api, scene: Renovation, **overrides: Any) -> dict[str, Any]:
    data = await api.ok(
        SUBMIT, {"id": scene.project_id, "input": proposal_input(**overrides)}, scene.designer
    )
    return data["submitDesignProposal"]


async def confirm(api: Api, scene: Renovation, proposal_id: str) -> dict[str, Any]:
    data = await api.ok(CONFIRM, {"id": proposal_id}, scene.customer)
    return data["confirmDesignProposal"]


def delivery_input(**overrides: Any) -> dict[str, Any]:
    return {
        "carrier": "DHL Freight",
        "trackingNumber": "JD0146000012345",
        "items": [
            {"name": "Floor tiles", "quantity": 2.5},
            {"name": "Tile adhesive", "quantity": 3},
        ],
        **overrides,
    }


async def dispatch(api: Api, scene: Renovation, **overrides: Any) -> dict[str, Any]:
    data = await api.ok(
        RECORD_DELIVERY,
        {"id": scene.project_id, "input": delivery_input(**overrides)},
        scene.supplier_owner,
    )
    return data["recordDelivery"]


def bad_input(body: dict[str, Any], field: str, message: str) -> None:
    assert len(body["errors"]) == 1, body
    error = body["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error
    assert error["message"] == message


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- Designs -----------------------------------------------------------------------------------


async def test_submitting_a_design_asks_the_customer(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)

    proposal = await submit(api, scene)

    assert proposal["status"] == "SUBMITTED"
    assert proposal["designer"]["id"] == scene.designer.id
    assert proposal["estimateCents"] == 3_800_000 and proposal["currency"] == "CNY"
    assert proposal["record"] is None
    asked = [n for n in await notifications(api, scene.customer) if n["kind"] == "DESIGN_SUBMITTED"]
    assert len(asked) == 1 and asked[0]["data"]["proposalId"] == int(proposal["id"])
    submitted = [e for e in await feed(api, scene) if e["kind"] == "DESIGN_SUBMITTED"]
    assert len(submitted) == 1 and submitted[0]["data"]["proposalId"] == int(proposal["id"])


async def test_confirming_files_the_design_and_a_second_supersedes_it(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    first = await submit(api, scene)
    second = await submit(api, scene, title="Industrial loft", estimateCents=4_100_000)

    confirmed = await confirm(api, scene, first["id"])

    v1 = confirmed["record"]
    assert confirmed["status"] == "CONFIRMED"
    assert (v1["kind"], v1["subject"], v1["version"], v1["supersedesId"]) == (
        "DESIGN",
        "design",
        1,
        None,
    )
    assert v1["sha256"] == sha256(v1["contentText"])
    assert v1["content"]["proposalId"] == int(first["id"])
    assert v1["content"]["title"] == "Scandinavian, light oak"
    stored_v1 = await ProjectRecord.get(id=int(v1["id"]))

    reconfirmed = await confirm(api, scene, second["id"])

    v2 = reconfirmed["record"]
    assert (v2["subject"], v2["version"], v2["supersedesId"]) == ("design", 2, v1["id"])
    assert v2["content"]["title"] == "Industrial loft"
    assert v2["sha256"] == sha256(v2["contentText"]) != v1["sha256"]
    # Version 1 is untouched: same content, same hash, and it still verifies.
    again_v1 = await ProjectRecord.get(id=int(v1["id"]))
    assert (again_v1.content, again_v1.sha256) == (stored_v1.content, stored_v1.sha256)
    assert again_v1.sha256 == sha256(again_v1.content)
    assert json.loads(again_v1.content)["proposalId"] == int(first["id"])
    records = await api.ok(
        "query($id: ID!) { projectRecords(projectId: $id, kind: DESIGN) "
        "{ id version supersedesId supersededById } }",
        {"id": scene.project_id},
        scene.supervisor,
    )
    assert records["projectRecords"] == [
        {"id": v1["id"], "version": 1, "supersedesId": None, "supersededById": v2["id"]},
        {"id": v2["id"], "version": 2, "supersedesId": v1["id"], "supersededById": None},
    ]
    listed = await api.ok(PROPOSALS, {"id": scene.project_id}, scene.project_manager)
    assert [
        (p["id"], p["status"], (p["record"] or {}).get("version"))
        for p in listed["designProposals"]
    ] == [(first["id"], "SUPERSEDED", 1), (second["id"], "CONFIRMED", 2)]
    # The designer (and the rest of the team) hear about each confirmation.
    assert (await notified_kinds(api, scene.designer)).count("DESIGN_CONFIRMED") == 2
    assert "DESIGN_CONFIRMED" not in await notified_kinds(api, scene.customer)


async def test_only_a_submitted_proposal_can_be_confirmed(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    first = await submit(api, scene)
    second = await submit(api, scene, title="Other")
    await confirm(api, scene, first["id"])
    await confirm(api, scene, second["id"])  # first is SUPERSEDED now
    before = await project_state(scene.project_id)

    for proposal_id, status in ((second["id"], "CONFIRMED"), (first["id"], "SUPERSEDED")):
        body = await api.call(CONFIRM, {"id": proposal_id}, scene.customer)
        assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": status}

    assert await project_state(scene.project_id) == before


async def test_designs_need_a_team(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=False)
    body = await api.call(
        SUBMIT, {"id": scene.project_id, "input": proposal_input()}, scene.designer
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"  # not on the project yet


async def test_designs_are_refused_on_a_cancelled_project(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    proposal = await submit(api, scene)
    await api.ok(
        'mutation($id: ID!) { cancelProject(projectId: $id, reason: "No") { id } }',
        {"id": scene.project_id},
        scene.customer,
    )
    before = await project_state(scene.project_id)
    submitted = await api.call(
        SUBMIT, {"id": scene.project_id, "input": proposal_input()}, scene.designer
    )
    confirmed = await api.call(CONFIRM, {"id": proposal["id"]}, scene.customer)
    for body in (submitted, confirmed):
        assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "CANCELLED"}
    assert await project_state(scene.project_id) == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": " "}, "title", "title must not be empty."),
        ({"title": "x" * 121}, "title", "title must be at most 120 characters."),
        ({"description": ""}, "description", "description must not be empty."),
        (
            {"documentUrl": "ftp://x/y.pdf"},
            "documentUrl",
            "documentUrl must be an http(s) URL like https://example.com/a.jpg.",
        ),
        (
            {"estimateCents": 0},
            "estimateCents",
            "estimateCents must be a positive number of cents.",
        ),
    ],
)
async def test_design_validation(
    api: Api, app: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    scene = await Renovation.build(api, app, team=True)
    before = await project_state(scene.project_id)
    body = await api.call(
        SUBMIT, {"id": scene.project_id, "input": proposal_input(**overrides)}, scene.designer
    )
    bad_input(body, field, message)
    assert await project_state(scene.project_id) == before


# --- Material plans ----------------------------------------------------------------------------


async def test_plan_totals_are_computed_by_the_server_in_cents(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)

    plan = await file_plan(api, scene)

    assert [line["totalCents"] for line in plan["items"]] == LINE_TOTALS
    assert plan["totalCents"] == sum(LINE_TOTALS) == 5953
    assert [line["quantity"] for line in plan["items"]] == [2.5, 3.0, 0.1, 12.345]
    assert plan["version"] == 1 and plan["budgeter"]["id"] == scene.material_budgeter.id
    record = plan["record"]
    assert (record["kind"], record["subject"], record["version"]) == (
        "MATERIAL_PLAN",
        "material_plan",
        1,
    )
    assert record["sha256"] == sha256(record["contentText"])
    assert record["content"]["totalCents"] == 5953
    assert [line["totalCents"] for line in record["content"]["items"]] == LINE_TOTALS
    for actor in (scene.customer, scene.project_manager, scene.supplier_owner):
        assert "MATERIAL_PLAN_FILED" in await notified_kinds(api, actor)
    filed = [e for e in await feed(api, scene) if e["kind"] == "RECORD_FILED"]
    assert filed[-1]["data"]["recordId"] == int(record["id"])


async def test_a_new_plan_supersedes_the_old_one(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    first = await file_plan(api, scene)
    second = await file_plan(api, scene, items=ITEMS[:2])

    assert second["version"] == 2
    assert second["record"]["supersedesId"] == first["record"]["id"]
    assert second["totalCents"] == 833 + 3897
    plans = await api.ok(PLANS, {"id": scene.project_id}, scene.supervisor)
    assert [(p["id"], p["version"]) for p in plans["materialPlans"]] == [
        (first["id"], 1),
        (second["id"], 2),
    ]
    old = await ProjectRecord.get(id=int(first["record"]["id"]))
    assert old.content == first["record"]["contentText"] and old.sha256 == sha256(old.content)


def _items(**changes: Any) -> list[dict[str, Any]]:
    return [{**ITEMS[0], **changes}]


@pytest.mark.parametrize(
    ("items", "field", "message"),
    [
        ([], "items", "items must list between 1 and 200 items."),
        (_items(quantity=0), "items[0].quantity", "items[0].quantity must be greater than 0."),
        (_items(quantity=-1.5), "items[0].quantity", "items[0].quantity must be greater than 0."),
        (
            _items(quantity=1.2345),
            "items[0].quantity",
            "items[0].quantity may have at most 3 decimal places.",
        ),
        (
            _items(quantity=2_000_000),
            "items[0].quantity",
            "items[0].quantity must be at most 1000000.",
        ),
        (
            _items(unitPriceCents=0),
            "items[0].unitPriceCents",
            "items[0].unitPriceCents must be a positive number of cents.",
        ),
        (_items(name=""), "items[0].name", "items[0].name must not be empty."),
        (_items(unit=" "), "items[0].unit", "items[0].unit must not be empty."),
        (
            [ITEMS[0], {**ITEMS[1], "name": "floor TILES"}],
            "items[1].name",
            "items[1].name repeats 'floor TILES': list each item once.",
        ),
    ],
)
async def test_plan_validation(
    api: Api, app: Any, items: list[dict[str, Any]], field: str, message: str
) -> None:
    scene = await Renovation.build(api, app, contract=True)
    before = await project_state(scene.project_id)
    body = await api.call(
        FILE_PLAN, {"id": scene.project_id, "input": {"items": items}}, scene.material_budgeter
    )
    bad_input(body, field, message)
    assert await project_state(scene.project_id) == before


# --- Deliveries --------------------------------------------------------------------------------


async def test_delivery_received_in_full(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    plan = await file_plan(api, scene)

    dispatched = await dispatch(api, scene)

    assert dispatched["status"] == "DISPATCHED"
    assert dispatched["plan"] == {"id": plan["id"], "version": 1}
    assert dispatched["recordedBy"]["id"] == scene.supplier_owner.id
    assert dispatched["items"] == [
        {"name": "Floor tiles", "quantity": 2.5},
        {"name": "Tile adhesive", "quantity": 3.0},
    ]
    delivered = (await api.ok(DELIVERED, {"id": dispatched["id"]}, scene.material_budgeter))[
        "markDeliveryDelivered"
    ]
    assert delivered["status"] == "DELIVERED" and delivered["deliveredAt"] is not None
    received = (await api.ok(CONFIRM_RECEIPT, {"id": dispatched["id"]}, scene.project_manager))[
        "confirmDeliveryReceipt"
    ]
    assert received["status"] == "RECEIVED"
    assert received["missingItems"] == []
    assert received["confirmedBy"]["id"] == scene.project_manager.id
    steps = [e["data"]["status"] for e in await feed(api, scene) if e["kind"] == "DELIVERY_UPDATED"]
    assert steps == ["DISPATCHED", "DELIVERED", "RECEIVED"]
    # Who must act next hears of each step.
    customer_steps = [
        n["data"]["status"]
        for n in await notifications(api, scene.customer)
        if n["kind"] == "DELIVERY_UPDATED"
    ]
    assert customer_steps == ["DISPATCHED", "DELIVERED"]
    supplier_steps = [
        n["data"]["status"]
        for n in await notifications(api, scene.material_budgeter)
        if n["kind"] == "DELIVERY_UPDATED"
    ]
    assert supplier_steps == ["RECEIVED"]


async def test_a_shortfall_notifies_the_supplier_side(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await file_plan(api, scene)
    delivery = await dispatch(api, scene)
    await api.ok(DELIVERED, {"id": delivery["id"]}, scene.supplier_owner)

    body = await api.ok(
        CONFIRM_RECEIPT,
        {
            "id": delivery["id"],
            "missing": [{"name": "floor tiles", "quantity": 1}],
            "note": "One box short.",
        },
        scene.customer,
    )

    short = body["confirmDeliveryReceipt"]
    assert short["status"] == "SHORTFALL"
    assert short["missingItems"] == [{"name": "Floor tiles", "quantity": 1.0}]
    assert short["confirmationNote"] == "One box short."
    assert short["confirmedBy"]["id"] == scene.customer.id
    for actor in (scene.supplier_owner, scene.material_budgeter):
        told = [
            n
            for n in await notifications(api, actor)
            if n["kind"] == "DELIVERY_UPDATED" and n["data"]["status"] == "SHORTFALL"
        ]
        assert len(told) == 1
        assert "1 x Floor tiles" in told[0]["body"] and "One box short." in told[0]["body"]
    last = [e for e in await feed(api, scene) if e["kind"] == "DELIVERY_UPDATED"][-1]
    assert last["data"]["status"] == "SHORTFALL" and "short" in last["summary"]


async def test_delivery_status_moves_one_step_at_a_time(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await file_plan(api, scene)
    delivery = await dispatch(api, scene)
    ident = {"id": delivery["id"]}

    before = await project_state(scene.project_id)
    early = await api.call(CONFIRM_RECEIPT, ident, scene.customer)
    assert early["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "DISPATCHED"}
    assert await project_state(scene.project_id) == before

    await api.ok(DELIVERED, ident, scene.supplier_owner)
    before = await project_state(scene.project_id)
    twice = await api.call(DELIVERED, ident, scene.supplier_owner)
    assert twice["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "DELIVERED"}
    assert await project_state(scene.project_id) == before

    await api.ok(CONFIRM_RECEIPT, ident, scene.customer)
    before = await project_state(scene.project_id)
    for query, actor in (
        (CONFIRM_RECEIPT, scene.project_manager),
        (DELIVERED, scene.supplier_owner),
    ):
        body = await api.call(query, ident, actor)
        assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "RECEIVED"}
    assert await project_state(scene.project_id) == before


async def test_a_delivery_needs_a_filed_plan(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    before = await project_state(scene.project_id)
    body = await api.call(
        RECORD_DELIVERY, {"id": scene.project_id, "input": delivery_input()}, scene.supplier_owner
    )
    assert body["errors"][0]["extensions"] == {"code": "INVALID_STATE", "status": "IN_PROGRESS"}
    assert "No material plan" in body["errors"][0]["message"]
    assert await project_state(scene.project_id) == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"carrier": ""}, "carrier", "carrier must not be empty."),
        ({"trackingNumber": " "}, "trackingNumber", "trackingNumber must not be empty."),
        ({"items": []}, "items", "items must list between 1 and 200 items."),
        (
            {"items": [{"name": "Marble", "quantity": 1}]},
            "items[0].name",
            "items[0].name 'Marble' is not an item of the material plan in force.",
        ),
        (
            {"items": [{"name": "Cable", "quantity": 0}]},
            "items[0].quantity",
            "items[0].quantity must be greater than 0.",
        ),
        (
            {"items": [{"name": "Cable", "quantity": 1}, {"name": "cable", "quantity": 2}]},
            "items[1].name",
            "items[1].name repeats 'cable': list each item once.",
        ),
    ],
)
async def test_delivery_validation(
    api: Api, app: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await file_plan(api, scene)
    before = await project_state(scene.project_id)
    body = await api.call(
        RECORD_DELIVERY,
        {"id": scene.project_id, "input": delivery_input(**overrides)},
        scene.material_budgeter,
    )
    bad_input(body, field, message)
    assert await project_state(scene.project_id) == before


@pytest.mark.parametrize(
    ("missing", "field", "message"),
    [
        (
            [{"name": "Cable", "quantity": 1}],
            "missingItems[0]",
            "missingItems[0].name 'Cable' is not an item of the delivery.",
        ),
        (
            [{"name": "Floor tiles", "quantity": 3}],
            "missingItems[0].quantity",
            "missingItems[0].quantity must be at most 2.5, the quantity delivered.",
        ),
        (
            [{"name": "Floor tiles", "quantity": -1}],
            "missingItems[0].quantity",
            "missingItems[0].quantity must be greater than 0.",
        ),
    ],
)
async def test_receipt_validation(
    api: Api, app: Any, missing: list[dict[str, Any]], field: str, message: str
) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await file_plan(api, scene)
    delivery = await dispatch(api, scene)
    await api.ok(DELIVERED, {"id": delivery["id"]}, scene.supplier_owner)
    before = await project_state(scene.project_id)
    body = await api.call(
        CONFIRM_RECEIPT, {"id": delivery["id"], "missing": missing}, scene.project_manager
    )
    bad_input(body, field, message)
    assert await project_state(scene.project_id) == before


# --- Permissions ------------------------------------------------------------------------------


async def test_permissions_submit_design(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    await check_matrix(
        api,
        scene,
        SUBMIT,
        {"id": scene.project_id, "input": proposal_input()},
        refused_except({"designer"}),
    )


async def test_permissions_confirm_design(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    proposal = await submit(api, scene)
    await check_matrix(api, scene, CONFIRM, {"id": proposal["id"]}, refused_except({"customer"}))


async def test_permissions_file_material_plan(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await check_matrix(
        api,
        scene,
        FILE_PLAN,
        {"id": scene.project_id, "input": {"items": ITEMS}},
        refused_except({"material_budgeter"}),
    )


async def test_permissions_record_delivery(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await file_plan(api, scene)
    await check_matrix(
        api,
        scene,
        RECORD_DELIVERY,
        {"id": scene.project_id, "input": delivery_input()},
        refused_except({"supplier_owner", "material_budgeter"}),
    )


async def test_permissions_mark_delivered(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await file_plan(api, scene)
    delivery = await dispatch(api, scene)
    expected = refused_except({"supplier_owner", "material_budgeter"})
    # One delivery moves once: the budgeter's right is shown on a second one.
    await check_matrix(
        api, scene, DELIVERED, {"id": delivery["id"]}, expected, skip={"material_budgeter"}
    )
    second = await dispatch(api, scene)
    await api.ok(DELIVERED, {"id": second["id"]}, scene.material_budgeter)


async def test_permissions_confirm_receipt(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await file_plan(api, scene)
    delivery = await dispatch(api, scene)
    await api.ok(DELIVERED, {"id": delivery["id"]}, scene.supplier_owner)
    expected = refused_except({"customer", "project_manager"})
    # One delivery is confirmed once: the manager's right is shown on a second one.
    await check_matrix(
        api, scene, CONFIRM_RECEIPT, {"id": delivery["id"]}, expected, skip={"project_manager"}
    )
    second = await dispatch(api, scene)
    await api.ok(DELIVERED, {"id": second["id"]}, scene.supplier_owner)
    await api.ok(CONFIRM_RECEIPT, {"id": second["id"]}, scene.project_manager)


@pytest.mark.parametrize("query", [PROPOSALS, PLANS, DELIVERIES])
async def test_permissions_lists(api: Api, app: Any, query: str) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await check_matrix(
        api, scene, query, {"id": scene.project_id}, refused_except(set(), viewers_forbidden=False)
    )


async def test_unknown_or_foreign_ids_are_not_found(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    await file_plan(api, scene)
    delivery = await dispatch(api, scene)
    proposal = await submit(api, scene)
    stranger = scene.outsiders["other_customer"]
    for query, variables, actor in (
        (CONFIRM, {"id": "999999"}, scene.customer),
        (CONFIRM, {"id": "abc"}, scene.customer),
        (CONFIRM, {"id": proposal["id"]}, stranger),
        (DELIVERED, {"id": "999999"}, scene.supplier_owner),
        (DELIVERED, {"id": delivery["id"]}, scene.outsiders["other_staff"]),
        (CONFIRM_RECEIPT, {"id": delivery["id"]}, stranger),
    ):
        body = await api.call(query, variables, actor)
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND", (query, variables)
    for query in (CONFIRM, DELIVERED, CONFIRM_RECEIPT):
        body = await api.call(query, {"id": "999999"})
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- No N+1 ------------------------------------------------------------------------------------


async def _statements(
    api: Api, monkeypatch: pytest.MonkeyPatch, query: str, scene: Renovation
) -> int:
    counter = StatementCounter()
    with monkeypatch.context() as patch:
        counter.wrap(patch)
        await api.ok(query, {"id": scene.project_id}, scene.customer)
    return len(counter.statements)


LIST_PROPOSALS = """query($id: ID!) { designProposals(projectId: $id) {
  id status currency designer { id displayName } record { id version sha256 } } }"""
LIST_DELIVERIES = """query($id: ID!) { deliveries(projectId: $id, first: 20) {
  id status items(first: 10) { name } recordedBy { id displayName } confirmedBy { id displayName }
  plan { id version totalCents budgeter { displayName } } } }"""


async def test_design_proposals_cost_the_same_for_1_and_many(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = await Renovation.build(api, app, team=True)
    await confirm(api, one, (await submit(api, one))["id"])
    many = await Renovation.build(api, app, team=True)
    for n in range(8):
        proposal = await submit(api, many, title=f"Option {n}")
        if n % 2:
            await confirm(api, many, proposal["id"])

    assert await _statements(api, monkeypatch, LIST_PROPOSALS, one) == await _statements(
        api, monkeypatch, LIST_PROPOSALS, many
    )


async def test_deliveries_cost_the_same_for_1_and_many(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def with_deliveries(count: int) -> Renovation:
        scene = await Renovation.build(api, app, contract=True)
        for n in range(count):
            if n % 3 == 0:
                await file_plan(api, scene)
            delivery = await dispatch(api, scene)
            await api.ok(DELIVERED, {"id": delivery["id"]}, scene.supplier_owner)
            await api.ok(CONFIRM_RECEIPT, {"id": delivery["id"]}, scene.customer)
        return scene

    one = await with_deliveries(1)
    many = await with_deliveries(7)

    counted = await _statements(api, monkeypatch, LIST_DELIVERIES, one)
    assert counted == await _statements(api, monkeypatch, LIST_DELIVERIES, many)
    # viewer, project, firms (policy), deliveries, plans, records, users
    assert counted <= 8
