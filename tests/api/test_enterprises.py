"""The enterprise library: registration, ADMIN decisions, members, visibility and browsing."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from models import Enterprise, EnterpriseInvitation
from tests.support.api import Actor, Api
from tests.support.query_count import StatementCounter
from tests.support.renovation import (
    INVITE_MEMBER,
    VERIFY_ENTERPRISE,
    add_member,
    make_admin,
    register_enterprise,
    verified_firm,
)

REGISTER = """
mutation($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) {
    id name kind licenseNumber city contactEmail description status statusNote
    owner { id displayName } ratingAverage ratingCount completedProjects members { id }
  }
}"""
ENTERPRISE = """
query($id: ID!) {
  enterprise(id: $id) {
    id name status statusNote owner { id }
    members { id role user { id displayName } enterprise { id } }
  }
}"""
SUSPEND = """
mutation($id: ID!, $note: String!) {
  suspendEnterprise(id: $id, note: $note) { id status statusNote }
}"""
REINSTATE = """
mutation($id: ID!, $note: String) { reinstateEnterprise(id: $id, note: $note) { id status } }"""
REMOVE_MEMBER = "mutation($id: ID!) { removeEnterpriseMember(memberId: $id) }"
LIBRARY = """
query($kind: EnterpriseKind, $city: String, $verifiedOnly: Boolean, $minRating: Float,
      $status: EnterpriseStatus, $first: Int, $after: String) {
  enterprises(kind: $kind, city: $city, verifiedOnly: $verifiedOnly, minRating: $minRating,
              status: $status, first: $first, after: $after) {
    edges { cursor node { id name kind city status ratingAverage ratingCount } }
    pageInfo { hasNextPage endCursor }
  }
}"""
MY_ENTERPRISES = "{ myEnterprises { id status } }"
NOTIFICATIONS = "{ notifications(first: 50) { edges { node { kind title body data } } } }"


def _input(owner: Actor, **overrides: Any) -> dict[str, Any]:
    return {
        "input": {
            "name": "Bauhaus Interiors GmbH",
            "kind": "DESIGN",
            "licenseNumber": f"lic-{uuid.uuid4().hex[:10]}",
            "city": "Berlin",
            "contactEmail": owner.email,
            "description": "Interior design.",
            **overrides,
        }
    }


async def _error(api: Api, query: str, variables: dict, actor: Actor | None) -> dict[str, Any]:
    body = await api.call(query, variables, actor)
    assert body.get("errors"), body
    assert len(body["errors"]) == 1, body
    return body["errors"][0]


async def _notifications(api: Api, actor: Actor) -> list[dict[str, Any]]:
    data = await api.ok(NOTIFICATIONS, actor=actor)
    return [edge["node"] for edge in data["notifications"]["edges"]]


async def _library_ids(api: Api, actor: Actor, **variables: Any) -> list[str]:
    data = await api.ok(LIBRARY, variables, actor)
    return [edge["node"]["id"] for edge in data["enterprises"]["edges"]]


# --- Registration ------------------------------------------------------------------------------


async def test_staff_registers_a_pending_enterprise_and_admins_are_told(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    owner = await api.register("ENTERPRISE_STAFF", name="Olga Owner")
    variables = _input(owner, licenseNumber="  hrb-4711 ")
    data = await api.ok(REGISTER, variables, owner)
    enterprise = data["registerEnterprise"]
    assert enterprise == {
        "id": enterprise["id"],
        "name": "Bauhaus Interiors GmbH",
        "kind": "DESIGN",
        "licenseNumber": "HRB-4711",
        "city": "Berlin",
        "contactEmail": owner.email,
        "description": "Interior design.",
        "status": "PENDING",
        "statusNote": None,
        "owner": {"id": owner.id, "displayName": "Olga Owner"},
        "ratingAverage": None,
        "ratingCount": 0,
        "completedProjects": 0,
        "members": [],
    }
    [told] = await _notifications(api, admin)
    assert told["kind"] == "ENTERPRISE_STATUS_CHANGED"
    assert told["data"] == {"enterpriseId": int(enterprise["id"]), "status": "PENDING"}
    # Not in the library until verified, but the owner finds it among their own.
    assert enterprise["id"] not in await _library_ids(api, owner)
    mine = await api.ok(MY_ENTERPRISES, actor=owner)
    assert mine["myEnterprises"] == [{"id": enterprise["id"], "status": "PENDING"}]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"licenseNumber": ""}, "licenseNumber"),
        ({"licenseNumber": "L" * 65}, "licenseNumber"),
        ({"city": ""}, "city"),
        ({"contactEmail": "not-an-address"}, "contactEmail"),
        ({"description": "d" * 4001}, "description"),
    ],
)
async def test_registration_input_is_checked(
    api: Api, overrides: dict[str, Any], field: str
) -> None:
    owner = await api.register("ENTERPRISE_STAFF")
    error = await _error(api, REGISTER, _input(owner, **overrides), owner)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert (await api.ok(MY_ENTERPRISES, actor=owner))["myEnterprises"] == []


async def test_a_licence_number_is_unique_per_kind(api: Api) -> None:
    first = await api.register("ENTERPRISE_STAFF")
    second = await api.register("ENTERPRISE_STAFF")
    await api.ok(REGISTER, _input(first, licenseNumber="DE-123", kind="DECORATION"), first)
    # The same number, however written, for the same kind: CONFLICT, nothing stored.
    for number in ("DE-123", " de-123 "):
        error = await _error(
            api, REGISTER, _input(second, licenseNumber=number, kind="DECORATION"), second
        )
        assert error["extensions"] == {"code": "CONFLICT", "field": "licenseNumber"}
    assert (await api.ok(MY_ENTERPRISES, actor=second))["myEnterprises"] == []
    # The same number for another kind is another enterprise.
    other = await api.ok(REGISTER, _input(second, licenseNumber="DE-123", kind="DESIGN"), second)
    assert other["registerEnterprise"]["licenseNumber"] == "DE-123"
    assert await Enterprise.filter(license_number="DE-123").count() == 2


async def test_the_owner_of_a_rejected_enterprise_resubmits_it(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    owner = await api.register("ENTERPRISE_STAFF")
    stranger = await api.register("ENTERPRISE_STAFF")
    variables = _input(owner, licenseNumber="SUP-1", kind="SUPERVISION")
    ident = (await api.ok(REGISTER, variables, owner))["registerEnterprise"]["id"]
    await api.ok(
        VERIFY_ENTERPRISE, {"id": ident, "approved": False, "note": "licence expired"}, admin
    )
    # Someone else cannot take over the licence number of a rejected enterprise.
    error = await _error(
        api, REGISTER, _input(stranger, licenseNumber="SUP-1", kind="SUPERVISION"), stranger
    )
    assert error["extensions"]["code"] == "CONFLICT"
    again = await api.ok(
        REGISTER,
        _input(owner, licenseNumber="sup-1", kind="SUPERVISION", name="Renewed Supervision"),
        owner,
    )
    assert again["registerEnterprise"]["id"] == ident
    assert again["registerEnterprise"]["status"] == "PENDING"
    assert again["registerEnterprise"]["name"] == "Renewed Supervision"
    assert again["registerEnterprise"]["statusNote"] is None
    verified = await api.ok(VERIFY_ENTERPRISE, {"id": ident, "approved": True}, admin)
    assert verified["verifyEnterprise"]["status"] == "VERIFIED"


# --- ADMIN decisions ---------------------------------------------------------------------------


async def test_admin_verifies_a_pending_enterprise_once(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    owner = await api.register("ENTERPRISE_STAFF")
    ident = await register_enterprise(api, owner, "DESIGN")
    data = await api.ok(VERIFY_ENTERPRISE, {"id": ident, "approved": True, "note": "ok"}, admin)
    assert data["verifyEnterprise"] == {"id": ident, "status": "VERIFIED"}
    [told] = await _notifications(api, owner)
    assert told["kind"] == "ENTERPRISE_STATUS_CHANGED"
    assert told["data"] == {"enterpriseId": int(ident), "status": "VERIFIED"}
    assert "ok" in told["body"]
    # A decision is taken once.
    for approved in (True, False):
        error = await _error(
            api, VERIFY_ENTERPRISE, {"id": ident, "approved": approved, "note": "again"}, admin
        )
        assert error["extensions"] == {"code": "INVALID_STATE", "status": "VERIFIED"}
    assert ident in await _library_ids(api, owner)


async def test_a_rejection_needs_a_note_and_hides_the_enterprise(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    owner = await api.register("ENTERPRISE_STAFF")
    customer = await api.register("CUSTOMER")
    ident = await register_enterprise(api, owner, "DESIGN")
    for note in (None, "  "):
        error = await _error(
            api, VERIFY_ENTERPRISE, {"id": ident, "approved": False, "note": note}, admin
        )
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "note"}
    data = await api.ok(
        VERIFY_ENTERPRISE, {"id": ident, "approved": False, "note": "no licence scan"}, admin
    )
    assert data["verifyEnterprise"]["status"] == "REJECTED"
    own = await api.ok(ENTERPRISE, {"id": ident}, owner)
    assert own["enterprise"]["statusNote"] == "no licence scan"
    assert (await _error(api, ENTERPRISE, {"id": ident}, customer))["extensions"] == {
        "code": "NOT_FOUND"
    }
    # Nobody can be invited to a rejected enterprise.
    person = await api.register("ENTERPRISE_STAFF")
    error = await _error(
        api,
        INVITE_MEMBER,
        {"enterpriseId": ident, "email": person.email, "role": "DESIGNER"},
        owner,
    )
    assert error["extensions"] == {"code": "INVALID_STATE", "status": "REJECTED"}


async def test_unknown_enterprises_are_not_found(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    for ident in ("999999", "abc", "-1"):
        error = await _error(api, VERIFY_ENTERPRISE, {"id": ident, "approved": True}, admin)
        assert error["extensions"] == {"code": "NOT_FOUND"}
        error = await _error(api, ENTERPRISE, {"id": ident}, admin)
        assert error["extensions"] == {"code": "NOT_FOUND"}


async def test_suspension_and_reinstatement(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    firm = await verified_firm(api, admin, "SUPERVISION", "SUPERVISOR")
    outsider = await api.register("ENTERPRISE_STAFF")
    ident = firm.enterprise_id
    error = await _error(api, SUSPEND, {"id": ident, "note": " "}, admin)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "note"}
    error = await _error(api, REINSTATE, {"id": ident}, admin)
    assert error["extensions"] == {"code": "INVALID_STATE", "status": "VERIFIED"}

    data = await api.ok(SUSPEND, {"id": ident, "note": "complaints under review"}, admin)
    assert data["suspendEnterprise"] == {
        "id": ident,
        "status": "SUSPENDED",
        "statusNote": "complaints under review",
    }
    told = await _notifications(api, firm.owner)
    assert told[0]["data"] == {"enterpriseId": int(ident), "status": "SUSPENDED"}
    assert "complaints under review" in told[0]["body"]
    # Gone from the library and invisible to outsiders; the owner, members and ADMIN see it.
    assert ident not in await _library_ids(api, outsider)
    assert (await _error(api, ENTERPRISE, {"id": ident}, outsider))["extensions"] == {
        "code": "NOT_FOUND"
    }
    for insider in (firm.owner, firm.person, admin):
        seen = await api.ok(ENTERPRISE, {"id": ident}, insider)
        assert seen["enterprise"]["status"] == "SUSPENDED"
    error = await _error(api, SUSPEND, {"id": ident, "note": "again"}, admin)
    assert error["extensions"] == {"code": "INVALID_STATE", "status": "SUSPENDED"}
    error = await _error(api, VERIFY_ENTERPRISE, {"id": ident, "approved": True}, admin)
    assert error["extensions"] == {"code": "INVALID_STATE", "status": "SUSPENDED"}

    data = await api.ok(REINSTATE, {"id": ident, "note": "resolved"}, admin)
    assert data["reinstateEnterprise"] == {"id": ident, "status": "VERIFIED"}
    assert ident in await _library_ids(api, outsider)
    # Outsiders do not see the internal note of the decision.
    seen = await api.ok(ENTERPRISE, {"id": ident}, outsider)
    assert seen["enterprise"]["statusNote"] is None
    assert (await api.ok(ENTERPRISE, {"id": ident}, firm.owner))["enterprise"][
        "statusNote"
    ] == "resolved"


# --- Members -----------------------------------------------------------------------------------


async def test_invited_people_join_when_they_accept(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    owner = await api.register("ENTERPRISE_STAFF", name="Owner")
    ident = await register_enterprise(api, owner, "DECORATION")
    await api.ok(VERIFY_ENTERPRISE, {"id": ident, "approved": True}, admin)
    manager = await api.register("ENTERPRISE_STAFF", name="Mia Manager")
    second = await api.register("ENTERPRISE_STAFF", name="Sam Second")
    first_id = await add_member(api, owner, ident, manager, "PROJECT_MANAGER")
    # The address is matched however the owner wrote it.
    second_id = await add_member(
        api, owner, ident, replace(second, email=f"  {second.email.upper()} "), "PROJECT_MANAGER"
    )
    # The owner may also work in their own enterprise; they are not notified of it.
    await add_member(api, owner, ident, owner, "PROJECT_MANAGER")
    data = await api.ok(ENTERPRISE, {"id": ident}, manager)
    members = data["enterprise"]["members"]
    assert [m["user"]["id"] for m in members] == [manager.id, second.id, owner.id]
    assert members[0] == {
        "id": first_id,
        "role": "PROJECT_MANAGER",
        "user": {"id": manager.id, "displayName": "Mia Manager"},
        "enterprise": {"id": ident},
    }
    assert members[1]["id"] == second_id
    [told] = await _notifications(api, manager)
    assert told["kind"] == "ENTERPRISE_INVITATION"
    assert told["data"]["enterpriseId"] == int(ident)
    # The owner hears of each join, and of nothing they did themselves.
    assert [n["kind"] for n in await _notifications(api, owner)] == [
        "ENTERPRISE_MEMBERSHIP",
        "ENTERPRISE_MEMBERSHIP",
        "ENTERPRISE_STATUS_CHANGED",
    ]
    mine = await api.ok(MY_ENTERPRISES, actor=second)
    assert mine["myEnterprises"] == [{"id": ident, "status": "VERIFIED"}]


async def test_member_rules(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    firm = await verified_firm(api, admin, "DESIGN", "DESIGNER")
    ident = firm.enterprise_id
    staff = await api.register("ENTERPRISE_STAFF")

    async def refused(variables: dict[str, Any]) -> dict[str, Any]:
        error = await _error(api, INVITE_MEMBER, {"enterpriseId": ident, **variables}, firm.owner)
        return error["extensions"]

    # The address must be one.
    for email in ("", "not-an-address", "a@b", "x" * 250 + "@example.com", "nul\x00@example.com"):
        assert await refused({"role": "DESIGNER", "email": email}) == {
            "code": "BAD_USER_INPUT",
            "field": "email",
        }
    # A role must fit the kind: a DESIGN enterprise has designers only.
    for role in ("PROJECT_MANAGER", "SUPERVISOR", "MATERIAL_BUDGETER"):
        assert await refused({"role": role, "email": staff.email}) == {
            "code": "BAD_USER_INPUT",
            "field": "role",
        }
    data = await api.ok(ENTERPRISE, {"id": ident}, firm.owner)
    assert [m["user"]["id"] for m in data["enterprise"]["members"]] == [firm.person.id]
    assert await EnterpriseInvitation.filter(enterprise_id=int(ident)).count() == 1  # the first


async def test_a_member_of_a_pending_enterprise_sees_it(api: Api) -> None:
    owner = await api.register("ENTERPRISE_STAFF")
    person = await api.register("ENTERPRISE_STAFF")
    outsider = await api.register("ENTERPRISE_STAFF")
    ident = await register_enterprise(api, owner, "MATERIAL_SUPPLIER")
    await add_member(api, owner, ident, person, "MATERIAL_BUDGETER")
    assert (await api.ok(ENTERPRISE, {"id": ident}, person))["enterprise"]["status"] == "PENDING"
    assert (await _error(api, ENTERPRISE, {"id": ident}, outsider))["extensions"] == {
        "code": "NOT_FOUND"
    }
    assert await _library_ids(api, person, verifiedOnly=False) == [ident]
    assert await _library_ids(api, outsider, verifiedOnly=False) == []
    # Seeing it does not make the member its manager; to the outsider it does not exist.
    newcomer = await api.register("ENTERPRISE_STAFF")
    invite = {"enterpriseId": ident, "email": newcomer.email, "role": "MATERIAL_BUDGETER"}
    assert (await _error(api, INVITE_MEMBER, invite, person))["extensions"] == {"code": "FORBIDDEN"}
    assert (await _error(api, INVITE_MEMBER, invite, outsider))["extensions"] == {
        "code": "NOT_FOUND"
    }


async def test_removing_a_member(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    firm = await verified_firm(api, admin, "DESIGN", "DESIGNER")
    data = await api.ok(ENTERPRISE, {"id": firm.enterprise_id}, firm.owner)
    [member] = data["enterprise"]["members"]
    assert await api.ok(REMOVE_MEMBER, {"id": member["id"]}, firm.owner) == {
        "removeEnterpriseMember": True
    }
    data = await api.ok(ENTERPRISE, {"id": firm.enterprise_id}, firm.owner)
    assert data["enterprise"]["members"] == []
    told = await _notifications(api, firm.person)
    assert [n["kind"] for n in told] == ["ENTERPRISE_MEMBERSHIP", "ENTERPRISE_INVITATION"]
    # Gone: removing it again is NOT_FOUND.
    error = await _error(api, REMOVE_MEMBER, {"id": member["id"]}, firm.owner)
    assert error["extensions"] == {"code": "NOT_FOUND"}
    assert (await api.ok(MY_ENTERPRISES, actor=firm.person))["myEnterprises"] == []


# --- The library -------------------------------------------------------------------------------


async def test_library_filters_and_pages(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    viewer = await api.register("CUSTOMER")
    berlin_design = await verified_firm(api, admin, "DESIGN", "DESIGNER", city="Berlin")
    munich_design = await verified_firm(api, admin, "DESIGN", "DESIGNER", city="München")
    berlin_deco = await verified_firm(api, admin, "DECORATION", "PROJECT_MANAGER", city="Berlin")
    pending_owner = await api.register("ENTERPRISE_STAFF")
    pending = await register_enterprise(api, pending_owner, "DESIGN", city="Berlin")
    # Ratings come from evaluations (settlement); set them directly here.
    await Enterprise.filter(id=int(berlin_design.enterprise_id)).update(
        rating_sum=9, rating_count=2
    )  # 4.5
    await Enterprise.filter(id=int(munich_design.enterprise_id)).update(
        rating_sum=12, rating_count=3
    )  # 4.0
    everyone = [berlin_deco.enterprise_id, munich_design.enterprise_id, berlin_design.enterprise_id]

    assert await _library_ids(api, viewer) == everyone  # newest first, verified only
    assert await _library_ids(api, viewer, kind="DESIGN") == everyone[1:]
    assert await _library_ids(api, viewer, city="berlin") == [everyone[0], everyone[2]]
    # (SQLite folds the case of ASCII letters only; PostgreSQL of every letter.)
    assert await _library_ids(api, viewer, city=" München ", kind="DESIGN") == [everyone[1]]
    assert await _library_ids(api, viewer, minRating=4.5) == [berlin_design.enterprise_id]
    assert await _library_ids(api, viewer, minRating=4.01) == [berlin_design.enterprise_id]
    assert await _library_ids(api, viewer, minRating=4.0) == everyone[1:]
    assert await _library_ids(api, viewer, minRating=1) == everyone[1:]  # unrated excluded
    data = await api.ok(LIBRARY, {"minRating": 4.5}, viewer)
    node = data["enterprises"]["edges"][0]["node"]
    assert (node["ratingAverage"], node["ratingCount"]) == (4.5, 2)
    for bad in (0.5, 5.5):
        error = await _error(api, LIBRARY, {"minRating": bad}, viewer)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "minRating"}

    # Pages: two, then the rest, with no overlap.
    page = (await api.ok(LIBRARY, {"first": 2}, viewer))["enterprises"]
    assert [e["node"]["id"] for e in page["edges"]] == everyone[:2]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = (await api.ok(LIBRARY, {"first": 2, "after": page["pageInfo"]["endCursor"]}, viewer))[
        "enterprises"
    ]
    assert [e["node"]["id"] for e in rest["edges"]] == everyone[2:]
    assert rest["pageInfo"]["hasNextPage"] is False
    for variables in ({"first": 0}, {"first": 1000}, {"after": "nonsense"}):
        error = await _error(api, LIBRARY, variables, viewer)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"

    # ADMIN sees every status with verifiedOnly false, or one status.
    assert await _library_ids(api, admin, verifiedOnly=False) == [pending, *everyone]
    assert await _library_ids(api, admin, status="PENDING") == [pending]
    # Others see the pending one only if it is theirs.
    assert await _library_ids(api, viewer, verifiedOnly=False) == everyone
    assert await _library_ids(api, viewer, status="PENDING") == []
    assert await _library_ids(api, pending_owner, status="PENDING") == [pending]


async def test_anonymous_callers_see_no_enterprise(api: Api) -> None:
    for query in (LIBRARY, MY_ENTERPRISES):
        error = await _error(api, query, {}, None)
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}


# --- No N+1 ------------------------------------------------------------------------------------

LIBRARY_WITH_MEMBERS = """{ enterprises(first: 20) { edges { node { id name owner { displayName }
  members(first: 5) { id role user { id displayName } enterprise { id name } } } } } }"""


async def _statements_for_library(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch, count: int
) -> int:
    admin = await make_admin(app)
    for _ in range(count):
        firm = await verified_firm(api, admin, "DESIGN", "DESIGNER")
        extra = await api.register("ENTERPRISE_STAFF")
        await add_member(api, firm.owner, firm.enterprise_id, extra, "DESIGNER")
    viewer = await api.register("CUSTOMER")
    counter = StatementCounter()
    with monkeypatch.context() as patch:
        counter.wrap(patch)
        data = await api.ok(LIBRARY_WITH_MEMBERS, actor=viewer)
    edges = data["enterprises"]["edges"]
    assert len(edges) >= count
    assert all(len(edge["node"]["members"]) == 2 for edge in edges)
    return len(counter.statements)


async def test_library_with_members_is_constant(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = await _statements_for_library(api, app, monkeypatch, 1)
    many = await _statements_for_library(api, app, monkeypatch, 12)
    assert one == many
    # viewer, enterprises page, owners and members' users, members, members' enterprises
    assert one <= 5


# --- Races (real on PostgreSQL; SQLite serialises writers) -------------------------------------


def _codes(bodies: list[dict[str, Any]]) -> Counter[str]:
    return Counter(
        body["errors"][0]["extensions"]["code"] if "errors" in body else "OK" for body in bodies
    )


async def test_concurrent_registrations_of_one_licence_have_one_winner(api: Api) -> None:
    owners = [await api.register("ENTERPRISE_STAFF") for _ in range(8)]
    bodies = await asyncio.gather(
        *(
            api.call(REGISTER, _input(owner, licenseNumber="RACE-1", kind="SUPERVISION"), owner)
            for owner in owners
        )
    )
    assert _codes(bodies) == {"OK": 1, "CONFLICT": 7}
    assert await Enterprise.filter(license_number="RACE-1").count() == 1


async def test_concurrent_decisions_have_one_winner(api: Api, app: Any) -> None:
    admins = [await make_admin(app) for _ in range(2)]
    owner = await api.register("ENTERPRISE_STAFF")
    ident = await register_enterprise(api, owner, "DESIGN")
    calls = [
        api.call(
            VERIFY_ENTERPRISE,
            {"id": ident, "approved": n % 2 == 0, "note": f"decision {n}"},
            admins[n % 2],
        )
        for n in range(10)
    ]
    bodies = await asyncio.gather(*calls)
    assert _codes(bodies) == {"OK": 1, "INVALID_STATE": 9}
    [winner] = [body["data"]["verifyEnterprise"] for body in bodies if "errors" not in body]
    stored = await Enterprise.get(id=int(ident))
    assert stored.status.value == winner["status"]
    # The owner hears of the one decision taken.
    assert len(await _notifications(api, owner)) == 1
