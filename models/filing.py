"""Filed records of a renovation project: numbered, versioned, hashed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.projects import Project

from models.enums import RecordKind


class ProjectRecord(Model):
    """A filed record. Never updated: a change files a new version that supersedes this one.

    `content` is the canonical JSON text (sorted keys, no spaces, UTF-8) exactly as hashed, so
    anyone entitled can recompute `sha256` from what they read.
    """

    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="records", on_delete=fields.RESTRICT
    )
    project_id: int
    kind = fields.CharEnumField(RecordKind, max_length=24)
    filing_number = fields.CharField(max_length=40, unique=True)
    # Which document this is a version of, e.g. "contract", "design", "inspection:12".
    subject = fields.CharField(max_length=64)
    version = fields.IntField(default=1)
    supersedes: fields.ForeignKeyNullableRelation[ProjectRecord] = fields.ForeignKeyField(
        "fixhub.ProjectRecord",
        related_name="superseded_by",
        null=True,
        on_delete=fields.RESTRICT,
    )
    supersedes_id: int | None
    content = fields.TextField()
    sha256 = fields.CharField(max_length=64)
    filed_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="filed_records", on_delete=fields.RESTRICT
    )
    filed_by_id: int
    filed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "project_records"
        # A version is superseded at most once, so the versions form one chain.
        unique_together = (("project", "subject", "version"), ("supersedes",))
        indexes = (("project_id", "id"),)
