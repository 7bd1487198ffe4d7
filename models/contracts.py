"""The contract of a renovation project."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.filing import ProjectRecord
    from models.projects import Project

from models.enums import ContractStatus


class Contract(Model):
    """The contract between the customer and the decoration enterprise, one per project.

    Drafted (and redrafted) by the project manager while DRAFT; each redraft clears both
    signatures. When both sides have signed it is FILED as a ProjectRecord and its stages
    become the milestones of the project.
    """

    id = fields.IntField(primary_key=True)
    project: fields.OneToOneRelation[Project] = fields.OneToOneField(
        "fixhub.Project", related_name="contract", on_delete=fields.RESTRICT
    )
    project_id: int
    total_cents = fields.BigIntField()
    # [{"name": str, "percent": int}], percentages adding up to 100.
    stages: fields.JSONField[list[dict[str, Any]]] = fields.JSONField()
    terms = fields.TextField()
    status = fields.CharEnumField(ContractStatus, max_length=16, default=ContractStatus.DRAFT)
    # Bumped by every redraft; a signature names the revision it signed.
    revision = fields.IntField(default=1)
    drafted_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="drafted_contracts", on_delete=fields.RESTRICT
    )
    drafted_by_id: int
    customer_signed_at = fields.DatetimeField(null=True)
    enterprise_signed_at = fields.DatetimeField(null=True)
    enterprise_signed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User",
        related_name="contracts_signed_for_enterprise",
        null=True,
        on_delete=fields.RESTRICT,
    )
    enterprise_signed_by_id: int | None
    record: fields.ForeignKeyNullableRelation[ProjectRecord] = fields.ForeignKeyField(
        "fixhub.ProjectRecord", related_name="contracts", null=True, on_delete=fields.RESTRICT
    )
    record_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "contracts"
