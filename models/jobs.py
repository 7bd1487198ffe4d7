"""Jobs, their matches and status history, and the legal status moves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User

from models.enums import JobStatus, ServiceCategory

# Every legal move. Anything else is refused with INVALID_STATE naming the current status.
TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.OPEN: frozenset({JobStatus.HIRED, JobStatus.CANCELLED}),
    JobStatus.HIRED: frozenset({JobStatus.SCHEDULED, JobStatus.CANCELLED}),
    # A scheduled job can be re-scheduled by the hired worker.
    JobStatus.SCHEDULED: frozenset(
        {JobStatus.SCHEDULED, JobStatus.IN_PROGRESS, JobStatus.CANCELLED}
    ),
    JobStatus.IN_PROGRESS: frozenset({JobStatus.COMPLETED}),
    JobStatus.COMPLETED: frozenset({JobStatus.ACCEPTED}),
    # CLOSED: both reviews are in, or the review window after acceptance has passed.
    JobStatus.ACCEPTED: frozenset({JobStatus.CLOSED}),
    JobStatus.CANCELLED: frozenset(),
    JobStatus.CLOSED: frozenset(),
}


def sources_of(target: JobStatus) -> list[JobStatus]:
    """The statuses from which `target` may be reached."""
    return [source for source, targets in TRANSITIONS.items() if target in targets]


class Job(Model):
    id = fields.IntField(primary_key=True)
    customer: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="jobs", on_delete=fields.CASCADE
    )
    customer_id: int
    category = fields.CharEnumField(ServiceCategory, max_length=24)
    title = fields.CharField(max_length=120)
    description = fields.TextField()
    address = fields.CharField(max_length=300)
    lat = fields.FloatField()
    lng = fields.FloatField()
    currency = fields.CharField(max_length=3, default="EUR")
    budget_min_cents = fields.BigIntField(null=True)
    budget_max_cents = fields.BigIntField(null=True)
    preferred_start = fields.DatetimeField(null=True)
    preferred_end = fields.DatetimeField(null=True)
    status = fields.CharEnumField(JobStatus, max_length=16, default=JobStatus.OPEN, db_index=True)
    hired_worker: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="hired_jobs", null=True, on_delete=fields.SET_NULL
    )
    hired_worker_id: int | None
    accepted_quote_id = fields.IntField(null=True)
    scheduled_at = fields.DatetimeField(null=True)
    cancel_reason = fields.CharField(max_length=500, null=True)
    accepted_at = fields.DatetimeField(null=True, db_index=True)
    closed_at = fields.DatetimeField(null=True)
    match_count = fields.IntField(default=0)
    # Live (PENDING or ACCEPTED) quotes; the quote cap is a conditional update on this column.
    live_quote_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "jobs"
        indexes = (("customer_id", "id"),)


class JobStatusChange(Model):
    """The timeline of a job: every status move with who made it and when."""

    id = fields.IntField(primary_key=True)
    job: fields.ForeignKeyRelation[Job] = fields.ForeignKeyField(
        "fixhub.Job", related_name="status_changes", on_delete=fields.CASCADE
    )
    job_id: int
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="+", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    note = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "job_status_changes"
