"""Construction milestones: progress reports, readiness, inspections and the customer's approval.

A milestone is one payment stage of the filed contract (created when the contract is signed).
It moves only forward, one conditional UPDATE per step, so of two concurrent moves exactly one
wins and the other gets INVALID_STATE:

    PENDING -> IN_PROGRESS -> READY_FOR_INSPECTION -> PASSED -> APPROVED
                    ^                  |
                    +---- failed ------+

Every write first locks the project row (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises
writers anyway). All milestone writes of one project therefore run one after the other, in the
same lock order as filing (project first), which keeps "is every milestone approved now?"
exact when two last approvals race, and rules out deadlocks with the filing of inspection
reports.

Each inspection files an INSPECTION_REPORT record under the subject `inspection:<milestone id>`,
so a re-inspection after a failed one is version 2 superseding version 1. After a failed
inspection the project manager reports the rework (progress at 100 %) before marking the
milestone ready again, which also bounds the inspections of a milestone by its reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from errors import Conflict, InvalidState, NotFound
from models import (
    Inspection,
    Milestone,
    MilestoneStatus,
    ProgressReport,
    Project,
    ProjectRecord,
    ProjectStatus,
    RecordKind,
    User,
)
from resolvers import settlement, validation
from resolvers.context import Context
from resolvers.filing import file_project_record
from resolvers.ids import parse_id
from resolvers.loaders import grouped_by
from resolvers.notifications import NotificationKind, notify
from resolvers.policy import ProjectAction, ProjectRole, require_user
from resolvers.project_feed import FeedKind, add_feed_entry, move_project, require_status
from resolvers.projects_access import authorized_project, lock_project

# The project statuses in which construction work happens.
WORKING = (ProjectStatus.IN_PROGRESS, ProjectStatus.RECTIFYING)
MAX_NOTE_LENGTH = 4000
MAX_FINDINGS_LENGTH = 4000
# Reports are kept per milestone and listed in full; a milestone is a stage of a flat, not a
# diary of years. Inspections are bounded by reports (rework is reported before re-inspection).
MAX_REPORTS_PER_MILESTONE = 100

_M = MilestoneStatus


# --- DataLoaders (one set per operation, living as long as the operation's Loaders) ----------


class WorkLoaders:
    def __init__(self) -> None:
        self.progress_reports_by_milestone_id = grouped_by(ProgressReport, "milestone_id")
        self.inspections_by_milestone_id = grouped_by(Inspection, "milestone_id")


def work_loaders(ctx: Context) -> WorkLoaders:
    return ctx.loaders.domain(WorkLoaders)


async def progress_reports_of(ctx: Context, milestone: Milestone) -> list[ProgressReport]:
    """Oldest first. Visible to whoever could list the milestone."""
    return await work_loaders(ctx).progress_reports_by_milestone_id.load(milestone.id)


async def inspections_of(ctx: Context, milestone: Milestone) -> list[Inspection]:
    """Oldest first (version 1 of the report, then the re-inspections)."""
    return await work_loaders(ctx).inspections_by_milestone_id.load(milestone.id)


async def record_of(ctx: Context, inspection: Inspection) -> ProjectRecord:
    filed = await ctx.loaders.record_by_id.load(inspection.record_id)
    assert filed is not None  # records are never deleted (ON DELETE RESTRICT)
    return filed


# --- Reading -------------------------------------------------------------------------------------


async def list_milestones(ctx: Context, project_id: str) -> list[Milestone]:
    """The project's milestones in contract order (1-10 of them, none before the contract)."""
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.VIEW_PROJECT)
    return await Milestone.filter(project_id=project.id).order_by("position")


# --- Writing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressInput:
    percent: int
    note: str
    photo_urls: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class InspectionInput:
    passed: bool
    findings: str
    photo_urls: list[str] = field(default_factory=list)


async def _milestone_for(
    ctx: Context, milestone_id: str, action: ProjectAction
) -> tuple[User, Project, frozenset[ProjectRole], Milestone]:
    """The milestone and its project, if the viewer may do `action`; NOT_FOUND to outsiders."""
    require_user(ctx.viewer)
    ident = parse_id(milestone_id, "Milestone")
    milestone = await Milestone.get_or_none(id=ident)
    if milestone is None:
        raise NotFound("Milestone", milestone_id)
    try:
        user, project, roles = await authorized_project(
            ctx, milestone.project_id, action, fresh=True
        )
    except NotFound:
        raise NotFound("Milestone", milestone_id) from None
    return user, project, roles, milestone


async def _locked(
    project: Project, milestone: Milestone, *allowed: MilestoneStatus
) -> tuple[Project, Milestone]:
    """Inside a write: lock the project row until commit (see the module docstring), then check
    the project and the milestone as they are now, after any write that went before."""
    locked = await lock_project(project.id)
    require_status(locked, *WORKING)
    current = await Milestone.get(id=milestone.id)
    _require_milestone(current, *allowed)
    return locked, current


def _label(milestone: Milestone) -> str:
    return f"Milestone {milestone.position} ({milestone.name})"


def _wrong_status(milestone: Milestone, allowed: tuple[MilestoneStatus, ...]) -> InvalidState:
    return InvalidState(
        f"{_label(milestone)} is {milestone.status.value}; this needs it to be "
        f"{' or '.join(s.value for s in allowed)}.",
        status=milestone.status.value,
    )


def _require_milestone(milestone: Milestone, *allowed: MilestoneStatus) -> None:
    if milestone.status not in allowed:
        raise _wrong_status(milestone, allowed)


async def _move(
    ctx: Context,
    milestone: Milestone,
    allowed: tuple[MilestoneStatus, ...],
    to: MilestoneStatus,
    *,
    actor_id: int,
    why: str,
    **changes: object,
) -> Milestone:
    """Inside a write: one conditional UPDATE from one of `allowed` to `to`; INVALID_STATE for
    the loser of a race. Records MILESTONE_STATUS_CHANGED when the status really changes."""
    moved = await Milestone.filter(id=milestone.id, status__in=list(allowed)).update(
        status=to, **changes
    )
    if not moved:  # someone else moved it first
        raise _wrong_status(await Milestone.get(id=milestone.id), allowed)
    previous = milestone.status
    fresh = await Milestone.get(id=milestone.id)
    if previous != to:
        await add_feed_entry(
            ctx,
            milestone.project_id,
            FeedKind.MILESTONE_STATUS_CHANGED,
            f"{_label(fresh)} is now {to.value.replace('_', ' ').lower()}: {why}",
            actor_id=actor_id,
            milestoneId=fresh.id,
            position=fresh.position,
            status=to.value,
            previousStatus=previous.value,
            progressPercent=fresh.progress_percent,
        )
    return fresh


async def report_progress(ctx: Context, milestone_id: str, report: ProgressInput) -> ProgressReport:
    """The project manager reports how far a milestone's work is; the first report starts it."""
    user, project, _, milestone = await _milestone_for(
        ctx, milestone_id, ProjectAction.REPORT_PROGRESS
    )
    percent = validation.whole_between(report.percent, "percent", 0, 100)
    note = validation.text(report.note, "note", max_length=MAX_NOTE_LENGTH)
    photos = validation.urls(report.photo_urls, "photoUrls")
    require_status(project, *WORKING)
    _require_milestone(milestone, _M.PENDING, _M.IN_PROGRESS)
    async with ctx.write():
        project, milestone = await _locked(project, milestone, _M.PENDING, _M.IN_PROGRESS)
        if (
            await ProgressReport.filter(milestone_id=milestone.id).count()
            >= MAX_REPORTS_PER_MILESTONE
        ):
            raise Conflict(
                f"{_label(milestone)} already has {MAX_REPORTS_PER_MILESTONE} progress reports, "
                "the most one milestone keeps."
            )
        moved = await _move(
            ctx,
            milestone,
            (_M.PENDING, _M.IN_PROGRESS),
            _M.IN_PROGRESS,
            actor_id=user.id,
            why="work started",
            progress_percent=percent,
        )
        created = await ProgressReport.create(
            milestone_id=milestone.id,
            reporter_id=user.id,
            percent=percent,
            note=note,
            photo_urls=photos,
        )
        await add_feed_entry(
            ctx,
            project.id,
            FeedKind.PROGRESS_REPORTED,
            f"{_label(moved)}: {percent} % done",
            actor_id=user.id,
            milestoneId=moved.id,
            progressReportId=created.id,
            percent=percent,
            status=moved.status.value,
            photoCount=len(photos),
        )
    return created


async def mark_ready(ctx: Context, milestone_id: str) -> Milestone:
    """The project manager hands a finished milestone to the supervisor."""
    user, project, _, milestone = await _milestone_for(
        ctx, milestone_id, ProjectAction.REPORT_PROGRESS
    )
    require_status(project, *WORKING)
    _require_milestone(milestone, _M.IN_PROGRESS)
    async with ctx.write():
        project, milestone = await _locked(project, milestone, _M.IN_PROGRESS)
        await _require_reported_complete(milestone)
        moved = await _move(
            ctx,
            milestone,
            (_M.IN_PROGRESS,),
            _M.READY_FOR_INSPECTION,
            actor_id=user.id,
            why="ready for inspection",
        )
        if project.supervisor_id is not None:
            await notify(
                ctx,
                project.supervisor_id,
                NotificationKind.MILESTONE_READY,
                f"{project.title}: {_label(moved)} is ready for inspection",
                "The project manager reports the work as complete. Inspect it and record "
                "whether it passed.",
                projectId=project.id,
                milestoneId=moved.id,
            )
    return moved


async def _require_reported_complete(milestone: Milestone) -> None:
    if milestone.progress_percent < 100:
        raise InvalidState(
            f"{_label(milestone)} is reported {milestone.progress_percent} % done; report "
            "100 % before marking it ready for inspection.",
            status=milestone.status.value,
        )
    last_failed = (
        await Inspection.filter(milestone_id=milestone.id, passed=False).order_by("-id").first()
    )
    if last_failed is None:
        return
    last_report = await ProgressReport.filter(milestone_id=milestone.id).order_by("-id").first()
    if last_report is None or last_report.created_at <= last_failed.created_at:
        raise InvalidState(
            f"{_label(milestone)} failed its last inspection; report the rework (at 100 %) "
            "before marking it ready again.",
            status=milestone.status.value,
        )


async def inspect(ctx: Context, milestone_id: str, result: InspectionInput) -> Inspection:
    """The supervisor's verdict, filed as an INSPECTION_REPORT record."""
    user, project, _, milestone = await _milestone_for(ctx, milestone_id, ProjectAction.INSPECT)
    findings = validation.text(result.findings, "findings", max_length=MAX_FINDINGS_LENGTH)
    photos = validation.urls(result.photo_urls, "photoUrls")
    require_status(project, *WORKING)
    _require_milestone(milestone, _M.READY_FOR_INSPECTION)
    outcome = _M.PASSED if result.passed else _M.IN_PROGRESS
    async with ctx.write():
        project, milestone = await _locked(project, milestone, _M.READY_FOR_INSPECTION)
        moved = await _move(
            ctx,
            milestone,
            (_M.READY_FOR_INSPECTION,),
            outcome,
            actor_id=user.id,
            why="inspection passed" if result.passed else "inspection failed, rework needed",
        )
        inspected_at = datetime.now(UTC)
        filed = await file_project_record(
            ctx,
            project,
            RecordKind.INSPECTION_REPORT,
            f"inspection:{moved.id}",
            {
                "projectId": project.id,
                "milestoneId": moved.id,
                "position": moved.position,
                "milestone": moved.name,
                "passed": result.passed,
                "findings": findings,
                "photoUrls": photos,
                "supervisorId": user.id,
                "supervisor": user.display_name,
                "inspectedAt": inspected_at.isoformat(),
            },
            filed_by=user.id,
        )
        created = await Inspection.create(
            milestone_id=moved.id,
            supervisor_id=user.id,
            passed=result.passed,
            findings=findings,
            photo_urls=photos,
            record_id=filed.id,
        )
        verdict = "passed" if result.passed else "failed"
        await add_feed_entry(
            ctx,
            project.id,
            FeedKind.INSPECTION_RECORDED,
            f"{_label(moved)} {verdict} inspection (report {filed.filing_number})",
            actor_id=user.id,
            milestoneId=moved.id,
            inspectionId=created.id,
            passed=result.passed,
            status=moved.status.value,
            recordId=filed.id,
            version=filed.version,
        )
        await _tell_inspected(ctx, project, moved, created, filed)
    return created


async def _tell_inspected(
    ctx: Context,
    project: Project,
    milestone: Milestone,
    inspection: Inspection,
    filed: ProjectRecord,
) -> None:
    data = {
        "projectId": project.id,
        "milestoneId": milestone.id,
        "inspectionId": inspection.id,
        "passed": inspection.passed,
        "recordId": filed.id,
    }
    verdict = "passed" if inspection.passed else "failed"
    title = f"{project.title}: {_label(milestone)} {verdict} inspection"
    customer_body = (
        "The supervisor passed it. Approve the milestone to release its stage payment."
        if inspection.passed
        else "The supervisor found problems; the project manager reworks it."
    )
    await notify(
        ctx,
        project.customer_id,
        NotificationKind.INSPECTION_RECORDED,
        title,
        customer_body,
        awaitsApproval=inspection.passed,
        **data,
    )
    if project.project_manager_id is not None:
        manager_body = (
            "The supervisor passed it; it now waits for the customer's approval."
            if inspection.passed
            else f"Rework needed: {inspection.findings[:200]}"
        )
        await notify(
            ctx,
            project.project_manager_id,
            NotificationKind.INSPECTION_RECORDED,
            title,
            manager_body,
            **data,
        )


async def approve(ctx: Context, milestone_id: str) -> Milestone:
    """The customer approves a passed milestone; its stage is released from escrow as far as
    deposits cover it, and when every milestone is approved the project awaits acceptance."""
    user, project, _, milestone = await _milestone_for(
        ctx, milestone_id, ProjectAction.APPROVE_MILESTONE
    )
    require_status(project, *WORKING)
    _require_milestone(milestone, _M.PASSED)
    async with ctx.write():
        project, milestone = await _locked(project, milestone, _M.PASSED)
        moved = await _move(
            ctx,
            milestone,
            (_M.PASSED,),
            _M.APPROVED,
            actor_id=user.id,
            why="approved by the customer",
            approved_at=datetime.now(UTC),
        )
        await settlement.release_approved(ctx, project, user.id)
        recipients = {project.project_manager_id, await _decoration_owner_id(ctx, project)}
        for recipient in sorted(r for r in recipients if r is not None and r != user.id):
            await notify(
                ctx,
                recipient,
                NotificationKind.MILESTONE_APPROVED,
                f"{project.title}: {_label(moved)} approved",
                "The customer approved the milestone; its stage is paid from escrow as far as "
                "deposits cover it.",
                projectId=project.id,
                milestoneId=moved.id,
            )
        if not await Milestone.filter(project_id=project.id).exclude(status=_M.APPROVED).exists():
            await move_project(
                ctx,
                project,
                set(WORKING),
                ProjectStatus.AWAITING_ACCEPTANCE,
                actor_id=user.id,
                why="every milestone is approved",
            )
            await notify(
                ctx,
                project.customer_id,
                NotificationKind.PROJECT_STATUS_CHANGED,
                f"{project.title}: ready for your acceptance",
                "Every milestone is approved. Accept the project, or list the defects to fix.",
                projectId=project.id,
                status=ProjectStatus.AWAITING_ACCEPTANCE.value,
            )
    return await Milestone.get(id=moved.id)


async def _decoration_owner_id(ctx: Context, project: Project) -> int | None:
    if project.decoration_enterprise_id is None:
        return None
    enterprise = await ctx.loaders.enterprise_by_id.load(project.decoration_enterprise_id)
    return enterprise.owner_id if enterprise is not None else None
