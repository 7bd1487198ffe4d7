"""Two-way reviews after the customer accepted the work, and closing the job.

A review only ever comes from a real, accepted job: the customer reviews the hired worker,
the hired worker reviews the customer, once each (unique job columns). The customer's review
also awards both parties their points and files the service record, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from strawberry.dataloader import DataLoader
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from errors import BadUserInput, Conflict, Forbidden, InvalidState, NotFound
from models import (
    CustomerReview,
    Job,
    JobStatus,
    JobStatusChange,
    Quote,
    Review,
    User,
    WorkerProfile,
)
from resolvers import points, records, validation
from resolvers.context import Context
from resolvers.ids import parse_id
from resolvers.jobs import tell_parties
from resolvers.notifications import NotificationKind, notify
from resolvers.pagination import Page, paginate
from resolvers.policy import Action, Relation, allows, authorize_job, job_relation, require_user

REVIEWABLE = JobStatus.ACCEPTED


@dataclass
class Ratings:
    rating: int
    quality: int
    punctuality: int
    price_fairness: int
    cleanliness: int
    comment: str | None


def _stars(value: int, field: str) -> int:
    if not 1 <= value <= 5:
        raise BadUserInput(f"{field} must be a whole number from 1 to 5.", field)
    return value


def _reviewable(job: Job) -> None:
    if job.status != REVIEWABLE:
        raise InvalidState(
            f"Job {job.id} is {job.status.value}; reviews are taken once the customer accepted "
            "the work and until the job closes.",
            status=job.status.value,
        )


async def review_job(ctx: Context, job_id: str, ratings: Ratings) -> Review:
    job = await ctx.loaders.job_by_id.load(parse_id(job_id, "Job"))
    user, job, _ = await authorize_job(ctx.viewer, job, Action.REVIEW_WORKER, ctx.loaders, job_id)
    stars: dict[str, Any] = {
        "rating": _stars(ratings.rating, "rating"),
        "quality": _stars(ratings.quality, "quality"),
        "punctuality": _stars(ratings.punctuality, "punctuality"),
        "price_fairness": _stars(ratings.price_fairness, "priceFairness"),
        "cleanliness": _stars(ratings.cleanliness, "cleanliness"),
    }
    comment = validation.optional_text(ratings.comment, "comment", max_length=2000)
    _reviewable(job)
    if await Review.filter(job_id=job.id).exists():
        raise Conflict(f"Job {job.id} already has your review.")
    assert job.hired_worker_id is not None
    quote = await Quote.get(id=job.accepted_quote_id)
    try:
        async with ctx.write():
            review = await Review.create(
                job_id=job.id,
                customer_id=user.id,
                worker_id=job.hired_worker_id,
                comment=comment,
                **stars,
            )
            # Exact under concurrency: one atomic UPDATE per review, never read-modify-write.
            await WorkerProfile.filter(user_id=job.hired_worker_id).update(
                rating_sum=F("rating_sum") + stars["rating"],
                rating_count=F("rating_count") + 1,
            )
            await points.award_for_review(ctx, job, quote.amount_cents)
            await notify(
                ctx,
                job.hired_worker_id,
                NotificationKind.REVIEW_RECEIVED,
                f"{job.title}: you were reviewed",
                f"{user.display_name} rated your work {stars['rating']}/5.",
                jobId=job.id,
                reviewId=review.id,
            )
            await records.file_service_record(ctx, job, review)
    except IntegrityError:  # a concurrent duplicate won the unique job index
        raise Conflict(f"Job {job.id} already has your review.") from None
    await close_if_both_reviewed(ctx, job.id)
    return review


async def review_customer(
    ctx: Context, job_id: str, rating: int, comment: str | None
) -> CustomerReview:
    job = await ctx.loaders.job_by_id.load(parse_id(job_id, "Job"))
    user, job, _ = await authorize_job(ctx.viewer, job, Action.REVIEW_CUSTOMER, ctx.loaders, job_id)
    rating = _stars(rating, "rating")
    comment = validation.optional_text(comment, "comment", max_length=2000)
    _reviewable(job)
    if await CustomerReview.filter(job_id=job.id).exists():
        raise Conflict(f"Job {job.id} already has your review of the customer.")
    try:
        async with ctx.write():
            review = await CustomerReview.create(
                job_id=job.id,
                worker_id=user.id,
                customer_id=job.customer_id,
                rating=rating,
                comment=comment,
            )
            await User.filter(id=job.customer_id).update(
                customer_rating_sum=F("customer_rating_sum") + rating,
                customer_rating_count=F("customer_rating_count") + 1,
            )
            await notify(
                ctx,
                job.customer_id,
                NotificationKind.REVIEW_RECEIVED,
                f"{job.title}: you were reviewed",
                f"{user.display_name} rated you {rating}/5 as a customer.",
                jobId=job.id,
                customerReviewId=review.id,
            )
            await records.append_entry(
                job.id, "CUSTOMER_REVIEWED", records.customer_review_content(review)
            )
    except IntegrityError:
        raise Conflict(f"Job {job.id} already has your review of the customer.") from None
    await close_if_both_reviewed(ctx, job.id)
    return review


class ReviewLoaders:
    """Which of the asked jobs already have the customer's / the worker's review (one query
    each per operation, however many jobs a page lists)."""

    def __init__(self) -> None:
        self.worker_reviewed = DataLoader(load_fn=self._exists_for(Review))
        self.customer_reviewed = DataLoader(load_fn=self._exists_for(CustomerReview))

    @staticmethod
    def _exists_for(model: type[Review] | type[CustomerReview]) -> Any:
        async def batch(job_ids: list[int]) -> list[bool]:
            found = set(await model.filter(job_id__in=job_ids).values_list("job_id", flat=True))
            return [job_id in found for job_id in job_ids]

        return batch


async def viewer_has_reviewed(ctx: Context, job: Job) -> bool | None:
    """The customer: did they review the hired worker; the hired worker: did they review the
    customer. None for everyone else (policy.Action.KNOW_OWN_REVIEW)."""
    if ctx.viewer is None:
        return None
    relation = await job_relation(ctx.viewer, job, ctx.loaders)
    if not allows(Action.KNOW_OWN_REVIEW, relation):
        return None
    loaders = ctx.loaders.domain(ReviewLoaders)
    given = loaders.worker_reviewed if relation == Relation.CUSTOMER else loaders.customer_reviewed
    return await given.load(job.id)


async def reply_to_review(ctx: Context, review_id: str, text: str) -> Review:
    user = require_user(ctx.viewer)
    review = await Review.get_or_none(id=parse_id(review_id, "Review"))
    if review is None:
        raise NotFound("Review", review_id)
    if review.worker_id != user.id:
        raise Forbidden("Only the reviewed worker can reply to a review.")
    text = validation.text(text, "text", max_length=2000)
    async with ctx.write():
        replied = await Review.filter(id=review.id, reply__isnull=True).update(
            reply=text, replied_at=datetime.now(UTC)
        )
        if not replied:
            raise Conflict("This review already has your reply; a reply is posted once.")
    return await Review.get(id=review.id)


async def close_if_both_reviewed(ctx: Context, job_id: int) -> None:
    """Runs after the review committed, so of two concurrent reviews the later one sees both."""
    if (
        await Review.filter(job_id=job_id).exists()
        and await CustomerReview.filter(job_id=job_id).exists()
    ):
        await _close(ctx, job_id, note="both reviews are in")


async def close_overdue_jobs(ctx: Context) -> int:
    """Closes jobs accepted longer ago than the review window (run periodically)."""
    cutoff = datetime.now(UTC) - timedelta(days=ctx.settings.review_window_days)
    overdue = cast(
        list[int],
        await Job.filter(status=JobStatus.ACCEPTED, accepted_at__lt=cutoff).values_list(
            "id", flat=True
        ),
    )
    closed = 0
    for job_id in overdue:
        closed += await _close(ctx, job_id, note="review window ended")
    return closed


async def _close(ctx: Context, job_id: int, note: str) -> int:
    async with ctx.write():
        moved = await Job.filter(id=job_id, status=JobStatus.ACCEPTED).update(
            status=JobStatus.CLOSED, closed_at=datetime.now(UTC)
        )
        if not moved:  # already closed by a concurrent review or sweep
            return 0
        await JobStatusChange.create(
            job_id=job_id,
            from_status=JobStatus.ACCEPTED.value,
            to_status=JobStatus.CLOSED.value,
            actor_id=None,
            note=note,
        )
        job = await Job.get(id=job_id)
        await tell_parties(ctx, job, actor_id=None, declined_worker_ids=[])
        await records.append_entry(job_id, "CLOSED", {"note": note})
    return 1


async def worker_reviews(
    ctx: Context, worker_id: int, first: int | None, after: str | None
) -> Page[Review]:
    return await paginate(
        Review.filter(worker_id=worker_id),
        first=first,
        after=after,
        max_page_size=ctx.settings.max_page_size,
    )
