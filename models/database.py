"""Opening the database and bringing its schema up to date at start-up.

Several processes may start at once against one empty database, so migrations run under a
lock: a PostgreSQL advisory lock (held on its own connection for the duration), or an
exclusive file lock beside the SQLite file.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
from tortoise import Tortoise, connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

from settings import tortoise_config

# Any constant works; it only has to be the same in every fixhub process.
MIGRATION_LOCK_KEY = 0x0F1A_B0B


def sqlite_path(database_url: str) -> str | None:
    if not database_url.startswith("sqlite://"):
        return None
    path = database_url.removeprefix("sqlite://").split("?", 1)[0]
    return None if path in {"", ":memory:"} else path


def asyncpg_dsn(database_url: str) -> str:
    for prefix in ("asyncpg://", "postgresql://"):
        if database_url.startswith(prefix):
            return "postgres://" + database_url.removeprefix(prefix)
    return database_url


@contextlib.asynccontextmanager
async def migration_lock(database_url: str) -> AsyncIterator[None]:
    path = sqlite_path(database_url)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        lock_file = open(f"{path}.migrate.lock", "w")  # noqa: SIM115, ASYNC230 - tiny, held for the block
        try:
            # flock blocks the thread, not the loop.
            await asyncio.to_thread(fcntl.flock, lock_file.fileno(), fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)
            lock_file.close()
        return
    if database_url.startswith("sqlite://"):
        yield
        return
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        try:
            yield
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    finally:
        await connection.close()


async def open_database(database_url: str) -> None:
    """Migrate to the latest schema (under the lock), then open the connections for use."""
    config = tortoise_config(database_url)
    async with migration_lock(database_url), TortoiseContext():
        await migrate(config=config)
    # Global fallback: requests run in other tasks than the lifespan that opened the database.
    await Tortoise.init(config=config, _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


def written_migrations() -> set[str]:
    """The migrations this code ships (migrations/NNNN_*.py)."""
    folder = Path(__file__).resolve().parents[1] / "migrations"
    return {path.stem for path in folder.glob("[0-9][0-9][0-9][0-9]_*.py")}


async def pending_migrations() -> set[str]:
    """Shipped migrations the database has not applied (another process may be migrating)."""
    rows = await connections.get("default").execute_query_dict(
        "SELECT name FROM tortoise_migrations WHERE app = 'fixhub'"
    )
    return written_migrations() - {row["name"] for row in rows}


def connections_in_use() -> float:
    """Connections checked out of the PostgreSQL pool now (0 when the pool is not open); on
    SQLite, whose one connection serves every request, 0."""
    try:
        client = connections.get("default")
    except Exception:
        return 0.0
    pool = getattr(client, "_pool", None)  # asyncpg's pool, once Tortoise has opened it
    if pool is None or not hasattr(pool, "get_size"):
        return 0.0
    return float(pool.get_size() - pool.get_idle_size())


async def database_is_reachable() -> bool:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        return False
    return True
