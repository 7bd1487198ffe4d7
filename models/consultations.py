"""The consultation desk: any user asks, support (ADMIN) answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.projects import Project

from models.enums import ConsultationStatus


class Consultation(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="consultations", on_delete=fields.CASCADE
    )
    user_id: int
    subject = fields.CharField(max_length=200)
    status = fields.CharEnumField(
        ConsultationStatus, max_length=16, default=ConsultationStatus.OPEN
    )
    # Optional: the project the question is about (only its participants may name it).
    project: fields.ForeignKeyNullableRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="consultations", null=True, on_delete=fields.SET_NULL
    )
    project_id: int | None
    last_entry_at = fields.DatetimeField(auto_now_add=True)
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "consultations"
        indexes = (("user_id", "id"), ("status", "id"))


class ConsultationEntry(Model):
    """The question and every answer or follow-up, in order."""

    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "fixhub.Consultation", related_name="entries", on_delete=fields.CASCADE
    )
    consultation_id: int
    author: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="consultation_entries", on_delete=fields.CASCADE
    )
    author_id: int
    from_support = fields.BooleanField()
    text = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "consultation_entries"
        indexes = (("consultation_id", "id"),)
