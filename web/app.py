"""The web layer: /graphql (HTTP and WebSocket), /healthz and the web app at /, over the
backends the application starts (application.py)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

import metrics
from models.database import database_is_reachable, pending_migrations
from schema import graphql_schema
from settings import Settings
from web.engine import Engine
from web.fanout import Hub
from web.http import graphql_http
from web.state import AppState, Backends
from web.webapp import WebApp
from web.websocket import graphql_ws


async def healthz(request: Request) -> JSONResponse:
    """Liveness: the process answers. No I/O, so a slow database never gets a live process
    restarted (that is what /readyz is for)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness, for a load balancer: the database answers and holds every migration this
    code ships, and the event bus answers. 503 with what is missing otherwise."""
    state: AppState = request.app.state.fixhub
    checks: dict[str, str] = {}
    if await database_is_reachable():
        try:
            pending = await pending_migrations()
        except Exception:
            pending = {"(unreadable)"}
        checks["database"] = "ok"
        checks["migrations"] = "ok" if not pending else f"pending: {', '.join(sorted(pending))}"
    else:
        checks["database"] = "unreachable"
        checks["migrations"] = "unknown"
    checks["bus"] = "ok" if await state.bus.ping() else "unreachable"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503
    )


async def metrics_endpoint(request: Request) -> Response:
    """This process's figures in Prometheus' text format (metrics.py says what each is)."""
    return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)


GRAPHQL_PATH = "/graphql"


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
                relay=running.relay,
                hub=None,  # type: ignore[arg-type]
            )
            state.hub = Hub(running.bus, engine, state.context_sharing)
            app.state.fixhub = state
            try:
                yield
            finally:
                await state.hub.close()

    return FixhubApp(
        routes=[
            Route("/graphql", graphql_http, methods=["GET", "POST"]),
            WebSocketRoute(GRAPHQL_PATH, graphql_ws),  # served by FixhubApp directly
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            # Last: everything else is the web app (its files, or index.html for its routes).
            Mount("/", app=WebApp(Path(settings.webapp_dist)), name="webapp"),
        ],
        lifespan=lifespan,
        middleware=cors_middleware(settings),
    )


class FixhubApp(Starlette):
    """Starlette, with GraphQL's WebSocket served without the middleware stack and router.

    A socket lives for hours and every coroutine it awaits through stays in memory with it:
    Starlette's error and exception middleware, the router and the route's wrapper held about
    4 KB per socket (issue 12's per-socket budget is 20 KiB). None of them acts on a WebSocket
    here: the error middleware passes non-HTTP scopes through, CORS does not apply to sockets,
    and graphql_ws handles its own failures (close codes)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == GRAPHQL_PATH:
            scope["app"] = self
            await graphql_ws(WebSocket(scope, receive=receive, send=send))
            return
        await super().__call__(scope, receive, send)


def cors_middleware(settings: Settings) -> list[Middleware]:
    """CORS for a front end hosted on another origin (CORS_ALLOW_ORIGINS), off by default.
    Tokens travel in the Authorization header, never in cookies, so credentials stay off and
    a listed origin can only do what its user's token allows. (WebSockets are not subject to
    CORS; a socket is authenticated by the token in connection_init.)"""
    if not settings.cors_allow_origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_allow_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-ID"],
            expose_headers=["X-Query-Cost"],
            allow_credentials=False,
            max_age=600,
        )
    ]
