"""The customer's evaluations of the enterprises and the platform at the end of a project."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Evaluation(Model):
    """The 1-5 evaluation by the customer of one chosen enterprise, or of the platform."""

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.Project", related_name="evaluations", on_delete=fields.RESTRICT
    )
    project_id: int
    # "enterprise:<id>" or "platform": unique per project, so each is evaluated once.
    target = fields.CharField(max_length=40)
    enterprise: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.Enterprise", related_name="evaluations", null=True, on_delete=fields.RESTRICT
    )
    enterprise_id: int | None
    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="evaluations", on_delete=fields.RESTRICT
    )
    customer_id: int
    rating = fields.SmallIntField()
    comment = fields.TextField(default="")
    record: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.ProjectRecord", related_name="evaluations", on_delete=fields.RESTRICT
    )
    record_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "evaluations"
        unique_together = (("project", "target"),)
        indexes = (("enterprise_id", "id"),)
