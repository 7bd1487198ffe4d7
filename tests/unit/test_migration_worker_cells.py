"""Migration 0005 on a database that already has workers: their index rows keep their cells,
take their profile's circle, and the (worker, category, cell) uniqueness survives (Tortoise's
SQLite table rebuild once dropped such a constraint). Runs apart from the suite, like
test_migrations.py: Tortoise keeps its apps in process-wide state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_MIGRATE = """
import asyncio, sqlite3, sys
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate
from settings import tortoise_config

path = sys.argv[1]
config = tortoise_config("sqlite://" + path)

async def to(target):
    async with TortoiseContext():
        await migrate(config=config, target=target)

asyncio.run(to("fixhub.0004_enterprise_invitations"))
db = sqlite3.connect(path)
db.execute("INSERT INTO users (id, email, password_hash, display_name, role,"
           " customer_rating_sum, customer_rating_count, created_at)"
           " VALUES (7, 'w@example.com', 'x', 'W', 'WORKER', 0, 0, '2026-01-01T00:00:00+00:00')")
db.execute("INSERT INTO worker_profiles (user_id, categories, lat, lng, service_radius_km,"
           " available, rating_sum, rating_count, completed_jobs, recent_matches, recent_quotes,"
           " updated_at) VALUES (7, '[\\"PIPES\\"]', 52.5, 13.4, 25.0, 1, 0, 0, 0, 0, 0,"
           " '2026-01-01T00:00:00+00:00')")
db.execute("INSERT INTO worker_cells (worker_id, category, cell)"
           " VALUES (7, 'PIPES', '285:386'), (7, 'PIPES', '285:387')")
db.commit()
db.close()
asyncio.run(to(None))
db = sqlite3.connect(path)
print(db.execute("SELECT worker_id, category, cell, lat, lng, service_radius_km"
                 " FROM worker_cells ORDER BY cell").fetchall())
try:
    db.execute("INSERT INTO worker_cells (worker_id, category, cell, lat, lng, service_radius_km)"
               " VALUES (7, 'PIPES', '285:386', 52.5, 13.4, 25.0)")
    print("duplicate accepted")
except sqlite3.IntegrityError:
    print("duplicate refused")
"""


def test_existing_index_rows_take_their_workers_circle_and_stay_unique(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _MIGRATE, str(tmp_path / "fixhub.sqlite3")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "[(7, 'PIPES', '285:386', 52.5, 13.4, 25.0), (7, 'PIPES', '285:387', 52.5, 13.4, 25.0)]",
        "duplicate refused",
    ]
