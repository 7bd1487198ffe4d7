"""Design proposals of a renovation project."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.filing import ProjectRecord
    from models.projects import Project

from models.enums import ProposalStatus


class DesignProposal(Model):
    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="design_proposals", on_delete=fields.CASCADE
    )
    project_id: int
    designer: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="design_proposals", on_delete=fields.RESTRICT
    )
    designer_id: int
    title = fields.CharField(max_length=120)
    description = fields.TextField()
    document_url = fields.CharField(max_length=500)
    estimate_cents = fields.BigIntField()
    status = fields.CharEnumField(ProposalStatus, max_length=16, default=ProposalStatus.SUBMITTED)
    record: fields.ForeignKeyNullableRelation[ProjectRecord] = fields.ForeignKeyField(
        "fixhub.ProjectRecord",
        related_name="design_proposals",
        null=True,
        on_delete=fields.RESTRICT,
    )
    record_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "design_proposals"
        indexes = (("project_id", "id"),)
