"""The ASGI application: /graphql (HTTP and WebSocket), /healthz, and the web app at /."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute

from models.database import close_database, database_is_reachable, open_database
from realtime import create_bus
from resolvers.ratelimit import create_limiter
from resolvers.reviews import close_overdue_jobs
from schema import schema as graphql_schema
from settings import Settings
from web.engine import Engine
from web.fanout import Hub
from web.http import graphql_http
from web.state import AppState
from web.webapp import WebApp
from web.websocket import graphql_ws

log = logging.getLogger("fixhub")


async def healthz(request: Request) -> JSONResponse:
    state: AppState = request.app.state.fixhub
    database_ok = await database_is_reachable()
    bus_ok = await state.bus.ping()
    if database_ok and bus_ok:
        return JSONResponse({"status": "ok"})
    return JSONResponse(
        {
            "status": "unavailable",
            "database": "ok" if database_ok else "unreachable",
            "bus": "ok" if bus_ok else "unreachable",
        },
        status_code=503,
    )


SWEEP_SECONDS = 600


async def close_overdue_periodically(state: AppState) -> None:
    """Closes jobs whose review window passed. Every process may run it: each close is a
    conditional update, so two processes never close one job twice."""
    while True:
        try:
            closed = await close_overdue_jobs(state.context())
            if closed:
                log.info("closed %d jobs whose review window ended", closed)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("closing overdue jobs failed; retrying later")
        await asyncio.sleep(SWEEP_SECONDS)


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await open_database(settings.database_url)
        bus = create_bus(
            settings.broadcast_url,
            queue_size=settings.subscriber_queue_size,
            namespace=settings.namespace,
        )
        await bus.connect()
        engine = Engine(graphql_schema._schema, settings)
        limiter = create_limiter(settings.broadcast_url, settings.namespace)
        state = AppState(
            settings=settings,
            engine=engine,
            bus=bus,
            limiter=limiter,
            hub=None,  # type: ignore[arg-type]
        )
        state.hub = Hub(bus, engine, lambda user: state.context(user))
        app.state.fixhub = state
        sweeper = asyncio.create_task(close_overdue_periodically(state), name="close overdue")
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            await state.hub.close()
            await bus.disconnect()
            await limiter.close()
            await close_database()

    return Starlette(
        routes=[
            Route("/graphql", graphql_http, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_ws),
            Route("/healthz", healthz, methods=["GET"]),
            # Last: everything else is the web app (its files, or index.html for its routes).
            Mount("/", app=WebApp(Path(settings.webapp_dist)), name="webapp"),
        ],
        lifespan=lifespan,
    )
