"""Matching: why the matching engine chose a worker for a job, a worker's matched jobs, and new
matches live."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

import models
from resolvers import matching
from schema.common import (
    Connection,
    Info,
    ResumeCursor,
    ServedByTheFanout,
    SubscriptionSpec,
    connection,
)
from schema.enums import JobStatus
from schema.jobs import Job, job_root


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


SPECS: dict[str, SubscriptionSpec] = {
    "matchingJobs": SubscriptionSpec(
        channel=lambda ctx, args: matching.matching_jobs_channel(ctx),
        root=job_root,
        audience=matching.matched_workers,
    ),
}


@strawberry.type
class MatchingQuery:
    @strawberry.field(description="Workers: the jobs you were matched to, with the reasons.")
    async def my_matched_jobs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: JobStatus | None = None,
    ) -> Connection[Match]:
        page = await matching.my_matched_jobs(info.context, first, after, status)
        return connection(page, Match.from_model)


@strawberry.type
class MatchingSubscription:
    @strawberry.subscription(description="Each new job you are matched to (workers only).")
    async def matching_jobs(
        self, info: Info, after: ResumeCursor = None
    ) -> AsyncGenerator[Job, None]:
        raise ServedByTheFanout("matchingJobs")
        yield  # an async generator: strawberry reads the item type from it
