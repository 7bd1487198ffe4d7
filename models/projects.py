"""Renovation projects: the project and its team, the contract, filed records and the stored
live feed."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import fields
from tortoise.models import Model

from models.enums import (
    ROLE_KIND,
    ContractStatus,
    EnterpriseKind,
    MemberRole,
    ProjectStatus,
    RecordKind,
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
    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="projects", on_delete=fields.RESTRICT
    )
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
    design_enterprise: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.Enterprise", related_name="design_projects", null=True, on_delete=fields.RESTRICT
    )
    decoration_enterprise: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.Enterprise",
        related_name="decoration_projects",
        null=True,
        on_delete=fields.RESTRICT,
    )
    supervision_enterprise: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.Enterprise",
        related_name="supervision_projects",
        null=True,
        on_delete=fields.RESTRICT,
    )
    supplier_enterprise: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.Enterprise", related_name="supply_projects", null=True, on_delete=fields.RESTRICT
    )
    designer: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="designed_projects", null=True, on_delete=fields.RESTRICT
    )
    project_manager: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="managed_projects", null=True, on_delete=fields.RESTRICT
    )
    supervisor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="supervised_projects", null=True, on_delete=fields.RESTRICT
    )
    material_budgeter: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="budgeted_projects", null=True, on_delete=fields.RESTRICT
    )
    # Escrow totals in cents. Changed only by conditional updates in the same transaction as
    # the escrow ledger row, so released <= deposited always, and the ledger sums to these.
    deposited_cents = fields.BigIntField(default=0)
    released_cents = fields.BigIntField(default=0)
    # Filing numbers are P<project>-<seq>; the counter is bumped by an UPDATE that holds the
    # row lock until commit, so concurrent filings of one project get distinct numbers.
    records_filed = fields.IntField(default=0)
    # Defects listed by the customer at acceptance, while the project is RECTIFYING.
    open_defects = fields.JSONField(default=list)
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


class ProjectRecord(Model):
    """A filed record. Never updated: a change files a new version that supersedes this one.

    `content` is the canonical JSON text (sorted keys, no spaces, UTF-8) exactly as hashed, so
    anyone entitled can recompute `sha256` from what they read.
    """

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="records", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(RecordKind, max_length=24)
    filing_number = fields.CharField(max_length=40, unique=True)
    # Which document this is a version of, e.g. "contract", "design", "inspection:12".
    subject = fields.CharField(max_length=64)
    version = fields.IntField(default=1)
    supersedes: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.ProjectRecord",
        related_name="superseded_by",
        null=True,
        on_delete=fields.RESTRICT,
    )
    content = fields.TextField()
    sha256 = fields.CharField(max_length=64)
    filed_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="filed_records", on_delete=fields.RESTRICT
    )
    filed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "project_records"
        # A version is superseded at most once, so the versions form one chain.
        unique_together = (("project", "subject", "version"), ("supersedes",))
        indexes = (("project_id", "id"),)


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
    total_cents = fields.BigIntField()
    # [{"name": str, "percent": int}], percentages adding up to 100.
    stages = fields.JSONField()
    terms = fields.TextField()
    status = fields.CharEnumField(ContractStatus, max_length=16, default=ContractStatus.DRAFT)
    # Bumped by every redraft; a signature names the revision it signed.
    revision = fields.IntField(default=1)
    drafted_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="drafted_contracts", on_delete=fields.RESTRICT
    )
    customer_signed_at = fields.DatetimeField(null=True)
    enterprise_signed_at = fields.DatetimeField(null=True)
    enterprise_signed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.User",
        related_name="contracts_signed_for_enterprise",
        null=True,
        on_delete=fields.RESTRICT,
    )
    record: fields.ForeignKeyNullableRelation[ProjectRecord] = fields.ForeignKeyField(
        "fixhub.ProjectRecord", related_name="contracts", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "contracts"


class ProjectEvent(Model):
    """One entry of the live feed of a project, stored in the transaction of what it reports so the
    feed can be replayed from any id."""

    id = fields.BigIntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="events", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=40)
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="project_events", null=True, on_delete=fields.SET_NULL
    )
    summary = fields.CharField(max_length=300)
    data = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "project_events"
        indexes = (("project_id", "id"),)
