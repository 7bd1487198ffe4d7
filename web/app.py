"""The web layer: /graphql (HTTP and WebSocket), /healthz and the web app at /, over the
backends the application starts (application.py)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute

from models.database import database_is_reachable
from schema import graphql_schema
from settings import Settings
from web.engine import Engine
from web.fanout import Hub
from web.http import graphql_http
from web.state import AppState, Backends
from web.webapp import WebApp
from web.websocket import graphql_ws


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


def create_web_app(
    settings: Settings, backends: Callable[[], AbstractAsyncContextManager[Backends]]
) -> Starlette:
    """The web layer over `backends` (the database, bus and limiter the application runs for
    the life of the process: application.running). It holds only what serving needs: the
    GraphQL engine, the subscription fan-out and the per-socket bookkeeping."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with backends() as running:
            engine = Engine(graphql_schema, settings)
            state = AppState(
                settings=settings,
                engine=engine,
                bus=running.bus,
                limiter=running.limiter,
                hub=None,  # type: ignore[arg-type]
            )
            state.hub = Hub(running.bus, engine, lambda user: state.context(user))
            app.state.fixhub = state
            try:
                yield
            finally:
                await state.hub.close()

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
