"""The material plan of a renovation project and its deliveries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.filing import ProjectRecord
    from models.projects import Project

from models.enums import DeliveryStatus


class MaterialPlan(Model):
    """A filed material plan. A new plan supersedes the previous one (see its record)."""

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="material_plans", on_delete=fields.CASCADE
    )
    project_id: int
    budgeter: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="material_plans", on_delete=fields.RESTRICT
    )
    budgeter_id: int
    # [{"name", "unit", "quantity", "unitPriceCents", "totalCents"}]
    items: fields.JSONField[list[dict[str, Any]]] = fields.JSONField()
    total_cents = fields.BigIntField()
    record: fields.ForeignKeyRelation[ProjectRecord] = fields.ForeignKeyField(
        "fixhub.ProjectRecord", related_name="material_plans", on_delete=fields.RESTRICT
    )
    record_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "material_plans"
        indexes = (("project_id", "id"),)


class MaterialDelivery(Model):
    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="deliveries", on_delete=fields.CASCADE
    )
    project_id: int
    plan: fields.ForeignKeyNullableRelation[MaterialPlan] = fields.ForeignKeyField(
        "fixhub.MaterialPlan", related_name="deliveries", null=True, on_delete=fields.RESTRICT
    )
    plan_id: int | None
    recorded_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="recorded_deliveries", on_delete=fields.RESTRICT
    )
    recorded_by_id: int
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.DISPATCHED)
    carrier = fields.CharField(max_length=80)
    tracking_number = fields.CharField(max_length=80)
    # [{"name", "quantity"}]
    items: fields.JSONField[list[dict[str, Any]]] = fields.JSONField()
    dispatched_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)
    confirmed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="deliveries_confirmed", null=True, on_delete=fields.RESTRICT
    )
    confirmed_by_id: int | None
    confirmed_at = fields.DatetimeField(null=True)
    # On SHORTFALL: [{"name", "quantity"}] missing, and a note.
    missing_items: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    confirmation_note = fields.TextField(null=True)

    class Meta:
        table = "material_deliveries"
        indexes = (("project_id", "id"),)
