"""Conversations: one thread per job between its customer and each quoting worker, and one
thread per renovation project for all of its participants.

A job thread is opened by `submit_quote` (resolvers/quotes.py); a project thread by the first
`projectThread` call for its project (unique per project, race-free). This module lists
threads, reads and sends messages, keeps the read markers, and publishes each new message after
its commit. Who may read or write a thread, and whether it is still open, is decided in
resolvers.policy (`authorize_thread`, for both kinds).

Unread counts come from the read markers, so a message creates no Notification row. A job
thread keeps its two parties' markers on the thread row; a project thread one ThreadReadMarker
row per participant, created when they first write or mark the thread read.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass

from strawberry.dataloader import DataLoader
from tortoise.expressions import F, Q, Subquery
from tortoise.functions import Count

from errors import BadUserInput, InvalidState
from models import Job, Message, Project, Thread, ThreadReadMarker, User
from realtime import channels, events
from realtime.events import Event
from resolvers import validation
from resolvers.context import Context
from resolvers.ids import parse_id
from resolvers.loaders import by_id
from resolvers.pagination import DEFAULT_PAGE_SIZE, Page, paginate
from resolvers.policy import (
    ProjectAction,
    ThreadStanding,
    authorize_thread,
    participating_projects,
    project_participant_ids,
    project_thread_is_open,
    require_user,
    thread_is_open,
    thread_standing,
)
from resolvers.projects_access import authorized_project, lock_project
from resolvers.ratelimit import enforce

MAX_MESSAGE_LENGTH = 4000
# Sending is limited per user over a fixed window (shared through Redis in scale-out mode).
MESSAGES_PER_WINDOW = 30
MESSAGE_WINDOW_SECONDS = 60

# The read marker column of each party of a job thread.
_READ_MARKER = {
    ThreadStanding.CUSTOMER: "customer_read_id",
    ThreadStanding.WORKER: "worker_read_id",
}


# --- DataLoaders -----------------------------------------------------------------------------
# One set per `Loaders` instance, i.e. per HTTP request, per subscription event and after every
# write, exactly like the shared loaders (resolvers/loaders.py) they sit beside.


@dataclass(frozen=True)
class UnreadKey:
    thread_id: int
    read_id: int  # the viewer's read marker
    viewer_id: int


class MessageLoaders:
    def __init__(self) -> None:
        self.thread_by_id = by_id(Thread)
        self.message_by_id = by_id(Message)
        self.unread_count_by_thread: DataLoader[UnreadKey, int] = DataLoader(
            load_fn=self._unread_counts
        )
        # (thread id, user id) -> the id of the last message that participant of a project
        # thread has read; 0 before they first read it.
        self.read_id_by_thread_and_user: DataLoader[tuple[int, int], int] = DataLoader(
            load_fn=self._read_ids
        )

    @staticmethod
    async def _read_ids(keys: list[tuple[int, int]]) -> list[int]:
        rows = await ThreadReadMarker.filter(
            thread_id__in=sorted({thread_id for thread_id, _ in keys}),
            user_id__in=sorted({user_id for _, user_id in keys}),
        ).values_list("thread_id", "user_id", "read_id")
        read = {(thread_id, user_id): read_id for thread_id, user_id, read_id in rows}
        return [read.get(key, 0) for key in keys]

    @staticmethod
    async def _unread_counts(keys: list[UnreadKey]) -> list[int]:
        """One grouped query for a whole page of threads: per thread, the messages after the
        viewer's read marker that the viewer did not send (each disjunct uses the
        (thread_id, id) index)."""
        counts: dict[tuple[int, int], int] = defaultdict(int)
        by_viewer: dict[int, list[UnreadKey]] = defaultdict(list)
        for key in keys:
            by_viewer[key.viewer_id].append(key)
        for viewer_id, viewer_keys in by_viewer.items():
            after = Q(
                *(Q(thread_id=key.thread_id, id__gt=key.read_id) for key in viewer_keys),
                join_type=Q.OR,
            )
            rows = (
                await Message.filter(after)
                .exclude(sender_id=viewer_id)
                .annotate(unread=Count("id"))
                .group_by("thread_id")
                .values("thread_id", "unread")
            )
            for row in rows:
                counts[(viewer_id, row["thread_id"])] = row["unread"]
        return [counts[(key.viewer_id, key.thread_id)] for key in keys]


def loaders(ctx: Context) -> MessageLoaders:
    """This operation's message loaders (a fresh set whenever `ctx.loaders` is replaced)."""
    return ctx.loaders.domain(MessageLoaders)


# --- Reading ---------------------------------------------------------------------------------


async def _load_thread(ctx: Context, thread_id: str | int) -> Thread | None:
    require_user(ctx.viewer)  # anonymous callers learn nothing, not even "no such thread"
    return await loaders(ctx).thread_by_id.load(parse_id(thread_id, "Thread"))


async def get_thread(ctx: Context, thread_id: str) -> Thread:
    """A thread the viewer takes part in (or any, for ADMIN); NOT_FOUND for everyone else."""
    thread = await _load_thread(ctx, thread_id)
    await authorize_thread(ctx.viewer, thread, thread_id, ctx.loaders)
    assert thread is not None
    return thread


async def project_thread(ctx: Context, project_id: str) -> Thread:
    """The project's thread, opened on first use. Concurrent first calls open one thread: they
    take turns on the project's row lock and the later one finds the earlier one's thread; the
    unique project column backs that up (get_or_create re-reads after an IntegrityError)."""
    _, project, _ = await authorized_project(ctx, project_id, ProjectAction.READ_THREAD)
    thread = await Thread.get_or_none(project_id=project.id)
    if thread is None:
        async with ctx.write():
            await lock_project(project.id)
            thread, _ = await Thread.get_or_create(
                project_id=project.id, defaults={"customer_id": project.customer_id}
            )
    loaders(ctx).thread_by_id.prime(thread.id, thread)
    return thread


def _encode_thread_cursor(thread: Thread) -> str:
    raw = f"thread:{thread.last_message_id}:{thread.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_thread_cursor(cursor: str) -> tuple[int, int]:
    try:
        kind, last, ident = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        if kind != "thread":
            raise ValueError(kind)
        return int(last), int(ident)
    except (ValueError, UnicodeDecodeError):
        raise BadUserInput("after is not a cursor returned by threads.", "after") from None


async def list_threads(ctx: Context, first: int | None, after: str | None) -> Page[Thread]:
    """The viewer's threads, most recent message first; threads without messages yet follow,
    newest first. Keyset on (last_message_id, id) descending: both only grow, ids are unique,
    so a cursor stays valid (a thread that gets a new message meanwhile moves to the top).

    Job threads where the viewer is a party, and the (opened) threads of the projects the
    viewer takes part in, in one query. ADMIN reads any thread by id but lists only its own."""
    user = require_user(ctx.viewer)
    size = DEFAULT_PAGE_SIZE if first is None else first
    limit = ctx.settings.max_page_size
    if not 1 <= size <= limit:
        raise BadUserInput(f"first must be between 1 and {limit}.", "first")
    projects = Subquery(participating_projects(user).values("id"))
    query = Thread.filter(
        Q(customer_id=user.id) | Q(worker_id=user.id) | Q(project_id__in=projects)
    )
    if after is not None:
        last, ident = _decode_thread_cursor(after)
        query = query.filter(Q(last_message_id__lt=last) | Q(last_message_id=last, id__lt=ident))
    rows = await query.order_by("-last_message_id", "-id").limit(size + 1)
    items = rows[:size]
    cache = loaders(ctx).thread_by_id
    for thread in items:
        cache.prime(thread.id, thread)
    return Page(
        items=items,
        cursors=[_encode_thread_cursor(thread) for thread in items],
        has_next_page=len(rows) > size,
    )


async def list_messages(
    ctx: Context, thread_id: str, first: int | None, after: str | None
) -> Page[Message]:
    """A thread's messages, newest first."""
    thread = await get_thread(ctx, thread_id)
    return await paginate(
        Message.filter(thread_id=thread.id),
        first=first,
        after=after,
        max_page_size=ctx.settings.max_page_size,
    )


async def thread_job(ctx: Context, thread: Thread) -> Job | None:
    """The job of a job thread; None for a project thread."""
    if thread.job_id is None:
        return None
    job = await ctx.loaders.job_by_id.load(thread.job_id)
    assert job is not None  # a thread never outlives its job (ON DELETE CASCADE)
    return job


async def thread_project(ctx: Context, thread: Thread) -> Project | None:
    """The project of a project thread; None for a job thread."""
    if thread.project_id is None:
        return None
    project = await ctx.loaders.project_by_id.load(thread.project_id)
    assert project is not None  # a thread never outlives its project (ON DELETE CASCADE)
    return project


async def thread_user(ctx: Context, user_id: int) -> User:
    user = await ctx.loaders.user_by_id.load(user_id)
    assert user is not None  # a thread never outlives its parties (ON DELETE CASCADE)
    return user


async def is_open(ctx: Context, thread: Thread) -> bool:
    project = await thread_project(ctx, thread)
    if project is not None:
        return project_thread_is_open(project)
    job = await thread_job(ctx, thread)
    assert job is not None
    return thread_is_open(thread, job)


async def _read_id(ctx: Context, thread: Thread, viewer: User) -> int | None:
    """The id of the last message the viewer has read here; None when the viewer only reads
    (ADMIN) and so keeps no marker."""
    standing = await thread_standing(viewer, thread, ctx.loaders)
    if standing == ThreadStanding.PARTICIPANT:
        return await loaders(ctx).read_id_by_thread_and_user.load((thread.id, viewer.id))
    marker = _READ_MARKER.get(standing)
    return None if marker is None else getattr(thread, marker)


async def unread_count(ctx: Context, thread: Thread) -> int:
    """Messages from others after the viewer's read marker; 0 for ADMIN."""
    viewer = ctx.viewer
    if viewer is None or thread.last_message_id == 0:
        return 0  # no messages: no query needed
    read_id = await _read_id(ctx, thread, viewer)
    if read_id is None or thread.last_message_id <= read_id:
        return 0  # nothing after the marker: no query needed
    key = UnreadKey(thread.id, read_id, viewer.id)
    return await loaders(ctx).unread_count_by_thread.load(key)


async def load_thread(ctx: Context, thread_id: int) -> Thread:
    thread = await loaders(ctx).thread_by_id.load(thread_id)
    assert thread is not None  # messages never outlive their thread (ON DELETE CASCADE)
    return thread


# --- Writing ---------------------------------------------------------------------------------


def _message_text(value: str) -> str:
    return validation.text(value, "text", max_length=MAX_MESSAGE_LENGTH)


def _closed(job: Job) -> InvalidState:
    return InvalidState(
        f"This conversation is closed: job {job.id} is {job.status.value}. Messages can be sent "
        "while the job is OPEN, and in the hired worker's conversation until the job is "
        "accepted.",
        status=job.status.value,
    )


def _project_closed(project: Project) -> InvalidState:
    return InvalidState(
        f"This conversation is closed: project {project.id} is {project.status.value}. A "
        "project's thread stays open until the project is cancelled.",
        status=project.status.value,
    )


async def _check_open(thread: Thread) -> None:
    """Read afresh: whether a thread is open depends on the current status of its job or
    project."""
    if thread.project_id is not None:
        project = await Project.get(id=thread.project_id)
        if not project_thread_is_open(project):
            raise _project_closed(project)
        return
    job = await Job.get(id=thread.job_id)
    if not thread_is_open(thread, job):
        raise _closed(job)


async def _move_read_marker(thread: Thread, user: User, standing: ThreadStanding, to: int) -> None:
    """Inside a write: the viewer has read the thread up to message `to`. Markers only move
    forward (conditional UPDATEs), so a late, earlier update never undoes a later one."""
    if standing == ThreadStanding.PARTICIPANT:
        # The unique (thread, user) index makes the first marker race-free: a concurrent
        # creator's insert fails (in its own savepoint) and reads the winner's row.
        await ThreadReadMarker.get_or_create(thread_id=thread.id, user_id=user.id)
        await ThreadReadMarker.filter(thread_id=thread.id, user_id=user.id, read_id__lt=to).update(
            read_id=to
        )
        return
    marker = _READ_MARKER[standing]
    await Thread.filter(id=thread.id, **{f"{marker}__lt": to}).update(**{marker: to})


async def _check_rate(ctx: Context, user: User) -> None:
    await enforce(
        ctx.limiter,
        f"messages:user:{user.id}",
        limit=MESSAGES_PER_WINDOW,
        window_seconds=MESSAGE_WINDOW_SECONDS,
        reason=f"You can send at most {MESSAGES_PER_WINDOW} messages per "
        f"{MESSAGE_WINDOW_SECONDS} seconds",
    )


async def send_message(ctx: Context, thread_id: str, text: str) -> Message:
    thread = await _load_thread(ctx, thread_id)
    user, standing = await authorize_thread(ctx.viewer, thread, thread_id, ctx.loaders, write=True)
    assert thread is not None
    text = _message_text(text)
    await _check_open(thread)
    await _check_rate(ctx, user)
    async with ctx.write():
        message = await Message.create(thread_id=thread.id, sender_id=user.id, text=text)
        # Conditional on the id, so a concurrent send that committed a later message first is
        # never overwritten by this earlier one.
        await Thread.filter(id=thread.id, last_message_id__lt=message.id).update(
            last_message_id=message.id, last_message_at=message.created_at
        )
        # Writing in a thread means having read it up to here.
        await _move_read_marker(thread, user, standing, message.id)
        participants = None
        if thread.project_id is not None:
            project = await Project.get(id=thread.project_id)
            participants = sorted(await project_participant_ids(project, ctx.loaders))
        ctx.publish_after_commit(
            channels.thread_messages(thread.id),
            events.message_sent(message.id, thread.id, participants),
        )
    return message


async def mark_thread_read(ctx: Context, thread_id: str) -> Thread:
    """Moves the viewer's read marker to the thread's last message (never backwards)."""
    thread = await _load_thread(ctx, thread_id)
    user, standing = await authorize_thread(ctx.viewer, thread, thread_id, ctx.loaders, write=True)
    assert thread is not None
    async with ctx.write():
        if standing == ThreadStanding.PARTICIPANT:
            current = await Thread.get(id=thread.id)
            await _move_read_marker(thread, user, standing, current.last_message_id)
        else:
            marker = _READ_MARKER[standing]
            await Thread.filter(id=thread.id, **{f"{marker}__lt": F("last_message_id")}).update(
                **{marker: F("last_message_id")}
            )
    return await Thread.get(id=thread.id)


# --- Live ------------------------------------------------------------------------------------


def message_audience(event: Event) -> frozenset[int] | None:
    """Who may receive a live message: on a project thread, its participants when it was sent
    (and ADMIN, see the subscription spec); on a job thread, everyone the channel admitted."""
    participants = event.data.get("participants")
    return None if participants is None else frozenset(participants)


async def message_received_channel(ctx: Context, thread_id: str) -> str:
    thread = await get_thread(ctx, thread_id)
    return channels.thread_messages(thread.id)


async def message_of_event(ctx: Context, event: Event) -> Message | None:
    return await loaders(ctx).message_by_id.load(event.id)
