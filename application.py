"""The application: what one fixhub process runs for its whole life, with the web app on top.

Start-up opens the database (migrating it), connects the bus and the rate limiter and starts
the outbox relay and the review-window sweeper; shutdown stops them in the reverse order. The
web layer (web/app.py) only serves GraphQL over HTTP and WebSocket, with the bus and limiter it
is handed here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from tortoise import connections

import metrics
import tracing
from models.database import close_database, connections_in_use, open_database
from realtime import create_bus
from resolvers.context import Context
from resolvers.ratelimit import create_limiter
from resolvers.relay import STOP_GRACE_SECONDS, Relay, stop_task
from resolvers.reviews import close_overdue_jobs
from settings import Settings
from web.app import create_web_app
from web.state import Backends

log = logging.getLogger("fixhub")

SWEEP_SECONDS = 600


async def close_overdue_periodically(
    settings: Settings, backends: Backends, stopping: asyncio.Event
) -> None:
    """Closes jobs whose review window passed. Every process may run it: each close is a
    conditional update, so two processes never close one job twice. Ends when `stopping` is
    set (see Relay.stop for why a flag and not only a cancellation)."""
    while not stopping.is_set():
        try:
            context = Context(
                settings=settings, bus=backends.bus, limiter=backends.limiter, relay=backends.relay
            )
            closed = await close_overdue_jobs(context)
            if closed:
                log.info("closed %d jobs whose review window ended", closed)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("closing overdue jobs failed; retrying later")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SWEEP_SECONDS):
                await stopping.wait()


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Backends]:
    """The process's database, bus, limiter and sweeper, from start-up to shutdown."""
    async with contextlib.AsyncExitStack() as stack:
        tracing.configure_from_environment()
        await open_database(settings.database_url)
        stack.push_async_callback(close_database)
        metrics.set_database_gauge(connections_in_use)
        tracing.instrument_database(connections.get("default"))
        bus = create_bus(
            settings.broadcast_url,
            queue_size=settings.subscriber_queue_size,
            namespace=settings.namespace,
        )
        await bus.connect()
        stack.push_async_callback(bus.disconnect)
        limiter = create_limiter(settings.broadcast_url, settings.namespace)
        stack.push_async_callback(limiter.close)
        relay = Relay(bus, settings)
        relay.start()
        stack.push_async_callback(relay.stop)
        backends = Backends(bus=bus, limiter=limiter, relay=relay)
        stopping = asyncio.Event()
        sweeper = asyncio.create_task(
            close_overdue_periodically(settings, backends, stopping), name="close overdue"
        )
        try:
            yield backends
        finally:
            stopping.set()
            await stop_task(sweeper, STOP_GRACE_SECONDS, "the review-window sweeper")


def create_app(settings: Settings) -> Starlette:
    """The ASGI app of one process: the web layer, started and stopped with `running`."""
    return create_web_app(settings, lambda: running(settings))
