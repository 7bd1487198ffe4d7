"""Construction milestones: progress reports, readiness, inspections and approval."""

from __future__ import annotations

from datetime import datetime

import strawberry

import models
from resolvers import milestones, validation
from schema.common import Info, Participant
from schema.enums import MilestoneStatus
from schema.filing import ProjectRecord


async def _participant(info: Info, user_id: int) -> Participant:
    user = await info.context.loaders.user_by_id.load(user_id)
    assert user is not None  # authors are never deleted (ON DELETE RESTRICT)
    return Participant.from_model(user)


@strawberry.type(description="The project manager's report of how far a milestone's work is.")
class ProgressReport:
    _report: strawberry.Private[models.ProgressReport]

    @classmethod
    def from_model(cls, report: models.ProgressReport) -> ProgressReport:
        return cls(_report=report)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._report.id))

    @strawberry.field
    def milestone_id(self) -> strawberry.ID:
        return strawberry.ID(str(self._report.milestone_id))

    @strawberry.field(description="How much of the milestone's work is done, 0-100.")
    def percent(self) -> int:
        return self._report.percent

    @strawberry.field
    def note(self) -> str:
        return self._report.note

    @strawberry.field
    def photo_urls(self) -> list[str]:
        return list(self._report.photo_urls)

    @strawberry.field
    async def reporter(self, info: Info) -> Participant:
        return await _participant(info, self._report.reporter_id)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._report.created_at


@strawberry.type(
    description="The supervisor's verdict on a milestone ready for inspection, filed as an "
    "INSPECTION_REPORT record (a re-inspection files the next version)."
)
class Inspection:
    _inspection: strawberry.Private[models.Inspection]

    @classmethod
    def from_model(cls, inspection: models.Inspection) -> Inspection:
        return cls(_inspection=inspection)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._inspection.id))

    @strawberry.field
    def milestone_id(self) -> strawberry.ID:
        return strawberry.ID(str(self._inspection.milestone_id))

    @strawberry.field
    def passed(self) -> bool:
        return self._inspection.passed

    @strawberry.field
    def findings(self) -> str:
        return self._inspection.findings

    @strawberry.field
    def photo_urls(self) -> list[str]:
        return list(self._inspection.photo_urls)

    @strawberry.field
    async def supervisor(self, info: Info) -> Participant:
        return await _participant(info, self._inspection.supervisor_id)

    @strawberry.field(description="The filed inspection report.")
    async def record(self, info: Info) -> ProjectRecord:
        return ProjectRecord.from_model(await milestones.record_of(info.context, self._inspection))

    @strawberry.field
    def created_at(self) -> datetime:
        return self._inspection.created_at


@strawberry.type(
    description="One payment stage of the filed contract, as construction work: PENDING, "
    "IN_PROGRESS (reported), READY_FOR_INSPECTION, PASSED (waits for the customer), APPROVED "
    "(its stage is released from escrow as far as deposits cover it)."
)
class Milestone:
    _milestone: strawberry.Private[models.Milestone]

    @classmethod
    def from_model(cls, milestone: models.Milestone) -> Milestone:
        return cls(_milestone=milestone)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._milestone.id))

    @strawberry.field
    def project_id(self) -> strawberry.ID:
        return strawberry.ID(str(self._milestone.project_id))

    @strawberry.field(description="1-based, in contract order.")
    def position(self) -> int:
        return self._milestone.position

    @strawberry.field
    def name(self) -> str:
        return self._milestone.name

    @strawberry.field(description="This stage's share of the contract, in whole percent.")
    def percent(self) -> int:
        return self._milestone.percent

    @strawberry.field(description="This stage's share of the contract total, in cents.")
    def amount_cents(self) -> int:
        return self._milestone.amount_cents

    @strawberry.field
    def status(self) -> MilestoneStatus:
        return self._milestone.status

    @strawberry.field(description="The latest reported progress, 0-100.")
    def progress_percent(self) -> int:
        return self._milestone.progress_percent

    @strawberry.field
    def approved_at(self) -> datetime | None:
        return self._milestone.approved_at

    @strawberry.field(description="When its stage was paid from escrow; null until then.")
    def released_at(self) -> datetime | None:
        return self._milestone.released_at

    @strawberry.field(
        description="Oldest first: the first `first` (all, at most "
        f"{milestones.MAX_REPORTS_PER_MILESTONE}, by default)."
    )
    async def progress_reports(
        self, info: Info, first: int = milestones.MAX_REPORTS_PER_MILESTONE
    ) -> list[ProgressReport]:
        size = validation.list_size(first, milestones.MAX_REPORTS_PER_MILESTONE)
        reports = await milestones.progress_reports_of(info.context, self._milestone)
        return [ProgressReport.from_model(report) for report in reports[:size]]

    @strawberry.field(
        description="Oldest first: the first `first` (all by default; each follows a report of "
        "the rework, so there are at most as many as reports)."
    )
    async def inspections(
        self, info: Info, first: int = milestones.MAX_REPORTS_PER_MILESTONE
    ) -> list[Inspection]:
        size = validation.list_size(first, milestones.MAX_REPORTS_PER_MILESTONE)
        inspections = await milestones.inspections_of(info.context, self._milestone)
        return [Inspection.from_model(inspection) for inspection in inspections[:size]]


@strawberry.input
class ProgressInput:
    percent: int = strawberry.field(description="How much of the milestone is done, 0-100.")
    note: str
    photo_urls: list[str] = strawberry.field(
        default_factory=list, description="At most 20 http(s) links to photos."
    )


@strawberry.input
class InspectionInput:
    passed: bool
    findings: str
    photo_urls: list[str] = strawberry.field(
        default_factory=list, description="At most 20 http(s) links to photos."
    )


@strawberry.type
class MilestonesQuery:
    @strawberry.field(
        description="The project's milestones in contract order; empty before the "
        "contract is filed."
    )
    async def milestones(self, info: Info, project_id: strawberry.ID) -> list[Milestone]:
        rows = await milestones.list_milestones(info.context, project_id)
        return [Milestone.from_model(row) for row in rows]


@strawberry.type
class MilestonesMutation:
    @strawberry.mutation(
        description="The project manager reports progress; the first report starts the "
        "milestone (PENDING -> IN_PROGRESS)."
    )
    async def report_progress(
        self, info: Info, milestone_id: strawberry.ID, input: ProgressInput
    ) -> ProgressReport:
        report = await milestones.report_progress(
            info.context,
            milestone_id,
            milestones.ProgressInput(
                percent=input.percent, note=input.note, photo_urls=list(input.photo_urls)
            ),
        )
        return ProgressReport.from_model(report)

    @strawberry.mutation(
        description="The project manager hands a milestone reported 100 % done to the "
        "supervisor: IN_PROGRESS -> READY_FOR_INSPECTION."
    )
    async def mark_milestone_ready(self, info: Info, milestone_id: strawberry.ID) -> Milestone:
        return Milestone.from_model(await milestones.mark_ready(info.context, milestone_id))

    @strawberry.mutation(
        description="The supervisor's verdict: READY_FOR_INSPECTION -> PASSED, or back to "
        "IN_PROGRESS when failed. Files the inspection report."
    )
    async def inspect_milestone(
        self, info: Info, milestone_id: strawberry.ID, input: InspectionInput
    ) -> Inspection:
        inspection = await milestones.inspect(
            info.context,
            milestone_id,
            milestones.InspectionInput(
                passed=input.passed, findings=input.findings, photo_urls=list(input.photo_urls)
            ),
        )
        return Inspection.from_model(inspection)

    @strawberry.mutation(
        description="The customer approves a passed milestone (PASSED -> APPROVED); its stage is "
        "released from escrow as far as deposits cover it."
    )
    async def approve_milestone(self, info: Info, milestone_id: strawberry.ID) -> Milestone:
        return Milestone.from_model(await milestones.approve(info.context, milestone_id))
