"""Job conversations: one thread per job between its customer and each quoting worker."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Thread(Model):
    id = fields.IntField(primary_key=True)
    job: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.Job", related_name="threads", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="customer_threads", on_delete=fields.CASCADE
    )
    worker: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="worker_threads", on_delete=fields.CASCADE
    )
    last_message_id = fields.BigIntField(default=0)
    last_message_at = fields.DatetimeField(null=True)
    # Read markers: the id of the last message each party has read.
    customer_read_id = fields.BigIntField(default=0)
    worker_read_id = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "threads"
        unique_together = (("job", "worker"),)
        indexes = (("customer_id", "id"), ("worker_id", "id"))


class Message(Model):
    id = fields.BigIntField(primary_key=True)
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "fixhub.Thread", related_name="messages", on_delete=fields.CASCADE
    )
    sender: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "fixhub.User", related_name="messages_sent", on_delete=fields.CASCADE
    )
    text = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "messages"
        indexes = (("thread_id", "id"),)
