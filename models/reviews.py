"""Two-way reviews: the customer reviews the worker, the worker reviews the customer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.accounts import User
    from models.jobs import Job


class Review(Model):
    # The customer reviews the hired worker; one per job (the unique job column). (A comment,
    # not a docstring: Tortoise turns docstrings into SQL table comments and does not escape
    # apostrophes in them.)

    id = fields.IntField(primary_key=True)
    job: fields.OneToOneRelation[Job] = fields.OneToOneField(
        "fixhub.Job", related_name="review", on_delete=fields.CASCADE
    )
    job_id: int
    customer: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="reviews_written", on_delete=fields.CASCADE
    )
    customer_id: int
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="reviews_received", on_delete=fields.CASCADE
    )
    worker_id: int
    rating = fields.SmallIntField()
    quality = fields.SmallIntField()
    punctuality = fields.SmallIntField()
    price_fairness = fields.SmallIntField()
    cleanliness = fields.SmallIntField()
    comment = fields.TextField(null=True)
    reply = fields.TextField(null=True)
    replied_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reviews"
        indexes = (("worker_id", "id"),)


class CustomerReview(Model):
    # The hired worker reviews the customer; one per job.

    id = fields.IntField(primary_key=True)
    job: fields.OneToOneRelation[Job] = fields.OneToOneField(
        "fixhub.Job", related_name="customer_review", on_delete=fields.CASCADE
    )
    job_id: int
    worker: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="customer_reviews_written", on_delete=fields.CASCADE
    )
    worker_id: int
    customer: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "fixhub.User", related_name="customer_reviews_received", on_delete=fields.CASCADE
    )
    customer_id: int
    rating = fields.SmallIntField()
    comment = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "customer_reviews"
