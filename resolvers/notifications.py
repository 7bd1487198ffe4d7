"""Storing notifications inside the transaction of what caused them, and reading them back.

Call `notify` inside `ctx.write()`: the row commits with the change it reports, and the live
event goes out after that commit, so the stored feed and the live stream never disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from errors import BadUserInput
from models import Notification
from realtime import channels, events
from realtime.events import Event
from resolvers.context import Context
from resolvers.pagination import Page, max_id_of, paginate, stored_after
from resolvers.policy import require_user
from resolvers.validation import row_id


class NotificationKind(StrEnum):
    QUOTE_RECEIVED = "QUOTE_RECEIVED"
    HIRED = "HIRED"
    QUOTE_DECLINED = "QUOTE_DECLINED"
    JOB_STATUS_CHANGED = "JOB_STATUS_CHANGED"
    REVIEW_RECEIVED = "REVIEW_RECEIVED"
    POINTS_EARNED = "POINTS_EARNED"
    POINTS_REDEEMED = "POINTS_REDEEMED"
    POINTS_ADJUSTED = "POINTS_ADJUSTED"
    SERVICE_RECORD_FILED = "SERVICE_RECORD_FILED"
    # Enterprises and renovation projects
    ENTERPRISE_STATUS_CHANGED = "ENTERPRISE_STATUS_CHANGED"
    ENTERPRISE_MEMBERSHIP = "ENTERPRISE_MEMBERSHIP"
    ENTERPRISE_INVITATION = "ENTERPRISE_INVITATION"
    PROJECT_TEAM_ASSIGNED = "PROJECT_TEAM_ASSIGNED"
    PROJECT_STATUS_CHANGED = "PROJECT_STATUS_CHANGED"
    CONTRACT_TO_SIGN = "CONTRACT_TO_SIGN"
    CONTRACT_FILED = "CONTRACT_FILED"
    DESIGN_SUBMITTED = "DESIGN_SUBMITTED"
    DESIGN_CONFIRMED = "DESIGN_CONFIRMED"
    MATERIAL_PLAN_FILED = "MATERIAL_PLAN_FILED"
    DELIVERY_UPDATED = "DELIVERY_UPDATED"
    MILESTONE_READY = "MILESTONE_READY"
    INSPECTION_RECORDED = "INSPECTION_RECORDED"
    MILESTONE_APPROVED = "MILESTONE_APPROVED"
    DEPOSIT_RECORDED = "DEPOSIT_RECORDED"
    PAYMENT_RELEASED = "PAYMENT_RELEASED"
    PROJECT_EVALUATED = "PROJECT_EVALUATED"
    CONSULTATION_OPENED = "CONSULTATION_OPENED"
    CONSULTATION_ANSWERED = "CONSULTATION_ANSWERED"
    CONSULTATION_REPLIED = "CONSULTATION_REPLIED"
    CONSULTATION_CLOSED = "CONSULTATION_CLOSED"


async def notify(
    ctx: Context,
    user_id: int,
    kind: NotificationKind,
    title: str,
    body: str,
    **data: Any,
) -> Notification:
    notification = await Notification.create(
        user_id=user_id, kind=kind.value, title=title[:200], body=body, data=data
    )
    ctx.publish_after_commit(
        channels.user_notifications(user_id), events.notification_created(notification.id)
    )
    return notification


async def list_notifications(
    ctx: Context, first: int | None, after: str | None, unread_only: bool
) -> Page[Notification]:
    user = require_user(ctx.viewer)
    query = Notification.filter(user_id=user.id)
    if unread_only:
        query = query.filter(read_at__isnull=True)
    return await paginate(query, first=first, after=after, max_page_size=ctx.settings.max_page_size)


async def mark_read(ctx: Context, ids: list[str]) -> int:
    """Marks the viewer's own notifications read; ids of others' are ignored, not revealed."""
    user = require_user(ctx.viewer)
    if len(ids) > 500:
        raise BadUserInput("ids may list at most 500 notifications at once.", "ids")
    max_id = max_id_of(Notification.all())
    numbers = []
    for ident in ids:
        number = row_id(ident, max_id)
        if number is None:
            raise BadUserInput(f"{ident[:40]!r} is not a notification id.", "ids")
        numbers.append(number)
    async with ctx.write():
        return await Notification.filter(
            user_id=user.id, id__in=numbers, read_at__isnull=True
        ).update(read_at=datetime.now(UTC))


async def unread_count(ctx: Context) -> int:
    user = require_user(ctx.viewer)
    return await Notification.filter(user_id=user.id, read_at__isnull=True).count()


# A bell further behind than this pages through `notifications` first, then subscribes after
# the newest: never a partial replay that would leave a silent gap.
MAX_REPLAY = 500


async def notifications_after(ctx: Context, after: str | None) -> list[Notification]:
    """What was stored after `after` (a notification id), oldest first, for the replay."""
    user = require_user(ctx.viewer)
    if after is None:
        return []
    return await stored_after(
        Notification.filter(user_id=user.id),
        after,
        limit=MAX_REPLAY,
        what="notifications",
        read_with="the notifications query",
    )


async def notifications_channel(ctx: Context) -> str:
    user = require_user(ctx.viewer)
    return channels.user_notifications(user.id)


async def notification_of_event(ctx: Context, event: Event) -> Notification | None:
    return await Notification.get_or_none(id=event.id)
