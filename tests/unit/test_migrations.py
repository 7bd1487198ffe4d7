"""The migrations describe the models exactly: Tortoise's own autodetector (what
`tortoise -c settings.TORTOISE_ORM makemigrations` runs) finds nothing left to migrate. A model
change without its migration would otherwise reach a database only as a runtime error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run apart from the suite: Tortoise keeps its apps in process-wide state.
_DETECT = """
import asyncio
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
from settings import tortoise_config

async def main():
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    for writer in writers:
        print(writer.name, [type(op).__name__ for op in writer.operations])

asyncio.run(main())
"""


def test_the_models_need_no_migration_that_is_not_written() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _DETECT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", f"models changed without a migration: {done.stdout}"
