"""The outbox relay: publishes the stored events on the bus, in order, marks them published,
and prunes them once they are older than the retention window.

Every process runs one. The write that stored events wakes its own process's relay right
after the commit (`wake`), so an event normally reaches the bus a few milliseconds after its
transaction; the poll (every `outbox_poll_seconds`) is only the safety net for events whose
process died between the commit and the publish, or whose publish failed (the bus was down).

Why a lock rather than `FOR UPDATE SKIP LOCKED`: skipping a row another relay holds would let
a later row of the same channel overtake it, and subscribers rely on each channel's events
arriving in position order (they drop an event older than one they already had, which is how
a republished duplicate disappears). So one relay pass at a time, over all processes: a
PostgreSQL advisory transaction lock (a process that finds it held waits for the pass in
progress, then publishes whatever that pass did not see), an asyncio lock on SQLite, which only
one process uses. No LISTEN/NOTIFY is needed: each commit wakes the relay of the process that
made it, and events orphaned by a dead process are the poll's.

A row is marked published only after the bus accepted it; if the process dies in between, the
next pass publishes it again and subscribers drop the duplicate by its position.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

import metrics
import tracing
from models import OutboxEvent
from realtime import Bus
from resolvers import outbox
from settings import Settings

log = logging.getLogger("fixhub.realtime")

RELAY_LOCK_KEY = 0x0F1A_B0D
DONE, MORE, FAILED = "done", "more", "failed"
BATCH = 500
PRUNE_EVERY_SECONDS = 60.0
# After a failed publish, wait this long (doubling up to the poll interval) before retrying,
# so an outage of the bus is not hammered on every commit.
RETRY_INITIAL_SECONDS = 0.05
# At shutdown, how long a pass in progress may take to finish before it is cancelled.
STOP_GRACE_SECONDS = 5.0


class Relay:
    def __init__(self, bus: Bus, settings: Settings) -> None:
        self._bus = bus
        self._settings = settings
        self._wanted = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._last_prune = 0.0
        # The trace context of the operation that stored an event, by position, until the
        # event is published (this process's events only; tracing on).
        self._parents: dict[int, dict[str, str]] = {}
        # Resolved when a pass that started after the latest `wake` has ended.
        self._next_pass: asyncio.Future[None] | None = None
        self._stopping = False

    def wake(self) -> asyncio.Future[None]:
        """Called right after a transaction that stored events committed. The future is done
        once a pass that started after this call ended: the events are published (or, if the
        bus refused them, left for the retries)."""
        self._wanted.set()
        if self._next_pass is None:
            self._next_pass = asyncio.get_running_loop().create_future()
        return self._next_pass

    def traced(self, positions: range, carrier: dict[str, str] | None) -> None:
        if carrier is not None and len(self._parents) < BATCH * 10:
            self._parents.update(dict.fromkeys(positions, carrier))

    def start(self) -> None:
        self._wanted.set()  # at start-up: whatever a previous life left unpublished
        self._task = asyncio.create_task(self._run(), name="outbox relay")

    async def stop(self) -> None:
        """Let a pass in progress finish (its events reach the bus), then end. A flag, not only
        a cancellation: on Python 3.11 `asyncio.wait_for` swallows a cancellation that arrives
        as its awaitable finishes, and a swallowed one would leave shutdown waiting for ever."""
        task, self._task = self._task, None
        self._stopping = True
        self._wanted.set()
        if task is not None:
            await stop_task(task, STOP_GRACE_SECONDS, "outbox relay")
        if self._next_pass is not None and not self._next_pass.done():
            self._next_pass.set_result(None)

    async def _run(self) -> None:
        retry = RETRY_INITIAL_SECONDS
        poll = self._settings.outbox_poll_seconds
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll):
                    await self._wanted.wait()
            if self._stopping:
                return
            self._wanted.clear()
            waiting, self._next_pass = self._next_pass, None
            try:
                outcome = await self.publish_pending()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the outbox relay failed; retrying")
                outcome = FAILED
            if waiting is not None:
                if outcome == MORE:  # their events may be in the next batch
                    self._next_pass = self._next_pass or waiting
                    if self._next_pass is not waiting:
                        _chain(waiting, self._next_pass)
                elif not waiting.done():
                    waiting.set_result(None)
            try:
                await self._prune_now_and_then()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("pruning the outbox failed; retrying later")
            if outcome == FAILED:
                await asyncio.sleep(retry)
                retry = min(retry * 2, poll)
                self._wanted.set()
                continue
            retry = RETRY_INITIAL_SECONDS
            if outcome == MORE:
                self._wanted.set()

    @contextlib.asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[BaseDBAsyncClient]:
        """The one relay pass running, over all processes (see the module docstring)."""
        async with self._lock:
            connection = connections.get("default")
            if not outbox.is_postgres(connection):
                # No transaction on SQLite: its one connection would be held for the writes of
                # every request while a slow bus is published to.
                yield connection
                return
            async with in_transaction() as transaction:
                await transaction.execute_query(
                    "SELECT pg_advisory_xact_lock($1)", [RELAY_LOCK_KEY]
                )
                yield transaction

    async def publish_pending(self) -> str:
        """One pass: publish unpublished events in position order, stopping at the first that
        the bus refuses (so none overtakes it). DONE, MORE (a full batch went out) or FAILED."""
        async with self._exclusive() as connection:
            pending = (
                await OutboxEvent.filter(published_at=None)
                .order_by("position")
                .limit(BATCH)
                .using_db(connection)
            )
            if not pending:
                return DONE
            published: list[int] = []
            failed = False
            for row in pending:
                event = outbox.event_of(row, self._settings.secret_key)
                kind = metrics.channel_kind(row.channel)
                try:
                    parent = self._parents.pop(row.position, None)
                    with tracing.publish_span(kind, parent) as carrier:
                        await self._bus.publish(row.channel, event.encode(time.time(), carrier))
                except Exception as error:
                    metrics.EVENTS_NOT_PUBLISHED.labels(kind).inc()
                    log.warning(
                        "event %s on %s not published yet (%r); it stays in the outbox",
                        row.type,
                        row.channel,
                        error,
                    )
                    failed = True
                    break
                metrics.EVENTS_PUBLISHED.labels(kind).inc()
                published.append(row.id)
            if published:
                await (
                    OutboxEvent.filter(id__in=published)
                    .using_db(connection)
                    .update(published_at=datetime.now(UTC))
                )
            if failed:
                return FAILED
            return MORE if len(pending) == BATCH else DONE

    async def _prune_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._last_prune < PRUNE_EVERY_SECONDS:
            return
        self._last_prune = now
        cutoff = datetime.now(UTC) - timedelta(seconds=self._settings.outbox_retention_seconds)
        pruned = await outbox.prune(cutoff)
        if pruned:
            log.info("pruned %d outbox events published before %s", pruned, cutoff.isoformat())


async def stop_task(task: asyncio.Task[None], grace: float, name: str) -> None:
    """Wait up to `grace` for a task told to stop (by its own flag) to end, then cancel it and
    wait as long again; never for ever (shutdown must end within its own timeout)."""
    done, _ = await asyncio.wait({task}, timeout=grace)
    if not done:
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=grace)
    if not done:
        log.error("%s did not stop within %.0f s; leaving it", name, 2 * grace)
    elif not task.cancelled() and task.exception() is not None:
        log.error("%s ended with an error", name, exc_info=task.exception())


def _chain(earlier: asyncio.Future[None], later: asyncio.Future[None]) -> None:
    """Resolve `earlier` when `later` is."""

    def done(_: asyncio.Future[None]) -> None:
        if not earlier.done():
            earlier.set_result(None)

    later.add_done_callback(done)
