"""Shared fixtures: a fresh database per test (SQLite file, or the PostgreSQL work database
emptied when TEST_DATABASE_URL is set), the app with its lifespan running, an Api client on it,
and a live uvicorn server for WebSocket tests. What the fixtures build with lives in
tests/support."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager

from application import create_app
from models.database import close_database, open_database, sqlite_path
from settings import Settings
from tests.support.api import Api
from tests.support.redis_server import RedisServer, free_port
from tests.support.renovation import Renovation
from tests.support.services import (
    CHEAP_HASHER,
    TEST_BROADCAST_URL,
    TEST_DATABASE_URL,
    fresh_postgres_database,
    reset_postgres_database,
    sqlite_url,
    suite_settings,
)
from tests.support.snapshots import forget_snapshots, take_snapshots
from tests.support.websocket import PROTOCOLS, LiveServer, QuietServer
from web.ws_protocol import FixhubWebSocketProtocol


@pytest.fixture(scope="session")
async def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A database with every migration applied, made once per run: copied for each test on
    SQLite, emptied before each test on PostgreSQL (running all migrations for every test
    would dominate the run). The app still runs `migrate` at start-up and finds nothing left
    to do; the empty-database start-up is covered by the scale-out tests."""
    if TEST_DATABASE_URL is None:
        url = sqlite_url(tmp_path_factory.mktemp("template") / "fixhub.sqlite3")
        await open_database(url)
        await close_database()
        yield url
        return
    # On PostgreSQL every test runs in this one database, emptied before each test.
    async with fresh_postgres_database() as url:
        await open_database(url)
        await close_database()
        yield url


@pytest.fixture(scope="session")
async def renovation_snapshots(
    migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[None]:
    """Each kind of renovation scene built once per run, through the API, for
    `Renovation.build` to copy into a test's pristine database (tests/support/snapshots.py)."""

    async def build(api: Api, app: Any, team: bool, contract: bool) -> Renovation:
        return await Renovation.build_through_api(api, app, team=team, contract=contract)

    async def reset() -> None:
        await reset_postgres_database(migrated_template)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("resolvers.tokens._hasher", CHEAP_HASHER)
        await take_snapshots(
            suite_settings(migrated_template, "memory://"),
            tmp_path_factory.mktemp("scenes"),
            build,
            reset,
        )
    yield
    forget_snapshots()


@pytest.fixture
def server_sqlite_url(migrated_template: str, tmp_path: Path) -> str:
    """A SQLite database for a `python server.py` the test starts: a copy of the migrated
    template, as a server that is not new finds it (migrating an empty file costs a server ~3 s
    of CPU; the empty start-up runs in `migrated_template`, the browser tests and the scale-out
    tests). On a PostgreSQL run the template is not SQLite, and this process must not open a
    SQLite database (Tortoise's per-dialect caches): the server gets an empty file."""
    target = tmp_path / "server.sqlite3"
    template = sqlite_path(migrated_template)
    if template is not None:
        shutil.copyfile(template, target)
    return sqlite_url(target)


# One dialect per test run: Tortoise caches dialect-specific query builders on the model
# classes, so the suite runs once on SQLite and once (in another process) on PostgreSQL.
@pytest.fixture(params=["postgres"] if TEST_DATABASE_URL else ["sqlite"])
async def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    migrated_template: str,
    renovation_snapshots: None,
) -> AsyncIterator[str]:
    """A migrated database holding nothing: a fresh SQLite copy of the template, or the
    PostgreSQL work database emptied."""
    if request.param == "sqlite":
        template = sqlite_path(migrated_template)
        assert template is not None
        shutil.copyfile(template, tmp_path / "fixhub.sqlite3")
        yield sqlite_url(tmp_path / "fixhub.sqlite3")
        return
    await reset_postgres_database(migrated_template)
    yield migrated_template


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests register many actors; argon2 at its production cost would dominate the run.
    (tests/unit/test_tokens.py checks the production parameters.)"""
    monkeypatch.setattr("resolvers.tokens._hasher", CHEAP_HASHER)


@pytest.fixture
def broadcast_url() -> str:
    return TEST_BROADCAST_URL or "memory://"


@pytest.fixture
def settings(database_url: str, broadcast_url: str) -> Settings:
    return suite_settings(database_url, broadcast_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fixhub.test") as http:
        yield http


@pytest.fixture
async def api_from(app: Any) -> AsyncIterator[Callable[[str], Api]]:
    """`api_from("203.0.113.7")`: an Api calling from that client address (what the
    per-address limits count); the `api` fixture calls from ASGITransport's 127.0.0.1."""
    clients: list[httpx.AsyncClient] = []

    def from_address(address: str) -> Api:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://fixhub.test"))
        return Api(clients[-1])

    try:
        yield from_address
    finally:
        for http in clients:
            await http.aclose()


# A private redis-server that tests may kill and restart (never the shared one).
@pytest.fixture
async def private_redis() -> AsyncIterator[RedisServer]:
    server = RedisServer(free_port())
    await server.start()
    try:
        yield server
    finally:
        await server.kill()


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)


@pytest.fixture
async def live_server(settings: Settings) -> AsyncIterator[LiveServer]:
    application = create_app(settings)
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=0,  # the OS picks a free port; read back below
        ws=FixhubWebSocketProtocol,  # what server.py runs
        lifespan="on",
        log_level="warning",
        log_config=None,  # leave the process's logging configuration alone
    )
    server = QuietServer(config)
    task = asyncio.create_task(server.serve(), name="uvicorn")
    try:
        async with asyncio.timeout(30):
            while not server.started:
                if task.done():
                    task.result()  # raises the start-up failure
                    raise RuntimeError("uvicorn exited during start-up")
                await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        http_url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=http_url, trust_env=False, timeout=30) as http:
            yield LiveServer(
                app=application,
                http_url=http_url,
                ws_url=f"ws://127.0.0.1:{port}/graphql",
                api=Api(http),
            )
    finally:
        server.should_exit = True
        await task


@pytest.fixture(params=PROTOCOLS)
def protocol(request: pytest.FixtureRequest) -> str:
    return request.param
