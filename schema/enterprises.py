"""The enterprise library: enterprises, their members and invitations, registration and the
ADMIN decisions."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

import models
from resolvers import enterprises, validation
from resolvers.enterprises import MAX_MY_ENTERPRISES  # `enterprises` is also a field below
from schema.common import Connection, Info, Participant, connection
from schema.enums import EnterpriseKind, EnterpriseStatus, InvitationStatus, MemberRole


async def _participant(info: Info, user_id: int) -> Participant:
    user = await info.context.loaders.user_by_id.load(user_id)
    assert user is not None  # users are never deleted while they own or belong to anything
    return Participant.from_model(user)


@strawberry.type(
    description="A company in the library. Anyone signed in sees VERIFIED ones; one that is "
    "PENDING, REJECTED or SUSPENDED only its owner, its members and ADMIN."
)
class Enterprise:
    _enterprise: strawberry.Private[models.Enterprise]

    @classmethod
    def from_model(cls, enterprise: models.Enterprise) -> Enterprise:
        return cls(_enterprise=enterprise)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._enterprise.id))

    @strawberry.field
    def name(self) -> str:
        return self._enterprise.name

    @strawberry.field
    def kind(self) -> EnterpriseKind:
        return self._enterprise.kind

    @strawberry.field(description="Unique per kind; stored upper-cased.")
    def license_number(self) -> str:
        return self._enterprise.license_number

    @strawberry.field
    def city(self) -> str:
        return self._enterprise.city

    @strawberry.field
    def contact_email(self) -> str:
        return self._enterprise.contact_email

    @strawberry.field
    def description(self) -> str:
        return self._enterprise.description

    @strawberry.field
    def status(self) -> EnterpriseStatus:
        return self._enterprise.status

    @strawberry.field(
        description="The note of the last ADMIN decision (verification, rejection, suspension, "
        "reinstatement). Only the owner, the members and ADMIN see it; null for others."
    )
    async def status_note(self, info: Info) -> str | None:
        if self._enterprise.status_note is None:
            return None
        if not await enterprises.is_insider(info.context, self._enterprise):
            return None
        return self._enterprise.status_note

    @strawberry.field
    async def owner(self, info: Info) -> Participant:
        return await _participant(info, self._enterprise.owner_id)

    @strawberry.field(description="Average of the customers' evaluations (1-5); null before any.")
    def rating_average(self) -> float | None:
        count = self._enterprise.rating_count
        return round(self._enterprise.rating_sum / count, 2) if count else None

    @strawberry.field
    def rating_count(self) -> int:
        return self._enterprise.rating_count

    @strawberry.field(description="Projects of which it was part that the customer accepted.")
    def completed_projects(self) -> int:
        return self._enterprise.completed_projects

    @strawberry.field(
        description=f"Oldest first: the first `first` (all {enterprises.MAX_MEMBERS} at most, "
        "by default)."
    )
    async def members(
        self, info: Info, first: int = enterprises.MAX_MEMBERS
    ) -> list[EnterpriseMember]:
        size = validation.list_size(first, enterprises.MAX_MEMBERS)
        rows = await enterprises.members_of(info.context, self._enterprise)
        return [EnterpriseMember.from_model(row) for row in rows[:size]]

    @strawberry.field(
        description="Invitations awaiting an answer (PENDING, not expired), oldest first: the "
        f"first `first` (all, at most {enterprises.MAX_PENDING_INVITATIONS}, by default). Only "
        "the owner sees them; null for everyone else."
    )
    async def invitations(
        self, info: Info, first: int = enterprises.MAX_PENDING_INVITATIONS
    ) -> list[EnterpriseInvitation] | None:
        size = validation.list_size(first, enterprises.MAX_PENDING_INVITATIONS)
        rows = await enterprises.invitations_of(info.context, self._enterprise)
        return None if rows is None else [EnterpriseInvitation.from_model(r) for r in rows[:size]]

    @strawberry.field
    def created_at(self) -> datetime:
        return self._enterprise.created_at


@strawberry.type(description="A person working for an enterprise in one role.")
class EnterpriseMember:
    _member: strawberry.Private[models.EnterpriseMember]

    @classmethod
    def from_model(cls, member: models.EnterpriseMember) -> EnterpriseMember:
        return cls(_member=member)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._member.id))

    @strawberry.field
    def role(self) -> MemberRole:
        return self._member.role

    @strawberry.field
    async def user(self, info: Info) -> Participant:
        return await _participant(info, self._member.user_id)

    @strawberry.field
    async def enterprise(self, info: Info) -> Enterprise:
        enterprise = await info.context.loaders.enterprise_by_id.load(self._member.enterprise_id)
        assert enterprise is not None  # enterprises are never deleted
        return Enterprise.from_model(enterprise)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._member.created_at


@strawberry.type(
    description="An invitation to join an enterprise in one role, sent to an email address. "
    "Seen only by the owner of the enterprise and by the person whose account uses the "
    "address; the person joins by accepting it before expiresAt."
)
class EnterpriseInvitation:
    _invitation: strawberry.Private[models.EnterpriseInvitation]

    @classmethod
    def from_model(cls, invitation: models.EnterpriseInvitation) -> EnterpriseInvitation:
        return cls(_invitation=invitation)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._invitation.id))

    @strawberry.field(description="The invited address, trimmed and lower-cased.")
    def email(self) -> str:
        return self._invitation.email

    @strawberry.field
    def role(self) -> MemberRole:
        return self._invitation.role

    @strawberry.field
    def status(self) -> InvitationStatus:
        return self._invitation.status_at(datetime.now(UTC))

    @strawberry.field
    async def enterprise_name(self, info: Info) -> str:
        return (await self._enterprise(info)).name

    @strawberry.field
    async def enterprise_kind(self, info: Info) -> EnterpriseKind:
        return (await self._enterprise(info)).kind

    @strawberry.field(
        description="The enterprise, when you may see it (VERIFIED, or you own or belong to "
        "it); null otherwise."
    )
    async def enterprise(self, info: Info) -> Enterprise | None:
        enterprise = await self._enterprise(info)
        if not await enterprises.visible(info.context, enterprise):
            return None
        return Enterprise.from_model(enterprise)

    @strawberry.field
    async def invited_by(self, info: Info) -> Participant | None:
        if self._invitation.invited_by_id is None:
            return None
        return await _participant(info, self._invitation.invited_by_id)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._invitation.created_at

    @strawberry.field
    def expires_at(self) -> datetime:
        return self._invitation.expires_at

    @strawberry.field(description="When it was accepted, declined or revoked.")
    def responded_at(self) -> datetime | None:
        return self._invitation.responded_at

    async def _enterprise(self, info: Info) -> models.Enterprise:
        enterprise = await info.context.loaders.enterprise_by_id.load(
            self._invitation.enterprise_id
        )
        assert enterprise is not None  # enterprises are never deleted
        return enterprise


@strawberry.input
class RegisterEnterpriseInput:
    name: str
    kind: EnterpriseKind
    license_number: str
    city: str
    contact_email: str
    description: str = ""


@strawberry.type
class EnterprisesQuery:
    @strawberry.field(
        description="The enterprise library, newest first. verifiedOnly (default) lists VERIFIED "
        "enterprises; with false, ADMIN sees all and others also their own. status narrows to "
        "one status (and overrides verifiedOnly). minRating (1-5) keeps rated enterprises whose "
        "average is at least that. city matches case-insensitively."
    )
    async def enterprises(
        self,
        info: Info,
        kind: EnterpriseKind | None = None,
        city: str | None = None,
        verified_only: bool = True,
        min_rating: float | None = None,
        status: EnterpriseStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Enterprise]:
        where = enterprises.LibraryFilter(
            kind=kind,
            city=city,
            verified_only=verified_only,
            min_rating=min_rating,
            status=status,
        )
        page = await enterprises.list_enterprises(info.context, where, first, after)
        return connection(page, Enterprise.from_model)

    @strawberry.field(description="An enterprise you may see (NOT_FOUND otherwise).")
    async def enterprise(self, info: Info, id: strawberry.ID) -> Enterprise | None:
        return Enterprise.from_model(await enterprises.get_enterprise(info.context, id))

    @strawberry.field(
        description="Enterprises you own or belong to, any status, newest first: the first "
        f"`first` (all, at most {MAX_MY_ENTERPRISES}, by default)."
    )
    async def my_enterprises(self, info: Info, first: int = MAX_MY_ENTERPRISES) -> list[Enterprise]:
        size = validation.list_size(first, MAX_MY_ENTERPRISES)
        rows = await enterprises.my_enterprises(info.context)
        return [Enterprise.from_model(row) for row in rows[:size]]

    @strawberry.field(
        description="Invitations to your account's email awaiting your answer (PENDING, not "
        "expired), newest first; at most 50."
    )
    async def my_enterprise_invitations(self, info: Info) -> list[EnterpriseInvitation]:
        rows = await enterprises.my_invitations(info.context)
        return [EnterpriseInvitation.from_model(row) for row in rows]


@strawberry.type
class EnterprisesMutation:
    @strawberry.mutation(
        description="ENTERPRISE_STAFF: register an enterprise you own; it is PENDING until an "
        "ADMIN decides. A licence number is unique per kind (CONFLICT); registering your "
        "REJECTED enterprise again resubmits it."
    )
    async def register_enterprise(self, info: Info, input: RegisterEnterpriseInput) -> Enterprise:
        enterprise = await enterprises.register_enterprise(
            info.context,
            enterprises.NewEnterprise(
                name=input.name,
                kind=input.kind,
                license_number=input.license_number,
                city=input.city,
                contact_email=input.contact_email,
                description=input.description,
            ),
        )
        return Enterprise.from_model(enterprise)

    @strawberry.mutation(
        description="ADMIN: PENDING -> VERIFIED (approved) or REJECTED (a note is required)."
    )
    async def verify_enterprise(
        self, info: Info, id: strawberry.ID, approved: bool, note: str | None = None
    ) -> Enterprise:
        return Enterprise.from_model(
            await enterprises.verify_enterprise(info.context, id, approved, note)
        )

    @strawberry.mutation(description="ADMIN: VERIFIED -> SUSPENDED, with the reason.")
    async def suspend_enterprise(self, info: Info, id: strawberry.ID, note: str) -> Enterprise:
        return Enterprise.from_model(await enterprises.suspend_enterprise(info.context, id, note))

    @strawberry.mutation(description="ADMIN: SUSPENDED -> VERIFIED.")
    async def reinstate_enterprise(
        self, info: Info, id: strawberry.ID, note: str | None = None
    ) -> Enterprise:
        return Enterprise.from_model(await enterprises.reinstate_enterprise(info.context, id, note))

    @strawberry.mutation(
        description="The owner invites an email address to join in a role that fits the "
        "enterprise's kind; the person joins by accepting it within 14 days. The answer is the "
        "same whatever uses the address (no account, any account, a member already): a new "
        "PENDING invitation, or the one still awaiting an answer for the same address and role, "
        "renewed. Refusals depend only on your input and enterprise: BAD_USER_INPUT (email, "
        "role), INVALID_STATE (a REJECTED enterprise), CONFLICT (100 members or 50 invitations "
        "awaiting an answer), RATE_LIMITED (too many invitations per hour)."
    )
    async def invite_enterprise_member(
        self, info: Info, enterprise_id: strawberry.ID, email: str, role: MemberRole
    ) -> EnterpriseInvitation:
        invitation = await enterprises.invite_member(info.context, enterprise_id, email, role)
        return EnterpriseInvitation.from_model(invitation)

    @strawberry.mutation(
        description="The invited person joins in the invitation's role. Refused with FORBIDDEN "
        "if the account may not be a member (only ENTERPRISE_STAFF may), INVALID_STATE if the "
        "invitation is no longer PENDING (or expired), CONFLICT if you already hold the role or "
        "the enterprise is full; a refused invitation stays as it was."
    )
    async def accept_enterprise_invitation(self, info: Info, id: strawberry.ID) -> EnterpriseMember:
        member = await enterprises.accept_invitation(info.context, id)
        return EnterpriseMember.from_model(member)

    @strawberry.mutation(description="The invited person declines a PENDING invitation.")
    async def decline_enterprise_invitation(
        self, info: Info, id: strawberry.ID
    ) -> EnterpriseInvitation:
        invitation = await enterprises.decline_invitation(info.context, id)
        return EnterpriseInvitation.from_model(invitation)

    @strawberry.mutation(description="The owner revokes a PENDING invitation.")
    async def revoke_enterprise_invitation(
        self, info: Info, id: strawberry.ID
    ) -> EnterpriseInvitation:
        invitation = await enterprises.revoke_invitation(info.context, id)
        return EnterpriseInvitation.from_model(invitation)

    @strawberry.mutation(
        description="Deprecated: nobody joins without consent. With email it does what "
        "inviteEnterpriseMember does; userId is refused (BAD_USER_INPUT).",
        deprecation_reason="Use inviteEnterpriseMember; the person joins by accepting.",
    )
    async def add_enterprise_member(
        self,
        info: Info,
        enterprise_id: strawberry.ID,
        role: MemberRole,
        user_id: strawberry.ID | None = None,
        email: str | None = None,
    ) -> EnterpriseInvitation:
        invitation = await enterprises.add_member(info.context, enterprise_id, user_id, email, role)
        return EnterpriseInvitation.from_model(invitation)

    @strawberry.mutation(
        description="The owner removes a member; refused (INVALID_STATE) while the person is "
        "assigned to a project that is not ACCEPTED or CANCELLED."
    )
    async def remove_enterprise_member(self, info: Info, member_id: strawberry.ID) -> bool:
        return await enterprises.remove_member(info.context, member_id)
