"""The stored live feed of a renovation project."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.projects import Project


class ProjectEvent(Model):
    """One entry of the live feed of a project, stored in the transaction of what it reports so the
    feed can be replayed from any id."""

    id = fields.BigIntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="events", on_delete=fields.CASCADE
    )
    project_id: int
    kind = fields.CharField(max_length=40)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="project_events", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    summary = fields.CharField(max_length=300)
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "project_events"
        indexes = (("project_id", "id"),)
