"""Posting jobs, matching them, and every later status move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from tortoise import connections
from tortoise.expressions import F

from errors import BadUserInput, InvalidState
from matching.engine import find_matches
from models import (
    RESPONSIVENESS_WINDOW,
    Job,
    JobMatch,
    JobStatus,
    JobStatusChange,
    Quote,
    QuoteStatus,
    Role,
    ServiceCategory,
    WorkerProfile,
    sources_of,
)
from realtime import channels, events
from realtime.events import Event
from resolvers import validation
from resolvers.context import Context
from resolvers.ids import parse_id
from resolvers.notifications import NotificationKind, notify
from resolvers.pagination import Page, paginate
from resolvers.policy import Action, authorize_job, require_role, require_user


@dataclass
class NewJob:
    category: ServiceCategory
    title: str
    description: str
    lat: float
    lng: float
    address: str
    budget_min_cents: int | None = None
    budget_max_cents: int | None = None
    preferred_start: datetime | None = None
    preferred_end: datetime | None = None


async def post_job(ctx: Context, new: NewJob) -> Job:
    user = require_role(ctx.viewer, Role.CUSTOMER)
    title = validation.text(new.title, "title", max_length=120)
    description = validation.text(new.description, "description", max_length=4000)
    address = validation.text(new.address, "address", max_length=300)
    lat, lng = validation.coordinates(new.lat, new.lng)
    low = validation.amount_cents(new.budget_min_cents, "budgetMinCents")
    high = validation.amount_cents(new.budget_max_cents, "budgetMaxCents")
    if low is not None and high is not None and low > high:
        raise BadUserInput("budgetMinCents must not exceed budgetMaxCents.", "budgetMinCents")
    start = validation.aware(new.preferred_start, "preferredStart")
    end = validation.aware(new.preferred_end, "preferredEnd")
    if start is not None and end is not None and start > end:
        raise BadUserInput("preferredStart must be before preferredEnd.", "preferredStart")

    matches = await find_matches(
        category=new.category.value,
        lat=lat,
        lng=lng,
        exclude_user_id=user.id,
        limit=ctx.settings.match_limit,
    )
    worker_ids = [match.worker_id for match in matches]
    async with ctx.write():
        job = await Job.create(
            customer_id=user.id,
            category=new.category,
            title=title,
            description=description,
            address=address,
            lat=lat,
            lng=lng,
            budget_min_cents=low,
            budget_max_cents=high,
            preferred_start=start,
            preferred_end=end,
            match_count=len(matches),
            currency=ctx.settings.currency,
        )
        await JobStatusChange.create(
            job=job, from_status=None, to_status=JobStatus.OPEN.value, actor_id=user.id
        )
        await JobMatch.bulk_create(
            [
                JobMatch(
                    job_id=job.id,
                    worker_id=match.worker_id,
                    score=match.score,
                    distance_km=round(match.distance_km, 3),
                    reasons=match.reasons,
                )
                for match in matches
            ]
        )
        if worker_ids:
            await _count_matches(worker_ids)
        if worker_ids:
            ctx.publish_after_commit(channels.job_matches(), events.job_matched(job.id, worker_ids))
    return job


async def _count_matches(worker_ids: list[int]) -> None:
    """One more match on each worker's responsiveness counters, halving both at the window.

    Concurrent jobs match overlapping workers: on PostgreSQL an UPDATE locks its rows in the
    order it finds them (a bitmap scan visits them by their place in the table, which every
    update moves), so two of them could each hold a row the other waits for. Locking the rows
    in one order first (by user id) makes them queue instead of deadlocking: on PostgreSQL in
    the same statement, through a FOR UPDATE sub-select sorted by user id that the UPDATE
    joins; SQLite has one writer at a time anyway, so there it is the plain UPDATE."""
    client = connections.get("default")
    full = RESPONSIVENESS_WINDOW - 1
    # Every SET reads the row as it was, so both CASEs test the old recent_matches.
    counters = (
        "recent_matches = CASE WHEN recent_matches >= {full} THEN (recent_matches + 1) / 2"
        " ELSE recent_matches + 1 END,"
        " recent_quotes = CASE WHEN recent_matches >= {full} THEN recent_quotes / 2"
        " ELSE recent_quotes END"
    )
    if client.capabilities.dialect == "postgres":
        await client.execute_query(
            "UPDATE worker_profiles SET " + counters.format(full="$1::int") + " FROM"
            " (SELECT user_id FROM worker_profiles WHERE user_id = ANY($2::int[])"
            " ORDER BY user_id FOR UPDATE) AS locked"
            " WHERE worker_profiles.user_id = locked.user_id",
            [full, worker_ids],
        )
        return
    marks = ",".join("?" * len(worker_ids))
    await client.execute_query(
        "UPDATE worker_profiles SET " + counters.format(full="?") + f" WHERE user_id IN ({marks})",
        [full, full, *worker_ids],
    )


async def get_job(ctx: Context, job_id: str) -> Job:
    ident = parse_id(job_id, "Job")
    job = await ctx.loaders.job_by_id.load(ident)
    _, job, _ = await authorize_job(ctx.viewer, job, Action.VIEW_JOB, ctx.loaders, job_id)
    return job


async def my_jobs(
    ctx: Context, first: int | None, after: str | None, status: JobStatus | None
) -> Page[Job]:
    user = require_user(ctx.viewer)
    query = (
        Job.filter(hired_worker_id=user.id)
        if user.role == Role.WORKER
        else Job.filter(customer_id=user.id)
    )
    if status is not None:
        query = query.filter(status=status)
    return await paginate(query, first=first, after=after, max_page_size=ctx.settings.max_page_size)


_VERBS = {
    JobStatus.SCHEDULED: "schedule",
    JobStatus.IN_PROGRESS: "start",
    JobStatus.COMPLETED: "complete",
    JobStatus.ACCEPTED: "accept",
    JobStatus.CANCELLED: "cancel",
}
_ACTIONS = {
    JobStatus.SCHEDULED: Action.WORK_ON_JOB,
    JobStatus.IN_PROGRESS: Action.WORK_ON_JOB,
    JobStatus.COMPLETED: Action.WORK_ON_JOB,
    JobStatus.ACCEPTED: Action.ACCEPT_JOB,
    JobStatus.CANCELLED: Action.CANCEL_JOB,
}


def refuse_move(job: Job, target: JobStatus) -> InvalidState:
    return InvalidState(
        f"Job {job.id} is {job.status.value}; it cannot {_VERBS.get(target, 'move')} from there.",
        status=job.status.value,
    )


async def move_job(
    ctx: Context, job_id: str, target: JobStatus, *, note: str | None = None, **changes: object
) -> Job:
    """One legal status move, made with a conditional update so concurrent moves can't both
    succeed, recorded in the job's timeline and published after commit."""
    ident = parse_id(job_id, "Job")
    job = await ctx.loaders.job_by_id.load(ident)
    user, job, _ = await authorize_job(ctx.viewer, job, _ACTIONS[target], ctx.loaders, job_id)
    sources = sources_of(target)
    if job.status not in sources:
        raise refuse_move(job, target)
    async with ctx.write():
        moved = await Job.filter(id=job.id, status__in=sources).update(status=target, **changes)
        if not moved:
            current = await Job.get(id=job.id)
            raise refuse_move(current, target)
        await JobStatusChange.create(
            job_id=job.id,
            from_status=job.status.value,
            to_status=target.value,
            actor_id=user.id,
            note=note,
        )
        declined: list[int] = []
        if target == JobStatus.CANCELLED:
            pending = Quote.filter(job_id=job.id, status=QuoteStatus.PENDING)
            declined = cast(list[int], await pending.values_list("worker_id", flat=True))
            await pending.update(status=QuoteStatus.DECLINED, live=None)
        if target == JobStatus.ACCEPTED and job.hired_worker_id is not None:
            await WorkerProfile.filter(user_id=job.hired_worker_id).update(
                completed_jobs=F("completed_jobs") + 1
            )
        job = await Job.get(id=job.id)
        await tell_parties(ctx, job, actor_id=user.id, declined_worker_ids=declined)
    return job


async def tell_parties(
    ctx: Context,
    job: Job,
    *,
    actor_id: int | None,
    declined_worker_ids: list[int],
    already_told: frozenset[int] = frozenset(),
) -> None:
    """Inside the write: notify everyone the move concerns (not its author, nor whom the
    caller told more specifically), and publish the move."""
    status = job.status.value
    for party in {job.customer_id, job.hired_worker_id} - {actor_id, None, *already_told}:
        assert party is not None
        await notify(
            ctx,
            party,
            NotificationKind.JOB_STATUS_CHANGED,
            f"{job.title}: {status.replace('_', ' ').lower()}",
            f"Job {job.id} is now {status}.",
            jobId=job.id,
            status=status,
        )
    for worker_id in declined_worker_ids:
        await notify(
            ctx,
            worker_id,
            NotificationKind.QUOTE_DECLINED,
            f"{job.title}: your quote was declined",
            f"Job {job.id} is {status}; your quote was not chosen.",
            jobId=job.id,
        )
    ctx.publish_after_commit(channels.job_updates(job.id), events.job_updated(job.id, status))


async def accept_job(ctx: Context, job_id: str) -> Job:
    return await move_job(ctx, job_id, JobStatus.ACCEPTED, accepted_at=datetime.now(UTC))


async def schedule_job(ctx: Context, job_id: str, scheduled_at: datetime) -> Job:
    moment = validation.future(scheduled_at, "scheduledAt")
    return await move_job(ctx, job_id, JobStatus.SCHEDULED, scheduled_at=moment)


async def cancel_job(ctx: Context, job_id: str, reason: str) -> Job:
    reason = validation.text(reason, "reason", max_length=500)
    return await move_job(ctx, job_id, JobStatus.CANCELLED, note=reason, cancel_reason=reason)


async def job_updated_channel(ctx: Context, job_id: str) -> str:
    job = await ctx.loaders.job_by_id.load(parse_id(job_id, "Job"))
    _, job, _ = await authorize_job(
        ctx.viewer, job, Action.SUBSCRIBE_JOB_UPDATES, ctx.loaders, job_id
    )
    return channels.job_updates(job.id)


async def job_of_event(ctx: Context, event: Event) -> Job | None:
    return await ctx.loaders.job_by_id.load(event.id)
