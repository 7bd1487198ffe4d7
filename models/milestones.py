"""Construction milestones of a renovation project, with progress reports and inspections."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.filing import ProjectRecord
    from models.projects import Project

from models.enums import MilestoneStatus


class Milestone(Model):
    """One payment stage of the contract, as construction work."""

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="milestones", on_delete=fields.CASCADE
    )
    project_id: int
    position = fields.IntField()  # 1-based, in contract order
    name = fields.CharField(max_length=120)
    percent = fields.IntField()
    # This stage's share of the contract total; the stages add up to the total exactly.
    amount_cents = fields.BigIntField()
    status = fields.CharEnumField(MilestoneStatus, max_length=24, default=MilestoneStatus.PENDING)
    progress_percent = fields.IntField(default=0)
    approved_at = fields.DatetimeField(null=True)
    # Set once, by the conditional update that releases this stage from escrow.
    released_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "milestones"
        unique_together = (("project", "position"),)


class ProgressReport(Model):
    id = fields.IntField(primary_key=True)
    milestone: fields.ForeignKeyRelation[Milestone] = fields.ForeignKeyField(
        "fixhub.Milestone", related_name="progress_reports", on_delete=fields.CASCADE
    )
    milestone_id: int
    reporter: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="progress_reports", on_delete=fields.RESTRICT
    )
    reporter_id: int
    percent = fields.IntField()
    note = fields.TextField()
    photo_urls: fields.JSONField[list[str]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "progress_reports"
        indexes = (("milestone_id", "id"),)


class Inspection(Model):
    id = fields.IntField(primary_key=True)
    milestone: fields.ForeignKeyRelation[Milestone] = fields.ForeignKeyField(
        "fixhub.Milestone", related_name="inspections", on_delete=fields.CASCADE
    )
    milestone_id: int
    supervisor: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="inspections", on_delete=fields.RESTRICT
    )
    supervisor_id: int
    passed = fields.BooleanField()
    findings = fields.TextField()
    photo_urls: fields.JSONField[list[str]] = fields.JSONField(default=list)
    record: fields.ForeignKeyRelation[ProjectRecord] = fields.ForeignKeyField(
        "fixhub.ProjectRecord", related_name="inspections", on_delete=fields.RESTRICT
    )
    record_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "inspections"
        indexes = (("milestone_id", "id"),)
