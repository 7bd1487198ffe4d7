"""The application, not the web layer, runs the process's background work: the review-window
sweeper starts with the app and stops with it (application.running)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import application
from models import Job, JobStatus
from settings import Settings


@pytest.fixture
def quick_sweeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Set before the app starts (listed before `api`), so its sweeper passes every 50 ms.
    monkeypatch.setattr(application, "SWEEP_SECONDS", 0.05)
    yield


async def test_a_running_app_closes_jobs_whose_review_window_ended(
    quick_sweeps: None, api: Any
) -> None:
    _, _, job_id = await api.accepted_job()
    await Job.filter(id=int(job_id)).update(accepted_at=datetime.now(UTC) - timedelta(days=15))

    for _ in range(100):
        job = await Job.get(id=int(job_id))
        if job.status == JobStatus.CLOSED:
            break
        await asyncio.sleep(0.05)

    assert job.status == JobStatus.CLOSED


async def test_the_sweeper_stops_with_the_app(settings: Settings) -> None:
    async with application.running(settings) as backends:
        assert await backends.bus.ping()
        sweepers = [t for t in asyncio.all_tasks() if t.get_name() == "close overdue"]
        assert len(sweepers) == 1

    assert sweepers[0].done()
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "close overdue"]


async def test_shutdown_ends_even_when_a_sweep_swallows_its_cancellation(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python 3.11's asyncio.wait_for returns instead of raising when a cancellation arrives as
    # its awaitable finishes; a sweep caught that way must not keep shutdown waiting for ever.
    async def sweep_that_swallows_cancellation(_context: Any) -> int:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.5)
        return 0

    monkeypatch.setattr(application, "close_overdue_jobs", sweep_that_swallows_cancellation)
    monkeypatch.setattr(application, "SWEEP_SECONDS", 0.01)
    async with asyncio.timeout(20):  # before: shutdown waited for the sweeper for ever
        async with application.running(settings):
            await asyncio.sleep(0.05)  # the sweeper is inside a sweep
            sweepers = [t for t in asyncio.all_tasks() if t.get_name() == "close overdue"]

    assert sweepers[0].done()
