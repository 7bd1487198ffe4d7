"""The live project feed: the stored history and the replay-then-live subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

import models
from realtime.events import Event
from resolvers import project_feed
from resolvers.context import Context
from schema.common import (
    RESUME_DESCRIPTION,
    Connection,
    Info,
    Participant,
    ServedByTheFanout,
    SubscriptionSpec,
    connection,
)


@strawberry.type(
    description="One entry of a project's live feed: progress, milestone moves, inspections, "
    "deliveries, camera snapshots, filings, payments."
)
class ProjectEvent:
    _event: strawberry.Private[models.ProjectEvent]

    @classmethod
    def from_model(cls, event: models.ProjectEvent) -> ProjectEvent:
        return cls(_event=event)

    @strawberry.field(description="Increasing; pass the last one you saw as `after` to resume.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._event.id))

    @strawberry.field
    def project_id(self) -> strawberry.ID:
        return strawberry.ID(str(self._event.project_id))

    @strawberry.field(description="One of: " + " ".join(project_feed.FeedKind))
    def kind(self) -> str:
        return self._event.kind

    @strawberry.field(description="One line a person can read.")
    def summary(self) -> str:
        return self._event.summary

    @strawberry.field(
        description="Ids and values of what happened, e.g. {milestoneId, status} or "
        "{recordId, filingNumber, sha256}."
    )
    def data(self) -> JSON:
        return JSON(self._event.data)

    @strawberry.field(description="Who did it; null for the platform itself.")
    async def actor(self, info: Info) -> Participant | None:
        if self._event.actor_id is None:
            return None
        user = await info.context.loaders.user_by_id.load(self._event.actor_id)
        return Participant.from_model(user) if user else None

    @strawberry.field
    def created_at(self) -> datetime:
        return self._event.created_at


@strawberry.type
class ProjectFeedQuery:
    @strawberry.field(description="A project's stored feed, newest first (its participants).")
    async def project_events(
        self,
        info: Info,
        project_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ProjectEvent]:
        page = await project_feed.list_events(info.context, project_id, first, after)
        return connection(page, ProjectEvent.from_model)


async def _root(ctx: Context, event: Event) -> ProjectEvent | None:
    stored = await project_feed.event_of(ctx, event)
    return ProjectEvent.from_model(stored) if stored else None


async def _replay(ctx: Context, args: dict[str, Any]) -> list[tuple[int, Any]]:
    stored = await project_feed.events_after(ctx, args["projectId"], args.get("after"))
    return [(item.id, ProjectEvent.from_model(item)) for item in stored]


SPECS = {
    "projectProgress": SubscriptionSpec(
        channel=lambda ctx, args: project_feed.feed_channel(ctx, args["projectId"]),
        root=_root,
        replay=_replay,
        audience=project_feed.event_audience,
        audience_roles=frozenset({models.Role.ADMIN}),
    )
}


@strawberry.type
class ProjectFeedSubscription:
    @strawberry.subscription(
        description="A project's feed live, for its participants (customer, assigned people, "
        "owners of the chosen enterprises, ADMIN). With `after` (an event id), first replays "
        "what was stored after it, then continues live: no duplicate, no gap. `after` may also "
        "be an event cursor (the `cursor` in the `extensions` of each `next` payload, or "
        "`eventCursor`), as for every other subscription: " + RESUME_DESCRIPTION
    )
    async def project_progress(
        self, info: Info, project_id: strawberry.ID, after: strawberry.ID | None = None
    ) -> AsyncGenerator[ProjectEvent, None]:
        raise ServedByTheFanout("projectProgress")
        yield  # an async generator: strawberry reads the item type from it
