"""The points ledger, rewards and redemptions.

The ledger is append-only. Invariants money-like balances depend on are enforced by the
database: one EARN per (user, job) by a unique index, one redemption per (user, idempotency
key) by a unique index, and balance/stock never below zero by conditional updates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.jobs import Job

from models.enums import PointKind


class PointAccount(Model):
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "fixhub.User", related_name="point_account", primary_key=True, on_delete=fields.CASCADE
    )
    user_id: int
    balance = fields.BigIntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "point_accounts"


class Reward(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    description = fields.TextField()
    cost_points = fields.IntField()
    stock = fields.IntField()
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "rewards"


class Redemption(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="redemptions", on_delete=fields.CASCADE
    )
    user_id: int
    reward: fields.ForeignKeyRelation[Reward] = fields.ForeignKeyField(
        "fixhub.Reward", related_name="redemptions", on_delete=fields.RESTRICT
    )
    reward_id: int
    cost_points = fields.IntField()
    idempotency_key = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "redemptions"
        unique_together = (("user", "idempotency_key"),)


class PointTransaction(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="point_transactions", on_delete=fields.CASCADE
    )
    user_id: int
    delta = fields.BigIntField()
    balance_after = fields.BigIntField()
    kind = fields.CharEnumField(PointKind, max_length=16)
    reason = fields.CharField(max_length=300)
    job: fields.ForeignKeyNullableRelation[Job] = fields.ForeignKeyField(
        "fixhub.Job", related_name="point_transactions", null=True, on_delete=fields.RESTRICT
    )
    job_id: int | None
    redemption: fields.ForeignKeyNullableRelation[Redemption] = fields.ForeignKeyField(
        "fixhub.Redemption", related_name="transactions", null=True, on_delete=fields.RESTRICT
    )
    redemption_id: int | None
    # Who made an ADJUST (an ADMIN): the audit trail.
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="point_adjustments_made", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "point_transactions"
        # Each party earns for a job exactly once, whatever retries or races happen.
        unique_together = (("user", "job", "kind"),)
        indexes = (("user_id", "id"),)
