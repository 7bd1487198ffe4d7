"""The permission matrix for every enterprise and project operation: each standing of
Renovation.actors(), including those that must be refused, with the exact error code. Refused
calls change nothing."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from models import EnterpriseInvitation
from tests.support.api import Actor, Api
from tests.support.renovation import (
    ACTORS,
    INVITE_MEMBER,
    OUTSIDERS,
    OWNERS,
    TEAM,
    Renovation,
    add_member,
    register_enterprise,
)

OK = "OK"
STAFF = [*TEAM, *OWNERS, "other_staff"]


def matrix(default: str, **outcomes: str) -> dict[str, str]:
    """Every actor's expected outcome: `default` unless named; anonymous is always refused."""
    expected = {name: default for name in ACTORS}
    expected["anonymous"] = "UNAUTHENTICATED"
    expected.update(outcomes)
    return expected


def _only(names: list[str], outcome: str) -> dict[str, str]:
    return dict.fromkeys(names, outcome)


@dataclass
class Case:
    query: str
    expected: dict[str, str]
    # (scene) -> variables for one call (called once per actor, so a call can use fresh values)
    variables: Callable[[Renovation], Awaitable[Callable[[], dict[str, Any]]]]
    # (scene) -> what must not change when a call is refused
    state: Callable[[Renovation], Awaitable[Any]] | None = None


async def _project_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    return lambda: {"id": scene.project_id}


async def _team_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    return lambda: {"id": scene.project_id, "input": scene.team_input()}


async def _cancel_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    return lambda: {"id": scene.project_id, "reason": "plans changed"}


async def _no_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    return dict


async def _new_project_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    return lambda: {
        "input": {
            "title": "Attic",
            "address": "Somewhere 1",
            "location": {"lat": 52.5, "lng": 13.4},
            "areaSqm": 30.0,
            "budgetCents": 1_000_000,
        }
    }


async def _register_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    return lambda: {
        "input": {
            "name": "New Firm",
            "kind": "DESIGN",
            "licenseNumber": f"LIC-{uuid.uuid4().hex[:12]}",
            "city": "Berlin",
            "contactEmail": "office@example.com",
        }
    }


async def _pending_enterprise(scene: Renovation) -> str:
    """A PENDING enterprise owned by the `other_staff` outsider."""
    owner = scene.outsiders["other_staff"]
    return await register_enterprise(scene.api, owner, "DESIGN")


async def _verify_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    ident = await _pending_enterprise(scene)
    return lambda: {"id": ident, "approved": True, "note": "ok"}


def _decoration(scene: Renovation) -> str:
    return scene.firms["DECORATION"].enterprise_id


async def _suspend_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    return lambda: {"id": _decoration(scene), "note": "complaints"}


async def _reinstate_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    await scene.api.ok(SUSPEND, {"id": _decoration(scene), "note": "complaints"}, scene.admin)
    return lambda: {"id": _decoration(scene), "note": "resolved"}


async def _invite_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    return lambda: {
        "enterpriseId": _decoration(scene),
        "email": f"new-{uuid.uuid4().hex[:8]}@example.com",
        "role": "PROJECT_MANAGER",
    }


async def _invite_pending_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    ident = await _pending_enterprise(scene)
    return lambda: {
        "enterpriseId": ident,
        "email": f"new-{uuid.uuid4().hex[:8]}@example.com",
        "role": "DESIGNER",
    }


async def _add_by_user_id_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    newcomer = await scene.api.register("ENTERPRISE_STAFF")
    return lambda: {
        "enterpriseId": _decoration(scene),
        "userId": newcomer.id,
        "role": "PROJECT_MANAGER",
    }


def _invitation_of(name: str) -> Callable[[Renovation], Awaitable[Callable[[], dict[str, Any]]]]:
    """An invitation from the decoration firm's owner to the email of the actor `name`."""

    async def variables(scene: Renovation) -> Callable[[], dict[str, Any]]:
        invitee = scene.actors()[name]
        assert invitee is not None
        firm = scene.firms["DECORATION"]
        data = await scene.api.ok(
            INVITE_MEMBER,
            {"enterpriseId": firm.enterprise_id, "email": invitee.email, "role": "PROJECT_MANAGER"},
            firm.owner,
        )
        ident = data["inviteEnterpriseMember"]["id"]
        return lambda: {"id": ident}

    return variables


async def _extra_member(scene: Renovation, enterprise_id: str, owner: Actor, role: str) -> str:
    person = await scene.api.register("ENTERPRISE_STAFF")
    return await add_member(scene.api, owner, enterprise_id, person, role)


async def _remove_member_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    # Not assigned to any project, so the owner may remove them.
    firm = scene.firms["DECORATION"]
    member = await _extra_member(scene, firm.enterprise_id, firm.owner, "PROJECT_MANAGER")
    return lambda: {"id": member}


async def _remove_pending_member_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    ident = await _pending_enterprise(scene)
    member = await _extra_member(scene, ident, scene.outsiders["other_staff"], "DESIGNER")
    return lambda: {"id": member}


async def _verified_enterprise_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    return lambda: {"id": _decoration(scene)}


async def _pending_enterprise_vars(scene: Renovation) -> Callable[[], dict[str, Any]]:
    ident = await _pending_enterprise(scene)
    return lambda: {"id": ident}


PROJECT_STATE = """query($id: ID!) { project(id: $id) { status
  team { designer { id } projectManager { id } supervisor { id } materialBudgeter { id } } } }"""
SUSPEND = """
mutation($id: ID!, $note: String!) { suspendEnterprise(id: $id, note: $note) { id status } }"""
ENTERPRISES_STATE = """{ enterprises(verifiedOnly: false, first: 20) { edges { node {
  id status statusNote members(first: 10) { id role user { id } } } } } }"""
NOTIFICATIONS_COUNT = "{ unreadNotificationCount }"
ACCEPT = "mutation($id: ID!) { acceptEnterpriseInvitation(id: $id) { id role } }"


async def _project_state(scene: Renovation) -> Any:
    return await scene.api.ok(PROJECT_STATE, {"id": scene.project_id}, scene.customer)


async def _enterprise_state(scene: Renovation) -> Any:
    return await scene.api.ok(ENTERPRISES_STATE, actor=scene.admin)


async def _invitation_state(scene: Renovation) -> Any:
    rows = await EnterpriseInvitation.all().order_by("id").values()
    return await _enterprise_state(scene), rows


PARTICIPANTS_OK = matrix(OK, **_only(OUTSIDERS, "NOT_FOUND"))
CUSTOMER_ONLY = matrix(
    "FORBIDDEN", customer=OK, **_only(OUTSIDERS, "NOT_FOUND")
)  # the team, the owners and ADMIN: FORBIDDEN
ADMIN_ONLY = matrix("FORBIDDEN", admin=OK)

CASES: dict[str, Case] = {
    "project": Case(
        "query($id: ID!) { project(id: $id) { id status } }", PARTICIPANTS_OK, _project_vars
    ),
    "projects": Case("{ projects { edges { node { id } } } }", matrix(OK), _no_vars),
    "createProject": Case(
        "mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }",
        matrix("FORBIDDEN", customer=OK, other_customer=OK),
        _new_project_vars,
    ),
    "assignProjectTeam": Case(
        """mutation($id: ID!, $input: ProjectTeamInput!) {
             assignProjectTeam(projectId: $id, input: $input) { id } }""",
        CUSTOMER_ONLY,
        _team_vars,
        _project_state,
    ),
    "cancelProject": Case(
        """mutation($id: ID!, $reason: String!) {
             cancelProject(projectId: $id, reason: $reason) { id status } }""",
        CUSTOMER_ONLY,
        _cancel_vars,
        _project_state,
    ),
    "registerEnterprise": Case(
        """mutation($input: RegisterEnterpriseInput!) {
             registerEnterprise(input: $input) { id } }""",
        matrix("FORBIDDEN", **_only(STAFF, OK)),
        _register_vars,
    ),
    "verifyEnterprise": Case(
        """mutation($id: ID!, $approved: Boolean!, $note: String) {
             verifyEnterprise(id: $id, approved: $approved, note: $note) { id status } }""",
        ADMIN_ONLY,
        _verify_vars,
        _enterprise_state,
    ),
    "suspendEnterprise": Case(
        """mutation($id: ID!, $note: String!) {
             suspendEnterprise(id: $id, note: $note) { id status } }""",
        ADMIN_ONLY,
        _suspend_vars,
        _enterprise_state,
    ),
    "reinstateEnterprise": Case(
        """mutation($id: ID!, $note: String) {
             reinstateEnterprise(id: $id, note: $note) { id status } }""",
        ADMIN_ONLY,
        _reinstate_vars,
        _enterprise_state,
    ),
    "inviteEnterpriseMember (verified)": Case(
        INVITE_MEMBER,
        matrix("FORBIDDEN", decoration_owner=OK),
        _invite_vars,
        _invitation_state,
    ),
    "inviteEnterpriseMember (pending)": Case(
        INVITE_MEMBER,
        matrix("NOT_FOUND", other_staff=OK, admin="FORBIDDEN"),
        _invite_pending_vars,
        _invitation_state,
    ),
    # Deprecated; a userId says nothing to anyone, the owner included.
    "addEnterpriseMember (userId)": Case(
        """mutation($enterpriseId: ID!, $userId: ID, $role: MemberRole!) {
             addEnterpriseMember(enterpriseId: $enterpriseId, userId: $userId, role: $role) {
               id } }""",
        matrix("BAD_USER_INPUT"),
        _add_by_user_id_vars,
        _invitation_state,
    ),
    "acceptEnterpriseInvitation (staff invited)": Case(
        ACCEPT,
        matrix("NOT_FOUND", other_staff=OK, decoration_owner="FORBIDDEN"),
        _invitation_of("other_staff"),
        _invitation_state,
    ),
    # Only ENTERPRISE_STAFF accounts may join: the invited customer, worker or ADMIN cannot.
    "acceptEnterpriseInvitation (customer invited)": Case(
        ACCEPT,
        matrix("NOT_FOUND", other_customer="FORBIDDEN", decoration_owner="FORBIDDEN"),
        _invitation_of("other_customer"),
        _invitation_state,
    ),
    "acceptEnterpriseInvitation (worker invited)": Case(
        ACCEPT,
        matrix("NOT_FOUND", worker="FORBIDDEN", decoration_owner="FORBIDDEN"),
        _invitation_of("worker"),
        _invitation_state,
    ),
    "acceptEnterpriseInvitation (ADMIN invited)": Case(
        ACCEPT,
        matrix("NOT_FOUND", admin="FORBIDDEN", decoration_owner="FORBIDDEN"),
        _invitation_of("admin"),
        _invitation_state,
    ),
    "declineEnterpriseInvitation": Case(
        "mutation($id: ID!) { declineEnterpriseInvitation(id: $id) { id status } }",
        matrix("NOT_FOUND", other_customer=OK, decoration_owner="FORBIDDEN"),
        _invitation_of("other_customer"),
        _invitation_state,
    ),
    "revokeEnterpriseInvitation": Case(
        "mutation($id: ID!) { revokeEnterpriseInvitation(id: $id) { id status } }",
        matrix("NOT_FOUND", decoration_owner=OK, other_staff="FORBIDDEN"),
        _invitation_of("other_staff"),
        _invitation_state,
    ),
    "myEnterpriseInvitations": Case(
        "{ myEnterpriseInvitations { id } }", matrix(OK), _invitation_of("other_staff")
    ),
    "removeEnterpriseMember (verified)": Case(
        "mutation($id: ID!) { removeEnterpriseMember(memberId: $id) }",
        matrix("FORBIDDEN", decoration_owner=OK),
        _remove_member_vars,
        _enterprise_state,
    ),
    "removeEnterpriseMember (pending)": Case(
        "mutation($id: ID!) { removeEnterpriseMember(memberId: $id) }",
        matrix("NOT_FOUND", other_staff=OK, admin="FORBIDDEN"),
        _remove_pending_member_vars,
        _enterprise_state,
    ),
    "enterprise (verified)": Case(
        "query($id: ID!) { enterprise(id: $id) { id members { id } } }",
        matrix(OK),
        _verified_enterprise_vars,
    ),
    "enterprise (pending)": Case(
        "query($id: ID!) { enterprise(id: $id) { id members { id } } }",
        matrix("NOT_FOUND", other_staff=OK, admin=OK),
        _pending_enterprise_vars,
    ),
    "enterprises": Case("{ enterprises { edges { node { id } } } }", matrix(OK), _no_vars),
    "myEnterprises": Case("{ myEnterprises { id } }", matrix(OK), _no_vars),
}


@pytest.mark.parametrize("operation", list(CASES))
async def test_matrix(api: Api, app: Any, operation: str) -> None:
    case = CASES[operation]
    assert set(case.expected) == set(ACTORS)
    scene = await Renovation.build(api, app, team=True)
    actors = scene.actors()
    assert set(actors) == set(ACTORS)
    variables = await case.variables(scene)
    before = await case.state(scene) if case.state else None
    # Refused actors first: each refusal must leave everything as it was.
    ordered = sorted(case.expected.items(), key=lambda item: item[1] == OK)
    for name, outcome in ordered:
        body = await api.call(case.query, variables(), actors[name])
        if outcome == OK:
            assert "errors" not in body, (name, body)
            continue
        assert body.get("errors"), (name, body)
        codes = [error["extensions"]["code"] for error in body["errors"]]
        assert codes == [outcome], (name, body)
        assert not any((body.get("data") or {}).values()), (name, body)
        if case.state is not None:
            assert await case.state(scene) == before, name


async def test_refused_calls_notify_nobody(api: Api, app: Any) -> None:
    """The mutations above notify people when they succeed; refused, they tell no one."""
    scene = await Renovation.build(api, app, team=True)
    actors = scene.actors()
    signed_in = {name: actor for name, actor in actors.items() if actor is not None}
    unread = {
        name: (await api.ok(NOTIFICATIONS_COUNT, actor=actor))["unreadNotificationCount"]
        for name, actor in signed_in.items()
    }
    for name in OUTSIDERS + TEAM + OWNERS + ["admin"]:
        actor = signed_in[name]
        await api.call(
            """mutation($id: ID!, $input: ProjectTeamInput!) {
                 assignProjectTeam(projectId: $id, input: $input) { id } }""",
            {"id": scene.project_id, "input": scene.team_input()},
            actor,
        )
        await api.call(
            'mutation($id: ID!) { cancelProject(projectId: $id, reason: "x") { id } }',
            {"id": scene.project_id},
            actor,
        )
    for name, actor in signed_in.items():
        after = (await api.ok(NOTIFICATIONS_COUNT, actor=actor))["unreadNotificationCount"]
        assert after == unread[name], name
