"""Quotes a matched worker sends for an open job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.jobs import Job

from models.enums import QuoteStatus

LIVE_STATUSES = (QuoteStatus.PENDING, QuoteStatus.ACCEPTED)


class Quote(Model):
    id = fields.IntField(primary_key=True)
    job: fields.ForeignKeyRelation[Job] = fields.ForeignKeyField(
        "fixhub.Job", related_name="quotes", on_delete=fields.CASCADE
    )
    job_id: int
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="quotes", on_delete=fields.CASCADE
    )
    worker_id: int
    amount_cents = fields.BigIntField()
    currency = fields.CharField(max_length=3, default="EUR")
    message = fields.TextField(null=True)
    earliest_start = fields.DatetimeField(null=True)
    status = fields.CharEnumField(QuoteStatus, max_length=16, default=QuoteStatus.PENDING)
    # 1 while the quote is live, NULL once withdrawn or declined. NULLs never collide in a
    # unique index (SQLite and PostgreSQL alike), so (job, worker, live) allows exactly one
    # live quote per worker per job while keeping the history of withdrawn ones.
    live = fields.SmallIntField(null=True, default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "quotes"
        unique_together = (("job", "worker", "live"),)
