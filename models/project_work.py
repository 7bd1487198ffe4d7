"""The work of a renovation project: design proposals, materials, construction milestones with
progress and inspections, and site cameras."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enums import DeliveryStatus, MilestoneStatus, ProposalStatus


class DesignProposal(Model):
    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.Project", related_name="design_proposals", on_delete=fields.CASCADE
    )
    designer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="design_proposals", on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=120)
    description = fields.TextField()
    document_url = fields.CharField(max_length=500)
    estimate_cents = fields.BigIntField()
    status = fields.CharEnumField(ProposalStatus, max_length=16, default=ProposalStatus.SUBMITTED)
    record: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.ProjectRecord",
        related_name="design_proposals",
        null=True,
        on_delete=fields.RESTRICT,
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "design_proposals"
        indexes = (("project_id", "id"),)


class MaterialPlan(Model):
    """A filed material plan. A new plan supersedes the previous one (see its record)."""

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.Project", related_name="material_plans", on_delete=fields.CASCADE
    )
    budgeter: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="material_plans", on_delete=fields.RESTRICT
    )
    # [{"name", "unit", "quantity", "unitPriceCents", "totalCents"}]
    items = fields.JSONField()
    total_cents = fields.BigIntField()
    record: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.ProjectRecord", related_name="material_plans", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "material_plans"
        indexes = (("project_id", "id"),)


class MaterialDelivery(Model):
    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.Project", related_name="deliveries", on_delete=fields.CASCADE
    )
    plan: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.MaterialPlan", related_name="deliveries", null=True, on_delete=fields.RESTRICT
    )
    recorded_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="recorded_deliveries", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.DISPATCHED)
    carrier = fields.CharField(max_length=80)
    tracking_number = fields.CharField(max_length=80)
    # [{"name", "quantity"}]
    items = fields.JSONField()
    dispatched_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)
    confirmed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="deliveries_confirmed", null=True, on_delete=fields.RESTRICT
    )
    confirmed_at = fields.DatetimeField(null=True)
    # On SHORTFALL: [{"name", "quantity"}] missing, and a note.
    missing_items = fields.JSONField(default=list)
    confirmation_note = fields.TextField(null=True)

    class Meta:
        table = "material_deliveries"
        indexes = (("project_id", "id"),)


class Milestone(Model):
    """One payment stage of the contract, as construction work."""

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.Project", related_name="milestones", on_delete=fields.CASCADE
    )
    position = fields.IntField()  # 1-based, in contract order
    name = fields.CharField(max_length=120)
    percent = fields.IntField()
    # This stage's share of the contract total; the stages add up to the total exactly.
    amount_cents = fields.BigIntField()
    status = fields.CharEnumField(MilestoneStatus, max_length=24, default=MilestoneStatus.PENDING)
    progress_percent = fields.IntField(default=0)
    approved_at = fields.DatetimeField(null=True)
    # Set once, by the conditional update that releases this stage from escrow.
    released_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "milestones"
        unique_together = (("project", "position"),)


class ProgressReport(Model):
    id = fields.IntField(primary_key=True)
    milestone: fields.ForeignKeyRelation[Milestone] = fields.ForeignKeyField(
        "fixhub.Milestone", related_name="progress_reports", on_delete=fields.CASCADE
    )
    reporter: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="progress_reports", on_delete=fields.RESTRICT
    )
    percent = fields.IntField()
    note = fields.TextField()
    photo_urls = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "progress_reports"
        indexes = (("milestone_id", "id"),)


class Inspection(Model):
    id = fields.IntField(primary_key=True)
    milestone: fields.ForeignKeyRelation[Milestone] = fields.ForeignKeyField(
        "fixhub.Milestone", related_name="inspections", on_delete=fields.CASCADE
    )
    supervisor: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="inspections", on_delete=fields.RESTRICT
    )
    passed = fields.BooleanField()
    findings = fields.TextField()
    photo_urls = fields.JSONField(default=list)
    record: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.ProjectRecord", related_name="inspections", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "inspections"
        indexes = (("milestone_id", "id"),)


class SiteCamera(Model):
    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.Project", related_name="cameras", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=80)
    stream_url = fields.CharField(max_length=500)
    registered_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="registered_cameras", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "site_cameras"
        indexes = (("project_id", "id"),)


class CameraSnapshot(Model):
    id = fields.BigIntField(primary_key=True)
    camera: fields.ForeignKeyRelation[SiteCamera] = fields.ForeignKeyField(
        "fixhub.SiteCamera", related_name="snapshots", on_delete=fields.CASCADE
    )
    image_url = fields.CharField(max_length=500)
    caption = fields.CharField(max_length=200, default="")
    posted_by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="camera_snapshots", on_delete=fields.RESTRICT
    )
    taken_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "camera_snapshots"
        indexes = (("camera_id", "id"),)
