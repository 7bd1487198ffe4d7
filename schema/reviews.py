"""Reviews both ways: the customer's of the worker, the worker's of the customer, and replies."""

from __future__ import annotations

from datetime import datetime

import strawberry

import models
from resolvers import reviews
from schema.common import Connection, Customer, Info, connection


@strawberry.input
class ReviewJobInput:
    job_id: strawberry.ID
    rating: int
    quality: int
    punctuality: int
    price_fairness: int
    cleanliness: int
    comment: str | None = None


@strawberry.input
class ReviewCustomerInput:
    job_id: strawberry.ID
    rating: int
    comment: str | None = None


@strawberry.type(description="A customer's review of the worker it hired. Public.")
class Review:
    _review: strawberry.Private[models.Review]

    @classmethod
    def from_model(cls, review: models.Review) -> Review:
        return cls(_review=review)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._review.id))

    @strawberry.field
    def job_id(self) -> strawberry.ID:
        return strawberry.ID(str(self._review.job_id))

    @strawberry.field
    def rating(self) -> int:
        return self._review.rating

    @strawberry.field
    def quality(self) -> int:
        return self._review.quality

    @strawberry.field
    def punctuality(self) -> int:
        return self._review.punctuality

    @strawberry.field
    def price_fairness(self) -> int:
        return self._review.price_fairness

    @strawberry.field
    def cleanliness(self) -> int:
        return self._review.cleanliness

    @strawberry.field
    def comment(self) -> str | None:
        return self._review.comment

    @strawberry.field(description="The worker's public reply, posted once.")
    def reply(self) -> str | None:
        return self._review.reply

    @strawberry.field
    def replied_at(self) -> datetime | None:
        return self._review.replied_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self._review.created_at

    @strawberry.field
    async def customer(self, info: Info) -> Customer:
        user = await info.context.loaders.user_by_id.load(self._review.customer_id)
        assert user is not None
        return Customer.from_model(user)


@strawberry.type(description="A worker's review of the customer it worked for.")
class CustomerReview:
    id: strawberry.ID
    job_id: strawberry.ID
    rating: int
    comment: str | None
    created_at: datetime

    @classmethod
    def from_model(cls, review: models.CustomerReview) -> CustomerReview:
        return cls(
            id=strawberry.ID(str(review.id)),
            job_id=strawberry.ID(str(review.job_id)),
            rating=review.rating,
            comment=review.comment,
            created_at=review.created_at,
        )


async def review_connection(
    info: Info, worker_id: int, first: int | None, after: str | None
) -> Connection[Review]:
    page = await reviews.worker_reviews(info.context, worker_id, first, after)
    return connection(page, Review.from_model)


@strawberry.type
class ReviewsMutation:
    @strawberry.mutation(description="The customer reviews the hired worker of an ACCEPTED job.")
    async def review_job(self, info: Info, input: ReviewJobInput) -> Review:
        review = await reviews.review_job(
            info.context,
            input.job_id,
            reviews.Ratings(
                rating=input.rating,
                quality=input.quality,
                punctuality=input.punctuality,
                price_fairness=input.price_fairness,
                cleanliness=input.cleanliness,
                comment=input.comment,
            ),
        )
        return Review.from_model(review)

    @strawberry.mutation(description="The reviewed worker's one public reply.")
    async def reply_to_review(self, info: Info, review_id: strawberry.ID, text: str) -> Review:
        return Review.from_model(await reviews.reply_to_review(info.context, review_id, text))

    @strawberry.mutation(description="The hired worker reviews the customer of an ACCEPTED job.")
    async def review_customer(self, info: Info, input: ReviewCustomerInput) -> CustomerReview:
        review = await reviews.review_customer(
            info.context, input.job_id, input.rating, input.comment
        )
        return CustomerReview.from_model(review)
