"""The customer's evaluations of the enterprises and the platform at the end of a project."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.enterprises import Enterprise
    from models.filing import ProjectRecord
    from models.projects import Project


class Evaluation(Model):
    """The 1-5 evaluation by the customer of one chosen enterprise, or of the platform."""

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="evaluations", on_delete=fields.RESTRICT
    )
    project_id: int
    # "enterprise:<id>" or "platform": unique per project, so each is evaluated once.
    target = fields.CharField(max_length=40)
    enterprise: fields.ForeignKeyNullableRelation[Enterprise] = fields.ForeignKeyField(
        "fixhub.Enterprise", related_name="evaluations", null=True, on_delete=fields.RESTRICT
    )
    enterprise_id: int | None
    customer: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="evaluations", on_delete=fields.RESTRICT
    )
    customer_id: int
    rating = fields.SmallIntField()
    comment = fields.TextField(default="")
    record: fields.ForeignKeyRelation[ProjectRecord] = fields.ForeignKeyField(
        "fixhub.ProjectRecord", related_name="evaluations", on_delete=fields.RESTRICT
    )
    record_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "evaluations"
        unique_together = (("project", "target"),)
        indexes = (("enterprise_id", "id"),)
