"""Everything the web layer holds for the life of the process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from models import User
from realtime import Bus
from resolvers.context import Context
from resolvers.loaders import Loaders
from resolvers.ratelimit import Limiter
from resolvers.relay import Relay
from settings import Settings
from web.engine import Engine
from web.fanout import Hub


@dataclass(frozen=True)
class Backends:
    """What the application runs for the life of the process and hands to the web layer."""

    bus: Bus
    limiter: Limiter
    # Publishes the outbox (resolvers/relay.py); woken after each commit that stored events.
    relay: Relay | None = None


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    bus: Bus
    limiter: Limiter
    relay: Relay | None
    hub: Hub
    # Initialised WebSocket sessions held by this process, per user (or per address for
    # anonymous ones), for the per-user caps on sockets and on operations over them.
    sessions: dict[tuple[str, object], set[Any]] = field(default_factory=dict)

    def context(self, user: User | None = None, client_address: str = "unknown") -> Context:
        return Context(
            settings=self.settings,
            bus=self.bus,
            limiter=self.limiter,
            user=user,
            client_address=client_address,
            relay=self.relay,
        )

    def context_sharing(self, user: User | None, loaders: Loaders) -> Context:
        """A context reading through `loaders`, shared with other runs for the same event (the
        fan-out runs a selection once per viewer; building fresh loaders for each, only to
        replace them, cost a tenth of a viewer-dependent fan-out)."""
        return Context(
            settings=self.settings,
            bus=self.bus,
            limiter=self.limiter,
            user=user,
            loaders=loaders,
        )
