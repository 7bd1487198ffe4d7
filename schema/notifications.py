"""Notifications: the stored feed, marking read, and the replay-then-live subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

import models
from realtime.events import Event
from resolvers import notifications
from resolvers.context import Context
from schema.common import (
    RESUME_DESCRIPTION,
    Connection,
    Info,
    ServedByTheFanout,
    SubscriptionSpec,
    connection,
)


@strawberry.type
class Notification:
    _notification: strawberry.Private[models.Notification]

    @classmethod
    def from_model(cls, notification: models.Notification) -> Notification:
        return cls(_notification=notification)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._notification.id))

    @strawberry.field(description="One of: " + " ".join(notifications.NotificationKind))
    def kind(self) -> str:
        return self._notification.kind

    @strawberry.field
    def title(self) -> str:
        return self._notification.title

    @strawberry.field
    def body(self) -> str:
        return self._notification.body

    @strawberry.field(description="Ids of what it is about, e.g. {jobId, quoteId}.")
    def data(self) -> JSON:
        return JSON(self._notification.data)

    @strawberry.field
    def read(self) -> bool:
        return self._notification.read_at is not None

    @strawberry.field
    def created_at(self) -> datetime:
        return self._notification.created_at


@strawberry.type
class NotificationsQuery:
    @strawberry.field(description="Your notifications, newest first.")
    async def notifications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        unread_only: bool = False,
    ) -> Connection[Notification]:
        page = await notifications.list_notifications(info.context, first, after, unread_only)
        return connection(page, Notification.from_model)

    @strawberry.field
    async def unread_notification_count(self, info: Info) -> int:
        return await notifications.unread_count(info.context)


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(description="Marks your notifications read; returns how many changed.")
    async def mark_notifications_read(self, info: Info, ids: list[strawberry.ID]) -> int:
        return await notifications.mark_read(info.context, [str(i) for i in ids])


async def _root(ctx: Context, event: Event) -> Notification | None:
    notification = await notifications.notification_of_event(ctx, event)
    return Notification.from_model(notification) if notification else None


async def _replay(ctx: Context, args: dict[str, Any]) -> list[tuple[int, Any]]:
    stored = await notifications.notifications_after(ctx, args.get("after"))
    return [(item.id, Notification.from_model(item)) for item in stored]


SPECS = {
    "notifications": SubscriptionSpec(
        channel=lambda ctx, args: notifications.notifications_channel(ctx),
        root=_root,
        replay=_replay,
    )
}


@strawberry.type
class NotificationsSubscription:
    @strawberry.subscription(
        description="Your notifications live. With `after` (a notification id), first replays "
        "what was stored after it, then continues live: no duplicate, no gap. More than 500 stored "
        "after it are refused (BAD_USER_INPUT): page through `notifications` first. `after` may "
        "also be an event cursor (the `cursor` in the `extensions` of each `next` payload, or "
        "`eventCursor`), as for every other subscription: " + RESUME_DESCRIPTION
    )
    async def notifications(
        self, info: Info, after: strawberry.ID | None = None
    ) -> AsyncGenerator[Notification, None]:
        raise ServedByTheFanout("notifications")
        yield  # an async generator: strawberry reads the item type from it
