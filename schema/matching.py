"""Matching: why the matching engine chose a worker for a job, a worker's matched jobs, and new
matches live."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

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
from schema.jobs import JOB_FIELDS_PER_VIEWER, Job, job_root


@strawberry.type(
    description="One term of the match score, with its numbers, so that a client can word it "
    "in its own language; `text` is the same reason in English. The codes: DISTANCE (`value` = "
    "the job's distance in km, `radiusKm` = the worker's service radius), RATING (`value` = "
    "the worker's average stars, null before the first review; `reviewCount`), COMPLETED_JOBS "
    "(`value` = jobs the worker completed), RESPONSIVENESS (`value` = the smoothed share of "
    "recent matches quoted on, (recentQuotes + 1) / (recentMatches + 2), from 0 to 1). A "
    "field that does not belong to the code, or was not recorded when the match was made, "
    "is null."
)
class MatchReason:
    code: str = strawberry.field(
        description="DISTANCE, RATING, COMPLETED_JOBS or RESPONSIVENESS (new codes may come)."
    )
    text: str = strawberry.field(description="The reason in English, for API clients.")
    value: float | None = strawberry.field(description="The main number of the reason.")
    radius_km: float | None = strawberry.field(
        default=None, description="DISTANCE: the worker's service radius in km."
    )
    review_count: int | None = strawberry.field(
        default=None, description="RATING: how many reviews the average is of."
    )
    recent_quotes: int | None = strawberry.field(
        default=None, description="RESPONSIVENESS: recent matches the worker quoted on."
    )
    recent_matches: int | None = strawberry.field(
        default=None, description="RESPONSIVENESS: the worker's recent matches."
    )

    @classmethod
    def from_stored(cls, reason: dict[str, Any]) -> MatchReason:
        # Matches stored before a field existed lack it: null, never a made-up number.
        return cls(
            code=reason["code"],
            text=reason["text"],
            value=reason.get("value"),
            radius_km=reason.get("radius_km"),
            review_count=reason.get("review_count"),
            recent_quotes=reason.get("recent_quotes"),
            recent_matches=reason.get("recent_matches"),
        )


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
        return [MatchReason.from_stored(r) for r in self._match.reasons]

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
        per_viewer=JOB_FIELDS_PER_VIEWER,
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
