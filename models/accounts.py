"""Users, worker profiles and the worker service-area index used by matching."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enums import Role


class User(Model):
    id = fields.IntField(primary_key=True)
    # Stored lower-cased so the unique index makes email unique case-insensitively on every
    # database, without relying on citext or collations.
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    display_name = fields.CharField(max_length=80)
    role = fields.CharEnumField(Role, max_length=24)
    # Workers' reviews of this user as a customer (Customer.ratingAverage).
    customer_rating_sum = fields.IntField(default=0)
    customer_rating_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "users"


class WorkerProfile(Model):
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "fixhub.User", related_name="worker_profile", primary_key=True, on_delete=fields.CASCADE
    )
    user_id: int
    categories: fields.JSONField[list[str]] = fields.JSONField(default=list)
    lat = fields.FloatField()
    lng = fields.FloatField()
    service_radius_km = fields.FloatField()
    # Tortoise types every TextField as str, nullable or not.
    bio: str | None = fields.TextField(null=True)
    available = fields.BooleanField(default=True)
    rating_sum = fields.IntField(default=0)
    rating_count = fields.IntField(default=0)
    completed_jobs = fields.IntField(default=0)
    # "Recent responsiveness": matches received and quotes sent, both halved whenever the match
    # counter reaches RESPONSIVENESS_WINDOW, so old behaviour fades out without a history scan.
    recent_matches = fields.IntField(default=0)
    recent_quotes = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "worker_profiles"


RESPONSIVENESS_WINDOW = 40


class WorkerCell(Model):
    """One row per (worker, category, grid cell its service circle touches).

    Matching looks up the job's (category, cell) through the composite index and only then
    computes exact distances, so posting a job never scans every worker. The index carries
    the circle and worker_id too, so the lookup reads only the index, never this table.
    """

    id = fields.BigIntField(primary_key=True)
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="service_cells", on_delete=fields.CASCADE
    )
    worker_id: int
    category = fields.CharField(max_length=24)
    cell = fields.CharField(max_length=24)
    # The profile's circle, copied with every rewrite of the rows, so that matching drops the
    # workers too far away inside one range of the index below, before reading any profile.
    lat = fields.FloatField()
    lng = fields.FloatField()
    service_radius_km = fields.FloatField()

    class Meta:
        table = "worker_cells"
        unique_together = (("worker", "category", "cell"),)
        indexes = (("category", "cell", "lat", "lng", "service_radius_km", "worker_id"),)
