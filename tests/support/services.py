"""The services a test run talks to: PostgreSQL when TEST_DATABASE_URL is set, Redis when
TEST_BROADCAST_URL is set (SQLite and the in-memory bus otherwise), and the work databases made
on the PostgreSQL server."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from argon2 import PasswordHasher

from models.database import asyncpg_dsn
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


# Tests register many actors; argon2 at its production cost would dominate the run.
# (tests/unit/test_tokens.py checks the production parameters.)
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def sqlite_url(path: Path) -> str:
    """The URL of a test's SQLite file. synchronous=NORMAL, WAL's recommended level: a commit
    is not fsync'd (FULL, SQLite's default, costs ~3.5 ms of disk wait per commit here, and
    the suite commits tens of thousands of times); no test's database outlives a crash.
    Tortoise passes the query to SQLite as a PRAGMA."""
    return f"sqlite://{path}?synchronous=NORMAL"


def suite_settings(database_url: str, broadcast_url: str) -> Settings:
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
        # A commit does not wait for its WAL flush (~6 ms of disk wait per commit here, and
        # the suite commits tens of thousands of times); what other sessions see, locks and
        # isolation are unchanged, and no test's database outlives a crash.
        await admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
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


# Emptying the one work database before each test takes ~5 ms; creating a database from the
# template and dropping it took ~850 ms per test, most of the PostgreSQL run. The sequences a
# test drew from are set back with setval: ALTER SEQUENCE ... RESTART on all of them made a new
# file for each and took ~40 ms per test.
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
  -- last_value is NULL for a sequence not drawn from since its (re)start
  PERFORM setval(format('%I', sequencename)::regclass, start_value, false) FROM pg_sequences
    WHERE schemaname = 'public' AND last_value IS NOT NULL;
END $$;
"""


async def reset_postgres_database(url: str) -> None:
    """Every row gone and every id sequence back at 1, as in a fresh copy of the template."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.execute(_RESET_SQL)
    finally:
        await connection.close()
