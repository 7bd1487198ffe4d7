"""The enterprise library: registering an enterprise, the ADMIN decisions on it (verify,
reject, suspend, reinstate), its members and the invitations that make them, and browsing the
library.

Who may see what comes from resolvers.policy: anyone signed in sees VERIFIED enterprises; one
that is PENDING, REJECTED or SUSPENDED exists only for its owner, its members and ADMIN
(NOT_FOUND for everyone else). The owner manages the members: nobody joins without consent.
The owner invites an email address and the person joins by accepting; the answer to an
invitation is the same for every address, so an owner learns nothing about accounts from it.

Invariants held by the database, not only by Python checks:
- a licence number identifies one enterprise of each kind: the unique (kind, license_number)
  index answers a concurrent duplicate, which becomes CONFLICT;
- each status move is one conditional UPDATE from the status it starts from, so of two
  concurrent decisions exactly one wins (INVALID_STATE for the other);
- a person holds a role in an enterprise once: the unique (enterprise, user, role) index;
- each answer to an invitation (accept, decline, revoke) is one conditional UPDATE from a live
  PENDING one, so of two concurrent answers exactly one wins;
- inviting, joining and removing members lock the enterprise and member rows (PostgreSQL) so
  the caps and "not removed while assigned to a live project" hold under concurrency; choosing
  a team (resolvers.projects) locks the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from strawberry.dataloader import DataLoader
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, RawSQL

from errors import BadUserInput, Conflict, InvalidState, NotFound
from models import (
    ROLE_KIND,
    Enterprise,
    EnterpriseInvitation,
    EnterpriseKind,
    EnterpriseMember,
    EnterpriseStatus,
    InvitationStatus,
    MemberRole,
    Project,
    ProjectStatus,
    Role,
    User,
)
from resolvers import validation
from resolvers.context import Context
from resolvers.ids import parse_id
from resolvers.loaders import Loaders, grouped_by
from resolvers.notifications import NotificationKind, notify
from resolvers.pagination import Page, paginate
from resolvers.policy import (
    InvitationAction,
    authorize_enterprise_owner,
    authorize_invitation,
    can_list_invitations,
    can_view_enterprise,
    require_role,
    require_user,
)
from resolvers.ratelimit import enforce

# Enterprise.members returns all of an enterprise's members by default, so they are bounded.
MAX_MEMBERS = 100
# myEnterprises returns at most this many, newest first.
MAX_MY_ENTERPRISES = 100
# An invitation waits this long for its answer.
INVITATION_DAYS = 14
# Invitations of one enterprise awaiting an answer at once (Enterprise.invitations lists them).
MAX_PENDING_INVITATIONS = 50
# myEnterpriseInvitations returns at most this many, newest first.
MAX_MY_INVITATIONS = 50
# Projects in these statuses no longer need their people: a member may then be removed.
FINISHED_PROJECT_STATUSES = (ProjectStatus.ACCEPTED, ProjectStatus.CANCELLED)
# (member role, person column of the project, enterprise column of the project)
ROLE_SEAT: dict[MemberRole, tuple[str, str]] = {
    MemberRole.DESIGNER: ("designer_id", "design_enterprise_id"),
    MemberRole.PROJECT_MANAGER: ("project_manager_id", "decoration_enterprise_id"),
    MemberRole.SUPERVISOR: ("supervisor_id", "supervision_enterprise_id"),
    MemberRole.MATERIAL_BUDGETER: ("material_budgeter_id", "supplier_enterprise_id"),
}


# --- Loaders -----------------------------------------------------------------------------------


class EnterpriseLoaders:
    def __init__(self) -> None:
        self.members_by_enterprise_id = grouped_by(EnterpriseMember, "enterprise_id")
        self.waiting_invitations_by_enterprise_id = DataLoader(load_fn=self._waiting_invitations)

    @staticmethod
    async def _waiting_invitations(keys: list[int]) -> list[list[EnterpriseInvitation]]:
        grouped: dict[int, list[EnterpriseInvitation]] = {key: [] for key in keys}
        rows = EnterpriseInvitation.filter(
            _live_invitations(datetime.now(UTC)), enterprise_id__in=keys
        ).order_by("id")
        for row in await rows:
            grouped[row.enterprise_id].append(row)
        return [grouped[key] for key in keys]


def members_by_enterprise_id(loaders: Loaders) -> DataLoader[int, list[EnterpriseMember]]:
    return loaders.domain(EnterpriseLoaders).members_by_enterprise_id


def waiting_invitations_by_enterprise_id(
    loaders: Loaders,
) -> DataLoader[int, list[EnterpriseInvitation]]:
    return loaders.domain(EnterpriseLoaders).waiting_invitations_by_enterprise_id


async def members_of(ctx: Context, enterprise: Enterprise) -> list[EnterpriseMember]:
    """The members of an enterprise the viewer may see (callers got it through the policy)."""
    return await members_by_enterprise_id(ctx.loaders).load(enterprise.id)


async def _member_ids(ctx: Context, enterprise: Enterprise) -> set[int]:
    if enterprise.status == EnterpriseStatus.VERIFIED:
        return set()  # everyone signed in sees it; no need to look the members up
    return {member.user_id for member in await members_of(ctx, enterprise)}


async def visible(ctx: Context, enterprise: Enterprise) -> bool:
    return can_view_enterprise(ctx.viewer, enterprise, await _member_ids(ctx, enterprise))


async def is_insider(ctx: Context, enterprise: Enterprise) -> bool:
    """The owner, a member or ADMIN: those who see the internal notes of a decision."""
    viewer = ctx.viewer
    if viewer is None:
        return False
    if viewer.role == Role.ADMIN or viewer.id == enterprise.owner_id:
        return True
    return any(member.user_id == viewer.id for member in await members_of(ctx, enterprise))


# --- Registration ------------------------------------------------------------------------------


@dataclass
class NewEnterprise:
    name: str
    kind: EnterpriseKind
    license_number: str
    city: str
    contact_email: str
    description: str = ""


def _license(value: str) -> str:
    """Licence numbers compare without surrounding space and case: 'hrb 12' is 'HRB 12'."""
    normalized = validation.text(value, "licenseNumber", max_length=64).strip().upper()
    return normalized


def _contact_email(value: str) -> str:
    try:
        return validation.email(value)
    except BadUserInput:
        raise BadUserInput(
            "contactEmail must be a valid address like office@example.com.", "contactEmail"
        ) from None


def _checked(new: NewEnterprise) -> dict[str, Any]:
    return {
        "name": validation.text(new.name, "name", max_length=120).strip(),
        "kind": EnterpriseKind(new.kind),
        "license_number": _license(new.license_number),
        "city": validation.text(new.city, "city", max_length=80).strip(),
        "contact_email": _contact_email(new.contact_email),
        "description": validation.optional_text(new.description, "description", max_length=4000)
        or "",
    }


def _licence_taken(kind: EnterpriseKind, license_number: str) -> Conflict:
    return Conflict(
        f"A {kind.value} enterprise with licence number {license_number} is already registered.",
        field="licenseNumber",
    )


async def register_enterprise(ctx: Context, new: NewEnterprise) -> Enterprise:
    """ENTERPRISE_STAFF registers an enterprise and becomes its owner; it waits (PENDING) for an
    ADMIN's decision, and the ADMINs are told.

    The owner of a REJECTED enterprise may register it again under the same licence number:
    that resubmits the same enterprise (new details, PENDING again) instead of being refused,
    so a rejection is never a dead end. Any other licence clash is CONFLICT.
    """
    user = require_role(ctx.viewer, Role.ENTERPRISE_STAFF)
    fields = _checked(new)
    kind, license_number = fields["kind"], fields["license_number"]
    try:
        async with ctx.write():
            existing = (
                await Enterprise.filter(kind=kind, license_number=license_number)
                .select_for_update()
                .first()
            )
            if existing is None:
                enterprise = await Enterprise.create(owner_id=user.id, **fields)
                verb = "registered"
            elif existing.owner_id == user.id and existing.status == EnterpriseStatus.REJECTED:
                await Enterprise.filter(id=existing.id, status=EnterpriseStatus.REJECTED).update(
                    **fields,
                    status=EnterpriseStatus.PENDING,
                    status_note=None,
                    status_changed_by_id=None,
                    status_changed_at=None,
                )
                enterprise = await Enterprise.get(id=existing.id)
                verb = "resubmitted"
            else:
                raise _licence_taken(kind, license_number)
            await _tell_admins(ctx, enterprise, verb)
    except IntegrityError:
        # The unique (kind, licence) index: registered concurrently.
        raise _licence_taken(kind, license_number) from None
    return enterprise


async def _tell_admins(ctx: Context, enterprise: Enterprise, verb: str) -> None:
    admin_ids = cast(
        list[int], await User.filter(role=Role.ADMIN).order_by("id").values_list("id", flat=True)
    )
    for admin_id in admin_ids:
        await notify(
            ctx,
            admin_id,
            NotificationKind.ENTERPRISE_STATUS_CHANGED,
            f"{enterprise.name} awaits verification",
            f"{enterprise.kind.value} enterprise {enterprise.name} (licence "
            f"{enterprise.license_number}, {enterprise.city}) was {verb} and awaits your "
            "decision.",
            enterpriseId=enterprise.id,
            status=enterprise.status.value,
        )


# --- ADMIN decisions ---------------------------------------------------------------------------


async def _decide(
    ctx: Context,
    enterprise_id: str,
    allowed_from: EnterpriseStatus,
    to: EnterpriseStatus,
    note: str | None,
    what: str,
) -> Enterprise:
    admin = require_role(ctx.viewer, Role.ADMIN)
    ident = parse_id(enterprise_id, "Enterprise")
    async with ctx.write():
        moved = await Enterprise.filter(id=ident, status=allowed_from).update(
            status=to,
            status_note=note,
            status_changed_by_id=admin.id,
            status_changed_at=datetime.now(UTC),
        )
        enterprise = await Enterprise.get_or_none(id=ident)
        if enterprise is None:
            raise NotFound("Enterprise", enterprise_id)
        if not moved:
            raise InvalidState(
                f"Enterprise {ident} is {enterprise.status.value}; it can be {what} only while "
                f"{allowed_from.value}.",
                status=enterprise.status.value,
            )
        body = f"{enterprise.name} is now {to.value}."
        if note:
            body += f"\nNote from the platform: {note}"
        await notify(
            ctx,
            enterprise.owner_id,
            NotificationKind.ENTERPRISE_STATUS_CHANGED,
            f"{enterprise.name}: {what}",
            body,
            enterpriseId=enterprise.id,
            status=to.value,
        )
    return enterprise


async def verify_enterprise(
    ctx: Context, enterprise_id: str, approved: bool, note: str | None
) -> Enterprise:
    """ADMIN: PENDING -> VERIFIED, or REJECTED (a rejection needs a note the owner can act on)."""
    require_role(ctx.viewer, Role.ADMIN)
    note = validation.optional_text(note, "note", max_length=1000)
    if note is not None and not note.strip():
        note = None
    if not approved and note is None:
        raise BadUserInput("note is required when rejecting: tell the owner what to fix.", "note")
    to = EnterpriseStatus.VERIFIED if approved else EnterpriseStatus.REJECTED
    what = "verified" if approved else "rejected"
    return await _decide(ctx, enterprise_id, EnterpriseStatus.PENDING, to, note, what)


async def suspend_enterprise(ctx: Context, enterprise_id: str, note: str) -> Enterprise:
    """ADMIN: VERIFIED -> SUSPENDED. It can no longer be chosen for a team and disappears from
    the library; projects that already chose it carry on."""
    require_role(ctx.viewer, Role.ADMIN)
    note = validation.text(note, "note", max_length=1000)
    return await _decide(
        ctx, enterprise_id, EnterpriseStatus.VERIFIED, EnterpriseStatus.SUSPENDED, note, "suspended"
    )


async def reinstate_enterprise(ctx: Context, enterprise_id: str, note: str | None) -> Enterprise:
    """ADMIN: SUSPENDED -> VERIFIED."""
    require_role(ctx.viewer, Role.ADMIN)
    note = validation.optional_text(note, "note", max_length=1000)
    if note is not None and not note.strip():
        note = None
    return await _decide(
        ctx,
        enterprise_id,
        EnterpriseStatus.SUSPENDED,
        EnterpriseStatus.VERIFIED,
        note,
        "reinstated",
    )


# --- Members -----------------------------------------------------------------------------------


def _role_fits(enterprise: Enterprise, role: MemberRole) -> None:
    needed = ROLE_KIND[role]
    if enterprise.kind != needed:
        fitting = sorted(r.value for r, kind in ROLE_KIND.items() if kind == enterprise.kind)
        raise BadUserInput(
            f"A {role.value} belongs to a {needed.value} enterprise; {enterprise.name} is "
            f"{enterprise.kind.value}, whose members are {', '.join(fitting)}.",
            "role",
        )


def _role_name(role: MemberRole) -> str:
    return role.value.replace("_", " ").lower()


def _refuse_if_rejected(enterprise: Enterprise, doing: str) -> None:
    if enterprise.status == EnterpriseStatus.REJECTED:
        raise InvalidState(
            f"Enterprise {enterprise.id} was rejected; register it again to resubmit it before "
            f"{doing}.",
            status=enterprise.status.value,
        )


def _refuse_if_full(enterprise: Enterprise, members: int) -> None:
    if members >= MAX_MEMBERS:
        raise Conflict(
            f"{enterprise.name} has {MAX_MEMBERS} members, the most an enterprise can have; "
            "remove one first."
        )


# --- Invitations -------------------------------------------------------------------------------
# The owner invites an email address; the person joins by accepting. Inviting answers the same
# for every address (no account, a customer, an ADMIN, a member already, invited already): the
# invitation is stored whatever uses the address, and the answer shows only what the owner
# typed. Whether the person may be a member is decided when they accept (policy).


def _live_invitations(now: datetime) -> Q:
    return Q(status=InvitationStatus.PENDING, expires_at__gt=now)


async def invite_member(
    ctx: Context, enterprise_id: str, email: str, role: MemberRole
) -> EnterpriseInvitation:
    """The owner invites an address in a role that fits the enterprise's kind. Refusals depend
    only on what the owner decides (their input, their enterprise, their own rate), never on
    the address; inviting an address again while its invitation waits renews that one. An
    account using the address is told."""
    viewer = require_user(ctx.viewer)
    ident = parse_id(enterprise_id, "Enterprise")
    enterprise = await ctx.loaders.enterprise_by_id.load(ident)
    if enterprise is None:
        raise NotFound("Enterprise", enterprise_id)
    authorize_enterprise_owner(
        viewer, enterprise, enterprise_id, await _member_ids(ctx, enterprise)
    )
    role = MemberRole(role)
    address = validation.email(email)
    _role_fits(enterprise, role)
    settings = ctx.settings
    await enforce(
        ctx.limiter,
        f"invitations:owner:{viewer.id}",
        limit=settings.invitations_per_owner,
        window_seconds=settings.invitation_window_seconds,
        reason=f"You can send at most {settings.invitations_per_owner} invitations per "
        f"{settings.invitation_window_seconds} seconds",
    )
    now = datetime.now(UTC)
    expires_at = now + timedelta(days=INVITATION_DAYS)
    async with ctx.write():
        # The enterprise row lock makes concurrent invitations count one after another.
        locked = await Enterprise.filter(id=ident).select_for_update().first()
        assert locked is not None  # enterprises are never deleted
        _refuse_if_rejected(locked, "inviting members")
        _refuse_if_full(locked, await EnterpriseMember.filter(enterprise_id=ident).count())
        waiting = EnterpriseInvitation.filter(_live_invitations(now), enterprise_id=ident)
        again = await waiting.filter(email=address, role=role).order_by("id").first()
        if again is not None:
            await EnterpriseInvitation.filter(id=again.id).update(expires_at=expires_at)
            again.expires_at = expires_at
            return again
        if await waiting.count() >= MAX_PENDING_INVITATIONS:
            raise Conflict(
                f"{locked.name} has {MAX_PENDING_INVITATIONS} invitations awaiting an answer, "
                "the most it can have; revoke one or wait for answers first."
            )
        invitation = await EnterpriseInvitation.create(
            enterprise_id=ident,
            email=address,
            role=role,
            invited_by_id=viewer.id,
            expires_at=expires_at,
        )
        # The notification is stored in this transaction; the answer does not depend on it.
        invitee = await User.get_or_none(email=address)
        if invitee is not None and invitee.id != viewer.id:
            await notify(
                ctx,
                invitee.id,
                NotificationKind.ENTERPRISE_INVITATION,
                f"{locked.name} invites you",
                f"{viewer.display_name} invites you to join {locked.name} as "
                f"{_role_name(role)}. Accept or decline it under your enterprise invitations "
                f"before {expires_at:%Y-%m-%d %H:%M} UTC.",
                enterpriseId=locked.id,
                invitationId=invitation.id,
                role=role.value,
            )
    return invitation


async def add_member(
    ctx: Context,
    enterprise_id: str,
    user_id: str | None,
    email: str | None,
    role: MemberRole,
) -> EnterpriseInvitation:
    """Deprecated: nobody is added without consent any more. With an email it invites (as
    invite_member); a userId is refused before it is looked at, so it reveals nothing."""
    require_user(ctx.viewer)
    if user_id is not None or email is None:
        raise BadUserInput(
            "People are no longer added directly: invite them by email with "
            "inviteEnterpriseMember; they join when they accept.",
            "userId" if user_id is not None else "email",
        )
    return await invite_member(ctx, enterprise_id, email, role)


async def _invitation_for(
    ctx: Context, invitation_id: str, action: InvitationAction
) -> tuple[User, EnterpriseInvitation, Enterprise]:
    require_user(ctx.viewer)
    ident = parse_id(invitation_id, "EnterpriseInvitation")
    invitation = await EnterpriseInvitation.get_or_none(id=ident)
    enterprise = (
        None
        if invitation is None
        else await ctx.loaders.enterprise_by_id.load(invitation.enterprise_id)
    )
    user = authorize_invitation(ctx.viewer, invitation, enterprise, action, invitation_id)
    assert invitation is not None and enterprise is not None
    return user, invitation, enterprise


async def _answer(
    invitation: EnterpriseInvitation, to: InvitationStatus, now: datetime, verb: str
) -> EnterpriseInvitation:
    """Moves a live invitation to `to` in one conditional UPDATE: of two concurrent answers
    (accept, decline, revoke) exactly one wins; the other gets INVALID_STATE."""
    moved = await EnterpriseInvitation.filter(_live_invitations(now), id=invitation.id).update(
        status=to, responded_at=now
    )
    current = await EnterpriseInvitation.get(id=invitation.id)
    if not moved:
        status = current.status_at(now)
        raise InvalidState(
            f"This invitation is {status.value}; only a PENDING one can be {verb}.",
            status=status.value,
        )
    return current


async def accept_invitation(ctx: Context, invitation_id: str) -> EnterpriseMember:
    """The invited person joins, under the same locks and caps as any new member. Refused
    (and the invitation left waiting) if the account may not be a member (FORBIDDEN), the
    person already holds the role (CONFLICT) or the enterprise is full (CONFLICT)."""
    user, invitation, enterprise = await _invitation_for(
        ctx, invitation_id, InvitationAction.ACCEPT
    )
    role = invitation.role
    duplicate = Conflict(f"You already are a {_role_name(role)} of {enterprise.name}.")
    now = datetime.now(UTC)
    try:
        async with ctx.write():
            # The enterprise row lock makes concurrent joins count one after another.
            locked = await Enterprise.filter(id=enterprise.id).select_for_update().first()
            assert locked is not None  # enterprises are never deleted
            await _answer(invitation, InvitationStatus.ACCEPTED, now, "accepted")
            _refuse_if_rejected(locked, "members join")
            _role_fits(locked, role)
            if await EnterpriseMember.exists(enterprise_id=locked.id, user_id=user.id, role=role):
                raise duplicate
            _refuse_if_full(locked, await EnterpriseMember.filter(enterprise_id=locked.id).count())
            member = await EnterpriseMember.create(
                enterprise_id=locked.id,
                user_id=user.id,
                role=role,
                added_by_id=invitation.invited_by_id,
            )
            if locked.owner_id != user.id:
                await notify(
                    ctx,
                    locked.owner_id,
                    NotificationKind.ENTERPRISE_MEMBERSHIP,
                    f"{user.display_name} joined {locked.name}",
                    f"{user.display_name} accepted your invitation and joined {locked.name} "
                    f"as {_role_name(role)}.",
                    enterpriseId=locked.id,
                    memberId=member.id,
                    role=role.value,
                )
    except IntegrityError:
        raise duplicate from None  # the unique (enterprise, user, role) index
    return member


async def decline_invitation(ctx: Context, invitation_id: str) -> EnterpriseInvitation:
    """The invited person declines (any account may: nobody has to join to say no)."""
    user, invitation, enterprise = await _invitation_for(
        ctx, invitation_id, InvitationAction.DECLINE
    )
    now = datetime.now(UTC)
    async with ctx.write():
        declined = await _answer(invitation, InvitationStatus.DECLINED, now, "declined")
        if enterprise.owner_id != user.id:
            await notify(
                ctx,
                enterprise.owner_id,
                NotificationKind.ENTERPRISE_MEMBERSHIP,
                f"Invitation to {enterprise.name} declined",
                f"{user.display_name} declined to join {enterprise.name} as "
                f"{_role_name(invitation.role)}.",
                enterpriseId=enterprise.id,
                invitationId=invitation.id,
                role=invitation.role.value,
            )
    return declined


async def revoke_invitation(ctx: Context, invitation_id: str) -> EnterpriseInvitation:
    """The owner withdraws an invitation that still waits for its answer."""
    _, invitation, _ = await _invitation_for(ctx, invitation_id, InvitationAction.REVOKE)
    async with ctx.write():
        return await _answer(invitation, InvitationStatus.REVOKED, datetime.now(UTC), "revoked")


async def my_invitations(ctx: Context) -> list[EnterpriseInvitation]:
    """Invitations to the viewer's email that await an answer, newest first (bounded)."""
    user = require_user(ctx.viewer)
    return await (
        EnterpriseInvitation.filter(_live_invitations(datetime.now(UTC)), email=user.email)
        .order_by("-id")
        .limit(MAX_MY_INVITATIONS)
    )


async def invitations_of(ctx: Context, enterprise: Enterprise) -> list[EnterpriseInvitation] | None:
    """The invitations of an enterprise awaiting an answer, oldest first, for its owner only
    (None for everyone else). At most MAX_PENDING_INVITATIONS: inviting holds that cap."""
    if not can_list_invitations(ctx.viewer, enterprise):
        return None
    rows = await waiting_invitations_by_enterprise_id(ctx.loaders).load(enterprise.id)
    return rows[:MAX_PENDING_INVITATIONS]


async def live_assignments(member: EnterpriseMember) -> list[int]:
    """Ids of the projects (not ACCEPTED or CANCELLED) the member is assigned to in its role."""
    person_column, enterprise_column = ROLE_SEAT[member.role]
    rows = await (
        Project.filter(**{person_column: member.user_id, enterprise_column: member.enterprise_id})
        .exclude(status__in=list(FINISHED_PROJECT_STATUSES))
        .order_by("id")
        .limit(10)
        .values_list("id", flat=True)
    )
    return [int(cast(int, row)) for row in rows]


async def remove_member(ctx: Context, member_id: str) -> bool:
    """The owner removes a member, unless the person is assigned (in that role, for this
    enterprise) to a project that is still running: INVALID_STATE, naming the projects."""
    viewer = require_user(ctx.viewer)
    ident = parse_id(member_id, "EnterpriseMember")
    member = await EnterpriseMember.get_or_none(id=ident)
    enterprise = None if member is None else await Enterprise.get_or_none(id=member.enterprise_id)
    if member is None or enterprise is None:
        raise NotFound("EnterpriseMember", member_id)
    # Someone who may not see the enterprise must not learn that the membership exists.
    if not await visible(ctx, enterprise):
        raise NotFound("EnterpriseMember", member_id)
    authorize_enterprise_owner(
        viewer, enterprise, enterprise.id, await _member_ids(ctx, enterprise)
    )
    async with ctx.write():
        # The member row lock orders this against a team assignment choosing the same person
        # (which locks it too): either the assignment sees the member gone, or we see it.
        locked = await EnterpriseMember.filter(id=ident).select_for_update().first()
        if locked is None:
            raise NotFound("EnterpriseMember", member_id)
        running = await live_assignments(locked)
        if running:
            raise InvalidState(
                f"User {locked.user_id} is the {locked.role.value.replace('_', ' ').lower()} of "
                f"project(s) {', '.join(str(p) for p in running)} that are still running; "
                "they can be removed once those are accepted or cancelled.",
                status="ASSIGNED",
            )
        await EnterpriseMember.filter(id=ident).delete()
        if locked.user_id != viewer.id:
            await notify(
                ctx,
                locked.user_id,
                NotificationKind.ENTERPRISE_MEMBERSHIP,
                f"You left {enterprise.name}",
                f"{viewer.display_name} removed you from {enterprise.name} "
                f"({locked.role.value.replace('_', ' ').lower()}).",
                enterpriseId=enterprise.id,
                role=locked.role.value,
            )
    return True


# --- Reading -----------------------------------------------------------------------------------


async def get_enterprise(ctx: Context, enterprise_id: str) -> Enterprise:
    require_user(ctx.viewer)
    enterprise = await ctx.loaders.enterprise_by_id.load(parse_id(enterprise_id, "Enterprise"))
    if enterprise is None or not await visible(ctx, enterprise):
        raise NotFound("Enterprise", enterprise_id)
    return enterprise


async def _own_enterprise_ids(user: User) -> list[int]:
    rows = await EnterpriseMember.filter(user_id=user.id).values_list("enterprise_id", flat=True)
    return sorted({int(cast(int, row)) for row in rows})


@dataclass
class LibraryFilter:
    kind: EnterpriseKind | None = None
    city: str | None = None
    verified_only: bool = True
    min_rating: float | None = None
    status: EnterpriseStatus | None = None


async def list_enterprises(
    ctx: Context, where: LibraryFilter, first: int | None, after: str | None
) -> Page[Enterprise]:
    """The library, newest first. By default only VERIFIED enterprises; with verifiedOnly false,
    ADMIN sees every enterprise and anyone else also the ones they own or belong to. `status`
    narrows to one status (within what the viewer may see) and overrides verifiedOnly."""
    user = require_user(ctx.viewer)
    query = Enterprise.all()
    if where.status is None and where.verified_only:
        query = query.filter(status=EnterpriseStatus.VERIFIED)
    elif user.role != Role.ADMIN:
        mine = await _own_enterprise_ids(user)
        query = query.filter(
            Q(status=EnterpriseStatus.VERIFIED) | Q(owner_id=user.id) | Q(id__in=mine or [0])
        )
    if where.status is not None:
        query = query.filter(status=EnterpriseStatus(where.status))
    if where.kind is not None:
        query = query.filter(kind=EnterpriseKind(where.kind))
    if where.city is not None:
        city = validation.text(where.city, "city", max_length=80).strip()
        query = query.filter(city__iexact=city)
    if where.min_rating is not None:
        floor = validation.number_between(where.min_rating, "minRating", 1, 5)
        # average >= floor  <=>  100 * sum - count * (100 * floor) >= 0, for count > 0: in whole
        # numbers (ratings are shown to two decimals), with no aggregation. A float parameter
        # would be taken as an integer next to an integer column on PostgreSQL; the hundredths
        # are a whole number we computed, so they are safe to write into the SQL.
        hundredths = round(floor * 100)
        query = query.annotate(
            rating_margin=RawSQL(f'"rating_sum" * 100 - "rating_count" * {hundredths:d}')
        ).filter(rating_count__gt=0, rating_margin__gte=0)
    page = await paginate(query, first=first, after=after, max_page_size=ctx.settings.max_page_size)
    _prime(ctx, page.items)
    return page


def _prime(ctx: Context, rows: list[Enterprise]) -> None:
    """Fields that point back at these enterprises (a member's enterprise) need no query."""
    ctx.loaders.enterprise_by_id.prime_many({row.id: row for row in rows})


async def my_enterprises(ctx: Context) -> list[Enterprise]:
    """Enterprises the viewer owns or belongs to (any status), newest first."""
    user = require_user(ctx.viewer)
    mine = await _own_enterprise_ids(user)
    rows = await (
        Enterprise.filter(Q(owner_id=user.id) | Q(id__in=mine or [0]))
        .order_by("-id")
        .limit(MAX_MY_ENTERPRISES)
    )
    _prime(ctx, rows)
    return rows
