"""Quoting for a job, withdrawing, and hiring (accepting one quote)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from errors import Conflict, Forbidden, InvalidState, NotFound
from models import (
    Job,
    JobStatus,
    JobStatusChange,
    Quote,
    QuoteStatus,
    Role,
    Thread,
    WorkerProfile,
)
from realtime import channels, events
from realtime.events import Event
from resolvers import validation
from resolvers.context import Context
from resolvers.ids import parse_id
from resolvers.jobs import tell_parties
from resolvers.notifications import NotificationKind, notify
from resolvers.policy import Action, authorize_job, can_view_quote, require_role, require_user
from settings import Settings

# A worker may withdraw a quote and send a new one, this many times in all per job: withdrawn
# quotes stay on record, and this keeps one worker from growing a job's list without end.
MAX_QUOTES_PER_WORKER_PER_JOB = 3


def quotes_listed(settings: Settings) -> int:
    """How many quotes Job.quotes shows at most: every live one (MAX_QUOTES_PER_JOB) and as
    many of the newest withdrawn and declined ones."""
    return 2 * settings.max_quotes_per_job


def listed_quotes(quotes: list[Quote], settings: Settings) -> list[Quote]:
    """What Job.quotes shows of a job's quotes (oldest first): at most quotes_listed()."""
    cap = quotes_listed(settings)
    if len(quotes) <= cap:
        return quotes
    live = [quote for quote in quotes if quote.live]
    others = [quote for quote in quotes if not quote.live]
    room = cap - len(live)
    shown = live + (others[-room:] if room > 0 else [])
    return sorted(shown, key=lambda quote: quote.id)


def _job_not_open(job: Job) -> InvalidState:
    return InvalidState(
        f"Job {job.id} is {job.status.value}; quotes are only taken while it is OPEN.",
        status=job.status.value,
    )


async def submit_quote(
    ctx: Context,
    job_id: str,
    amount_cents: int,
    message: str | None,
    earliest_start: datetime | None,
) -> Quote:
    require_role(ctx.viewer, Role.WORKER)
    ident = parse_id(job_id, "Job")
    job = await ctx.loaders.job_by_id.load(ident)
    user, job, _ = await authorize_job(ctx.viewer, job, Action.SUBMIT_QUOTE, ctx.loaders, job_id)
    amount = validation.amount_cents(amount_cents, "amountCents")
    message = validation.optional_text(message, "message", max_length=2000)
    start = validation.aware(earliest_start, "earliestStart")
    if job.status != JobStatus.OPEN:
        raise _job_not_open(job)
    sent = await Quote.filter(job_id=job.id, worker_id=user.id).values_list("live", flat=True)
    if any(sent):
        raise Conflict("You already have a live quote for this job; withdraw it to send another.")
    if len(sent) >= MAX_QUOTES_PER_WORKER_PER_JOB:
        raise Conflict(
            f"You have sent {MAX_QUOTES_PER_WORKER_PER_JOB} quotes for this job, the most one "
            "worker may send.",
            limit=MAX_QUOTES_PER_WORKER_PER_JOB,
        )
    limit = ctx.settings.max_quotes_per_job
    try:
        async with ctx.write():
            # The cap and the OPEN check in one conditional update: concurrent quotes can't
            # overshoot it on any database.
            taken = await Job.filter(
                id=job.id, status=JobStatus.OPEN, live_quote_count__lt=limit
            ).update(live_quote_count=F("live_quote_count") + 1)
            if not taken:
                current = await Job.get(id=job.id)
                if current.status != JobStatus.OPEN:
                    raise _job_not_open(current)
                raise Conflict(
                    f"Quoting is closed: this job already has {limit} quotes.", limit=limit
                )
            quote = await Quote.create(
                job_id=job.id,
                worker_id=user.id,
                amount_cents=amount,
                currency=job.currency,
                message=message,
                earliest_start=start,
            )
            await WorkerProfile.filter(user_id=user.id).update(recent_quotes=F("recent_quotes") + 1)
            # The conversation between the customer and this worker opens with the quote.
            await Thread.get_or_create(
                job_id=job.id, worker_id=user.id, defaults={"customer_id": job.customer_id}
            )
            await notify(
                ctx,
                job.customer_id,
                NotificationKind.QUOTE_RECEIVED,
                f"{job.title}: new quote",
                f"{user.display_name} quoted {amount} cents.",
                jobId=job.id,
                quoteId=quote.id,
            )
            ctx.publish_after_commit(
                channels.job_quotes(job.id), events.quote_submitted(quote.id, job.id)
            )
    except IntegrityError:  # the unique (job, worker, live) index: a concurrent duplicate
        raise Conflict(
            "You already have a live quote for this job; withdraw it to send another."
        ) from None
    return quote


async def _visible_quote(ctx: Context, quote_id: str) -> tuple[Quote, Job]:
    user = require_user(ctx.viewer)
    quote = await ctx.loaders.quote_by_id.load(parse_id(quote_id, "Quote"))
    job = await ctx.loaders.job_by_id.load(quote.job_id) if quote else None
    if (
        quote is None
        or job is None
        or not await can_view_quote(user, job, quote.worker_id, ctx.loaders)
    ):
        raise NotFound("Quote", quote_id)
    return quote, job


async def withdraw_quote(ctx: Context, quote_id: str) -> Quote:
    quote, job = await _visible_quote(ctx, quote_id)
    if quote.worker_id != require_user(ctx.viewer).id:
        raise Forbidden("Only the worker who sent a quote can withdraw it.")
    async with ctx.write():
        withdrawn = await Quote.filter(id=quote.id, status=QuoteStatus.PENDING).update(
            status=QuoteStatus.WITHDRAWN, live=None
        )
        if not withdrawn:
            current = await Quote.get(id=quote.id)
            raise InvalidState(
                f"Quote {quote.id} is {current.status.value}; only a PENDING quote can be "
                "withdrawn.",
                status=current.status.value,
            )
        await Job.filter(id=job.id).update(live_quote_count=F("live_quote_count") - 1)
        quote = await Quote.get(id=quote.id)
        ctx.publish_after_commit(
            channels.job_updates(job.id), events.job_updated(job.id, job.status.value)
        )
    return quote


async def accept_quote(ctx: Context, quote_id: str) -> Job:
    quote, job = await _visible_quote(ctx, quote_id)
    user, job, _ = await authorize_job(ctx.viewer, job, Action.ACCEPT_QUOTE, ctx.loaders, job.id)
    if job.status != JobStatus.OPEN:
        raise InvalidState(
            f"Job {job.id} is {job.status.value}; a worker can only be hired while it is OPEN.",
            status=job.status.value,
        )
    if quote.status != QuoteStatus.PENDING:
        raise InvalidState(
            f"Quote {quote.id} is {quote.status.value}; only a PENDING quote can be accepted.",
            status=quote.status.value,
        )
    async with ctx.write():
        # Exactly one concurrent acceptQuote wins: the second finds the job no longer OPEN.
        hired = await Job.filter(id=job.id, status=JobStatus.OPEN).update(
            status=JobStatus.HIRED, hired_worker_id=quote.worker_id, accepted_quote_id=quote.id
        )
        if not hired:
            current = await Job.get(id=job.id)
            raise InvalidState(
                f"Job {job.id} is {current.status.value}; a worker can only be hired while it "
                "is OPEN.",
                status=current.status.value,
            )
        accepted = await Quote.filter(id=quote.id, status=QuoteStatus.PENDING).update(
            status=QuoteStatus.ACCEPTED
        )
        if not accepted:  # withdrawn meanwhile: undo the hire by rolling back
            raise Conflict(f"Quote {quote.id} was withdrawn meanwhile; choose another quote.")
        pending = Quote.filter(job_id=job.id, status=QuoteStatus.PENDING)
        declined = cast(list[int], await pending.values_list("worker_id", flat=True))
        await pending.update(status=QuoteStatus.DECLINED, live=None)
        if declined:  # declined quotes are no longer live: quoteCount counts live ones only
            await Job.filter(id=job.id).update(
                live_quote_count=F("live_quote_count") - len(declined)
            )
        await JobStatusChange.create(
            job_id=job.id,
            from_status=JobStatus.OPEN.value,
            to_status=JobStatus.HIRED.value,
            actor_id=user.id,
        )
        job = await Job.get(id=job.id)
        await notify(
            ctx,
            quote.worker_id,
            NotificationKind.HIRED,
            f"{job.title}: you are hired",
            f"Your quote of {quote.amount_cents} cents was accepted.",
            jobId=job.id,
            quoteId=quote.id,
        )
        await tell_parties(
            ctx,
            job,
            actor_id=user.id,
            declined_worker_ids=declined,
            already_told=frozenset({quote.worker_id}),
        )
    return job


async def quote_received_channel(ctx: Context, job_id: str) -> str:
    job = await ctx.loaders.job_by_id.load(parse_id(job_id, "Job"))
    _, job, _ = await authorize_job(ctx.viewer, job, Action.SUBSCRIBE_QUOTES, ctx.loaders, job_id)
    return channels.job_quotes(job.id)


async def quote_of_event(ctx: Context, event: Event) -> Quote | None:
    return await ctx.loaders.quote_by_id.load(event.id)
