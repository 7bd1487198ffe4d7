"""Renovations built once per run and copied into each test's database.

`Renovation.build` drives about thirty API calls (four verified firms with their members, a
customer's project, the team, the contract): a third of a second, and some 280 tests start with
one. So each kind of scene is built once per run (per xdist worker) through the API, exactly as a
test would build it, on a pristine copy of the migrated database; its rows are kept, and a test
that builds that kind of scene on a pristine database gets those rows copied in (a few ms) and
the same `Renovation`. The rate-limit hits the build made are replayed against the test's app so
that the counters read as if the calls had just been made.

A build on a database that already holds users, or with an ADMIN from elsewhere
(`Renovation.build_with`), goes through the API as before.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from asgi_lifespan import LifespanManager
from tortoise import connections

from application import create_app
from models import User
from models.database import asyncpg_dsn, sqlite_path
from settings import Settings
from tests.support.api import Api
from tests.support.services import sqlite_url

# (team, contract) of a scene; a contract implies the team.
Kind = tuple[bool, bool]
KINDS: list[Kind] = [(False, False), (True, False), (True, True)]


@dataclass
class Snapshot:
    """The rows one build left in a pristine database, and the scene's actors and ids."""

    scene: dict[str, Any]  # the Renovation's fields but `api`
    limiter_hits: list[tuple[str, int]]  # (key, window seconds), in order
    sqlite_file: Path | None = None
    postgres_tables: dict[str, bytes] = field(default_factory=dict)  # COPY ... BINARY
    postgres_sequences: dict[str, int] = field(default_factory=dict)


_snapshots: dict[Kind, Snapshot] = {}
# The settings the scenes were built with, but for where the rows and events live: a test whose
# app runs with other settings (another secret, other limits) builds its scene itself.
_built_with: Settings | None = None


def _comparable(settings: Settings) -> Settings:
    return dataclasses.replace(settings, database_url="", broadcast_url="", namespace="")


async def usable_snapshot(app: Any, team: bool, contract: bool) -> Snapshot | None:
    """The snapshot of this kind of scene, if the app's database is pristine (nothing but what
    the migrations made: every row a test makes hangs off a user) and its settings match."""
    snapshot = _snapshots.get((team or contract, contract))
    if snapshot is None or _built_with is None:
        return None
    if _comparable(app.state.fixhub.settings) != _built_with:
        return None
    if await User.exists():
        return None
    return snapshot


def forget_snapshots() -> None:
    global _built_with
    _snapshots.clear()
    _built_with = None


class _RecordingLimiter:
    """The app's limiter, noting every hit (what a restore replays)."""

    def __init__(self, inner: Any, hits: list[tuple[str, int]]) -> None:
        self._inner = inner
        self._hits = hits

    async def hit(self, key: str, window_seconds: int) -> int:
        self._hits.append((key, window_seconds))
        return int(await self._inner.hit(key, window_seconds))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


Build = Callable[[Api, Any, bool, bool], Awaitable[Any]]


async def take_snapshots(
    settings: Settings, folder: Path, build: Build, reset: Callable[[], Awaitable[None]]
) -> None:
    """Builds every kind of scene with `build(api, app, team, contract)` (the API path) on
    `settings.database_url` (a pristine SQLite template, copied; or the PostgreSQL work
    database, which `reset()` empties) and keeps its rows."""
    global _built_with
    database_url = settings.database_url
    for team, contract in KINDS:
        path = sqlite_path(database_url)
        url = database_url
        if path is not None:
            scene_file = folder / f"scene-{int(team)}{int(contract)}.sqlite3"
            shutil.copyfile(path, scene_file)
            url = sqlite_url(scene_file)
        else:
            await reset()
        hits: list[tuple[str, int]] = []
        application = create_app(dataclasses.replace(settings, database_url=url))
        async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
            state = application.state.fixhub
            state.limiter = _RecordingLimiter(state.limiter, hits)
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://fixhub.test") as h:
                scene = await build(Api(h), application, team, contract)
            state.limiter = state.limiter._inner
            fields = {
                f.name: getattr(scene, f.name) for f in dataclasses.fields(scene) if f.name != "api"
            }
            snapshot = Snapshot(fields, hits)
            if path is not None:
                snapshot.sqlite_file = scene_file
            else:
                await _dump_postgres(url, snapshot)
        _snapshots[(team, contract)] = snapshot
    if sqlite_path(database_url) is None:
        await reset()
    _built_with = _comparable(settings)


def scene_fields(snapshot: Snapshot) -> dict[str, Any]:
    """A copy: a test may change its scene's actors without touching the next test's."""
    return copy.deepcopy(snapshot.scene)


async def restore(snapshot: Snapshot, app: Any) -> None:
    """Copies the snapshot's rows into the (pristine) database the app is running on."""
    if snapshot.sqlite_file is not None:
        await _restore_sqlite(snapshot.sqlite_file)
    else:
        await _restore_postgres(app.state.fixhub.settings.database_url, snapshot)
    limiter = app.state.fixhub.limiter
    for key, window_seconds in snapshot.limiter_hits:
        await limiter.hit(key, window_seconds)


async def _restore_sqlite(file: Path) -> None:
    client = connections.get("default")
    tables = [
        row["name"]
        for row in await client.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name <> 'tortoise_migrations'"
        )
    ]
    copies = "\n".join(
        f'INSERT INTO main."{name}" SELECT * FROM snapshot."{name}";' for name in tables
    )
    quoted = str(file).replace("'", "''")
    # ATTACH cannot run inside a transaction; the copies run in one, foreign keys checked at
    # its end (any table order works).
    await client.execute_script(
        f"ATTACH DATABASE '{quoted}' AS snapshot;\n"
        "BEGIN;\nPRAGMA defer_foreign_keys = ON;\n"
        f"{copies}\n"
        "DELETE FROM main.sqlite_sequence;\n"
        "INSERT INTO main.sqlite_sequence SELECT * FROM snapshot.sqlite_sequence;\n"
        "COMMIT;\nDETACH DATABASE snapshot;"
    )


_TABLES = """SELECT tablename FROM pg_tables
WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'"""
_SEQUENCES = """SELECT sequencename, last_value FROM pg_sequences
WHERE schemaname = 'public' AND last_value IS NOT NULL"""


async def _dump_postgres(url: str, snapshot: Snapshot) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        for row in await connection.fetch(_TABLES):
            buffer = io.BytesIO()
            await connection.copy_from_table(row["tablename"], output=buffer, format="binary")
            snapshot.postgres_tables[row["tablename"]] = buffer.getvalue()
        for row in await connection.fetch(_SEQUENCES):
            snapshot.postgres_sequences[row["sequencename"]] = row["last_value"]
    finally:
        await connection.close()


async def _restore_postgres(url: str, snapshot: Snapshot) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with connection.transaction():
            # No FK triggers while copying: any table order works.
            await connection.execute("SET LOCAL session_replication_role = replica")
            for table, data in snapshot.postgres_tables.items():
                await connection.copy_to_table(table, source=io.BytesIO(data), format="binary")
            for sequence, value in snapshot.postgres_sequences.items():
                await connection.execute("SELECT setval($1::regclass, $2)", f'"{sequence}"', value)
    finally:
        await connection.close()
