"""Renovation projects: creating one, choosing its team, cancelling it, and reading projects.

A project starts PLANNING. The customer chooses four VERIFIED enterprises (one of each kind)
and one member of each in the role that fits it; that moves the project to CONTRACTING. The
team may be chosen again while no contract has been drafted. Until the contract is filed the
customer may cancel.

Concurrency: choosing the team locks the project row, the chosen enterprise rows and the member
rows (PostgreSQL), so a suspension, a member's removal or a contract draft racing with it is
ordered before or after it, never interleaved; every status move is a conditional UPDATE
(resolvers.project_feed.move_project).
"""

from __future__ import annotations

from dataclasses import dataclass

from errors import BadUserInput, InvalidState, NotFound
from models import (
    TEAM_SEATS,
    Contract,
    Enterprise,
    EnterpriseKind,
    EnterpriseMember,
    EnterpriseStatus,
    Project,
    ProjectStatus,
    Role,
    TeamSeat,
    User,
)
from resolvers import validation
from resolvers.context import Context
from resolvers.ids import parse_id
from resolvers.notifications import NotificationKind, notify
from resolvers.pagination import Page, paginate
from resolvers.policy import (
    ProjectAction,
    ProjectRole,
    can_view_enterprise,
    participating_projects,
    project_participant_ids,
    project_roles,
    require_role,
    require_user,
)
from resolvers.project_feed import FeedKind, add_feed_entry, move_project
from resolvers.projects_access import authorized_project, lock_project

MAX_AREA_SQM = 100_000.0
TEAM_STATUSES = (ProjectStatus.PLANNING, ProjectStatus.CONTRACTING)
CANCELLABLE_STATUSES = (ProjectStatus.PLANNING, ProjectStatus.CONTRACTING)


def input_field(column: str) -> str:
    """The ProjectTeamInput field of a team column: designer_id -> designerId."""
    head, *rest = column.removesuffix("_id").split("_")
    return head + "".join(part.title() for part in rest) + "Id"


# --- Creating ----------------------------------------------------------------------------------


@dataclass
class NewProject:
    title: str
    address: str
    lat: float
    lng: float
    area_sqm: float
    budget_cents: int
    description: str = ""


async def create_project(ctx: Context, new: NewProject) -> Project:
    """A customer starts a renovation; it is PLANNING until the team is chosen."""
    user = require_role(ctx.viewer, Role.CUSTOMER)
    title = validation.text(new.title, "title", max_length=120).strip()
    address = validation.text(new.address, "address", max_length=200).strip()
    lat, lng = validation.coordinates(new.lat, new.lng)
    area = validation.number_between(new.area_sqm, "areaSqm", 1, MAX_AREA_SQM)
    budget = validation.amount_cents(new.budget_cents, "budgetCents")
    description = validation.optional_text(new.description, "description", max_length=4000)
    async with ctx.write():
        project = await Project.create(
            customer_id=user.id,
            title=title,
            address=address,
            lat=lat,
            lng=lng,
            area_sqm=area,
            budget_cents=budget,
            description=description or "",
            currency=ctx.settings.currency,
        )
        await add_feed_entry(
            ctx,
            project.id,
            FeedKind.PROJECT_STATUS_CHANGED,
            "Project created: planning, the customer chooses the team",
            actor_id=user.id,
            status=ProjectStatus.PLANNING.value,
            previousStatus=None,
        )
    return project


# --- Choosing the team -------------------------------------------------------------------------


@dataclass
class TeamChoice:
    """Ids as sent, keyed by the input field names of TEAM_SEATS."""

    ids: dict[str, str]


def _parsed(choice: TeamChoice) -> list[tuple[TeamSeat, int, int]]:
    chosen = []
    for seat in TEAM_SEATS:
        enterprise = choice.ids[input_field(seat.enterprise_column)]
        person = choice.ids[input_field(seat.person_column)]
        chosen.append((seat, parse_id(enterprise, "Enterprise"), parse_id(person, "User")))
    return chosen


def _check_enterprise(
    seat: TeamSeat, enterprise: Enterprise | None, ident: int, viewer: User
) -> None:
    if enterprise is None or not can_view_enterprise(viewer, enterprise, set()):
        raise NotFound("Enterprise", ident)  # a non-verified enterprise is private
    if enterprise.status != EnterpriseStatus.VERIFIED:
        raise InvalidState(
            f"Enterprise {ident} is {enterprise.status.value}; only VERIFIED enterprises can "
            "be chosen.",
            status=enterprise.status.value,
        )
    if enterprise.kind != seat.kind:
        field = input_field(seat.enterprise_column)
        raise BadUserInput(
            f"{field} must be a {seat.kind.value} enterprise; {enterprise.name} "
            f"is {enterprise.kind.value}.",
            field,
        )


def _check_independence(chosen: list[tuple[TeamSeat, int, int]], owners: dict[int, int]) -> None:
    """The supervisor inspects the decoration enterprise's work, on which the customer's
    payments depend: the supervision enterprise must not belong to the decoration enterprise's
    owner, and the supervisor must not be the project manager."""
    by_kind = {seat.kind: (enterprise_id, person_id) for seat, enterprise_id, person_id in chosen}
    supervision, supervisor = by_kind[EnterpriseKind.SUPERVISION]
    decoration, manager = by_kind[EnterpriseKind.DECORATION]
    if owners[supervision] == owners[decoration]:
        raise BadUserInput(
            "The supervision enterprise must be independent of the decoration enterprise it "
            "supervises: both have the same owner.",
            "supervisionEnterpriseId",
        )
    if supervisor == manager:
        raise BadUserInput(
            "The supervisor must not be the project manager whose work they inspect.",
            "supervisorId",
        )


async def assign_team(ctx: Context, project_id: str, choice: TeamChoice) -> Project:
    """The customer chooses (or, before a contract is drafted, changes) the team.

    Every enterprise must be VERIFIED and of its seat's kind; every person a member of the
    enterprise chosen for that seat, in the seat's role. PLANNING moves to CONTRACTING. The
    people of the new team and the owners of the chosen enterprises are told; anyone the change
    took off the team is told too.
    """
    user, project, _ = await authorized_project(
        ctx, project_id, ProjectAction.ASSIGN_TEAM, fresh=True
    )
    chosen = _parsed(choice)
    async with ctx.write():
        locked = await lock_project(project.id)
        _team_changeable(locked)
        if locked.status == ProjectStatus.CONTRACTING and await Contract.exists(
            project_id=locked.id
        ):
            raise InvalidState(
                f"The contract of project {locked.id} has been drafted: the team is fixed.",
                status=locked.status.value,
            )
        enterprise_ids = sorted({enterprise_id for _, enterprise_id, _ in chosen})
        enterprises = {
            row.id: row
            for row in await Enterprise.filter(id__in=enterprise_ids)
            .order_by("id")
            .select_for_update()
        }
        for seat, enterprise_id, _ in chosen:
            _check_enterprise(seat, enterprises.get(enterprise_id), enterprise_id, user)
        person_ids = sorted({person_id for _, _, person_id in chosen})
        memberships = {
            (member.enterprise_id, member.user_id, member.role)
            for member in await EnterpriseMember.filter(
                enterprise_id__in=enterprise_ids, user_id__in=person_ids
            )
            .order_by("id")
            .select_for_update()
        }
        for seat, enterprise_id, person_id in chosen:
            if (enterprise_id, person_id, seat.role) not in memberships:
                raise BadUserInput(
                    f"User {person_id} is not a {seat.role.value} of "
                    f"{enterprises[enterprise_id].name} (enterprise {enterprise_id}).",
                    input_field(seat.person_column),
                )
        _check_independence(chosen, {ident: e.owner_id for ident, e in enterprises.items()})

        before = await project_participant_ids(locked, ctx.loaders)
        columns: dict[str, int] = {}
        for seat, enterprise_id, person_id in chosen:
            columns[seat.enterprise_column] = enterprise_id
            columns[seat.person_column] = person_id
        if not await Project.filter(id=locked.id, status=locked.status).update(**columns):
            current = await Project.get(id=locked.id)  # moved under us (SQLite has no locks)
            _team_changeable(current)
            raise InvalidState(
                f"Project {locked.id} changed while the team was being chosen; try again.",
                status=current.status.value,
            )
        for column, value in columns.items():
            setattr(locked, column, value)
        await add_feed_entry(
            ctx,
            locked.id,
            FeedKind.TEAM_ASSIGNED,
            "The team was chosen: "
            + ", ".join(enterprises[enterprise_id].name for _, enterprise_id, _ in chosen),
            actor_id=user.id,
            **{
                input_field(seat.enterprise_column): enterprise_id
                for seat, enterprise_id, _ in chosen
            },
            **{input_field(seat.person_column): person_id for seat, _, person_id in chosen},
        )
        if locked.status == ProjectStatus.PLANNING:
            await move_project(
                ctx,
                locked,
                {ProjectStatus.PLANNING},
                ProjectStatus.CONTRACTING,
                actor_id=user.id,
                why="the team was chosen; the project manager drafts the contract",
            )
        after = await project_participant_ids(locked, ctx.loaders)
        await _tell_team(ctx, locked, user.id, before, after)
    return await Project.get(id=locked.id)


def _team_changeable(project: Project) -> None:
    if project.status not in TEAM_STATUSES:
        raise InvalidState(
            f"Project {project.id} is {project.status.value}; the team can be chosen only "
            "before the contract is drafted (PLANNING or CONTRACTING).",
            status=project.status.value,
        )


async def _tell_team(
    ctx: Context, project: Project, actor_id: int, before: set[int], after: set[int]
) -> None:
    roles_of = {
        user_id: await _roles_of(ctx, user_id, project) for user_id in sorted(after - {actor_id})
    }
    for user_id, roles in roles_of.items():
        await notify(
            ctx,
            user_id,
            NotificationKind.PROJECT_TEAM_ASSIGNED,
            f"{project.title}: you are on the team",
            f"The customer chose you for project {project.title} ({', '.join(roles)}). The "
            "project manager drafts the contract next.",
            projectId=project.id,
            roles=roles,
        )
    for user_id in sorted(before - after - {actor_id}):
        await notify(
            ctx,
            user_id,
            NotificationKind.PROJECT_TEAM_ASSIGNED,
            f"{project.title}: you are no longer on the team",
            f"The customer chose another team for project {project.title}.",
            projectId=project.id,
            roles=[],
        )


async def _roles_of(ctx: Context, user_id: int, project: Project) -> list[str]:
    person = await ctx.loaders.user_by_id.load(user_id)
    if person is None:
        return []
    roles = await project_roles(person, project, ctx.loaders)
    return sorted(role.value for role in roles if role != ProjectRole.ADMIN)


# --- Cancelling --------------------------------------------------------------------------------


async def cancel_project(ctx: Context, project_id: str, reason: str) -> Project:
    """The customer cancels before the contract is filed (PLANNING or CONTRACTING)."""
    user, project, _ = await authorized_project(
        ctx, project_id, ProjectAction.CANCEL_PROJECT, fresh=True
    )
    reason = validation.text(reason, "reason", max_length=500).strip()
    if project.status not in CANCELLABLE_STATUSES:
        raise InvalidState(
            f"Project {project.id} is {project.status.value}; a project can be cancelled only "
            "before its contract is filed (PLANNING or CONTRACTING).",
            status=project.status.value,
        )
    async with ctx.write():
        participants = await project_participant_ids(project, ctx.loaders)
        await move_project(
            ctx,
            project,
            set(CANCELLABLE_STATUSES),
            ProjectStatus.CANCELLED,
            actor_id=user.id,
            why=reason,
        )
        for user_id in sorted(participants - {user.id}):
            await notify(
                ctx,
                user_id,
                NotificationKind.PROJECT_STATUS_CHANGED,
                f"{project.title}: cancelled",
                f"The customer cancelled project {project.title}.\nReason: {reason}",
                projectId=project.id,
                status=ProjectStatus.CANCELLED.value,
            )
    return await Project.get(id=project.id)


# --- Reading -----------------------------------------------------------------------------------


async def get_project(ctx: Context, project_id: str) -> Project:
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.VIEW_PROJECT)
    return project


async def list_projects(
    ctx: Context, first: int | None, after: str | None, status: ProjectStatus | None
) -> Page[Project]:
    """The viewer's projects, newest first: as customer, as an assigned person, or as the owner
    of a chosen enterprise. ADMIN sees every project."""
    user = require_user(ctx.viewer)
    query = Project.all() if user.role == Role.ADMIN else participating_projects(user)
    if status is not None:
        query = query.filter(status=ProjectStatus(status))
    return await paginate(query, first=first, after=after, max_page_size=ctx.settings.max_page_size)


async def my_roles(ctx: Context, project: Project) -> list[ProjectRole]:
    viewer = ctx.viewer
    if viewer is None:
        return []
    roles = await project_roles(viewer, project, ctx.loaders)
    return sorted(roles, key=lambda role: list(ProjectRole).index(role))
