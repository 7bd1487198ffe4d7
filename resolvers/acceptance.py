"""The end of a renovation: the customer accepts the work (or lists defects to fix), and then
evaluates the chosen enterprises and the platform.

- Accepting needs every stage paid from escrow (ACCEPTED means settled: nothing stays owed or
  held); it files the ACCEPTANCE record and counts a completed project for each chosen
  enterprise, exactly once, because the move AWAITING_ACCEPTANCE -> ACCEPTED is one
  conditional UPDATE.
- Listing defects sends the project back to RECTIFYING; the project manager reports them fixed
  (`resolve_defects`) and the customer decides again.
- Each enterprise and the platform are evaluated once per project: the unique (project, target)
  index of the evaluations decides, each evaluation is filed, and an enterprise's rating sum
  and count are raised by one UPDATE (no lost update between concurrent evaluations).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from errors import BadUserInput, Conflict, InvalidState
from models import (
    Contract,
    ContractStatus,
    Enterprise,
    EscrowEntry,
    EscrowKind,
    Evaluation,
    Milestone,
    Project,
    ProjectStatus,
    RecordKind,
    User,
)
from resolvers import validation
from resolvers.context import Context
from resolvers.filing import file_project_record
from resolvers.ids import parse_id
from resolvers.notifications import NotificationKind, notify
from resolvers.policy import ProjectAction
from resolvers.project_feed import (
    FeedKind,
    add_feed_entry,
    move_project,
    notify_participants,
    require_status,
)
from resolvers.projects_access import authorized_project, lock_project
from resolvers.settlement import money

MAX_DEFECTS = 20
MAX_DEFECT_LENGTH = 300
MAX_NOTE_LENGTH = 2000
MAX_COMMENT_LENGTH = 2000
PLATFORM_TARGET = "platform"

# The chosen enterprise of each kind, as the acceptance record names them.
_FIRM_COLUMNS = (
    ("design", "design_enterprise_id"),
    ("decoration", "decoration_enterprise_id"),
    ("supervision", "supervision_enterprise_id"),
    ("supplier", "supplier_enterprise_id"),
)
# One evaluation per target: each chosen enterprise and the platform.
MAX_EVALUATIONS = len(_FIRM_COLUMNS) + 1
_PEOPLE_COLUMNS = (
    ("designer", "designer_id"),
    ("projectManager", "project_manager_id"),
    ("supervisor", "supervisor_id"),
    ("materialBudgeter", "material_budgeter_id"),
)


def _chosen_enterprise_ids(project: Project) -> list[int]:
    ids = [getattr(project, column) for _, column in _FIRM_COLUMNS]
    return sorted({ident for ident in ids if ident is not None})


# --- Acceptance --------------------------------------------------------------------------------


def _defects(values: list[str] | None) -> list[str]:
    defects: list[str] = []
    for index, value in enumerate(values or []):
        defect = validation.text(value, f"defects[{index}]", max_length=MAX_DEFECT_LENGTH).strip()
        if defect not in defects:
            defects.append(defect)
    if len(defects) > MAX_DEFECTS:
        raise BadUserInput(f"defects may list at most {MAX_DEFECTS} items.", "defects")
    return defects


async def accept_project(
    ctx: Context,
    project_id: str,
    *,
    accepted: bool,
    defects: list[str] | None,
    note: str | None,
) -> Project:
    """The customer's decision on AWAITING_ACCEPTANCE: accept (-> ACCEPTED, filed), or list at
    least one defect (-> RECTIFYING with those open defects)."""
    user, project, _ = await authorized_project(
        ctx, project_id, ProjectAction.ACCEPT_PROJECT, fresh=True
    )
    listed = _defects(defects)
    remark = validation.optional_text(note, "note", max_length=MAX_NOTE_LENGTH) or ""
    if accepted and listed:
        raise BadUserInput(
            "defects must be empty when accepting; to have defects fixed, send accepted: false.",
            "defects",
        )
    if not accepted and not listed:
        raise BadUserInput("List at least one defect when not accepting the project.", "defects")
    require_status(project, ProjectStatus.AWAITING_ACCEPTANCE)
    async with ctx.write():
        locked = await lock_project(project.id)
        if accepted:
            await _accept(ctx, locked, user, remark)
        else:
            await _send_back(ctx, locked, user, listed, remark)
    return await Project.get(id=project.id)


async def _accept(ctx: Context, project: Project, user: User, note: str) -> None:
    # Deposits (which release stages) lock the project row too: what we read here stays true
    # until we commit.
    unpaid = await Milestone.filter(project_id=project.id, released_at__isnull=True).order_by(
        "position"
    )
    if unpaid:
        owed = sum(int(m.amount_cents) for m in unpaid)
        room = owed - (int(project.deposited_cents) - int(project.released_cents))
        raise InvalidState(
            f"Project {project.id} cannot be accepted before every stage is paid: "
            f"{money(owed, project.currency)} for {len(unpaid)} stage(s) is not yet released; "
            f"deposit {money(max(room, 0), project.currency)} more first.",
            status=project.status.value,
        )
    await move_project(
        ctx,
        project,
        {ProjectStatus.AWAITING_ACCEPTANCE},
        ProjectStatus.ACCEPTED,
        actor_id=user.id,
        why="accepted by the customer",
    )
    now = datetime.now(UTC)
    await Project.filter(id=project.id).update(accepted_at=now, open_defects=[])
    firms = _chosen_enterprise_ids(project)
    if firms:
        await Enterprise.filter(id__in=firms).update(completed_projects=F("completed_projects") + 1)
    await file_project_record(
        ctx,
        project,
        RecordKind.ACCEPTANCE,
        "acceptance",
        await _acceptance_content(project, user, note, now),
        filed_by=user.id,
    )
    await notify_participants(
        ctx,
        project,
        NotificationKind.PROJECT_STATUS_CHANGED,
        f"{project.title}: accepted",
        "The customer accepted the project"
        + (f": {note}" if note else ".")
        + " It can now be evaluated.",
        exclude=user.id,
        status=ProjectStatus.ACCEPTED.value,
    )


async def _acceptance_content(
    project: Project, user: User, note: str, accepted_at: datetime
) -> dict[str, Any]:
    contract = await Contract.get(project_id=project.id, status=ContractStatus.FILED)
    milestones = await Milestone.filter(project_id=project.id).order_by("position")
    entries = await EscrowEntry.filter(project_id=project.id).values_list("kind", "amount_cents")
    deposited = sum(int(amount) for kind, amount in entries if kind == EscrowKind.DEPOSIT)
    released = sum(int(amount) for kind, amount in entries if kind == EscrowKind.RELEASE)
    return {
        "projectId": project.id,
        "title": project.title,
        "address": project.address,
        "customerId": user.id,
        "acceptedAt": accepted_at.isoformat(),
        "note": note,
        "currency": project.currency,
        "contractRecordId": contract.record_id,
        "contractTotalCents": int(contract.total_cents),
        "stages": [
            {
                "position": m.position,
                "name": m.name,
                "amountCents": int(m.amount_cents),
                "approvedAt": m.approved_at.isoformat() if m.approved_at else None,
                "releasedAt": m.released_at.isoformat() if m.released_at else None,
            }
            for m in milestones
        ],
        "escrow": {
            "depositedCents": deposited,
            "releasedCents": released,
            "heldCents": deposited - released,
        },
        "enterprises": {name: getattr(project, column) for name, column in _FIRM_COLUMNS},
        "team": {name: getattr(project, column) for name, column in _PEOPLE_COLUMNS},
    }


async def _send_back(
    ctx: Context, project: Project, user: User, defects: list[str], note: str
) -> None:
    await move_project(
        ctx,
        project,
        {ProjectStatus.AWAITING_ACCEPTANCE},
        ProjectStatus.RECTIFYING,
        actor_id=user.id,
        why=f"the customer listed {len(defects)} defect(s) to fix",
    )
    await Project.filter(id=project.id).update(open_defects=defects)
    listing = "\n".join(f"- {defect}" for defect in defects)
    await notify_participants(
        ctx,
        project,
        NotificationKind.PROJECT_STATUS_CHANGED,
        f"{project.title}: defects to fix",
        f"The customer did not accept the project yet and listed these defects:\n{listing}"
        + (f"\n\n{note}" if note else ""),
        exclude=user.id,
        status=ProjectStatus.RECTIFYING.value,
        defects=defects,
    )


async def resolve_defects(ctx: Context, project_id: str, note: str) -> Project:
    """The project manager reports the listed defects fixed: RECTIFYING -> AWAITING_ACCEPTANCE,
    so the customer decides again."""
    user, project, _ = await authorized_project(
        ctx, project_id, ProjectAction.RESOLVE_DEFECTS, fresh=True
    )
    remark = validation.text(note, "note", max_length=MAX_NOTE_LENGTH)
    require_status(project, ProjectStatus.RECTIFYING)
    async with ctx.write():
        fixed = list(project.open_defects or [])
        await move_project(
            ctx,
            project,
            {ProjectStatus.RECTIFYING},
            ProjectStatus.AWAITING_ACCEPTANCE,
            actor_id=user.id,
            why=f"the project manager reports the defects fixed: {remark}",
        )
        await Project.filter(id=project.id).update(open_defects=[])
        await notify_participants(
            ctx,
            project,
            NotificationKind.PROJECT_STATUS_CHANGED,
            f"{project.title}: defects fixed, awaiting your acceptance",
            f"The project manager reports the defects fixed: {remark}",
            exclude=user.id,
            status=ProjectStatus.AWAITING_ACCEPTANCE.value,
            defects=fixed,
        )
    return await Project.get(id=project.id)


# --- Evaluations -------------------------------------------------------------------------------


async def evaluate_enterprise(
    ctx: Context, project_id: str, enterprise_id: str, rating: int, comment: str | None
) -> Evaluation:
    """The customer rates one of the four chosen enterprises (1-5), once per project."""
    user, project, _ = await authorized_project(ctx, project_id, ProjectAction.EVALUATE, fresh=True)
    ident = parse_id(enterprise_id, "Enterprise")
    score = validation.whole_between(rating, "rating", 1, 5)
    remark = validation.optional_text(comment, "comment", max_length=MAX_COMMENT_LENGTH) or ""
    if ident not in _chosen_enterprise_ids(project):
        raise BadUserInput(
            f"Enterprise {enterprise_id} is not one of the enterprises of project {project.id}.",
            "enterpriseId",
        )
    enterprise = await Enterprise.get(id=ident)
    return await _evaluate(
        ctx, user, project, f"enterprise:{ident}", score, remark, enterprise=enterprise
    )


async def evaluate_platform(
    ctx: Context, project_id: str, rating: int, comment: str | None
) -> Evaluation:
    """The customer rates the platform (1-5), once per project."""
    user, project, _ = await authorized_project(ctx, project_id, ProjectAction.EVALUATE, fresh=True)
    score = validation.whole_between(rating, "rating", 1, 5)
    remark = validation.optional_text(comment, "comment", max_length=MAX_COMMENT_LENGTH) or ""
    return await _evaluate(ctx, user, project, PLATFORM_TARGET, score, remark, enterprise=None)


def _already(project: Project, target: str) -> Conflict:
    what = "the platform" if target == PLATFORM_TARGET else target.replace(":", " ")
    return Conflict(f"You have already evaluated {what} for project {project.id}.", target=target)


async def _evaluate(
    ctx: Context,
    user: User,
    project: Project,
    target: str,
    rating: int,
    comment: str,
    *,
    enterprise: Enterprise | None,
) -> Evaluation:
    require_status(project, ProjectStatus.ACCEPTED)
    if await Evaluation.exists(project_id=project.id, target=target):
        raise _already(project, target)
    try:
        async with ctx.write():
            await lock_project(project.id)
            # A concurrent evaluation of the same target may have committed while we waited.
            if await Evaluation.exists(project_id=project.id, target=target):
                raise _already(project, target)
            now = datetime.now(UTC)
            filed = await file_project_record(
                ctx,
                project,
                RecordKind.EVALUATION,
                f"evaluation:{target}",
                {
                    "projectId": project.id,
                    "target": target,
                    "enterprise": (
                        {
                            "id": enterprise.id,
                            "name": enterprise.name,
                            "kind": enterprise.kind.value,
                        }
                        if enterprise
                        else None
                    ),
                    "rating": rating,
                    "comment": comment,
                    "customerId": user.id,
                    "evaluatedAt": now.isoformat(),
                },
                filed_by=user.id,
            )
            evaluation = await Evaluation.create(
                project_id=project.id,
                target=target,
                enterprise_id=enterprise.id if enterprise else None,
                customer_id=user.id,
                rating=rating,
                comment=comment,
                record_id=filed.id,
                created_at=now,
            )
            if enterprise is not None:
                # One UPDATE: concurrent evaluations of this enterprise (other projects) add up.
                await Enterprise.filter(id=enterprise.id).update(
                    rating_sum=F("rating_sum") + rating, rating_count=F("rating_count") + 1
                )
            what = enterprise.name if enterprise else "the platform"
            await add_feed_entry(
                ctx,
                project.id,
                FeedKind.EVALUATION_FILED,
                f"The customer evaluated {what}: {rating}/5",
                actor_id=user.id,
                evaluationId=evaluation.id,
                target=target,
                enterpriseId=enterprise.id if enterprise else None,
                rating=rating,
                recordId=filed.id,
            )
            if enterprise is not None:
                await notify(
                    ctx,
                    enterprise.owner_id,
                    NotificationKind.PROJECT_EVALUATED,
                    f"{enterprise.name} was rated {rating}/5",
                    f"The customer of {project.title} rated {enterprise.name} {rating}/5"
                    + (f": {comment}" if comment else "."),
                    projectId=project.id,
                    enterpriseId=enterprise.id,
                    evaluationId=evaluation.id,
                    rating=rating,
                )
    except IntegrityError:
        # The unique (project, target) index, or the filing chain: evaluated concurrently.
        raise _already(project, target) from None
    return evaluation


async def list_evaluations(ctx: Context, project_id: str) -> list[Evaluation]:
    """Every evaluation of the project (at most one per enterprise and one of the platform),
    oldest first, each with its filed record."""
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.VIEW_PROJECT)
    return await Evaluation.filter(project_id=project.id).order_by("id")
