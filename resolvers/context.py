"""What every use case receives: who is asking, settings, the bus, and per-operation loaders."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tortoise.transactions import in_transaction

import tracing
from models import User
from realtime import Bus
from realtime.events import Event
from resolvers import outbox
from resolvers.loaders import Loaders
from resolvers.ratelimit import Limiter
from settings import Settings

# How long a write waits for the relay to publish its events before answering anyway.
PUBLISH_WAIT_SECONDS = 2.0

if TYPE_CHECKING:
    from resolvers.relay import Relay


@dataclass
class Context:
    settings: Settings
    bus: Bus
    limiter: Limiter
    user: User | None = None
    client_address: str = "unknown"
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    loaders: Loaders = field(default_factory=Loaders)
    # Set when anything reads `viewer`: a subscription event whose execution never looked at
    # the viewer produced viewer-independent data and may be shared by every subscriber of the
    # same selection.
    viewer_used: bool = False
    # Events of the write in progress; stored in the outbox table in its transaction, and
    # published by the relay once it committed.
    outbox: list[tuple[str, Event]] = field(default_factory=list)
    # This process's outbox relay, woken after each commit that stored events (None: only
    # its poll, or another process's relay, publishes them).
    relay: Relay | None = None

    @property
    def viewer(self) -> User | None:
        self.viewer_used = True
        return self.user

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        """A transaction for a use case that changes rows.

        Events queued with `publish_after_commit` are written to the outbox in the same
        transaction (so they exist exactly when the change does) and go out once the relay,
        woken right after the commit, publishes them. Afterwards the loaders start empty: a
        later field or mutation of the same document must not read rows cached before.
        """
        self.outbox = []
        try:
            async with in_transaction() as connection:
                yield
                messages = self.outbox
                if messages:
                    positions = await outbox.store(connection, messages)
        finally:
            self.outbox = []
        self.loaders = Loaders()
        if messages:
            kill_after = self.settings.test_kill_after_commit
            if kill_after and any(event.type == kill_after for _, event in messages):
                os.kill(os.getpid(), signal.SIGKILL)  # tests: die between commit and publish
            if self.relay is not None:
                self.relay.traced(positions, tracing.current_carrier())
                # Answer once the events are on the bus, as before the outbox: a client that
                # subscribes after this mutation's reply must not receive them live. Bounded:
                # with the bus down the retries deliver them later.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self.relay.wake()), PUBLISH_WAIT_SECONDS)

    def publish_after_commit(self, channel: str, event: Event) -> None:
        self.outbox.append((channel, event))

    def for_new_operation(self, user: User | None = None) -> Context:
        """A fresh context (new loaders, new request id) for the same connection."""
        return Context(
            settings=self.settings,
            bus=self.bus,
            limiter=self.limiter,
            user=self.user if user is None else user,
            client_address=self.client_address,
            relay=self.relay,
        )
