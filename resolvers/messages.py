"""Job conversations: one thread per job between its customer and each quoting worker.

A thread is opened by `submit_quote` (resolvers/quotes.py); this module lists threads, reads and
sends messages, keeps the read markers, and publishes each new message after its commit. Who may
read or write a thread, and whether it is still open, is decided in resolvers.policy.

Unread counts come from the read markers, so a message creates no Notification row.
"""

from __future__ import annotations

import base64
import time
from collections import defaultdict
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from strawberry.dataloader import DataLoader
from tortoise.expressions import F, Q
from tortoise.functions import Count

from errors import BadUserInput, InvalidState, RateLimited
from models import Job, Message, Thread, User
from realtime import channels, events
from realtime.events import Event
from resolvers import validation
from resolvers.context import Context
from resolvers.jobs import parse_id
from resolvers.loaders import Loaders
from resolvers.pagination import DEFAULT_PAGE_SIZE, Page, paginate
from resolvers.policy import (
    ThreadStanding,
    authorize_thread,
    require_user,
    thread_is_open,
    thread_standing,
)

MAX_MESSAGE_LENGTH = 4000
# Sending is limited per user over a fixed window (shared through Redis in scale-out mode).
MESSAGES_PER_WINDOW = 30
MESSAGE_WINDOW_SECONDS = 60

# The read marker column of each party.
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
        self.thread_by_id: DataLoader[int, Thread | None] = DataLoader(load_fn=self._threads)
        self.message_by_id: DataLoader[int, Message | None] = DataLoader(load_fn=self._messages)
        self.unread_count_by_thread: DataLoader[UnreadKey, int] = DataLoader(
            load_fn=self._unread_counts
        )

    @staticmethod
    async def _threads(ids: list[int]) -> list[Thread | None]:
        rows = {row.id: row for row in await Thread.filter(id__in=ids)}
        return [rows.get(i) for i in ids]

    @staticmethod
    async def _messages(ids: list[int]) -> list[Message | None]:
        rows = {row.id: row for row in await Message.filter(id__in=ids)}
        return [rows.get(i) for i in ids]

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


_per_operation: WeakKeyDictionary[Loaders, MessageLoaders] = WeakKeyDictionary()


def loaders(ctx: Context) -> MessageLoaders:
    """This operation's message loaders (a fresh set whenever `ctx.loaders` is replaced)."""
    found = _per_operation.get(ctx.loaders)
    if found is None:
        found = _per_operation[ctx.loaders] = MessageLoaders()
    return found


# --- Reading ---------------------------------------------------------------------------------


async def _load_thread(ctx: Context, thread_id: str | int) -> Thread | None:
    require_user(ctx.viewer)  # anonymous callers learn nothing, not even "no such thread"
    return await loaders(ctx).thread_by_id.load(parse_id(thread_id, "Thread"))


async def get_thread(ctx: Context, thread_id: str) -> Thread:
    """A thread the viewer takes part in (or any, for ADMIN); NOT_FOUND for everyone else."""
    thread = await _load_thread(ctx, thread_id)
    authorize_thread(ctx.viewer, thread, thread_id)
    assert thread is not None
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
    so a cursor stays valid (a thread that gets a new message meanwhile moves to the top)."""
    user = require_user(ctx.viewer)
    size = DEFAULT_PAGE_SIZE if first is None else first
    limit = ctx.settings.max_page_size
    if not 1 <= size <= limit:
        raise BadUserInput(f"first must be between 1 and {limit}.", "first")
    query = Thread.filter(Q(customer_id=user.id) | Q(worker_id=user.id))
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


async def thread_job(ctx: Context, thread: Thread) -> Job:
    job = await ctx.loaders.job_by_id.load(thread.job_id)
    assert job is not None  # a thread never outlives its job (ON DELETE CASCADE)
    return job


async def thread_user(ctx: Context, user_id: int) -> User:
    user = await ctx.loaders.user_by_id.load(user_id)
    assert user is not None  # a thread never outlives its parties (ON DELETE CASCADE)
    return user


async def is_open(ctx: Context, thread: Thread) -> bool:
    return thread_is_open(thread, await thread_job(ctx, thread))


async def unread_count(ctx: Context, thread: Thread) -> int:
    """Messages from the other party after the viewer's read marker; 0 for ADMIN."""
    viewer = ctx.viewer
    if viewer is None:
        return 0
    marker = _READ_MARKER.get(thread_standing(viewer, thread))
    if marker is None or thread.last_message_id <= getattr(thread, marker):
        return 0  # nothing after the marker: no query needed
    key = UnreadKey(thread.id, getattr(thread, marker), viewer.id)
    return await loaders(ctx).unread_count_by_thread.load(key)


async def load_thread(ctx: Context, thread_id: int) -> Thread:
    thread = await loaders(ctx).thread_by_id.load(thread_id)
    assert thread is not None  # messages never outlive their thread (ON DELETE CASCADE)
    return thread


# --- Writing ---------------------------------------------------------------------------------


def _message_text(value: str) -> str:
    """1-4000 characters (Unicode code points), kept exactly as sent. Only what no database can
    store is refused: NUL characters and unpaired surrogates."""
    text = validation.text(value, "text", max_length=MAX_MESSAGE_LENGTH)
    if "\x00" in text:
        raise BadUserInput("text must not contain NUL (U+0000) characters.", "text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadUserInput("text must be valid Unicode (no unpaired surrogates).", "text") from None
    return text


def _closed(job: Job) -> InvalidState:
    return InvalidState(
        f"This conversation is closed: job {job.id} is {job.status.value}. Messages can be sent "
        "while the job is OPEN, and in the hired worker's conversation until the job is "
        "accepted.",
        status=job.status.value,
    )


async def _check_rate(ctx: Context, user: User) -> None:
    window = MESSAGE_WINDOW_SECONDS
    sent = await ctx.limiter.hit(f"messages:user:{user.id}", window)
    if sent > MESSAGES_PER_WINDOW:
        retry_after = window - int(time.time()) % window
        raise RateLimited(
            f"You can send at most {MESSAGES_PER_WINDOW} messages per {window} seconds; "
            f"try again in {retry_after} s.",
            retry_after,
        )


async def send_message(ctx: Context, thread_id: str, text: str) -> Message:
    thread = await _load_thread(ctx, thread_id)
    user, standing = authorize_thread(ctx.viewer, thread, thread_id, write=True)
    assert thread is not None
    text = _message_text(text)
    # Read the job afresh: whether the thread is open depends on its current status.
    job = await Job.get(id=thread.job_id)
    if not thread_is_open(thread, job):
        raise _closed(job)
    await _check_rate(ctx, user)
    marker = _READ_MARKER[standing]
    async with ctx.write():
        message = await Message.create(thread_id=thread.id, sender_id=user.id, text=text)
        # Conditional on the id, so a concurrent send that committed a later message first is
        # never overwritten by this earlier one.
        await Thread.filter(id=thread.id, last_message_id__lt=message.id).update(
            last_message_id=message.id, last_message_at=message.created_at
        )
        # Writing in a thread means having read it up to here.
        await Thread.filter(id=thread.id, **{f"{marker}__lt": message.id}).update(
            **{marker: message.id}
        )
        ctx.publish_after_commit(
            channels.thread_messages(thread.id), events.message_sent(message.id, thread.id)
        )
    return message


async def mark_thread_read(ctx: Context, thread_id: str) -> Thread:
    """Moves the viewer's read marker to the thread's last message (never backwards)."""
    thread = await _load_thread(ctx, thread_id)
    _, standing = authorize_thread(ctx.viewer, thread, thread_id, write=True)
    assert thread is not None
    marker = _READ_MARKER[standing]
    async with ctx.write():
        await Thread.filter(id=thread.id, **{f"{marker}__lt": F("last_message_id")}).update(
            **{marker: F("last_message_id")}
        )
    return await Thread.get(id=thread.id)


# --- Live ------------------------------------------------------------------------------------


async def message_received_channel(ctx: Context, thread_id: str) -> str:
    thread = await get_thread(ctx, thread_id)
    return channels.thread_messages(thread.id)


async def message_of_event(ctx: Context, event: Event) -> Message | None:
    return await loaders(ctx).message_by_id.load(event.id)
