"""Jobs: posting, the job's life from scheduling to acceptance, and its live status."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

import models
from models import JobStatus as ModelJobStatus
from models import ServiceCategory as ModelCategory
from realtime.events import Event
from resolvers import jobs, policy, reviews
from resolvers.context import Context
from resolvers.quotes import listed_quotes
from schema.accounts import Worker, load_worker
from schema.common import (
    Connection,
    Customer,
    DateTimeArg,
    GeoPoint,
    GeoPointInput,
    Info,
    ResumeCursor,
    ServedByTheFanout,
    SubscriptionSpec,
    connection,
)
from schema.enums import JobStatus, ServiceCategory

if TYPE_CHECKING:
    from schema.matching import Match
    from schema.quotes import Quote


@strawberry.type
class Job:
    _job: strawberry.Private[models.Job]

    @classmethod
    def from_model(cls, job: models.Job) -> Job:
        return cls(_job=job)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._job.id))

    @strawberry.field
    def status(self) -> JobStatus:
        return JobStatus(self._job.status.value)

    @strawberry.field
    def category(self) -> ServiceCategory:
        return ServiceCategory(self._job.category.value)

    @strawberry.field
    def title(self) -> str:
        return self._job.title

    @strawberry.field
    def description(self) -> str:
        return self._job.description

    @strawberry.field
    def address(self) -> str:
        return self._job.address

    @strawberry.field
    def location(self) -> GeoPoint:
        return GeoPoint(lat=self._job.lat, lng=self._job.lng)

    @strawberry.field
    def currency(self) -> str:
        return self._job.currency

    @strawberry.field
    def budget_min_cents(self) -> int | None:
        return self._job.budget_min_cents

    @strawberry.field
    def budget_max_cents(self) -> int | None:
        return self._job.budget_max_cents

    @strawberry.field
    def preferred_start(self) -> datetime | None:
        return self._job.preferred_start

    @strawberry.field
    def preferred_end(self) -> datetime | None:
        return self._job.preferred_end

    @strawberry.field(description="How many workers the matching engine selected.")
    def match_count(self) -> int:
        return self._job.match_count

    @strawberry.field(description="Live (pending or accepted) quotes.")
    def quote_count(self) -> int:
        return self._job.live_quote_count

    @strawberry.field
    def scheduled_at(self) -> datetime | None:
        return self._job.scheduled_at

    @strawberry.field
    def cancel_reason(self) -> str | None:
        return self._job.cancel_reason

    @strawberry.field
    def created_at(self) -> datetime:
        return self._job.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self._job.updated_at

    @strawberry.field
    async def customer(self, info: Info) -> Customer:
        user = await info.context.loaders.user_by_id.load(self._job.customer_id)
        assert user is not None
        return Customer.from_model(user)

    @strawberry.field
    async def hired_worker(self, info: Info) -> Worker | None:
        return await load_worker(info, self._job.hired_worker_id)

    @strawberry.field(
        description="The customer sees every live quote and as many of the newest withdrawn "
        "and declined ones (twice MAX_QUOTES_PER_JOB in all); a worker sees only its own; "
        "oldest first."
    )
    async def quotes(self, info: Info) -> list[Annotated[Quote, strawberry.lazy("schema.quotes")]]:
        # A job shows its quotes and a quote its job: the type graph is recursive here.
        from schema.quotes import Quote

        ctx = info.context
        quotes = await ctx.loaders.quotes_by_job_id.load(self._job.id)
        viewer = ctx.viewer
        if viewer is None:
            return []
        if not policy.allows(
            policy.Action.VIEW_ALL_QUOTES,
            await policy.job_relation(viewer, self._job, ctx.loaders),
        ):
            quotes = [q for q in quotes if q.worker_id == viewer.id]
        return [Quote.from_model(q) for q in listed_quotes(quotes, ctx.settings)]

    @strawberry.field(description="Why you were matched to this job (workers only).")
    async def my_match(
        self, info: Info
    ) -> Annotated[Match, strawberry.lazy("schema.matching")] | None:
        # A job shows your match and a match its job: the type graph is recursive here.
        from schema.matching import Match

        viewer = info.context.viewer
        if viewer is None:
            return None
        match = await info.context.loaders.match_by_job_and_worker.load((self._job.id, viewer.id))
        return Match.from_model(match) if match else None

    @strawberry.field(
        description="Whether you already gave this job's review: for its customer, the review "
        "of the hired worker (reviewJob); for the hired worker, the review of the customer "
        "(reviewCustomer). Null for anyone else, who has no review to give on this job."
    )
    async def viewer_has_reviewed(self, info: Info) -> bool | None:
        return await reviews.viewer_has_reviewed(info.context, self._job)


@strawberry.input
class PostJobInput:
    category: ServiceCategory
    title: str
    description: str
    location: GeoPointInput
    address: str
    budget_min_cents: int | None = None
    budget_max_cents: int | None = None
    preferred_start: datetime | None = None
    preferred_end: datetime | None = None


async def job_root(ctx: Context, event: Event) -> Job | None:
    job = await jobs.job_of_event(ctx, event)
    return Job.from_model(job) if job else None


# The Job fields that read the viewer (GraphQL names), for the fan-out's split (web/split.py).
JOB_FIELDS_PER_VIEWER = frozenset({"myMatch", "quotes"})


async def status_change_root(ctx: Context, event: Event) -> Job | None:
    """The job, with the status this event reports: a replay of several changes shows each
    of them, not the latest one several times."""
    job = await jobs.job_of_event(ctx, event)
    if job is None:
        return None
    with contextlib.suppress(ValueError):
        job.status = ModelJobStatus(str(event.data.get("status")))
    return Job.from_model(job)


SPECS: dict[str, SubscriptionSpec] = {
    "jobUpdated": SubscriptionSpec(
        channel=lambda ctx, args: jobs.job_updated_channel(ctx, args["jobId"]),
        root=status_change_root,
        per_viewer=JOB_FIELDS_PER_VIEWER,
    ),
}


@strawberry.type
class JobsQuery:
    @strawberry.field(
        description="The currency (ISO 4217) new jobs and projects are priced in, from the "
        "server's CURRENCY setting; every amount is integer cents of its own currency field."
    )
    def currency(self, info: Info) -> str:
        return info.context.settings.currency

    @strawberry.field(description="A job you posted, were matched to, quoted for or were hired on.")
    async def job(self, info: Info, id: strawberry.ID) -> Job | None:
        return Job.from_model(await jobs.get_job(info.context, id))

    @strawberry.field(
        description="Customers: the jobs you posted. Workers: the jobs you were hired on. "
        "Newest first."
    )
    async def my_jobs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: JobStatus | None = None,
    ) -> Connection[Job]:
        page = await jobs.my_jobs(info.context, first, after, status)
        return connection(page, Job.from_model)


@strawberry.type
class JobsMutation:
    @strawberry.mutation
    async def post_job(self, info: Info, input: PostJobInput) -> Job:
        job = await jobs.post_job(
            info.context,
            jobs.NewJob(
                category=ModelCategory(input.category.value),
                title=input.title,
                description=input.description,
                lat=input.location.lat,
                lng=input.location.lng,
                address=input.address,
                budget_min_cents=input.budget_min_cents,
                budget_max_cents=input.budget_max_cents,
                preferred_start=input.preferred_start,
                preferred_end=input.preferred_end,
            ),
        )
        return Job.from_model(job)


# The published Mutation lists the quote fields between posting and the job's life after hiring.
@strawberry.type
class JobLifecycleMutation:
    @strawberry.mutation(description="The hired worker books (or re-books) a time.")
    async def schedule_job(
        self, info: Info, job_id: strawberry.ID, scheduled_at: DateTimeArg
    ) -> Job:
        return Job.from_model(await jobs.schedule_job(info.context, job_id, scheduled_at))

    @strawberry.mutation(description="The hired worker starts the work.")
    async def start_job(self, info: Info, job_id: strawberry.ID) -> Job:
        return Job.from_model(await jobs.move_job(info.context, job_id, ModelJobStatus.IN_PROGRESS))

    @strawberry.mutation(description="The hired worker reports the work done.")
    async def complete_job(self, info: Info, job_id: strawberry.ID) -> Job:
        return Job.from_model(await jobs.move_job(info.context, job_id, ModelJobStatus.COMPLETED))

    @strawberry.mutation(description="The customer accepts the completed work.")
    async def accept_job(self, info: Info, job_id: strawberry.ID) -> Job:
        return Job.from_model(await jobs.accept_job(info.context, job_id))

    @strawberry.mutation(description="The customer cancels, before the work started.")
    async def cancel_job(self, info: Info, job_id: strawberry.ID, reason: str) -> Job:
        return Job.from_model(await jobs.cancel_job(info.context, job_id, reason))


@strawberry.type
class JobsSubscription:
    @strawberry.subscription(
        description="Status changes of a job: its customer and its quoting or hired workers."
    )
    async def job_updated(
        self, info: Info, job_id: strawberry.ID, after: ResumeCursor = None
    ) -> AsyncGenerator[Job, None]:
        raise ServedByTheFanout("jobUpdated")
        yield  # an async generator: strawberry reads the item type from it
