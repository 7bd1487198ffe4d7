"""The transactional outbox: every realtime event, stored in the transaction of the change
that caused it, then published by the relay (resolvers/relay.py) and kept for a while so a
subscriber that was away can replay what it missed."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class OutboxEvent(Model):
    """One event for the realtime bus. The position orders the events in the order their
    transactions committed (assigned under a lock right before the commit) and is the cursor
    clients resume from."""

    id = fields.BigIntField(primary_key=True)
    position = fields.BigIntField(unique=True)
    channel = fields.CharField(max_length=200)
    type = fields.CharField(max_length=40)
    subject_id = fields.BigIntField()
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    published_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "outbox_events"
        indexes = (("channel", "position"),)
