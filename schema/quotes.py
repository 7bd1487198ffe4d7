"""Quotes: a worker's offer for a job, withdrawing it, hiring by accepting it; new quotes live."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

import models
from realtime.events import Event
from resolvers import quotes
from resolvers.context import Context
from schema.accounts import Worker, load_worker
from schema.common import Info, ResumeCursor, ServedByTheFanout, SubscriptionSpec
from schema.enums import QuoteStatus
from schema.jobs import Job
from schema.matching import Match


@strawberry.type
class Quote:
    _quote: strawberry.Private[models.Quote]

    @classmethod
    def from_model(cls, quote: models.Quote) -> Quote:
        return cls(_quote=quote)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._quote.id))

    @strawberry.field
    def amount_cents(self) -> int:
        return self._quote.amount_cents

    @strawberry.field
    def currency(self) -> str:
        return self._quote.currency

    @strawberry.field
    def message(self) -> str | None:
        return self._quote.message

    @strawberry.field
    def earliest_start(self) -> datetime | None:
        return self._quote.earliest_start

    @strawberry.field
    def status(self) -> QuoteStatus:
        return QuoteStatus(self._quote.status.value)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._quote.created_at

    @strawberry.field(description="The quoting worker's public profile and track record.")
    async def worker(self, info: Info) -> Worker:
        worker = await load_worker(info, self._quote.worker_id)
        assert worker is not None
        return worker

    @strawberry.field(
        description="Why the platform matched the quoting worker to the job: score, distance "
        "and reasons (what the customer compares quotes by). Null if the worker was not matched."
    )
    async def match(self, info: Info) -> Match | None:
        key = (self._quote.job_id, self._quote.worker_id)
        found = await info.context.loaders.match_by_job_and_worker.load(key)
        return Match.from_model(found) if found else None

    @strawberry.field
    async def job(self, info: Info) -> Job:
        job = await info.context.loaders.job_by_id.load(self._quote.job_id)
        assert job is not None
        return Job.from_model(job)


@strawberry.input
class SubmitQuoteInput:
    job_id: strawberry.ID
    amount_cents: int
    message: str | None = None
    earliest_start: datetime | None = None


async def _quote_root(ctx: Context, event: Event) -> Quote | None:
    quote = await quotes.quote_of_event(ctx, event)
    return Quote.from_model(quote) if quote else None


SPECS: dict[str, SubscriptionSpec] = {
    "quoteReceived": SubscriptionSpec(
        channel=lambda ctx, args: quotes.quote_received_channel(ctx, args["jobId"]),
        root=_quote_root,
    ),
}


@strawberry.type
class QuotesMutation:
    @strawberry.mutation
    async def submit_quote(self, info: Info, input: SubmitQuoteInput) -> Quote:
        quote = await quotes.submit_quote(
            info.context, input.job_id, input.amount_cents, input.message, input.earliest_start
        )
        return Quote.from_model(quote)

    @strawberry.mutation
    async def withdraw_quote(self, info: Info, quote_id: strawberry.ID) -> Quote:
        return Quote.from_model(await quotes.withdraw_quote(info.context, quote_id))

    @strawberry.mutation(description="The customer hires the quote's worker.")
    async def accept_quote(self, info: Info, quote_id: strawberry.ID) -> Job:
        return Job.from_model(await quotes.accept_quote(info.context, quote_id))


@strawberry.type
class QuotesSubscription:
    @strawberry.subscription(description="New quotes for your job (the job's customer only).")
    async def quote_received(
        self, info: Info, job_id: strawberry.ID, after: ResumeCursor = None
    ) -> AsyncGenerator[Quote, None]:
        raise ServedByTheFanout("quoteReceived")
        yield  # an async generator: strawberry reads the item type from it
