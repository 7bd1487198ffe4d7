"""Renovation projects: creating one, choosing its team, cancelling it, and reading projects."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from models import Contract, Project, ProjectStatus
from tests.support.api import Actor, Api
from tests.support.query_count import StatementCounter
from tests.support.renovation import (
    ASSIGN_TEAM,
    VERIFY_ENTERPRISE,
    Firm,
    Renovation,
    add_member,
    register_enterprise,
    verified_firm,
)

CREATE = """
mutation($input: CreateProjectInput!) {
  createProject(input: $input) {
    id title address location { lat lng } areaSqm budgetCents currency description status
    customer { id displayName } myRoles openDefects acceptedAt
    team { designEnterprise { id } decorationEnterprise { id } supervisionEnterprise { id }
           supplierEnterprise { id } designer { id } projectManager { id } supervisor { id }
           materialBudgeter { id } }
  }
}"""
PROJECT = """
query($id: ID!) {
  project(id: $id) {
    id status myRoles
    team {
      designEnterprise { id kind status } decorationEnterprise { id kind }
      supervisionEnterprise { id kind } supplierEnterprise { id kind }
      designer { id } projectManager { id } supervisor { id } materialBudgeter { id }
    }
  }
}"""
PROJECTS = """
query($first: Int, $after: String, $status: ProjectStatus) {
  projects(first: $first, after: $after, status: $status) {
    edges { node { id status } } pageInfo { hasNextPage endCursor }
  }
}"""
CANCEL = """
mutation($id: ID!, $reason: String!) {
  cancelProject(projectId: $id, reason: $reason) { id status }
}"""
EVENTS = """
query($id: ID!) { projectEvents(projectId: $id, first: 50) { edges { node { kind data } } } }"""
NOTIFICATIONS = "{ notifications(first: 50) { edges { node { kind title data } } } }"
REMOVE_MEMBER = "mutation($id: ID!) { removeEnterpriseMember(memberId: $id) }"
MEMBERS = "query($id: ID!) { enterprise(id: $id) { members { id user { id } } } }"
SUSPEND = """
mutation($id: ID!, $note: String!) { suspendEnterprise(id: $id, note: $note) { id status } }"""

NEW_PROJECT = {
    "title": "Kitchen and bathroom",
    "address": "Torstraße 1, Berlin",
    "location": {"lat": 52.53, "lng": 13.4},
    "areaSqm": 62.5,
    "budgetCents": 3_000_000,
    "description": "New kitchen, retiled bathroom.",
}


async def _error(api: Api, query: str, variables: dict, actor: Actor | None) -> dict[str, Any]:
    body = await api.call(query, variables, actor)
    assert body.get("errors"), body
    assert len(body["errors"]) == 1, body
    return body["errors"][0]


async def _events(api: Api, project_id: str, actor: Actor) -> list[dict[str, Any]]:
    """Oldest first."""
    data = await api.ok(EVENTS, {"id": project_id}, actor)
    return [edge["node"] for edge in reversed(data["projectEvents"]["edges"])]


async def _notifications(api: Api, actor: Actor) -> list[dict[str, Any]]:
    data = await api.ok(NOTIFICATIONS, actor=actor)
    return [edge["node"] for edge in data["notifications"]["edges"]]


async def _project(api: Api, scene: Renovation, actor: Actor | None = None) -> dict[str, Any]:
    data = await api.ok(PROJECT, {"id": scene.project_id}, actor or scene.customer)
    return data["project"]


async def _assign(
    api: Api, scene: Renovation, actor: Actor | None = None, **changes: str
) -> dict[str, Any]:
    body = await api.call(
        ASSIGN_TEAM,
        {"id": scene.project_id, "input": {**scene.team_input(), **changes}},
        actor or scene.customer,
    )
    return body


def _refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errors") and len(body["errors"]) == 1, body
    return body["errors"][0]["extensions"]


# --- Creating ----------------------------------------------------------------------------------


async def test_a_customer_creates_a_project(api: Api) -> None:
    customer = await api.register("CUSTOMER", name="Carla")
    data = await api.ok(CREATE, {"input": NEW_PROJECT}, customer)
    project = data["createProject"]
    assert project == {
        "id": project["id"],
        "title": "Kitchen and bathroom",
        "address": "Torstraße 1, Berlin",
        "location": {"lat": 52.53, "lng": 13.4},
        "areaSqm": 62.5,
        "budgetCents": 3_000_000,
        "currency": "CNY",
        "description": "New kitchen, retiled bathroom.",
        "status": "PLANNING",
        "customer": {"id": customer.id, "displayName": "Carla"},
        "myRoles": ["CUSTOMER"],
        "openDefects": [],
        "acceptedAt": None,
        "team": {
            "designEnterprise": None,
            "decorationEnterprise": None,
            "supervisionEnterprise": None,
            "supplierEnterprise": None,
            "designer": None,
            "projectManager": None,
            "supervisor": None,
            "materialBudgeter": None,
        },
    }
    [event] = await _events(api, project["id"], customer)
    assert event == {
        "kind": "PROJECT_STATUS_CHANGED",
        "data": {"status": "PLANNING", "previousStatus": None},
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"title": "t" * 121}, "title"),
        ({"address": ""}, "address"),
        ({"location": {"lat": 91, "lng": 0}}, "location.lat"),
        ({"location": {"lat": 0, "lng": -181}}, "location.lng"),
        ({"areaSqm": 0}, "areaSqm"),
        ({"areaSqm": 1e9}, "areaSqm"),
        ({"budgetCents": 0}, "budgetCents"),
        ({"budgetCents": -5}, "budgetCents"),
        ({"description": "d" * 4001}, "description"),
    ],
)
async def test_project_input_is_checked(api: Api, changes: dict[str, Any], field: str) -> None:
    customer = await api.register("CUSTOMER")
    error = await _error(api, CREATE, {"input": {**NEW_PROJECT, **changes}}, customer)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await Project.all().count() == 0


# --- Choosing the team -------------------------------------------------------------------------


async def test_the_customer_chooses_the_team(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=False)
    assert (await _project(api, scene))["status"] == "PLANNING"
    await scene.assign_team()

    project = await _project(api, scene)
    assert project["status"] == "CONTRACTING"
    team = project["team"]
    for kind, key in (
        ("DESIGN", "designEnterprise"),
        ("DECORATION", "decorationEnterprise"),
        ("SUPERVISION", "supervisionEnterprise"),
        ("MATERIAL_SUPPLIER", "supplierEnterprise"),
    ):
        assert team[key] == {"id": scene.firms[kind].enterprise_id, "kind": kind} | (
            {"status": "VERIFIED"} if kind == "DESIGN" else {}
        )
    assert team["designer"] == {"id": scene.designer.id}
    assert team["projectManager"] == {"id": scene.project_manager.id}
    assert team["supervisor"] == {"id": scene.supervisor.id}
    assert team["materialBudgeter"] == {"id": scene.material_budgeter.id}

    # Everyone on the team sees the project, in their roles.
    expected_roles = {
        "designer": ["DESIGNER"],
        "project_manager": ["PROJECT_MANAGER"],
        "supervisor": ["SUPERVISOR"],
        "material_budgeter": ["MATERIAL_BUDGETER"],
        "decoration_owner": ["DECORATION_FIRM"],
        "supplier_owner": ["SUPPLIER_FIRM"],
        "admin": ["ADMIN"],
        "customer": ["CUSTOMER"],
    }
    actors = scene.actors()
    for name, roles in expected_roles.items():
        seen = await _project(api, scene, actors[name])
        assert seen["myRoles"] == roles, name

    events = await _events(api, scene.project_id, scene.supervisor)
    assert [e["kind"] for e in events] == [
        "PROJECT_STATUS_CHANGED",
        "TEAM_ASSIGNED",
        "PROJECT_STATUS_CHANGED",
    ]
    assert events[1]["data"] == {key: int(value) for key, value in scene.team_input().items()}
    assert events[2]["data"] == {"status": "CONTRACTING", "previousStatus": "PLANNING"}

    # The team and the firm owners are told, each with their roles; the customer is not.
    for name in ("designer", "project_manager", "decoration_owner", "supplier_owner"):
        actor = actors[name]
        assert actor is not None
        [told] = [
            n for n in await _notifications(api, actor) if n["kind"] == "PROJECT_TEAM_ASSIGNED"
        ]
        assert told["data"] == {
            "projectId": int(scene.project_id),
            "roles": expected_roles[name],
        }
    assert await _notifications(api, scene.customer) == []


@pytest.mark.parametrize("status", ["PENDING", "REJECTED", "SUSPENDED"])
async def test_only_verified_enterprises_can_be_chosen(api: Api, app: Any, status: str) -> None:
    scene = await Renovation.build(api, app, team=False)
    owner = await api.register("ENTERPRISE_STAFF")
    designer = await api.register("ENTERPRISE_STAFF")
    ident = await register_enterprise(api, owner, "DESIGN")
    await add_member(api, owner, ident, designer, "DESIGNER")
    if status == "REJECTED":
        await api.ok(VERIFY_ENTERPRISE, {"id": ident, "approved": False, "note": "no"}, scene.admin)
    if status == "SUSPENDED":
        await api.ok(VERIFY_ENTERPRISE, {"id": ident, "approved": True}, scene.admin)
        await api.ok(SUSPEND, {"id": ident, "note": "fraud"}, scene.admin)
    body = await _assign(api, scene, designEnterpriseId=ident, designerId=designer.id)
    # A non-verified enterprise does not exist for the customer.
    assert _refusal(body) == {"code": "NOT_FOUND"}
    project = await _project(api, scene)
    assert project["status"] == "PLANNING"
    assert project["team"]["designer"] is None
    assert [e["kind"] for e in await _events(api, scene.project_id, scene.customer)] == [
        "PROJECT_STATUS_CHANGED"
    ]
    assert not [
        n for n in await _notifications(api, designer) if n["kind"] == "PROJECT_TEAM_ASSIGNED"
    ]


async def test_each_enterprise_must_be_of_its_seat_kind(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=False)
    decoration = scene.firms["DECORATION"].enterprise_id
    design = scene.firms["DESIGN"].enterprise_id
    body = await _assign(api, scene, designEnterpriseId=decoration)
    assert _refusal(body) == {"code": "BAD_USER_INPUT", "field": "designEnterpriseId"}
    body = await _assign(api, scene, supplierEnterpriseId=design)
    assert _refusal(body) == {"code": "BAD_USER_INPUT", "field": "supplierEnterpriseId"}
    for bad in ("999999", "x"):
        body = await _assign(api, scene, supervisionEnterpriseId=bad)
        assert _refusal(body) == {"code": "NOT_FOUND"}
    assert (await _project(api, scene))["status"] == "PLANNING"


async def test_each_person_must_be_a_member_of_the_matching_enterprise(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=False)
    other_design = await verified_firm(api, scene.admin, "DESIGN", "DESIGNER")
    cases = [
        # a designer, but of another design enterprise than the one chosen
        ({"designerId": other_design.person.id}, "designerId"),
        # a member of the chosen decoration enterprise, but not a designer
        ({"designerId": scene.project_manager.id}, "designerId"),
        # the owner of the chosen enterprise is not a member unless added
        ({"projectManagerId": scene.decoration_owner.id}, "projectManagerId"),
        ({"supervisorId": scene.customer.id}, "supervisorId"),
        ({"materialBudgeterId": "999999"}, "materialBudgeterId"),
    ]
    for changes, field in cases:
        body = await _assign(api, scene, **changes)
        assert _refusal(body) == {"code": "BAD_USER_INPUT", "field": field}, changes
    assert (await _project(api, scene))["status"] == "PLANNING"
    # The other design firm with its own designer is a valid choice.
    body = await _assign(
        api,
        scene,
        designEnterpriseId=other_design.enterprise_id,
        designerId=other_design.person.id,
    )
    assert "errors" not in body, body
    assert (await _project(api, scene))["team"]["designer"] == {"id": other_design.person.id}


async def test_supervision_must_be_independent_of_the_decoration_enterprise(
    api: Api, app: Any
) -> None:
    scene = await Renovation.build(api, app, team=False)
    # The decoration enterprise's owner also owns a verified supervision enterprise.
    owner = scene.decoration_owner
    ident = await register_enterprise(api, owner, "SUPERVISION")
    await api.ok(VERIFY_ENTERPRISE, {"id": ident, "approved": True}, scene.admin)
    inspector = await api.register("ENTERPRISE_STAFF")
    await add_member(api, owner, ident, inspector, "SUPERVISOR")
    body = await _assign(api, scene, supervisionEnterpriseId=ident, supervisorId=inspector.id)
    assert _refusal(body) == {"code": "BAD_USER_INPUT", "field": "supervisionEnterpriseId"}
    # Nor may the project manager supervise their own work (through another firm).
    supervision = scene.firms["SUPERVISION"]
    await add_member(
        api, supervision.owner, supervision.enterprise_id, scene.project_manager, "SUPERVISOR"
    )
    body = await _assign(api, scene, supervisorId=scene.project_manager.id)
    assert _refusal(body) == {"code": "BAD_USER_INPUT", "field": "supervisorId"}
    assert (await _project(api, scene))["status"] == "PLANNING"


async def test_the_team_can_change_until_a_contract_is_drafted(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    replaced: Firm = scene.firms["DESIGN"]
    new_design = await verified_firm(api, scene.admin, "DESIGN", "DESIGNER")
    body = await _assign(
        api,
        scene,
        designEnterpriseId=new_design.enterprise_id,
        designerId=new_design.person.id,
    )
    assert "errors" not in body, body
    project = await _project(api, scene)
    assert project["status"] == "CONTRACTING"
    assert project["team"]["designer"] == {"id": new_design.person.id}
    kinds = [e["kind"] for e in await _events(api, scene.project_id, scene.customer)]
    assert kinds == [
        "PROJECT_STATUS_CHANGED",
        "TEAM_ASSIGNED",
        "PROJECT_STATUS_CHANGED",
        "TEAM_ASSIGNED",
    ]
    # The replaced designer and design firm owner are told, and lose sight of the project.
    for actor in (replaced.person, replaced.owner):
        latest = (await _notifications(api, actor))[0]
        assert latest["kind"] == "PROJECT_TEAM_ASSIGNED"
        assert latest["data"] == {"projectId": int(scene.project_id), "roles": []}
        error = await _error(api, PROJECT, {"id": scene.project_id}, actor)
        assert error["extensions"] == {"code": "NOT_FOUND"}
    assert (await _project(api, scene, new_design.person))["myRoles"] == ["DESIGNER"]
    # The rest of the team is told of the change again (the team they are on changed).
    latest = (await _notifications(api, scene.supervisor))[0]
    assert latest["data"]["roles"] == ["SUPERVISOR"]

    # Once the project manager has drafted a contract, the team is fixed.
    await Contract.create(
        project_id=int(scene.project_id),
        total_cents=1000,
        stages=[{"name": "All", "percent": 100}],
        terms="t",
        drafted_by_id=int(scene.project_manager.id),
    )
    body = await _assign(api, scene)
    assert _refusal(body) == {"code": "INVALID_STATE", "status": "CONTRACTING"}


@pytest.mark.parametrize("status", ["IN_PROGRESS", "ACCEPTED", "CANCELLED"])
async def test_the_team_is_fixed_after_contracting(api: Api, app: Any, status: str) -> None:
    scene = await Renovation.build(api, app, team=True)
    await Project.filter(id=int(scene.project_id)).update(status=ProjectStatus(status))
    body = await _assign(api, scene)
    assert _refusal(body) == {"code": "INVALID_STATE", "status": status}


async def test_a_chosen_enterprise_suspended_later_stays_on_the_team(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    design = scene.firms["DESIGN"].enterprise_id
    await api.ok(SUSPEND, {"id": design, "note": "review"}, scene.admin)
    # Participants still see it (outsiders would not).
    project = await _project(api, scene)
    assert project["team"]["designEnterprise"] == {
        "id": design,
        "kind": "DESIGN",
        "status": "SUSPENDED",
    }
    # But it cannot be chosen again.
    assert _refusal(await _assign(api, scene)) == {"code": "NOT_FOUND"}


async def test_an_assigned_member_is_removed_only_after_the_project_ends(
    api: Api, app: Any
) -> None:
    scene = await Renovation.build(api, app, team=True)
    firm = scene.firms["DESIGN"]
    members = await api.ok(MEMBERS, {"id": firm.enterprise_id}, firm.owner)
    [member] = members["enterprise"]["members"]
    error = await _error(api, REMOVE_MEMBER, {"id": member["id"]}, firm.owner)
    assert error["extensions"] == {"code": "INVALID_STATE", "status": "ASSIGNED"}
    assert scene.project_id in error["message"]
    assert (await _project(api, scene))["team"]["designer"] == {"id": scene.designer.id}
    await api.ok(CANCEL, {"id": scene.project_id, "reason": "moving abroad"}, scene.customer)
    assert await api.ok(REMOVE_MEMBER, {"id": member["id"]}, firm.owner) == {
        "removeEnterpriseMember": True
    }


# --- Cancelling --------------------------------------------------------------------------------


async def test_the_customer_cancels_before_the_contract_is_filed(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    error = await _error(api, CANCEL, {"id": scene.project_id, "reason": "  "}, scene.customer)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "reason"}
    data = await api.ok(CANCEL, {"id": scene.project_id, "reason": "budget cut"}, scene.customer)
    assert data["cancelProject"] == {"id": scene.project_id, "status": "CANCELLED"}
    events = await _events(api, scene.project_id, scene.supervisor)
    assert events[-1] == {
        "kind": "PROJECT_STATUS_CHANGED",
        "data": {"status": "CANCELLED", "previousStatus": "CONTRACTING"},
    }
    for actor in (scene.designer, scene.decoration_owner, scene.material_budgeter):
        latest = (await _notifications(api, actor))[0]
        assert latest["kind"] == "PROJECT_STATUS_CHANGED"
        assert latest["data"] == {"projectId": int(scene.project_id), "status": "CANCELLED"}
    assert await _notifications(api, scene.customer) == []
    # Once only.
    error = await _error(api, CANCEL, {"id": scene.project_id, "reason": "again"}, scene.customer)
    assert error["extensions"] == {"code": "INVALID_STATE", "status": "CANCELLED"}


async def test_a_planning_project_can_be_cancelled(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    ident = (await api.ok(CREATE, {"input": NEW_PROJECT}, customer))["createProject"]["id"]
    data = await api.ok(CANCEL, {"id": ident, "reason": "changed my mind"}, customer)
    assert data["cancelProject"]["status"] == "CANCELLED"


@pytest.mark.parametrize("status", ["IN_PROGRESS", "AWAITING_ACCEPTANCE", "RECTIFYING", "ACCEPTED"])
async def test_a_project_under_contract_cannot_be_cancelled(
    api: Api, app: Any, status: str
) -> None:
    scene = await Renovation.build(api, app, team=True)
    await Project.filter(id=int(scene.project_id)).update(status=ProjectStatus(status))
    error = await _error(api, CANCEL, {"id": scene.project_id, "reason": "r"}, scene.customer)
    assert error["extensions"] == {"code": "INVALID_STATE", "status": status}


# --- Reading -----------------------------------------------------------------------------------


async def _project_ids(api: Api, actor: Actor | None, **variables: Any) -> list[str]:
    data = await api.ok(PROJECTS, variables, actor)
    return [edge["node"]["id"] for edge in data["projects"]["edges"]]


async def test_projects_lists_the_viewers_projects(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    second = (await api.ok(CREATE, {"input": NEW_PROJECT}, scene.customer))["createProject"]["id"]
    elsewhere = await api.register("CUSTOMER")
    foreign = (await api.ok(CREATE, {"input": NEW_PROJECT}, elsewhere))["createProject"]["id"]
    actors = scene.actors()

    assert await _project_ids(api, scene.customer) == [second, scene.project_id]
    for name in (
        "designer",
        "project_manager",
        "supervisor",
        "material_budgeter",
        "decoration_owner",
        "supplier_owner",
    ):
        assert await _project_ids(api, actors[name]) == [scene.project_id], name
    assert await _project_ids(api, scene.firms["DESIGN"].owner) == [scene.project_id]
    for name in ("other_customer", "worker", "other_staff"):
        assert await _project_ids(api, actors[name]) == [], name
    assert await _project_ids(api, elsewhere) == [foreign]
    assert await _project_ids(api, scene.admin) == [foreign, second, scene.project_id]
    assert await _project_ids(api, scene.customer, status="PLANNING") == [second]
    assert await _project_ids(api, scene.customer, status="CONTRACTING") == [scene.project_id]

    page = (await api.ok(PROJECTS, {"first": 1}, scene.customer))["projects"]
    assert [e["node"]["id"] for e in page["edges"]] == [second]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await _project_ids(api, scene.customer, first=1, after=page["pageInfo"]["endCursor"])
    assert rest == [scene.project_id]
    error = await _error(api, PROJECTS, {"first": 0}, scene.customer)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}


async def test_unknown_projects_are_not_found(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    for ident in ("999999", "abc", "0"):
        error = await _error(api, PROJECT, {"id": ident}, customer)
        assert error["extensions"] == {"code": "NOT_FOUND"}


# --- No N+1 ------------------------------------------------------------------------------------

PROJECTS_WITH_TEAM = """{ projects(first: 10) { edges { node { id title myRoles
  customer { displayName }
  team {
    designEnterprise { id name owner { displayName }
      members(first: 5) { role user { displayName } } }
    decorationEnterprise { id name } supervisionEnterprise { id name }
    supplierEnterprise { id name }
    designer { displayName } projectManager { displayName } supervisor { displayName }
    materialBudgeter { displayName }
  } } } } }"""


async def _statements_for_projects(
    api: Api, monkeypatch: pytest.MonkeyPatch, scene: Renovation, count: int, viewer: Actor
) -> int:
    # Each project gets its own design firm, so the enterprises differ from project to project.
    for _ in range(count):
        design = await verified_firm(api, scene.admin, "DESIGN", "DESIGNER")
        ident = (await api.ok(CREATE, {"input": NEW_PROJECT}, scene.customer))["createProject"][
            "id"
        ]
        team = {
            **scene.team_input(),
            "designEnterpriseId": design.enterprise_id,
            "designerId": design.person.id,
        }
        await api.ok(ASSIGN_TEAM, {"id": ident, "input": team}, scene.customer)
    counter = StatementCounter()
    with monkeypatch.context() as patch:
        counter.wrap(patch)
        data = await api.ok(PROJECTS_WITH_TEAM, actor=viewer)
    edges = data["projects"]["edges"]
    assert all(edge["node"]["team"]["designer"] is not None for edge in edges)
    return len(counter.statements)


@pytest.mark.parametrize("viewer", ["customer", "project_manager", "decoration_owner", "admin"])
async def test_projects_with_their_teams_cost_the_same_for_1_and_n(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch, viewer: str
) -> None:
    scene = await Renovation.build(api, app, team=True)
    actor = scene.actors()[viewer]
    assert actor is not None
    one = await _statements_for_projects(api, monkeypatch, scene, 1, actor)
    many = await _statements_for_projects(api, monkeypatch, scene, 8, actor)
    assert one == many
    # viewer, owned enterprises (staff), projects page, users, enterprises, members, members'
    # users
    assert one <= 7


# --- Races (real on PostgreSQL; SQLite serialises writers) -------------------------------------


async def test_removing_a_member_racing_with_their_assignment(api: Api, app: Any) -> None:
    """Either the assignment wins (and the removal is refused) or the removal wins (and the
    assignment is refused): never a team with someone who is no longer a member."""
    scene = await Renovation.build(api, app, team=False)
    firm = scene.firms["DESIGN"]
    seen = set()
    for _ in range(4):
        person = await api.register("ENTERPRISE_STAFF")
        member_id = await add_member(api, firm.owner, firm.enterprise_id, person, "DESIGNER")
        assigned, removed = await asyncio.gather(
            _assign(api, scene, designerId=person.id),
            api.call(REMOVE_MEMBER, {"id": member_id}, firm.owner),
        )
        outcome = (
            "OK" if "errors" not in assigned else _refusal(assigned)["code"],
            "OK" if "errors" not in removed else _refusal(removed)["code"],
        )
        assert outcome in {("OK", "INVALID_STATE"), ("BAD_USER_INPUT", "OK")}, outcome
        seen.add(outcome)
        members = await api.ok(MEMBERS, {"id": firm.enterprise_id}, firm.owner)
        still_member = person.id in {m["user"]["id"] for m in members["enterprise"]["members"]}
        designer = (await _project(api, scene))["team"]["designer"]
        if designer == {"id": person.id}:
            assert still_member
    assert seen


async def test_cancelling_racing_with_choosing_the_team_ends_cancelled(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=False)
    assigned, cancelled = await asyncio.gather(
        _assign(api, scene),
        api.call(CANCEL, {"id": scene.project_id, "reason": "race"}, scene.customer),
    )
    assert "errors" not in cancelled, cancelled
    if "errors" in assigned:
        assert _refusal(assigned) == {"code": "INVALID_STATE", "status": "CANCELLED"}
    assert (await _project(api, scene))["status"] == "CANCELLED"
    kinds = [e["kind"] for e in await _events(api, scene.project_id, scene.customer)]
    assert kinds[-1] == "PROJECT_STATUS_CHANGED"
    assert kinds.count("PROJECT_STATUS_CHANGED") == (3 if "errors" not in assigned else 2)
