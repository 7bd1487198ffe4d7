"""Conversations: one thread per job between its customer and each quoting worker, and one
thread per renovation project for all of its participants."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.jobs import Job
    from models.projects import Project


class Thread(Model):
    """A job thread has `job` and `worker`, a project thread has `project` and neither."""

    id = fields.IntField(primary_key=True)
    job: fields.ForeignKeyNullableRelation[Job] = fields.ForeignKeyField(
        "fixhub.Job", related_name="threads", null=True, on_delete=fields.CASCADE
    )
    job_id: int | None
    project: fields.ForeignKeyNullableRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="threads", null=True, on_delete=fields.CASCADE
    )
    project_id: int | None
    customer: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="customer_threads", on_delete=fields.CASCADE
    )
    customer_id: int
    worker: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="worker_threads", null=True, on_delete=fields.CASCADE
    )
    worker_id: int | None
    last_message_id = fields.BigIntField(default=0)
    last_message_at = fields.DatetimeField(null=True)
    # Read markers of a job thread: the id of the last message each party has read. Project
    # threads keep one ThreadReadMarker row per participant instead.
    customer_read_id = fields.BigIntField(default=0)
    worker_read_id = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "threads"
        unique_together = (("job", "worker"), ("project",))
        indexes = (("customer_id", "id"), ("worker_id", "id"))


class Message(Model):
    id = fields.BigIntField(primary_key=True)
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "fixhub.Thread", related_name="messages", on_delete=fields.CASCADE
    )
    thread_id: int
    sender: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="messages_sent", on_delete=fields.CASCADE
    )
    sender_id: int
    text = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "messages"
        indexes = (("thread_id", "id"),)


class ThreadReadMarker(Model):
    """How far one participant of a project thread has read."""

    id = fields.IntField(primary_key=True)
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "fixhub.Thread", related_name="read_markers", on_delete=fields.CASCADE
    )
    thread_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="thread_read_markers", on_delete=fields.CASCADE
    )
    user_id: int
    read_id = fields.BigIntField(default=0)

    class Meta:
        table = "thread_read_markers"
        unique_together = (("thread", "user"),)
