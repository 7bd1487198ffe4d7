"""Joining an enterprise by invitation (issue 9, finding 9): the owner's answer says nothing
about accounts, and nobody becomes a member without accepting."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models import (
    EnterpriseInvitation,
    EnterpriseMember,
    InvitationStatus,
    Notification,
    Role,
    User,
)
from models.enums import MemberRole
from resolvers.enterprises import MAX_MEMBERS, MAX_PENDING_INVITATIONS
from settings import Settings
from tests.support.api import Actor, Api
from tests.support.query_count import StatementCounter
from tests.support.renovation import (
    ACCEPT_INVITATION,
    INVITE_MEMBER,
    VERIFY_ENTERPRISE,
    Firm,
    add_member,
    make_admin,
    register_enterprise,
    verified_firm,
)

# Everything the owner may select on the answer.
INVITE = """
mutation($enterpriseId: ID!, $email: String!, $role: MemberRole!) {
  inviteEnterpriseMember(enterpriseId: $enterpriseId, email: $email, role: $role) {
    id email role status enterpriseName enterpriseKind enterprise { id name }
    invitedBy { id displayName } createdAt expiresAt respondedAt
  }
}"""
ACCEPT = """
mutation($id: ID!) {
  acceptEnterpriseInvitation(id: $id) { id role user { id } enterprise { id } }
}"""
DECLINE = "mutation($id: ID!) { declineEnterpriseInvitation(id: $id) { id status respondedAt } }"
REVOKE = "mutation($id: ID!) { revokeEnterpriseInvitation(id: $id) { id status respondedAt } }"
MINE = """{ myEnterpriseInvitations {
  id email role status enterpriseName enterpriseKind enterprise { id } invitedBy { id } } }"""
WAITING = "query($id: ID!) { enterprise(id: $id) { invitations { id email role status } } }"
MEMBERS = "query($id: ID!) { enterprise(id: $id) { members { id role user { id } } } }"
NOTIFICATIONS = "{ notifications(first: 50) { edges { node { kind title body data } } } }"
ADD_BY_USER_ID = """
mutation($enterpriseId: ID!, $userId: ID, $role: MemberRole!) {
  addEnterpriseMember(enterpriseId: $enterpriseId, userId: $userId, role: $role) { id }
}"""
ADD_BY_EMAIL = """
mutation($enterpriseId: ID!, $email: String, $role: MemberRole!) {
  addEnterpriseMember(enterpriseId: $enterpriseId, email: $email, role: $role) {
    id email role status
  }
}"""

_TIMESTAMP = re.compile(r'"\d{4}-\d\d-\d\dT[0-9:.+-]+Z?"')


async def _firm(api: Api, app: Any) -> Firm:
    """A verified DECORATION firm with one project manager (who accepted an invitation)."""
    admin = await make_admin(app)
    return await verified_firm(api, admin, "DECORATION", "PROJECT_MANAGER")


async def _invite(api: Api, firm: Firm, email: str, role: str = "PROJECT_MANAGER") -> str:
    variables = {"enterpriseId": firm.enterprise_id, "email": email, "role": role}
    data = await api.ok(INVITE_MEMBER, variables, firm.owner)
    return data["inviteEnterpriseMember"]["id"]


async def _refusal(api: Api, query: str, variables: dict[str, Any], actor: Actor | None) -> Any:
    body = await api.call(query, variables, actor)
    assert body.get("errors"), body
    assert len(body["errors"]) == 1, body
    assert body["data"] is None, body
    return body["errors"][0]


async def _members(api: Api, firm: Firm) -> list[tuple[str, str]]:
    data = await api.ok(MEMBERS, {"id": firm.enterprise_id}, firm.owner)
    return [(m["user"]["id"], m["role"]) for m in data["enterprise"]["members"]]


async def _kinds(api: Api, actor: Actor) -> list[str]:
    data = await api.ok(NOTIFICATIONS, actor=actor)
    return [edge["node"]["kind"] for edge in data["notifications"]["edges"]]


async def _rows() -> list[dict[str, Any]]:
    """Every invitation and member row: what a refusal must leave as it was."""
    invitations = await EnterpriseInvitation.all().order_by("id").values()
    members = await EnterpriseMember.all().order_by("id").values()
    return [*invitations, *members]


async def _fill(firm: Firm, count: int) -> None:
    """`count` more members, written directly: a hundred sign-ups through the API would only
    make the test slow."""
    tag = uuid.uuid4().hex[:8]
    await User.bulk_create(
        [
            User(
                email=f"filler{number}-{tag}@example.com",
                password_hash="not-a-hash",
                display_name="Filler",
                role=Role.ENTERPRISE_STAFF,
            )
            for number in range(count)
        ]
    )
    ids = await User.filter(email__endswith=f"-{tag}@example.com").values_list("id", flat=True)
    await EnterpriseMember.bulk_create(
        [
            EnterpriseMember(
                enterprise_id=int(firm.enterprise_id),
                user_id=user_id,
                role=MemberRole.PROJECT_MANAGER,
            )
            for user_id in ids
        ]
    )
    assert len(ids) == count


# --- The owner's answer ------------------------------------------------------------------------


async def test_the_answer_is_the_same_for_every_address(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    admin = await make_admin(app)
    customer = await api.register("CUSTOMER")
    worker = await api.register("WORKER")
    staff = await api.register("ENTERPRISE_STAFF")
    invited_before = await api.register("ENTERPRISE_STAFF")
    await _invite(api, firm, invited_before.email)
    owner_notifications = await _kinds(api, firm.owner)
    accounts = {
        "customer": customer,
        "worker": worker,
        "ADMIN": admin,
        "staff, not a member": staff,
    }
    accounts |= {"member already": firm.person, "invited already": invited_before}
    told_before = {case: len(await _kinds(api, actor)) for case, actor in accounts.items()}
    addresses = {
        "no account": f"nobody-{uuid.uuid4().hex[:8]}@example.com",
        "customer": customer.email,
        "worker": worker.email,
        "ADMIN": admin.email,
        "staff, not a member": staff.email,
        "member already": firm.person.email,
        "invited already": invited_before.email,
        "the owner": firm.owner.email,
    }
    answers: dict[str, str] = {}
    ids: dict[str, str] = {}
    for case, email in addresses.items():
        typed = email.upper()  # what the owner typed, normalised in the answer
        variables = {"enterpriseId": firm.enterprise_id, "email": typed, "role": "PROJECT_MANAGER"}
        response = await api.raw(INVITE, variables, firm.owner.token)
        assert response.status_code == 200, (case, response.text)
        body = response.json()
        assert "errors" not in body, (case, body)
        invitation = body["data"]["inviteEnterpriseMember"]
        assert invitation["email"] == email.lower(), case
        assert invitation["status"] == "PENDING", case
        expires = datetime.fromisoformat(invitation["expiresAt"])
        assert timedelta(days=14) - timedelta(minutes=1) < expires - datetime.now(UTC), case
        assert expires - datetime.now(UTC) <= timedelta(days=14), case
        ids[case] = invitation["id"]
        # Byte for byte the same, once the address typed, the id and the times are set aside.
        text = response.text.replace(email.lower(), "EMAIL")
        text = text.replace(f'"id":"{invitation["id"]}"', '"id":"ID"', 1)
        answers[case] = _TIMESTAMP.sub('"TIME"', text)
    assert len(set(answers.values())) == 1, answers
    assert '"respondedAt":null' in answers["no account"]
    # No one joined; the owner was told nothing; each account using an address was told once.
    assert await _members(api, firm) == [(firm.person.id, "PROJECT_MANAGER")]
    assert await _kinds(api, firm.owner) == owner_notifications
    # (A renewed invitation is not sent again.)
    for case, actor in accounts.items():
        told = await _kinds(api, actor)
        new = told[: len(told) - told_before[case]]
        assert new == ([] if case == "invited already" else ["ENTERPRISE_INVITATION"]), case
    # Inviting an address again renews its waiting invitation instead of adding one.
    [renewed] = await EnterpriseInvitation.filter(email=invited_before.email)
    assert ids["invited already"] == str(renewed.id)
    assert len(set(ids.values())) == len(ids)


async def test_the_owners_own_refusals_depend_only_on_their_input(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    customer = await api.register("CUSTOMER")
    before = await _rows()
    for email in (customer.email, "nobody@example.com"):
        for variables, extensions in [
            ({"email": email, "role": "DESIGNER"}, {"code": "BAD_USER_INPUT", "field": "role"}),
            ({"email": "no-at-sign", "role": "PROJECT_MANAGER"}, None),
        ]:
            variables = {"enterpriseId": firm.enterprise_id, **variables}
            error = await _refusal(api, INVITE, variables, firm.owner)
            assert error["extensions"] == (
                extensions or {"code": "BAD_USER_INPUT", "field": "email"}
            )
    assert await _rows() == before


# --- Invitee -----------------------------------------------------------------------------------


async def test_invite_then_accept_makes_a_member(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    person = await api.register("ENTERPRISE_STAFF", name="Pia Planner")
    ident = await _invite(api, firm, f" {person.email.upper()} ")
    # Until accepted: not a member, the invitation waits for both sides to see.
    assert await _members(api, firm) == [(firm.person.id, "PROJECT_MANAGER")]
    mine = (await api.ok(MINE, actor=person))["myEnterpriseInvitations"]
    assert mine == [
        {
            "id": ident,
            "email": person.email,
            "role": "PROJECT_MANAGER",
            "status": "PENDING",
            "enterpriseName": mine[0]["enterpriseName"],
            "enterpriseKind": "DECORATION",
            "enterprise": {"id": firm.enterprise_id},
            "invitedBy": {"id": firm.owner.id},
        }
    ]
    waiting = await api.ok(WAITING, {"id": firm.enterprise_id}, firm.owner)
    assert waiting["enterprise"]["invitations"] == [
        {"id": ident, "email": person.email, "role": "PROJECT_MANAGER", "status": "PENDING"}
    ]
    [told] = (await api.ok(NOTIFICATIONS, actor=person))["notifications"]["edges"]
    assert told["node"]["kind"] == "ENTERPRISE_INVITATION"
    assert told["node"]["data"] == {
        "enterpriseId": int(firm.enterprise_id),
        "invitationId": int(ident),
        "role": "PROJECT_MANAGER",
    }

    accepted = (await api.ok(ACCEPT, {"id": ident}, person))["acceptEnterpriseInvitation"]
    assert accepted == {
        "id": accepted["id"],
        "role": "PROJECT_MANAGER",
        "user": {"id": person.id},
        "enterprise": {"id": firm.enterprise_id},
    }
    assert await _members(api, firm) == [
        (firm.person.id, "PROJECT_MANAGER"),
        (person.id, "PROJECT_MANAGER"),
    ]
    assert (await EnterpriseInvitation.get(id=int(ident))).status == InvitationStatus.ACCEPTED
    assert (await api.ok(MINE, actor=person))["myEnterpriseInvitations"] == []
    waiting = await api.ok(WAITING, {"id": firm.enterprise_id}, firm.owner)
    assert waiting["enterprise"]["invitations"] == []
    assert (await _kinds(api, firm.owner))[0] == "ENTERPRISE_MEMBERSHIP"
    # An invitation is answered once.
    for query in (ACCEPT, DECLINE):
        error = await _refusal(api, query, {"id": ident}, person)
        assert error["extensions"] == {"code": "INVALID_STATE", "status": "ACCEPTED"}


async def test_the_invited_person_declines(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    person = await api.register("ENTERPRISE_STAFF", name="Dora Decliner")
    ident = await _invite(api, firm, person.email)
    declined = (await api.ok(DECLINE, {"id": ident}, person))["declineEnterpriseInvitation"]
    assert declined["status"] == "DECLINED"
    assert declined["respondedAt"] is not None
    assert await _members(api, firm) == [(firm.person.id, "PROJECT_MANAGER")]
    assert (await api.ok(MINE, actor=person))["myEnterpriseInvitations"] == []
    assert (await _kinds(api, firm.owner))[0] == "ENTERPRISE_MEMBERSHIP"
    error = await _refusal(api, ACCEPT, {"id": ident}, person)
    assert error["extensions"] == {"code": "INVALID_STATE", "status": "DECLINED"}
    # The owner may invite again: a new invitation.
    again = await _invite(api, firm, person.email)
    assert again != ident
    await api.ok(ACCEPT, {"id": again}, person)
    assert (person.id, "PROJECT_MANAGER") in await _members(api, firm)


async def test_the_owner_revokes(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    person = await api.register("ENTERPRISE_STAFF")
    ident = await _invite(api, firm, person.email)
    revoked = (await api.ok(REVOKE, {"id": ident}, firm.owner))["revokeEnterpriseInvitation"]
    assert revoked["status"] == "REVOKED"
    assert (await api.ok(MINE, actor=person))["myEnterpriseInvitations"] == []
    before = await _rows()
    for query, actor in ((ACCEPT, person), (DECLINE, person), (REVOKE, firm.owner)):
        error = await _refusal(api, query, {"id": ident}, actor)
        assert error["extensions"] == {"code": "INVALID_STATE", "status": "REVOKED"}
    assert await _rows() == before
    assert await _members(api, firm) == [(firm.person.id, "PROJECT_MANAGER")]


async def test_an_expired_invitation_cannot_be_answered(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    person = await api.register("ENTERPRISE_STAFF")
    ident = await _invite(api, firm, person.email)
    await EnterpriseInvitation.filter(id=int(ident)).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert (await api.ok(MINE, actor=person))["myEnterpriseInvitations"] == []
    waiting = await api.ok(WAITING, {"id": firm.enterprise_id}, firm.owner)
    assert waiting["enterprise"]["invitations"] == []
    before = await _rows()
    for query, actor in ((ACCEPT, person), (DECLINE, person), (REVOKE, firm.owner)):
        error = await _refusal(api, query, {"id": ident}, actor)
        assert error["extensions"] == {"code": "INVALID_STATE", "status": "EXPIRED"}
    assert await _rows() == before
    assert await _members(api, firm) == [(firm.person.id, "PROJECT_MANAGER")]
    # Inviting again sends a new one, which can be accepted.
    again = await _invite(api, firm, person.email)
    assert again != ident
    await api.ok(ACCEPT, {"id": again}, person)


async def test_someone_elses_invitation_does_not_exist(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    person = await api.register("ENTERPRISE_STAFF")
    other = await api.register("ENTERPRISE_STAFF")
    ident = await _invite(api, firm, person.email)
    before = await _rows()
    for query in (ACCEPT, DECLINE, REVOKE):
        for actor in (other, firm.person):  # a stranger, and a member of the enterprise
            error = await _refusal(api, query, {"id": ident}, actor)
            assert error["extensions"] == {"code": "NOT_FOUND"}, (query, actor.role)
        for missing in ("424242", "0", "-1", "abc", "99999999999999999999"):
            error = await _refusal(api, query, {"id": missing}, person)
            assert error["extensions"] == {"code": "NOT_FOUND"}
        error = await _refusal(api, query, {"id": ident}, None)
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert (await api.ok(MINE, actor=other))["myEnterpriseInvitations"] == []
    # The owner sees the invitation (so is told FORBIDDEN) but cannot answer it for the person.
    error = await _refusal(api, ACCEPT, {"id": ident}, firm.owner)
    assert error["extensions"] == {"code": "FORBIDDEN"}
    error = await _refusal(api, REVOKE, {"id": ident}, person)
    assert error["extensions"] == {"code": "FORBIDDEN"}
    assert await _rows() == before


@pytest.mark.parametrize("role", ["CUSTOMER", "WORKER", "ADMIN"])
async def test_an_account_that_may_not_be_a_member_cannot_accept(
    api: Api, app: Any, role: str
) -> None:
    firm = await _firm(api, app)
    person = await make_admin(app) if role == "ADMIN" else await api.register(role)
    ident = await _invite(api, firm, person.email)
    before = await _rows()
    error = await _refusal(api, ACCEPT, {"id": ident}, person)
    assert error["extensions"] == {"code": "FORBIDDEN"}
    assert "ENTERPRISE_STAFF" in error["message"]
    assert await _rows() == before
    # It still waits for an answer, and the person may decline it.
    assert (await api.ok(MINE, actor=person))["myEnterpriseInvitations"][0]["id"] == ident
    await api.ok(DECLINE, {"id": ident}, person)


async def test_accepting_a_role_already_held_is_a_conflict(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    ident = await _invite(api, firm, firm.person.email)
    before = await _rows()
    error = await _refusal(api, ACCEPT, {"id": ident}, firm.person)
    assert error["extensions"] == {"code": "CONFLICT"}
    assert await _rows() == before  # still PENDING; the person can decline it
    await api.ok(DECLINE, {"id": ident}, firm.person)


async def test_the_owner_may_invite_themselves(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    notified = await _kinds(api, firm.owner)
    await add_member(api, firm.owner, firm.enterprise_id, firm.owner, "PROJECT_MANAGER")
    assert (firm.owner.id, "PROJECT_MANAGER") in await _members(api, firm)
    assert await _kinds(api, firm.owner) == notified  # nobody tells you what you did


async def test_a_pending_enterprise_can_invite_and_a_rejected_one_cannot(
    api: Api, app: Any
) -> None:
    admin = await make_admin(app)
    owner = await api.register("ENTERPRISE_STAFF")
    person = await api.register("ENTERPRISE_STAFF")
    ident = await register_enterprise(api, owner, "SUPERVISION")
    variables = {"enterpriseId": ident, "email": person.email, "role": "SUPERVISOR"}
    invitation = (await api.ok(INVITE_MEMBER, variables, owner))["inviteEnterpriseMember"]
    # The person sees the name and kind, but not (yet) the unverified enterprise itself.
    [mine] = (await api.ok(MINE, actor=person))["myEnterpriseInvitations"]
    assert (mine["enterpriseKind"], mine["enterprise"]) == ("SUPERVISION", None)
    await api.ok(VERIFY_ENTERPRISE, {"id": ident, "approved": False, "note": "no"}, admin)
    error = await _refusal(api, ACCEPT_INVITATION, {"id": invitation["id"]}, person)
    assert error["extensions"] == {"code": "INVALID_STATE", "status": "REJECTED"}
    error = await _refusal(api, INVITE_MEMBER, variables, owner)
    assert error["extensions"] == {"code": "INVALID_STATE", "status": "REJECTED"}
    assert await EnterpriseMember.filter(enterprise_id=int(ident)).count() == 0


async def test_only_the_owner_sees_the_waiting_invitations(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    person = await api.register("ENTERPRISE_STAFF")
    await _invite(api, firm, person.email)
    admin = await make_admin(app)
    for actor in (firm.person, person, admin, await api.register("CUSTOMER")):
        data = await api.ok(WAITING, {"id": firm.enterprise_id}, actor)
        assert data["enterprise"]["invitations"] is None, actor.role


# --- Deprecated addEnterpriseMember ------------------------------------------------------------


async def test_add_enterprise_member_only_invites(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    staff = await api.register("ENTERPRISE_STAFF")
    outsider = await api.register("ENTERPRISE_STAFF")
    before = await _rows()
    # A userId tells nobody anything: the same refusal for a staff account, a missing one, junk.
    errors = []
    for actor in (firm.owner, outsider):
        for user_id in (staff.id, firm.person.id, "424242", "abc"):
            variables = {"enterpriseId": firm.enterprise_id, "userId": user_id, "role": "DESIGNER"}
            errors.append(await _refusal(api, ADD_BY_USER_ID, variables, actor))
    assert all(error == errors[0] for error in errors), errors
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "userId"}
    assert "inviteEnterpriseMember" in errors[0]["message"]
    assert await _rows() == before
    # With an email it invites, like inviteEnterpriseMember.
    variables = {
        "enterpriseId": firm.enterprise_id,
        "email": staff.email,
        "role": "PROJECT_MANAGER",
    }
    data = await api.ok(ADD_BY_EMAIL, variables, firm.owner)
    assert data["addEnterpriseMember"]["status"] == "PENDING"
    assert (staff.id, "PROJECT_MANAGER") not in await _members(api, firm)
    field = await api.ok(
        '{ __type(name: "Mutation") { fields(includeDeprecated: true) { name isDeprecated '
        "deprecationReason } } }"
    )
    [add] = [f for f in field["__type"]["fields"] if f["name"] == "addEnterpriseMember"]
    assert add["isDeprecated"] is True
    assert "inviteEnterpriseMember" in add["deprecationReason"]


# --- Limits ------------------------------------------------------------------------------------


class TestRateLimit:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(invitations_per_owner=3)

    async def test_an_owner_sends_a_bounded_number_of_invitations(self, api: Api, app: Any) -> None:
        firm = await _firm(api, app)  # one invitation used
        customer = await api.register("CUSTOMER")
        await _invite(api, firm, "a@example.com")
        await _invite(api, firm, "b@example.com")
        before = await _rows()
        for email in ("nobody@example.com", customer.email):  # whatever the address
            variables = {
                "enterpriseId": firm.enterprise_id,
                "email": email,
                "role": "PROJECT_MANAGER",
            }
            error = await _refusal(api, INVITE_MEMBER, variables, firm.owner)
            assert error["extensions"]["code"] == "RATE_LIMITED"
            assert 0 < error["extensions"]["retryAfterSeconds"] <= 3600
            assert error["message"].startswith("You can send at most 3 invitations per 3600")
        assert await _rows() == before
        assert "ENTERPRISE_INVITATION" not in await _kinds(api, customer)
        # Another owner is not held back.
        other = await _firm(api, app)
        await _invite(api, other, "c@example.com")


class TestCaps:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(invitations_per_owner=1000)

    async def test_invitations_awaiting_an_answer_are_capped(self, api: Api, app: Any) -> None:
        firm = await _firm(api, app)
        first = await _invite(api, firm, "first@example.com")
        for number in range(1, MAX_PENDING_INVITATIONS):
            await _invite(api, firm, f"person{number}@example.com")
        before = await _rows()
        variables = {
            "enterpriseId": firm.enterprise_id,
            "email": "one-more@example.com",
            "role": "PROJECT_MANAGER",
        }
        error = await _refusal(api, INVITE_MEMBER, variables, firm.owner)
        assert error["extensions"] == {"code": "CONFLICT"}
        assert await _rows() == before
        # Renewing a waiting one is not a new one; a revoked one frees a place.
        await _invite(api, firm, "person1@example.com")
        await api.ok(REVOKE, {"id": first}, firm.owner)
        await api.ok(INVITE_MEMBER, variables, firm.owner)

    async def test_members_are_capped_when_inviting_and_when_joining(
        self, api: Api, app: Any
    ) -> None:
        firm = await _firm(api, app)  # one member
        late = await api.register("ENTERPRISE_STAFF")
        later = await api.register("ENTERPRISE_STAFF")
        late_id = await _invite(api, firm, late.email)
        later_id = await _invite(api, firm, later.email)
        await _fill(firm, MAX_MEMBERS - 2)
        await api.ok(ACCEPT, {"id": late_id}, late)  # the hundredth
        before = await _rows()
        error = await _refusal(api, ACCEPT, {"id": later_id}, later)
        assert error["extensions"] == {"code": "CONFLICT"}
        assert await _rows() == before
        variables = {
            "enterpriseId": firm.enterprise_id,
            "email": "nobody@example.com",
            "role": "PROJECT_MANAGER",
        }
        error = await _refusal(api, INVITE_MEMBER, variables, firm.owner)
        assert error["extensions"] == {"code": "CONFLICT"}
        assert await _rows() == before


# --- Races (real on PostgreSQL; SQLite serialises writers) -------------------------------------


async def test_accepting_racing_with_revoking_ends_one_way(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    seen = set()
    for _ in range(4):
        person = await api.register("ENTERPRISE_STAFF")
        ident = await _invite(api, firm, person.email)
        accepted, revoked = await asyncio.gather(
            api.call(ACCEPT, {"id": ident}, person),
            api.call(REVOKE, {"id": ident}, firm.owner),
        )
        outcome = tuple(
            "OK" if "errors" not in body else body["errors"][0]["extensions"]["code"]
            for body in (accepted, revoked)
        )
        assert outcome in {("OK", "INVALID_STATE"), ("INVALID_STATE", "OK")}, outcome
        joined = (person.id, "PROJECT_MANAGER") in await _members(api, firm)
        status = (await EnterpriseInvitation.get(id=int(ident))).status
        assert (joined, status) in {
            (True, InvitationStatus.ACCEPTED),
            (False, InvitationStatus.REVOKED),
        }
        seen.add(outcome)
    assert seen


async def test_two_invitations_racing_for_the_last_place(api: Api, app: Any) -> None:
    """Concurrent joins count one after another under the enterprise lock."""
    firm = await _firm(api, app)
    people = [await api.register("ENTERPRISE_STAFF") for _ in range(2)]
    ids = [await _invite(api, firm, person.email) for person in people]
    await _fill(firm, MAX_MEMBERS - 2)
    bodies = await asyncio.gather(
        *(
            api.call(ACCEPT, {"id": ident}, person)
            for ident, person in zip(ids, people, strict=True)
        )
    )
    codes = sorted(
        "OK" if "errors" not in b else b["errors"][0]["extensions"]["code"] for b in bodies
    )
    assert codes == ["CONFLICT", "OK"]
    assert (
        await EnterpriseMember.filter(enterprise_id=int(firm.enterprise_id)).count() == MAX_MEMBERS
    )


# --- No N+1 ------------------------------------------------------------------------------------

OWNED_WITH_INVITATIONS = """{ myEnterprises(first: 20) { id invitations(first: 5) {
  id email role status enterpriseName enterpriseKind invitedBy { displayName } } } }"""


async def _statements_for_owned(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch, count: int
) -> int:
    admin = await make_admin(app)
    owner = await api.register("ENTERPRISE_STAFF")
    for _ in range(count):
        ident = await register_enterprise(api, owner, "DESIGN")
        await api.ok(VERIFY_ENTERPRISE, {"id": ident, "approved": True}, admin)
        for letter in "ab":
            variables = {
                "enterpriseId": ident,
                "email": f"{letter}@example.com",
                "role": "DESIGNER",
            }
            await api.ok(INVITE_MEMBER, variables, owner)
    counter = StatementCounter()
    with monkeypatch.context() as patch:
        counter.wrap(patch)
        data = await api.ok(OWNED_WITH_INVITATIONS, actor=owner)
    assert [len(e["invitations"]) for e in data["myEnterprises"]] == [2] * count
    return len(counter.statements)


class TestQueryCount:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(invitations_per_owner=1000)

    async def test_waiting_invitations_of_many_enterprises_are_constant(
        self, api: Api, app: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        one = await _statements_for_owned(api, app, monkeypatch, 1)
        many = await _statements_for_owned(api, app, monkeypatch, 8)
        assert one == many


async def test_notifications_are_stored_only_for_accounts(api: Api, app: Any) -> None:
    firm = await _firm(api, app)
    before = await Notification.all().count()
    await _invite(api, firm, "nobody-at-all@example.com")
    assert await Notification.all().count() == before
