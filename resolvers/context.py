"""What every use case receives: who is asking, settings, the bus, and per-operation loaders."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from models import User
from realtime import Bus
from realtime.events import Event
from resolvers.loaders import Loaders
from resolvers.publishing import publish_all
from resolvers.ratelimit import Limiter
from settings import Settings


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
    # Events of the write in progress; published only once its transaction has committed.
    outbox: list[tuple[str, Event]] = field(default_factory=list)

    @property
    def viewer(self) -> User | None:
        self.viewer_used = True
        return self.user

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        """A transaction for a use case that changes rows.

        Events queued with `publish_after_commit` go out only after the commit (and are
        dropped on rollback). Afterwards the loaders start empty: a later field or mutation of
        the same document must not read rows cached before.
        """
        self.outbox = []
        try:
            async with in_transaction():
                yield
        except BaseException:
            self.outbox = []
            raise
        self.loaders = Loaders()
        messages, self.outbox = self.outbox, []
        await publish_all(self.bus, messages)

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
        )
