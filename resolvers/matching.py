"""A worker's matches: the jobs the matching engine chose it for, and the live feed of new ones.

The engine itself (matching/) runs when a job is posted (resolvers.jobs.post_job)."""

from __future__ import annotations

from models import JobMatch, JobStatus, Role
from realtime import channels
from realtime.events import Event
from resolvers.context import Context
from resolvers.pagination import Page, paginate
from resolvers.policy import require_role


async def my_matched_jobs(
    ctx: Context, first: int | None, after: str | None, status: JobStatus | None
) -> Page[JobMatch]:
    user = require_role(ctx.viewer, Role.WORKER)
    query = JobMatch.filter(worker_id=user.id)
    if status is not None:
        query = query.filter(job__status=status)
    return await paginate(query, first=first, after=after, max_page_size=ctx.settings.max_page_size)


async def matching_jobs_channel(ctx: Context) -> str:
    require_role(ctx.viewer, Role.WORKER)
    return channels.job_matches()


def matched_workers(event: Event) -> frozenset[int]:
    """The only users a job.matched event may reach: the workers it was matched to."""
    return frozenset(int(worker_id) for worker_id in event.data.get("workerIds", ()))
