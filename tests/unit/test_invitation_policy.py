"""Who may answer an enterprise invitation, decided by resolvers.policy alone: every account
role, standing as owner, invitee, both or neither, for every action. (The API matrix in
tests/api/test_projects_permissions.py runs the same rules through GraphQL.)"""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import pytest

from errors import DomainError
from models import Role
from resolvers.policy import InvitationAction, authorize_invitation, can_list_invitations

INVITED = "invited@example.com"
OWNER_ID = 7


def _viewer(role: Role, *, owner: bool, invitee: bool) -> Any:
    return SimpleNamespace(
        id=OWNER_ID if owner else 8,
        email=INVITED if invitee else "someone-else@example.com",
        role=role,
    )


def _expected(role: Role, owner: bool, invitee: bool, action: InvitationAction) -> str:
    if not owner and not invitee:
        return "NOT_FOUND"  # the invitation does not exist for anyone else, ADMIN included
    if action == InvitationAction.REVOKE:
        return "OK" if owner else "FORBIDDEN"
    if not invitee:
        return "FORBIDDEN"  # the owner sees it but answers for nobody
    if action == InvitationAction.ACCEPT and role != Role.ENTERPRISE_STAFF:
        return "FORBIDDEN"  # only ENTERPRISE_STAFF accounts may be members
    return "OK"


CASES = list(itertools.product(Role, (False, True), (False, True), InvitationAction))


@pytest.mark.parametrize(
    ("role", "owner", "invitee", "action"),
    CASES,
    ids=[
        f"{role.value}-{'owner' if o else 'not-owner'}-{'invitee' if i else 'not-invitee'}-"
        f"{action.value}"
        for role, o, i, action in CASES
    ],
)
def test_matrix(role: Role, owner: bool, invitee: bool, action: InvitationAction) -> None:
    invitation: Any = SimpleNamespace(email=INVITED)
    enterprise: Any = SimpleNamespace(owner_id=OWNER_ID)
    viewer = _viewer(role, owner=owner, invitee=invitee)
    try:
        authorize_invitation(viewer, invitation, enterprise, action, "1")
        outcome = "OK"
    except DomainError as refusal:
        outcome = refusal.code.value
    assert outcome == _expected(role, owner, invitee, action)


@pytest.mark.parametrize("action", list(InvitationAction))
def test_anonymous_and_missing(action: InvitationAction) -> None:
    invitation: Any = SimpleNamespace(email=INVITED)
    enterprise: Any = SimpleNamespace(owner_id=OWNER_ID)
    staff = _viewer(Role.ENTERPRISE_STAFF, owner=True, invitee=True)
    for viewer, found, expected in [
        (None, invitation, "UNAUTHENTICATED"),
        (staff, None, "NOT_FOUND"),
    ]:
        with pytest.raises(DomainError) as refusal:
            authorize_invitation(viewer, found, enterprise, action, "1")
        assert refusal.value.code.value == expected


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("owner", [False, True])
def test_only_the_owner_lists_the_waiting_invitations(role: Role, owner: bool) -> None:
    enterprise: Any = SimpleNamespace(owner_id=OWNER_ID)
    viewer = _viewer(role, owner=owner, invitee=True)
    assert can_list_invitations(viewer, enterprise) is owner
    assert can_list_invitations(None, enterprise) is False
