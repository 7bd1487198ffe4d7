"""GraphQL object types. Each wraps a model with one `from_model`; relations load through the
operation's DataLoaders and visibility comes from resolvers.policy."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

import models
from resolvers import points, policy
from resolvers.quotes import listed_quotes
from schema.enums import JobStatus, QuoteStatus, Role, ServiceCategory

if TYPE_CHECKING:
    from schema.points import PointTransactionConnection
    from schema.reviews import ReviewConnection

# Plain strawberry.Info: its context is always a resolvers.context.Context.
Info = strawberry.Info


@strawberry.type
class GeoPoint:
    lat: float
    lng: float


@strawberry.type(description="A worker's public profile.")
class Worker:
    _user: strawberry.Private[models.User]
    _profile: strawberry.Private[models.WorkerProfile | None]

    @classmethod
    def from_model(cls, user: models.User, profile: models.WorkerProfile | None) -> Worker:
        return cls(_user=user, _profile=profile)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._user.id))

    @strawberry.field
    def display_name(self) -> str:
        return self._user.display_name

    @strawberry.field
    def categories(self) -> list[ServiceCategory]:
        return [ServiceCategory(c) for c in self._profile.categories] if self._profile else []

    @strawberry.field
    def bio(self) -> str | None:
        return self._profile.bio if self._profile else None

    @strawberry.field(description="Average of the customers' ratings (1-5); null before any.")
    def rating_average(self) -> float | None:
        if not self._profile or not self._profile.rating_count:
            return None
        return round(self._profile.rating_sum / self._profile.rating_count, 2)

    @strawberry.field
    def rating_count(self) -> int:
        return self._profile.rating_count if self._profile else 0

    @strawberry.field
    def completed_jobs(self) -> int:
        return self._profile.completed_jobs if self._profile else 0

    @strawberry.field(description="Customers' reviews of this worker, newest first.")
    async def reviews(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Annotated[ReviewConnection, strawberry.lazy("schema.reviews")]:
        from schema.reviews import review_connection

        return await review_connection(info, self._user.id, first, after)

    @strawberry.field(description="Only the worker itself sees its availability and area.")
    def available(self, info: Info) -> bool | None:
        return self._profile.available if self._profile and self._own(info) else None

    @strawberry.field(description="Only the worker itself sees its base location.")
    def location(self, info: Info) -> GeoPoint | None:
        if not self._profile or not self._own(info):
            return None
        return GeoPoint(lat=self._profile.lat, lng=self._profile.lng)

    @strawberry.field(description="Only the worker itself sees its service radius.")
    def service_radius_km(self, info: Info) -> float | None:
        return self._profile.service_radius_km if self._profile and self._own(info) else None

    def _own(self, info: Info) -> bool:
        viewer = info.context.viewer
        return viewer is not None and viewer.id == self._user.id


async def load_worker(info: Info, user_id: int | None) -> Worker | None:
    if user_id is None:
        return None
    loaders = info.context.loaders
    user = await loaders.user_by_id.load(user_id)
    if user is None:
        return None
    return Worker.from_model(user, await loaders.worker_profile_by_user_id.load(user_id))


@strawberry.type(description="What other parties see of a customer.")
class Customer:
    id: strawberry.ID
    display_name: str
    rating_count: int = strawberry.field(description="Reviews of this customer by workers.")
    rating_average: float | None = strawberry.field(
        description="Average of the workers' ratings (1-5); shown to workers deciding whether "
        "to quote. Null before any."
    )

    @classmethod
    def from_model(cls, user: models.User) -> Customer:
        count = user.customer_rating_count
        return cls(
            id=strawberry.ID(str(user.id)),
            display_name=user.display_name,
            rating_count=count,
            rating_average=round(user.customer_rating_sum / count, 2) if count else None,
        )


@strawberry.type
class User:
    _user: strawberry.Private[models.User]

    @classmethod
    def from_model(cls, user: models.User) -> User:
        return cls(_user=user)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._user.id))

    @strawberry.field
    def email(self) -> str:
        return self._user.email

    @strawberry.field
    def display_name(self) -> str:
        return self._user.display_name

    @strawberry.field
    def role(self) -> Role:
        return Role(self._user.role.value)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._user.created_at

    @strawberry.field(description="The worker profile, for WORKER accounts that set one up.")
    async def worker_profile(self, info: Info) -> Worker | None:
        if self._user.role != models.Role.WORKER:
            return None
        profile = await info.context.loaders.worker_profile_by_user_id.load(self._user.id)
        return Worker.from_model(self._user, profile) if profile else None

    @strawberry.field(description="Your points balance. Only you see it (others: FORBIDDEN).")
    async def points_balance(self, info: Info) -> int:
        return await points.balance(info.context, self._user.id)

    @strawberry.field(description="Your points ledger, newest first. Only you see it.")
    async def point_transactions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Annotated[PointTransactionConnection, strawberry.lazy("schema.points")]:
        from schema.points import transaction_connection

        return await transaction_connection(info, self._user.id, first, after)


@strawberry.type
class MatchReason:
    code: str
    text: str
    value: float | None


@strawberry.type(description="Why the matching engine chose a worker for a job.")
class Match:
    _match: strawberry.Private[models.JobMatch]

    @classmethod
    def from_model(cls, match: models.JobMatch) -> Match:
        return cls(_match=match)

    @strawberry.field
    def score(self) -> float:
        return self._match.score

    @strawberry.field
    def distance_km(self) -> float:
        return self._match.distance_km

    @strawberry.field
    def reasons(self) -> list[MatchReason]:
        return [
            MatchReason(code=r["code"], text=r["text"], value=r.get("value"))
            for r in self._match.reasons
        ]

    @strawberry.field
    def matched_at(self) -> datetime:
        return self._match.created_at

    @strawberry.field
    async def job(self, info: Info) -> Job:
        job = await info.context.loaders.job_by_id.load(self._match.job_id)
        assert job is not None  # a match never outlives its job (ON DELETE CASCADE)
        return Job.from_model(job)


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
    async def quotes(self, info: Info) -> list[Quote]:
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
    async def my_match(self, info: Info) -> Match | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        match = await info.context.loaders.match_by_job_and_worker.load((self._job.id, viewer.id))
        return Match.from_model(match) if match else None


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class JobEdge:
    cursor: str
    node: Job


@strawberry.type
class JobConnection:
    edges: list[JobEdge]
    page_info: PageInfo


@strawberry.type
class MatchEdge:
    cursor: str
    node: Match


@strawberry.type
class MatchConnection:
    edges: list[MatchEdge]
    page_info: PageInfo


@strawberry.type
class AuthPayload:
    token: str
    user: User


DateTimeArg = Annotated[datetime, strawberry.argument(description="ISO 8601 with a timezone")]
