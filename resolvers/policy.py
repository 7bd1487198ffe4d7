"""The one place that decides who may see or do what.

Fields, mutations and subscriptions all ask this module. A user's standing towards a job is
computed once (`job_relation`), and `RULES` says which standings may perform each action. Where
even the existence of a job is private, refusal is NOT_FOUND rather than FORBIDDEN. Enterprises
and renovation projects follow the same shape further down (`project_roles`, `PROJECT_RULES`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from errors import Forbidden, NotFound, Unauthenticated
from models import (
    TEAM_SEATS,
    Consultation,
    Enterprise,
    EnterpriseInvitation,
    EnterpriseStatus,
    Job,
    JobStatus,
    MemberRole,
    Project,
    ProjectStatus,
    Role,
    Thread,
    User,
)
from resolvers.loaders import Loaders


class Relation(StrEnum):
    """How a signed-in user stands towards one job (the strongest that applies)."""

    ADMIN = "ADMIN"
    CUSTOMER = "CUSTOMER"
    HIRED_WORKER = "HIRED_WORKER"
    QUOTING_WORKER = "QUOTING_WORKER"  # sent a quote (in any status) for the job
    MATCHED_WORKER = "MATCHED_WORKER"  # selected by matching, has not quoted
    NONE = "NONE"


class Action(StrEnum):
    VIEW_JOB = "VIEW_JOB"
    VIEW_ALL_QUOTES = "VIEW_ALL_QUOTES"
    SUBMIT_QUOTE = "SUBMIT_QUOTE"
    ACCEPT_QUOTE = "ACCEPT_QUOTE"
    WORK_ON_JOB = "WORK_ON_JOB"  # schedule, start, complete
    ACCEPT_JOB = "ACCEPT_JOB"
    CANCEL_JOB = "CANCEL_JOB"
    SUBSCRIBE_QUOTES = "SUBSCRIBE_QUOTES"
    SUBSCRIBE_JOB_UPDATES = "SUBSCRIBE_JOB_UPDATES"
    REVIEW_WORKER = "REVIEW_WORKER"
    REVIEW_CUSTOMER = "REVIEW_CUSTOMER"
    VIEW_SERVICE_RECORD = "VIEW_SERVICE_RECORD"
    # Job.viewerHasReviewed: only the two parties that give a review learn whether they did.
    KNOW_OWN_REVIEW = "KNOW_OWN_REVIEW"


_R = Relation
RULES: dict[Action, frozenset[Relation]] = {
    Action.VIEW_JOB: frozenset(
        {_R.ADMIN, _R.CUSTOMER, _R.HIRED_WORKER, _R.QUOTING_WORKER, _R.MATCHED_WORKER}
    ),
    Action.VIEW_ALL_QUOTES: frozenset({_R.ADMIN, _R.CUSTOMER}),
    Action.SUBMIT_QUOTE: frozenset({_R.MATCHED_WORKER, _R.QUOTING_WORKER}),
    Action.ACCEPT_QUOTE: frozenset({_R.CUSTOMER}),
    Action.WORK_ON_JOB: frozenset({_R.HIRED_WORKER}),
    Action.ACCEPT_JOB: frozenset({_R.CUSTOMER}),
    Action.CANCEL_JOB: frozenset({_R.CUSTOMER}),
    Action.SUBSCRIBE_QUOTES: frozenset({_R.CUSTOMER}),
    Action.SUBSCRIBE_JOB_UPDATES: frozenset(
        {_R.ADMIN, _R.CUSTOMER, _R.HIRED_WORKER, _R.QUOTING_WORKER}
    ),
    Action.REVIEW_WORKER: frozenset({_R.CUSTOMER}),
    Action.REVIEW_CUSTOMER: frozenset({_R.HIRED_WORKER}),
    Action.VIEW_SERVICE_RECORD: frozenset({_R.ADMIN, _R.CUSTOMER, _R.HIRED_WORKER}),
    Action.KNOW_OWN_REVIEW: frozenset({_R.CUSTOMER, _R.HIRED_WORKER}),
}

_REFUSAL_TEXT: dict[Action, str] = {
    Action.VIEW_ALL_QUOTES: "Only the job's customer sees all of its quotes.",
    Action.SUBMIT_QUOTE: "Only workers matched to this job may quote for it.",
    Action.ACCEPT_QUOTE: "Only the job's customer can hire.",
    Action.WORK_ON_JOB: "Only the hired worker can do this.",
    Action.ACCEPT_JOB: "Only the job's customer can accept the work.",
    Action.CANCEL_JOB: "Only the job's customer can cancel it.",
    Action.SUBSCRIBE_QUOTES: "Only the job's customer can watch its quotes.",
    Action.SUBSCRIBE_JOB_UPDATES: "Only the job's customer and its quoting or hired workers "
    "can follow it.",
    Action.REVIEW_WORKER: "Only the job's customer reviews the hired worker.",
    Action.REVIEW_CUSTOMER: "Only the hired worker reviews the customer.",
    Action.VIEW_SERVICE_RECORD: "Only the two parties of a job see its service record.",
}


def require_user(viewer: User | None) -> User:
    if viewer is None:
        raise Unauthenticated()
    return viewer


def require_role(viewer: User | None, *roles: Role) -> User:
    user = require_user(viewer)
    if user.role not in roles:
        names = " or ".join(role.value for role in roles)
        raise Forbidden(f"This needs the {names} role; you are {user.role.value}.")
    return user


async def job_relation(viewer: User, job: Job, loaders: Loaders) -> Relation:
    if viewer.role == Role.ADMIN:
        return Relation.ADMIN
    if job.customer_id == viewer.id:
        return Relation.CUSTOMER
    if job.hired_worker_id == viewer.id:
        return Relation.HIRED_WORKER
    if viewer.role != Role.WORKER:
        return Relation.NONE
    quotes = await loaders.quotes_by_job_id.load(job.id)
    if any(quote.worker_id == viewer.id for quote in quotes):
        return Relation.QUOTING_WORKER
    if await loaders.match_by_job_and_worker.load((job.id, viewer.id)) is not None:
        return Relation.MATCHED_WORKER
    return Relation.NONE


def allows(action: Action, relation: Relation) -> bool:
    return relation in RULES[action]


async def authorize_job(
    viewer: User | None, job: Job | None, action: Action, loaders: Loaders, job_id: object
) -> tuple[User, Job, Relation]:
    """Raise the right refusal, or return who is acting, on which job, standing how."""
    user = require_user(viewer)
    if job is None:
        raise NotFound("Job", job_id)
    relation = await job_relation(user, job, loaders)
    if not allows(Action.VIEW_JOB, relation):
        # Outsiders must not learn that the job exists.
        raise NotFound("Job", job_id)
    if not allows(action, relation):
        raise Forbidden(_REFUSAL_TEXT.get(action, "You may not do this."))
    return user, job, relation


async def can_view_job(viewer: User | None, job: Job, loaders: Loaders) -> bool:
    if viewer is None:
        return False
    return allows(Action.VIEW_JOB, await job_relation(viewer, job, loaders))


async def can_view_quote(
    viewer: User | None, job: Job, quote_worker_id: int, loaders: Loaders
) -> bool:
    """The customer (and ADMIN) see every quote of the job; a worker sees only its own."""
    if viewer is None:
        return False
    if quote_worker_id == viewer.id:
        return True
    return allows(Action.VIEW_ALL_QUOTES, await job_relation(viewer, job, loaders))


# --- Conversations -----------------------------------------------------------------------------
# Two kinds of thread. A job thread has exactly two parties, fixed when it is opened: the job's
# customer and one quoting worker. Both read and write it; ADMIN reads it (disputes) but never
# writes. A project thread belongs to one renovation project: PROJECT_RULES decides who reads
# (READ_THREAD: every participant, ADMIN included) and who writes (WRITE_THREAD: every
# participant but ADMIN), asked afresh on every call, so someone taken off the team loses the
# thread at once. To everyone else a thread does not exist (NOT_FOUND). Writing also needs the
# thread to be open (`thread_is_open`, `project_thread_is_open`).


class ThreadStanding(StrEnum):
    """How a signed-in user stands towards one thread."""

    CUSTOMER = "CUSTOMER"  # job thread: the job's customer
    WORKER = "WORKER"  # job thread: the quoting worker
    PARTICIPANT = "PARTICIPANT"  # project thread: anyone allowed to write (not ADMIN)
    ADMIN = "ADMIN"  # reads, never writes
    NONE = "NONE"


THREAD_READERS = frozenset(
    {
        ThreadStanding.CUSTOMER,
        ThreadStanding.WORKER,
        ThreadStanding.PARTICIPANT,
        ThreadStanding.ADMIN,
    }
)
THREAD_WRITERS = frozenset(
    {ThreadStanding.CUSTOMER, ThreadStanding.WORKER, ThreadStanding.PARTICIPANT}
)
# While the job is OPEN every quoting worker's thread is open; after the hire only the hired
# worker's stays open, through these statuses. CANCELLED and CLOSED end every conversation.
HIRED_THREAD_OPEN_STATUSES = frozenset(
    {
        JobStatus.HIRED,
        JobStatus.SCHEDULED,
        JobStatus.IN_PROGRESS,
        JobStatus.COMPLETED,
        JobStatus.ACCEPTED,
    }
)
# A project thread stays open for the whole project and after it (an ACCEPTED project still
# needs after-care: defects noticed later, questions about the filed records); only a
# CANCELLED project ends its conversation.
PROJECT_THREAD_CLOSED_STATUSES = frozenset({ProjectStatus.CANCELLED})


def job_thread_standing(viewer: User, thread: Thread) -> ThreadStanding:
    if viewer.id == thread.customer_id:
        return ThreadStanding.CUSTOMER
    if viewer.id == thread.worker_id:
        return ThreadStanding.WORKER
    if viewer.role == Role.ADMIN:
        return ThreadStanding.ADMIN
    return ThreadStanding.NONE


async def thread_standing(viewer: User, thread: Thread, loaders: Loaders) -> ThreadStanding:
    if thread.project_id is None:
        return job_thread_standing(viewer, thread)
    project = await loaders.project_by_id.load(thread.project_id)
    if project is None:
        return ThreadStanding.NONE
    roles = await project_roles(viewer, project, loaders)
    if project_allows(ProjectAction.WRITE_THREAD, roles):
        return ThreadStanding.PARTICIPANT
    if project_allows(ProjectAction.READ_THREAD, roles):
        return ThreadStanding.ADMIN
    return ThreadStanding.NONE


async def authorize_thread(
    viewer: User | None,
    thread: Thread | None,
    thread_id: object,
    loaders: Loaders,
    *,
    write: bool = False,
) -> tuple[User, ThreadStanding]:
    """Raise the right refusal, or return who is acting and how they stand. Refusals name the
    thread, never its project: an outsider learns nothing about either."""
    user = require_user(viewer)
    if thread is None:
        raise NotFound("Thread", thread_id)
    standing = await thread_standing(user, thread, loaders)
    if standing not in THREAD_READERS:
        raise NotFound("Thread", thread_id)
    if write and standing not in THREAD_WRITERS:
        if thread.project_id is not None:
            raise Forbidden(_PROJECT_REFUSAL_TEXT[ProjectAction.WRITE_THREAD])
        raise Forbidden("Only the two parties of a conversation write in it; ADMIN only reads.")
    return user, standing


def thread_is_open(thread: Thread, job: Job) -> bool:
    """May messages still be sent in this job thread (given its job's current state)?"""
    if job.status == JobStatus.OPEN:
        return True
    return job.hired_worker_id == thread.worker_id and job.status in HIRED_THREAD_OPEN_STATUSES


def project_thread_is_open(project: Project) -> bool:
    """May messages still be sent in this project's thread?"""
    return project.status not in PROJECT_THREAD_CLOSED_STATUSES


def participating_projects(user: User) -> QuerySet[Project]:
    """The projects `user` takes part in as a party (what `project_roles` grants, ADMIN aside),
    as one query to use as a subquery: customer, assigned person, or owner of a chosen firm."""
    who = Q(customer_id=user.id)
    if user.role == Role.ENTERPRISE_STAFF:
        owned = Enterprise.filter(owner_id=user.id).values("id")
        for seat in TEAM_SEATS:
            person: dict[str, Any] = {seat.person_column: user.id}
            firm: dict[str, Any] = {f"{seat.enterprise_column}__in": Subquery(owned)}
            who |= Q(**person) | Q(**firm)
    return Project.filter(who)


# --- Consultation desk -------------------------------------------------------------------------
# A consultation is seen by the user who asked it and by ADMIN (support); to everyone else it
# does not exist. Both sides write in it until it is CLOSED, and either side may close it. An
# entry by anyone but the asker is an answer from support.


def authorize_consultation(
    viewer: User | None, consultation: Consultation | None, consultation_id: object
) -> tuple[User, bool]:
    """Raise the right refusal, or return who is acting and whether they act as support."""
    user = require_user(viewer)
    if consultation is None:
        raise NotFound("Consultation", consultation_id)
    if user.id == consultation.user_id:
        return user, False
    if user.role == Role.ADMIN:
        return user, True
    raise NotFound("Consultation", consultation_id)


# --- Enterprises -------------------------------------------------------------------------------
# Anyone signed in browses VERIFIED enterprises. One that is PENDING, REJECTED or SUSPENDED is
# seen only by its owner, its members and ADMIN; to everyone else it does not exist.


def can_view_enterprise(viewer: User | None, enterprise: Enterprise, member_ids: set[int]) -> bool:
    if viewer is None:
        return False
    if enterprise.status == EnterpriseStatus.VERIFIED or viewer.role == Role.ADMIN:
        return True
    return viewer.id == enterprise.owner_id or viewer.id in member_ids


def authorize_enterprise_owner(
    viewer: User | None,
    enterprise: Enterprise | None,
    enterprise_id: object,
    member_ids: set[int] | None = None,
) -> User:
    """The owner manages the enterprise (members). Those who may see it get FORBIDDEN; to
    everyone else it does not exist (NOT_FOUND). `member_ids` matter only when it is not
    VERIFIED (its members see it then)."""
    user = require_user(viewer)
    if enterprise is None or not can_view_enterprise(user, enterprise, member_ids or set()):
        raise NotFound("Enterprise", enterprise_id)
    if user.id != enterprise.owner_id:
        raise Forbidden("Only the owner of an enterprise manages its members.")
    return user


# --- Enterprise invitations --------------------------------------------------------------------
# The owner invites an email address, whatever account (if any) uses it; the answer is the same
# for every address. The invitation exists for two people only: the owner of its enterprise
# and the person whose account email it names (both, when owners invite themselves). To anyone
# else, ADMIN included, it does not exist (NOT_FOUND). Accepting also needs an account that may
# be a member, checked when it accepts, not when it is invited.


class InvitationStanding(StrEnum):
    OWNER = "OWNER"  # owns the enterprise that invites
    INVITEE = "INVITEE"  # the account email is the invited address
    NONE = "NONE"


class InvitationAction(StrEnum):
    REVOKE = "REVOKE"
    ACCEPT = "ACCEPT"
    DECLINE = "DECLINE"


_I = InvitationStanding
INVITATION_RULES: dict[InvitationAction, frozenset[InvitationStanding]] = {
    InvitationAction.REVOKE: frozenset({_I.OWNER}),
    InvitationAction.ACCEPT: frozenset({_I.INVITEE}),
    InvitationAction.DECLINE: frozenset({_I.INVITEE}),
}
_INVITATION_REFUSAL_TEXT: dict[InvitationAction, str] = {
    InvitationAction.REVOKE: "Only the owner of the enterprise revokes its invitations.",
    InvitationAction.ACCEPT: "Only the invited person accepts an invitation.",
    InvitationAction.DECLINE: "Only the invited person declines an invitation.",
}
# The accounts that may be members of an enterprise.
MEMBER_ACCOUNT_ROLES = frozenset({Role.ENTERPRISE_STAFF})


def invitation_standings(
    viewer: User, invitation: EnterpriseInvitation, enterprise: Enterprise
) -> frozenset[InvitationStanding]:
    standings: set[InvitationStanding] = set()
    if viewer.id == enterprise.owner_id:
        standings.add(_I.OWNER)
    if viewer.email == invitation.email:
        standings.add(_I.INVITEE)
    return frozenset(standings)


def can_list_invitations(viewer: User | None, enterprise: Enterprise) -> bool:
    """Enterprise.invitations: the waiting invitations of an enterprise are for its owner
    only; nobody else, ADMIN included, learns whom it invited."""
    return viewer is not None and viewer.id == enterprise.owner_id


def authorize_invitation(
    viewer: User | None,
    invitation: EnterpriseInvitation | None,
    enterprise: Enterprise | None,
    action: InvitationAction,
    invitation_id: object,
) -> User:
    """Raise the right refusal, or return who is acting on the invitation."""
    user = require_user(viewer)
    if invitation is None or enterprise is None:
        raise NotFound("EnterpriseInvitation", invitation_id)
    standings = invitation_standings(user, invitation, enterprise)
    if not standings:
        raise NotFound("EnterpriseInvitation", invitation_id)
    if not standings & INVITATION_RULES[action]:
        raise Forbidden(_INVITATION_REFUSAL_TEXT[action])
    if action == InvitationAction.ACCEPT:
        require_member_account(user)
    return user


def may_be_member(user: User) -> bool:
    return user.role in MEMBER_ACCOUNT_ROLES


def require_member_account(user: User) -> User:
    if not may_be_member(user):
        names = " or ".join(sorted(role.value for role in MEMBER_ACCOUNT_ROLES))
        raise Forbidden(
            f"Only {names} accounts can be members of an enterprise; you are {user.role.value}. "
            "You can decline the invitation; to join, ask the owner to invite the email of an "
            "account of that kind."
        )
    return user


# --- Renovation projects -----------------------------------------------------------------------
# A user may hold several roles on one project (the owner of the decoration enterprise may also
# be its project manager), so `project_roles` returns a set and an action is allowed when any
# role allows it. Participants are the customer, the four assigned people, the owners of the
# four chosen enterprises, and ADMIN (who reads and follows, but never acts for a party). To
# everyone else a project does not exist: NOT_FOUND.


class ProjectRole(StrEnum):
    ADMIN = "ADMIN"
    CUSTOMER = "CUSTOMER"
    DESIGNER = "DESIGNER"
    PROJECT_MANAGER = "PROJECT_MANAGER"
    SUPERVISOR = "SUPERVISOR"
    MATERIAL_BUDGETER = "MATERIAL_BUDGETER"
    # The owner of the chosen enterprise of each kind.
    DESIGN_FIRM = "DESIGN_FIRM"
    DECORATION_FIRM = "DECORATION_FIRM"
    SUPERVISION_FIRM = "SUPERVISION_FIRM"
    SUPPLIER_FIRM = "SUPPLIER_FIRM"


class ProjectAction(StrEnum):
    VIEW_PROJECT = "VIEW_PROJECT"  # the project, its team, milestones, designs, deliveries
    VIEW_RECORDS = "VIEW_RECORDS"  # filed records and their hashes
    FOLLOW_FEED = "FOLLOW_FEED"  # projectProgress
    READ_THREAD = "READ_THREAD"
    WRITE_THREAD = "WRITE_THREAD"
    VIEW_STATEMENT = "VIEW_STATEMENT"
    ASSIGN_TEAM = "ASSIGN_TEAM"
    CANCEL_PROJECT = "CANCEL_PROJECT"
    DRAFT_CONTRACT = "DRAFT_CONTRACT"
    SIGN_CONTRACT = "SIGN_CONTRACT"  # the customer, or for the decoration enterprise
    SUBMIT_DESIGN = "SUBMIT_DESIGN"
    CONFIRM_DESIGN = "CONFIRM_DESIGN"
    FILE_MATERIAL_PLAN = "FILE_MATERIAL_PLAN"
    RECORD_DELIVERY = "RECORD_DELIVERY"  # dispatch, then delivered
    CONFIRM_DELIVERY = "CONFIRM_DELIVERY"  # receipt or shortfall
    REPORT_PROGRESS = "REPORT_PROGRESS"  # progress reports, ready for inspection
    MANAGE_CAMERAS = "MANAGE_CAMERAS"  # register cameras, post snapshots
    INSPECT = "INSPECT"
    APPROVE_MILESTONE = "APPROVE_MILESTONE"
    DEPOSIT = "DEPOSIT"
    ACCEPT_PROJECT = "ACCEPT_PROJECT"  # accept, or list defects
    RESOLVE_DEFECTS = "RESOLVE_DEFECTS"
    EVALUATE = "EVALUATE"


_P = ProjectRole
PROJECT_PARTICIPANTS = frozenset(ProjectRole)
_PARTIES = PROJECT_PARTICIPANTS - {_P.ADMIN}
PROJECT_RULES: dict[ProjectAction, frozenset[ProjectRole]] = {
    ProjectAction.VIEW_PROJECT: PROJECT_PARTICIPANTS,
    ProjectAction.VIEW_RECORDS: PROJECT_PARTICIPANTS,
    ProjectAction.FOLLOW_FEED: PROJECT_PARTICIPANTS,
    ProjectAction.READ_THREAD: PROJECT_PARTICIPANTS,
    ProjectAction.WRITE_THREAD: _PARTIES,
    ProjectAction.VIEW_STATEMENT: frozenset(
        {_P.ADMIN, _P.CUSTOMER, _P.DECORATION_FIRM, _P.PROJECT_MANAGER, _P.SUPERVISOR}
    ),
    ProjectAction.ASSIGN_TEAM: frozenset({_P.CUSTOMER}),
    ProjectAction.CANCEL_PROJECT: frozenset({_P.CUSTOMER}),
    ProjectAction.DRAFT_CONTRACT: frozenset({_P.PROJECT_MANAGER}),
    ProjectAction.SIGN_CONTRACT: frozenset({_P.CUSTOMER, _P.PROJECT_MANAGER, _P.DECORATION_FIRM}),
    ProjectAction.SUBMIT_DESIGN: frozenset({_P.DESIGNER}),
    ProjectAction.CONFIRM_DESIGN: frozenset({_P.CUSTOMER}),
    ProjectAction.FILE_MATERIAL_PLAN: frozenset({_P.MATERIAL_BUDGETER}),
    ProjectAction.RECORD_DELIVERY: frozenset({_P.SUPPLIER_FIRM, _P.MATERIAL_BUDGETER}),
    ProjectAction.CONFIRM_DELIVERY: frozenset({_P.PROJECT_MANAGER, _P.CUSTOMER}),
    ProjectAction.REPORT_PROGRESS: frozenset({_P.PROJECT_MANAGER}),
    ProjectAction.MANAGE_CAMERAS: frozenset({_P.PROJECT_MANAGER}),
    ProjectAction.INSPECT: frozenset({_P.SUPERVISOR}),
    ProjectAction.APPROVE_MILESTONE: frozenset({_P.CUSTOMER}),
    ProjectAction.DEPOSIT: frozenset({_P.CUSTOMER}),
    ProjectAction.ACCEPT_PROJECT: frozenset({_P.CUSTOMER}),
    ProjectAction.RESOLVE_DEFECTS: frozenset({_P.PROJECT_MANAGER}),
    ProjectAction.EVALUATE: frozenset({_P.CUSTOMER}),
}

_PROJECT_REFUSAL_TEXT: dict[ProjectAction, str] = {
    ProjectAction.WRITE_THREAD: "ADMIN reads project threads but does not write in them.",
    ProjectAction.VIEW_STATEMENT: "Only the customer, the decoration enterprise, the project "
    "manager and the supervisor see the escrow statement.",
    ProjectAction.ASSIGN_TEAM: "Only the customer of the project chooses its team.",
    ProjectAction.CANCEL_PROJECT: "Only the customer of the project can cancel it.",
    ProjectAction.DRAFT_CONTRACT: "Only the project manager drafts the contract.",
    ProjectAction.SIGN_CONTRACT: "Only the customer and the decoration enterprise (its owner "
    "or the project manager) sign the contract.",
    ProjectAction.SUBMIT_DESIGN: "Only the designer of the project submits design proposals.",
    ProjectAction.CONFIRM_DESIGN: "Only the customer confirms a design.",
    ProjectAction.FILE_MATERIAL_PLAN: "Only the material budgeter files the material plan.",
    ProjectAction.RECORD_DELIVERY: "Only the material supplier records deliveries.",
    ProjectAction.CONFIRM_DELIVERY: "Only the project manager or the customer confirms receipt.",
    ProjectAction.REPORT_PROGRESS: "Only the project manager reports construction progress.",
    ProjectAction.MANAGE_CAMERAS: "Only the project manager manages site cameras.",
    ProjectAction.INSPECT: "Only the supervisor of the project inspects milestones.",
    ProjectAction.APPROVE_MILESTONE: "Only the customer approves a milestone.",
    ProjectAction.DEPOSIT: "Only the customer deposits into the escrow of the project.",
    ProjectAction.ACCEPT_PROJECT: "Only the customer accepts the project.",
    ProjectAction.RESOLVE_DEFECTS: "Only the project manager reports defects as fixed.",
    ProjectAction.EVALUATE: "Only the customer evaluates the enterprises of the project.",
}

# Each team seat's roles on the project: (the assigned person, the owner of the chosen firm).
_SEAT_ROLES: dict[MemberRole, tuple[ProjectRole, ProjectRole]] = {
    MemberRole.DESIGNER: (_P.DESIGNER, _P.DESIGN_FIRM),
    MemberRole.PROJECT_MANAGER: (_P.PROJECT_MANAGER, _P.DECORATION_FIRM),
    MemberRole.SUPERVISOR: (_P.SUPERVISOR, _P.SUPERVISION_FIRM),
    MemberRole.MATERIAL_BUDGETER: (_P.MATERIAL_BUDGETER, _P.SUPPLIER_FIRM),
}


async def _chosen_enterprises(project: Project, loaders: Loaders) -> list[Enterprise | None]:
    # One batched load for all four seats (and for every project resolved in the same tick).
    ids = [getattr(project, seat.enterprise_column) for seat in TEAM_SEATS]
    wanted = [ident for ident in ids if ident is not None]
    found = dict(zip(wanted, await loaders.enterprise_by_id.load_many(wanted), strict=True))
    return [found.get(ident) if ident is not None else None for ident in ids]


async def project_roles(viewer: User, project: Project, loaders: Loaders) -> frozenset[ProjectRole]:
    roles: set[ProjectRole] = set()
    if viewer.role == Role.ADMIN:
        roles.add(_P.ADMIN)
    if project.customer_id == viewer.id:
        roles.add(_P.CUSTOMER)
    if viewer.role == Role.ENTERPRISE_STAFF:
        enterprises = await _chosen_enterprises(project, loaders)
        for seat, enterprise in zip(TEAM_SEATS, enterprises, strict=True):
            person_role, firm_role = _SEAT_ROLES[seat.role]
            if getattr(project, seat.person_column) == viewer.id:
                roles.add(person_role)
            if enterprise is not None and enterprise.owner_id == viewer.id:
                roles.add(firm_role)
    return frozenset(roles)


async def project_participant_ids(project: Project, loaders: Loaders) -> set[int]:
    """Everyone who follows the project (ADMINs aside): for notifications and the thread."""
    ids = {project.customer_id}
    for seat, enterprise in zip(
        TEAM_SEATS, await _chosen_enterprises(project, loaders), strict=True
    ):
        if getattr(project, seat.person_column) is not None:
            ids.add(getattr(project, seat.person_column))
        if enterprise is not None:
            ids.add(enterprise.owner_id)
    return ids


def project_allows(action: ProjectAction, roles: frozenset[ProjectRole]) -> bool:
    return bool(roles & PROJECT_RULES[action])


async def authorize_project(
    viewer: User | None,
    project: Project | None,
    action: ProjectAction,
    loaders: Loaders,
    project_id: object,
) -> tuple[User, Project, frozenset[ProjectRole]]:
    """Raise the right refusal, or return who is acting, on which project, in which roles."""
    user = require_user(viewer)
    if project is None:
        raise NotFound("Project", project_id)
    roles = await project_roles(user, project, loaders)
    if not project_allows(ProjectAction.VIEW_PROJECT, roles):
        raise NotFound("Project", project_id)  # outsiders must not learn that it exists
    if not project_allows(action, roles):
        raise Forbidden(_PROJECT_REFUSAL_TEXT.get(action, "You may not do this."))
    return user, project, roles
