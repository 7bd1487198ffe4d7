"""Root subscription fields.

Each field is described once by a SubscriptionSpec: how to authorise and name its channel, and
how to turn one bus event into the root value. The WebSocket fan-out (web/fanout.py) uses the
specs directly so it can execute a selection once per event for all subscribers that share it;
the strawberry resolvers below use the same specs for in-process execution.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry

from models import User
from realtime.events import Event
from resolvers import subscriptions
from resolvers.context import Context
from schema.types import Info, Job, Quote


@dataclass(frozen=True)
class SubscriptionSpec:
    # (context, GraphQL arguments by their GraphQL names) -> channel; raises DomainError.
    channel: Callable[[Context, dict[str, Any]], Awaitable[str]]
    # (fresh per-event context, event) -> root value, or None to skip the event.
    root: Callable[[Context, Event], Awaitable[Any]]
    # Optional replay-then-live: (context, arguments) -> what was stored after the client's
    # cursor, oldest first, as (event id, root value). Live events whose id was replayed are
    # dropped (web/replay.py).
    replay: Callable[[Context, dict[str, Any]], Awaitable[list[tuple[int, Any]]]] | None = None
    # Optional: the user ids one event may reach (for channels shared by many users, or whose
    # followers change over time); the fan-out delivers to no one else...
    # (None from the function: this event is not restricted.)
    audience: Callable[[Event], frozenset[int] | None] | None = None
    # ...except users of these roles, who receive every event of a channel they were allowed
    # to join (ADMIN following any project).
    audience_roles: frozenset[str] = frozenset()

    def admits(self, user: User | None, audience: frozenset[int] | None) -> bool:
        """May `user` receive an event whose audience (from `self.audience`) is `audience`?"""
        if audience is None:
            return True
        return user is not None and (user.id in audience or user.role in self.audience_roles)


async def _quote_root(ctx: Context, event: Event) -> Quote | None:
    quote = await subscriptions.quote_of_event(ctx, event)
    return Quote.from_model(quote) if quote else None


async def _job_root(ctx: Context, event: Event) -> Job | None:
    job = await subscriptions.job_of_event(ctx, event)
    return Job.from_model(job) if job else None


SPECS: dict[str, SubscriptionSpec] = {
    "quoteReceived": SubscriptionSpec(
        channel=lambda ctx, args: subscriptions.quote_received_channel(ctx, args["jobId"]),
        root=_quote_root,
    ),
    "matchingJobs": SubscriptionSpec(
        channel=lambda ctx, args: subscriptions.matching_jobs_channel(ctx),
        root=_job_root,
        audience=subscriptions.matched_workers,
    ),
    "jobUpdated": SubscriptionSpec(
        channel=lambda ctx, args: subscriptions.job_updated_channel(ctx, args["jobId"]),
        root=_job_root,
    ),
}


async def stream(
    info: Info, spec: SubscriptionSpec, args: dict[str, Any]
) -> AsyncGenerator[Any, None]:
    """In-process execution of a spec (strawberry's own subscription path)."""
    ctx = info.context
    channel = await spec.channel(ctx, args)
    async with ctx.bus.subscribe(channel) as subscription:
        replayed: set[int] = set()
        if spec.replay is not None:
            for event_id, root in await spec.replay(ctx, args):
                replayed.add(event_id)
                yield root
        async for raw in subscription:
            event = Event.decode(raw)
            if event.id in replayed:
                continue
            audience = spec.audience(event) if spec.audience is not None else None
            if not spec.admits(ctx.user, audience):
                continue
            root = await spec.root(ctx.for_new_operation(), event)
            if root is not None:
                yield root


@strawberry.type
class Subscription:
    @strawberry.subscription(description="New quotes for your job (the job's customer only).")
    async def quote_received(
        self, info: Info, job_id: strawberry.ID
    ) -> AsyncGenerator[Quote, None]:
        async for root in stream(info, SPECS["quoteReceived"], {"jobId": job_id}):
            yield root

    @strawberry.subscription(description="Each new job you are matched to (workers only).")
    async def matching_jobs(self, info: Info) -> AsyncGenerator[Job, None]:
        async for root in stream(info, SPECS["matchingJobs"], {}):
            yield root

    @strawberry.subscription(
        description="Status changes of a job: its customer and its quoting or hired workers."
    )
    async def job_updated(self, info: Info, job_id: strawberry.ID) -> AsyncGenerator[Job, None]:
        async for root in stream(info, SPECS["jobUpdated"], {"jobId": job_id}):
            yield root
