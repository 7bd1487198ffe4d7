"""Renovation projects: the project and its team seats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.enterprises import Enterprise

from models.enums import (
    ROLE_KIND,
    EnterpriseKind,
    MemberRole,
    ProjectStatus,
)


@dataclass(frozen=True)
class TeamSeat:
    """One seat of a project team: a chosen enterprise and one of its members in `role`."""

    role: MemberRole
    enterprise_column: str
    person_column: str

    @property
    def kind(self) -> EnterpriseKind:
        return ROLE_KIND[self.role]


TEAM_SEATS = (
    TeamSeat(MemberRole.DESIGNER, "design_enterprise_id", "designer_id"),
    TeamSeat(MemberRole.PROJECT_MANAGER, "decoration_enterprise_id", "project_manager_id"),
    TeamSeat(MemberRole.SUPERVISOR, "supervision_enterprise_id", "supervisor_id"),
    TeamSeat(MemberRole.MATERIAL_BUDGETER, "supplier_enterprise_id", "material_budgeter_id"),
)


class Project(Model):
    id = fields.IntField(primary_key=True)
    customer: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="projects", on_delete=fields.RESTRICT
    )
    customer_id: int
    title = fields.CharField(max_length=120)
    address = fields.CharField(max_length=200)
    lat = fields.FloatField()
    lng = fields.FloatField()
    area_sqm = fields.FloatField()
    budget_cents = fields.BigIntField()
    currency = fields.CharField(max_length=3, default="EUR")
    description = fields.TextField(default="")
    status = fields.CharEnumField(ProjectStatus, max_length=24, default=ProjectStatus.PLANNING)
    # The team: four verified enterprises and one person from each (see ROLE_KIND).
    design_enterprise: fields.ForeignKeyNullableRelation[Enterprise] = fields.ForeignKeyField(
        "fixhub.Enterprise", related_name="design_projects", null=True, on_delete=fields.RESTRICT
    )
    design_enterprise_id: int | None
    decoration_enterprise: fields.ForeignKeyNullableRelation[Enterprise] = fields.ForeignKeyField(
        "fixhub.Enterprise",
        related_name="decoration_projects",
        null=True,
        on_delete=fields.RESTRICT,
    )
    decoration_enterprise_id: int | None
    supervision_enterprise: fields.ForeignKeyNullableRelation[Enterprise] = fields.ForeignKeyField(
        "fixhub.Enterprise",
        related_name="supervision_projects",
        null=True,
        on_delete=fields.RESTRICT,
    )
    supervision_enterprise_id: int | None
    supplier_enterprise: fields.ForeignKeyNullableRelation[Enterprise] = fields.ForeignKeyField(
        "fixhub.Enterprise", related_name="supply_projects", null=True, on_delete=fields.RESTRICT
    )
    supplier_enterprise_id: int | None
    designer: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="designed_projects", null=True, on_delete=fields.RESTRICT
    )
    designer_id: int | None
    project_manager: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="managed_projects", null=True, on_delete=fields.RESTRICT
    )
    project_manager_id: int | None
    supervisor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="supervised_projects", null=True, on_delete=fields.RESTRICT
    )
    supervisor_id: int | None
    material_budgeter: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="budgeted_projects", null=True, on_delete=fields.RESTRICT
    )
    material_budgeter_id: int | None
    # Escrow totals in cents. Changed only by conditional updates in the same transaction as
    # the escrow ledger row, so released <= deposited always, and the ledger sums to these.
    deposited_cents = fields.BigIntField(default=0)
    released_cents = fields.BigIntField(default=0)
    # Filing numbers are P<project>-<seq>; the counter is bumped by an UPDATE that holds the
    # row lock until commit, so concurrent filings of one project get distinct numbers.
    records_filed = fields.IntField(default=0)
    # Defects listed by the customer at acceptance, while the project is RECTIFYING.
    open_defects: fields.JSONField[list[Any]] = fields.JSONField(default=list)
    accepted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "projects"
        indexes = (
            ("customer_id", "id"),
            ("project_manager_id", "id"),
            ("supervisor_id", "id"),
            ("designer_id", "id"),
            ("material_budgeter_id", "id"),
        )
