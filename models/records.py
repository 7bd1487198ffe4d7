"""Service records: the filed, immutable account of a finished job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.jobs import Job


class ServiceRecord(Model):
    id = fields.IntField(primary_key=True)
    job: fields.OneToOneRelation[Job] = fields.OneToOneField(
        "fixhub.Job", related_name="service_record", on_delete=fields.RESTRICT
    )
    job_id: int
    customer: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="customer_service_records", on_delete=fields.RESTRICT
    )
    customer_id: int
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="worker_service_records", on_delete=fields.RESTRICT
    )
    worker_id: int
    # The snapshot taken when filed; never updated. Later facts go into entries.
    content: fields.JSONField[dict[str, Any]] = fields.JSONField()
    filed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "service_records"
        indexes = (("customer_id", "id"), ("worker_id", "id"))


class ServiceRecordEntry(Model):
    """An appendix to a filed record, e.g. the review of the customer arriving later."""

    id = fields.IntField(primary_key=True)
    record: fields.ForeignKeyRelation[ServiceRecord] = fields.ForeignKeyField(
        "fixhub.ServiceRecord", related_name="entries", on_delete=fields.RESTRICT
    )
    record_id: int
    kind = fields.CharField(max_length=40)
    content: fields.JSONField[dict[str, Any]] = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "service_record_entries"
