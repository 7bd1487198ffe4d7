"""Site cameras of a renovation project and their snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.projects import Project


class SiteCamera(Model):
    id = fields.IntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "fixhub.Project", related_name="cameras", on_delete=fields.CASCADE
    )
    project_id: int
    name = fields.CharField(max_length=80)
    stream_url = fields.CharField(max_length=500)
    registered_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="registered_cameras", on_delete=fields.RESTRICT
    )
    registered_by_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "site_cameras"
        indexes = (("project_id", "id"),)


class CameraSnapshot(Model):
    id = fields.BigIntField(primary_key=True)
    camera: fields.ForeignKeyRelation[SiteCamera] = fields.ForeignKeyField(
        "fixhub.SiteCamera", related_name="snapshots", on_delete=fields.CASCADE
    )
    camera_id: int
    image_url = fields.CharField(max_length=500)
    caption = fields.CharField(max_length=200, default="")
    posted_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="camera_snapshots", on_delete=fields.RESTRICT
    )
    posted_by_id: int
    taken_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "camera_snapshots"
        indexes = (("camera_id", "id"),)
