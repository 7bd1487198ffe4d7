"""Project escrow: deposits and stage releases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.milestones import Milestone
    from models.projects import Project

from models.enums import EscrowKind


class EscrowEntry(Model):
    """One movement of the escrow of a project, append-only, in integer cents.

    DEPOSIT: the customer paid in (an external payment reference, unique per project, so a
    retried deposit is recorded once). RELEASE: a stage paid out to the decoration enterprise;
    unique per milestone, so a stage is released exactly once.
    """

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="escrow_entries", on_delete=fields.RESTRICT
    )
    project_id: int
    kind = fields.CharEnumField(EscrowKind, max_length=16)
    amount_cents = fields.BigIntField()
    external_reference = fields.CharField(max_length=100, null=True)
    milestone: fields.ForeignKeyNullableRelation[Milestone] = fields.ForeignKeyField(
        "fixhub.Milestone",
        related_name="escrow_entries",
        null=True,
        on_delete=fields.RESTRICT,
    )
    milestone_id: int | None
    # Held in escrow right after this entry (deposited minus released).
    held_after_cents = fields.BigIntField()
    recorded_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="escrow_entries", on_delete=fields.RESTRICT
    )
    recorded_by_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "escrow_entries"
        # One release per milestone: a stage is paid out exactly once.
        unique_together = (("project", "external_reference"), ("milestone",))
        indexes = (("project_id", "id"),)
