"""The matching engine's choices: which workers a job was matched to, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.jobs import Job


class JobMatch(Model):
    id = fields.IntField(primary_key=True)
    job: fields.ForeignKeyRelation[Job] = fields.ForeignKeyField(
        "fixhub.Job", related_name="matches", on_delete=fields.CASCADE
    )
    job_id: int
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="job_matches", on_delete=fields.CASCADE
    )
    worker_id: int
    score = fields.FloatField()
    distance_km = fields.FloatField()
    reasons: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "job_matches"
        unique_together = (("job", "worker"),)
        indexes = (("worker_id", "job_id"),)
