"""Service records: filed when the customer's review is stored, immutable afterwards.

The filed content is a snapshot (parties, accepted quote, the timeline of every status move,
the reviews so far, points earned). What happens later is appended as entries, never by
editing the snapshot.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from errors import NotFound
from models import (
    CustomerReview,
    Job,
    JobStatusChange,
    PointKind,
    PointTransaction,
    Quote,
    Review,
    ServiceRecord,
    ServiceRecordEntry,
    User,
)
from resolvers.context import Context
from resolvers.ids import parse_id
from resolvers.notifications import NotificationKind, notify
from resolvers.pagination import Page, paginate
from resolvers.policy import Action, authorize_job, require_user

# Entries are appended once per later fact (the review of the customer, closing), so a record
# has a handful; the read is capped anyway, since ServiceRecord.entries is not paginated.
MAX_RECORD_ENTRIES = 10


def _party(user: User) -> dict[str, Any]:
    return {"id": user.id, "displayName": user.display_name}


def review_content(review: Review) -> dict[str, Any]:
    return {
        "rating": review.rating,
        "quality": review.quality,
        "punctuality": review.punctuality,
        "priceFairness": review.price_fairness,
        "cleanliness": review.cleanliness,
        "comment": review.comment,
        "at": review.created_at.isoformat(),
    }


def customer_review_content(review: CustomerReview) -> dict[str, Any]:
    return {"rating": review.rating, "comment": review.comment, "at": review.created_at.isoformat()}


async def file_service_record(ctx: Context, job: Job, review: Review) -> ServiceRecord:
    """Inside the review's write: snapshot the job and tell both parties."""
    assert job.hired_worker_id is not None
    customer = await User.get(id=job.customer_id)
    worker = await User.get(id=job.hired_worker_id)
    quote = await Quote.get_or_none(id=job.accepted_quote_id) if job.accepted_quote_id else None
    timeline = await JobStatusChange.filter(job_id=job.id).order_by("id")
    customer_review = await CustomerReview.get_or_none(job_id=job.id)
    earned = await PointTransaction.filter(job_id=job.id, kind=PointKind.EARN)
    content = {
        "jobId": job.id,
        "category": job.category.value,
        "title": job.title,
        "address": job.address,
        "customer": _party(customer),
        "worker": _party(worker),
        "acceptedQuote": None
        if quote is None
        else {
            "id": quote.id,
            "amountCents": quote.amount_cents,
            "currency": quote.currency,
            "message": quote.message,
        },
        "timeline": [
            {
                "from": change.from_status,
                "to": change.to_status,
                "at": change.created_at.isoformat(),
                "actorId": change.actor_id,
                "note": change.note,
            }
            for change in timeline
        ],
        "reviews": {
            "ofWorker": review_content(review),
            "ofCustomer": customer_review_content(customer_review) if customer_review else None,
        },
        "pointsEarned": {
            "customer": sum(t.delta for t in earned if t.user_id == customer.id),
            "worker": sum(t.delta for t in earned if t.user_id == worker.id),
        },
    }
    record = await ServiceRecord.create(
        job_id=job.id, customer_id=customer.id, worker_id=worker.id, content=content
    )
    for party in (customer.id, worker.id):
        await notify(
            ctx,
            party,
            NotificationKind.SERVICE_RECORD_FILED,
            f"{job.title}: service record filed",
            f"The service record of job {job.id} is filed and available to both parties.",
            jobId=job.id,
            recordId=record.id,
        )
    return record


async def append_entry(job_id: int, kind: str, content: dict[str, Any]) -> None:
    """Inside a write: add a later fact to the job's record, if it is already filed."""
    record = await ServiceRecord.get_or_none(job_id=job_id)
    if record is not None:
        await ServiceRecordEntry.create(record_id=record.id, kind=kind, content=content)


async def list_records(ctx: Context, first: int | None, after: str | None) -> Page[ServiceRecord]:
    user = require_user(ctx.viewer)
    query = ServiceRecord.filter(Q(customer_id=user.id) | Q(worker_id=user.id))
    return await paginate(query, first=first, after=after, max_page_size=ctx.settings.max_page_size)


async def get_record(ctx: Context, job_id: str) -> ServiceRecord:
    job = await ctx.loaders.job_by_id.load(parse_id(job_id, "Job"))
    await authorize_job(ctx.viewer, job, Action.VIEW_SERVICE_RECORD, ctx.loaders, job_id)
    record = await ServiceRecord.get_or_none(job_id=parse_id(job_id, "Job"))
    if record is None:
        raise NotFound("Service record of job", job_id)
    return record


async def entries(record: ServiceRecord) -> list[ServiceRecordEntry]:
    return (
        await ServiceRecordEntry.filter(record_id=record.id)
        .order_by("id")
        .limit(MAX_RECORD_ENTRIES)
    )
