"""Shared fixtures: a fresh database per test (SQLite file, or a new PostgreSQL database when
TEST_DATABASE_URL is set), the app with its lifespan running, and factories for the actors."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from argon2 import PasswordHasher
from asgi_lifespan import LifespanManager
from redis.asyncio import Redis
from redis.exceptions import RedisError

from application import create_app
from models.database import asyncpg_dsn, close_database, open_database, sqlite_path
from settings import Settings

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_BROADCAST_URL = os.environ.get("TEST_BROADCAST_URL")
SECRET = "test-secret-key-that-is-long-enough-0123456789"

requires_postgres = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="set TEST_DATABASE_URL to run against PostgreSQL"
)
requires_redis = pytest.mark.skipif(
    not TEST_BROADCAST_URL, reason="set TEST_BROADCAST_URL to run against Redis"
)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.asynccontextmanager
async def fresh_postgres_database(template: str | None = None) -> AsyncIterator[str]:
    """A new PostgreSQL database on the TEST_DATABASE_URL server (empty, or a copy of
    `template`), dropped afterwards."""
    assert TEST_DATABASE_URL
    name = f"fixhub_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(asyncpg_dsn(TEST_DATABASE_URL))
    try:
        suffix = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{suffix}')
    finally:
        await admin.close()
    try:
        yield _with_database(TEST_DATABASE_URL, name)
    finally:
        admin = await asyncpg.connect(asyncpg_dsn(TEST_DATABASE_URL))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(scope="session")
async def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A database with every migration applied, made once per run: copied for each test on
    SQLite, emptied before each test on PostgreSQL (running all migrations for every test
    would dominate the run). The app still runs `migrate` at start-up and finds nothing left
    to do; the empty-database start-up is covered by the scale-out tests."""
    if TEST_DATABASE_URL is None:
        url = f"sqlite://{tmp_path_factory.mktemp('template') / 'fixhub.sqlite3'}"
        await open_database(url)
        await close_database()
        yield url
        return
    # On PostgreSQL every test runs in this one database, emptied before each test.
    async with fresh_postgres_database() as url:
        await open_database(url)
        await close_database()
        yield url


# One dialect per test run: Tortoise caches dialect-specific query builders on the model
# classes, so the suite runs once on SQLite and once (in another process) on PostgreSQL.
@pytest.fixture(params=["postgres"] if TEST_DATABASE_URL else ["sqlite"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_template: str
) -> AsyncIterator[str]:
    """A migrated database holding nothing: a fresh SQLite copy of the template, or the
    PostgreSQL work database emptied."""
    if request.param == "sqlite":
        template = sqlite_path(migrated_template)
        assert template is not None
        shutil.copyfile(template, tmp_path / "fixhub.sqlite3")
        yield f"sqlite://{tmp_path / 'fixhub.sqlite3'}"
        return
    await reset_postgres_database(migrated_template)
    yield migrated_template


# Emptying the one work database before each test takes ~30 ms; creating a database from the
# template and dropping it took ~850 ms per test, most of the PostgreSQL run.
_RESET_SQL = """
DO $$
DECLARE name text;
BEGIN
  SET LOCAL lock_timeout = '10s';  -- a connection leaked by an earlier test fails loudly
  SET LOCAL session_replication_role = replica;  -- no FK triggers: any deletion order works
  FOR name IN SELECT format('%I', tablename) FROM pg_tables
              WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations' LOOP
    EXECUTE 'DELETE FROM ' || name;
  END LOOP;
  FOR name IN SELECT format('%I', sequencename) FROM pg_sequences WHERE schemaname = 'public' LOOP
    EXECUTE 'ALTER SEQUENCE ' || name || ' RESTART';
  END LOOP;
END $$;
"""


async def reset_postgres_database(url: str) -> None:
    """Every row gone and every id sequence back at 1, as in a fresh copy of the template."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.execute(_RESET_SQL)
    finally:
        await connection.close()


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests register many actors; argon2 at its production cost would dominate the run.
    (tests/unit/test_tokens.py checks the production parameters.)"""
    monkeypatch.setattr(
        "resolvers.tokens._hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def broadcast_url() -> str:
    return TEST_BROADCAST_URL or "memory://"


@pytest.fixture
def settings(database_url: str, broadcast_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        broadcast_url=broadcast_url,
        secret_key=SECRET,
        secret_key_is_default=False,
        # Each test's events and rate-limit counters stay its own on a shared Redis (ids
        # restart at 1 in every fresh database).
        namespace=f"test-{uuid.uuid4().hex[:12]}",
        # Every test registers its actors from one address; tests of that limit lower it.
        registrations_per_address=100_000,
    )


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


# -- a private redis-server that tests may kill and restart (never the shared one) ----------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A throwaway redis-server on a fixed port (never the shared one on 6379)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server binary not found"
        self._process = await asyncio.create_subprocess_exec(
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5.0
        while not await self._answers_ping():
            assert time.monotonic() < deadline, "redis-server did not start"
            await asyncio.sleep(0.02)

    async def kill(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()
        self._process = None

    async def _answers_ping(self) -> bool:
        client = Redis.from_url(self.url, socket_connect_timeout=0.5)
        try:
            return bool(await client.ping())
        except (RedisError, OSError):
            return False
        finally:
            await client.aclose()


@pytest.fixture
async def private_redis() -> AsyncIterator[RedisServer]:
    server = RedisServer(free_port())
    await server.start()
    try:
        yield server
    finally:
        await server.kill()


@dataclass
class Actor:
    id: str
    token: str
    email: str
    role: str


class Api:
    """GraphQL calls as a client makes them, plus factories for the actors of a test."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def call(
        self, query: str, variables: dict[str, Any] | None = None, actor: Actor | None = None
    ) -> dict[str, Any]:
        response = await self.raw(query, variables, actor.token if actor else None)
        assert response.status_code == 200, response.text
        return response.json()

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, actor: Actor | None = None
    ) -> dict[str, Any]:
        body = await self.call(query, variables, actor)
        assert "errors" not in body, body
        return body["data"]

    async def error_code(
        self, query: str, variables: dict[str, Any] | None = None, actor: Actor | None = None
    ) -> str:
        body = await self.call(query, variables, actor)
        assert body.get("errors"), body
        return body["errors"][0]["extensions"]["code"]

    async def register(self, role: str = "CUSTOMER", name: str | None = None) -> Actor:
        email = f"{role.lower()}-{uuid.uuid4().hex[:10]}@example.com"
        data = await self.ok(
            """mutation($input: RegisterInput!) {
                 register(input: $input) { token user { id email role } } }""",
            {
                "input": {
                    "email": email,
                    "password": "correct horse battery",
                    "displayName": name or role.title(),
                    "role": role,
                }
            },
        )
        payload = data["register"]
        return Actor(payload["user"]["id"], payload["token"], email, role)

    async def worker(
        self,
        lat: float = 52.52,
        lng: float = 13.405,
        radius_km: float = 25,
        categories: tuple[str, ...] = ("PIPES",),
    ) -> Actor:
        actor = await self.register("WORKER")
        await self.ok(
            "mutation($input: WorkerProfileInput!) { updateWorkerProfile(input: $input) { id } }",
            {
                "input": {
                    "categories": list(categories),
                    "location": {"lat": lat, "lng": lng},
                    "serviceRadiusKm": radius_km,
                    "bio": "Plumber",
                }
            },
            actor,
        )
        return actor

    async def post_job(
        self,
        customer: Actor,
        category: str = "PIPES",
        lat: float = 52.5,
        lng: float = 13.4,
        **overrides: Any,
    ) -> dict[str, Any]:
        job_input = {
            "category": category,
            "title": "Leaking pipe under the sink",
            "description": "Water drips from the joint.",
            "location": {"lat": lat, "lng": lng},
            "address": "Alexanderplatz 1, Berlin",
            **overrides,
        }
        data = await self.ok(
            """mutation($input: PostJobInput!) {
                 postJob(input: $input) { id status matchCount } }""",
            {"input": job_input},
            customer,
        )
        return data["postJob"]

    async def quote(self, worker: Actor, job_id: str, amount_cents: int = 12000) -> dict[str, Any]:
        data = await self.ok(
            """mutation($input: SubmitQuoteInput!) {
                 submitQuote(input: $input) { id status amountCents } }""",
            {"input": {"jobId": job_id, "amountCents": amount_cents, "message": "Can do"}},
            worker,
        )
        return data["submitQuote"]

    async def accepted_job(
        self, amount_cents: int = 20000, *, accept: bool = True
    ) -> tuple[Actor, Actor, str]:
        """(customer, hired worker, job id) of a job driven through the API to ACCEPTED (or,
        with accept=False, to COMPLETED): the moment its parties may review each other."""
        customer = await self.register("CUSTOMER")
        worker = await self.worker()
        job = await self.post_job(customer)
        quote = await self.quote(worker, job["id"], amount_cents)
        await self.ok(
            "mutation($id: ID!) { acceptQuote(quoteId: $id) { id } }", {"id": quote["id"]}, customer
        )
        for call in (
            'scheduleJob(jobId: $id, scheduledAt: "2099-01-01T09:00:00Z")',
            "startJob(jobId: $id)",
            "completeJob(jobId: $id)",
        ):
            await self.ok(f"mutation($id: ID!) {{ r: {call} {{ id }} }}", {"id": job["id"]}, worker)
        if accept:
            await self.ok(
                "mutation($id: ID!) { acceptJob(jobId: $id) { id } }", {"id": job["id"]}, customer
            )
        return customer, worker, job["id"]


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)
