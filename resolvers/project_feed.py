"""The live feed of a project: stored events, replay from any id, then live.

`add_feed_entry` is called inside the `ctx.write()` of whatever it reports, so the row commits
with the change and its live event goes out only after that commit: the stored feed and the live
stream never disagree, and `projectProgress(after:)` can replay without a gap (web/replay.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from errors import InvalidState
from models import Project, ProjectEvent, ProjectStatus
from realtime import channels, events
from realtime.events import Event
from resolvers.context import Context
from resolvers.notifications import NotificationKind, notify
from resolvers.pagination import Page, paginate, stored_after
from resolvers.policy import ProjectAction, project_participant_ids
from resolvers.projects_access import authorized_project

# A follower further behind than this pages through `projectEvents` first.
MAX_REPLAY = 5000


class FeedKind(StrEnum):
    PROJECT_STATUS_CHANGED = "PROJECT_STATUS_CHANGED"
    TEAM_ASSIGNED = "TEAM_ASSIGNED"
    CONTRACT_DRAFTED = "CONTRACT_DRAFTED"
    CONTRACT_SIGNED = "CONTRACT_SIGNED"
    RECORD_FILED = "RECORD_FILED"
    DESIGN_SUBMITTED = "DESIGN_SUBMITTED"
    DELIVERY_UPDATED = "DELIVERY_UPDATED"
    PROGRESS_REPORTED = "PROGRESS_REPORTED"
    MILESTONE_STATUS_CHANGED = "MILESTONE_STATUS_CHANGED"
    INSPECTION_RECORDED = "INSPECTION_RECORDED"
    CAMERA_REGISTERED = "CAMERA_REGISTERED"
    SNAPSHOT_POSTED = "SNAPSHOT_POSTED"
    PAYMENT_RECORDED = "PAYMENT_RECORDED"
    EVALUATION_FILED = "EVALUATION_FILED"


async def add_feed_entry(
    ctx: Context,
    project_id: int,
    kind: FeedKind,
    summary: str,
    /,
    *,
    actor_id: int | None,
    **data: Any,
) -> ProjectEvent:
    """Inside `ctx.write()`: store one feed entry and publish it after the commit.

    `data` carries ids and the few values a follower needs at a glance (e.g. milestoneId,
    status, percent); JSON-serialisable only.
    """
    event = await ProjectEvent.create(
        project_id=project_id, kind=kind.value, actor_id=actor_id, summary=summary[:300], data=data
    )
    # The project as this transaction now sees it: the write may just have changed the team.
    project = await Project.get(id=project_id)
    participants = sorted(await project_participant_ids(project, ctx.loaders))
    ctx.publish_after_commit(
        channels.project_feed(project_id), events.project_event(event.id, project_id, participants)
    )
    return event


async def notify_participants(
    ctx: Context,
    project: Project,
    kind: NotificationKind,
    title: str,
    body: str,
    *,
    exclude: int | None,
    **data: Any,
) -> None:
    """Inside `ctx.write()`: a notification for every participant but `exclude` (the actor)."""
    for user_id in sorted(await project_participant_ids(project, ctx.loaders)):
        if user_id != exclude:
            await notify(ctx, user_id, kind, title, body, projectId=project.id, **data)


async def feed_channel(ctx: Context, project_id: str) -> str:
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.FOLLOW_FEED)
    return channels.project_feed(project.id)


async def events_after(ctx: Context, project_id: str, after: str | None) -> list[ProjectEvent]:
    """What was stored after `after` (an event id), oldest first, for the replay."""
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.FOLLOW_FEED)
    if after is None:
        return []
    return await stored_after(
        ProjectEvent.filter(project_id=project.id),
        after,
        limit=MAX_REPLAY,
        what="events",
        read_with="projectEvents",
    )


def event_audience(event: Event) -> frozenset[int]:
    """Who may receive a live feed event: the participants when it happened (and ADMIN, see
    the subscription spec). A subscriber taken off the team stops receiving at once."""
    return frozenset(event.data.get("participants", ()))


async def event_of(ctx: Context, event: Event) -> ProjectEvent | None:
    return await ProjectEvent.get_or_none(id=event.id)


async def list_events(
    ctx: Context, project_id: str, first: int | None, after: str | None
) -> Page[ProjectEvent]:
    """The stored feed, newest first (the history a follower scrolls back through)."""
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.FOLLOW_FEED)
    return await paginate(
        ProjectEvent.filter(project_id=project.id),
        first=first,
        after=after,
        max_page_size=ctx.settings.max_page_size,
    )


async def move_project(
    ctx: Context,
    project: Project,
    allowed_from: set[ProjectStatus],
    to: ProjectStatus,
    *,
    actor_id: int | None,
    why: str,
) -> Project:
    """Inside `ctx.write()`: move the project's status with one conditional UPDATE, so of two
    concurrent moves exactly one wins; INVALID_STATE for the other (and for an illegal move).
    Stores a PROJECT_STATUS_CHANGED feed entry and returns the project as it now is."""
    moved = await Project.filter(id=project.id, status__in=list(allowed_from)).update(status=to)
    if moved == 0:
        current = await Project.get(id=project.id)
        raise InvalidState(
            f"Project {project.id} is {current.status.value}; this needs it to be "
            f"{' or '.join(sorted(s.value for s in allowed_from))}.",
            status=current.status.value,
        )
    await add_feed_entry(
        ctx,
        project.id,
        FeedKind.PROJECT_STATUS_CHANGED,
        f"Project is now {to.value.replace('_', ' ').lower()}: {why}",
        actor_id=actor_id,
        status=to.value,
        previousStatus=project.status.value,
    )
    project.status = to
    # DataLoader.clear raises KeyError for a key it never cached; priming always works.
    ctx.loaders.project_by_id.prime(project.id, project, force=True)
    return project


def require_status(project: Project, *allowed: ProjectStatus) -> None:
    """A quick check before a write; the write itself stays conditional where it matters."""
    if project.status not in allowed:
        raise InvalidState(
            f"Project {project.id} is {project.status.value}; this needs it to be "
            f"{' or '.join(sorted(s.value for s in allowed))}.",
            status=project.status.value,
        )
