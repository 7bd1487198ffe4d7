"""Who may subscribe to what (checked before anything is subscribed) and how one event becomes
the subscription's root value. Channel names come from realtime.channels only."""

from __future__ import annotations

from models import Job, Notification, Quote, Role
from realtime import channels
from realtime.events import Event
from resolvers.context import Context
from resolvers.jobs import parse_id
from resolvers.policy import Action, authorize_job, require_role, require_user


async def quote_received_channel(ctx: Context, job_id: str) -> str:
    job = await ctx.loaders.job_by_id.load(parse_id(job_id, "Job"))
    _, job, _ = await authorize_job(ctx.viewer, job, Action.SUBSCRIBE_QUOTES, ctx.loaders, job_id)
    return channels.job_quotes(job.id)


async def job_updated_channel(ctx: Context, job_id: str) -> str:
    job = await ctx.loaders.job_by_id.load(parse_id(job_id, "Job"))
    _, job, _ = await authorize_job(
        ctx.viewer, job, Action.SUBSCRIBE_JOB_UPDATES, ctx.loaders, job_id
    )
    return channels.job_updates(job.id)


async def matching_jobs_channel(ctx: Context) -> str:
    require_role(ctx.viewer, Role.WORKER)
    return channels.job_matches()


def matched_workers(event: Event) -> frozenset[int]:
    """The only users a job.matched event may reach: the workers it was matched to."""
    return frozenset(int(worker_id) for worker_id in event.data.get("workerIds", ()))


async def quote_of_event(ctx: Context, event: Event) -> Quote | None:
    return await ctx.loaders.quote_by_id.load(event.id)


async def job_of_event(ctx: Context, event: Event) -> Job | None:
    return await ctx.loaders.job_by_id.load(event.id)


async def notifications_channel(ctx: Context) -> str:
    user = require_user(ctx.viewer)
    return channels.user_notifications(user.id)


async def notification_of_event(ctx: Context, event: Event) -> Notification | None:
    return await Notification.get_or_none(id=event.id)
