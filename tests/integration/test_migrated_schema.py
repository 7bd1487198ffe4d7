"""The unique indexes that money, filings and conversations rely on exist in the migrated
database, on SQLite and on PostgreSQL alike.

Tortoise silently ignores `unique=True` on a foreign key, and on SQLite its table rebuild for an
altered column drops the table's other indexes: both happened once. These tests write the
duplicate row directly, below the use cases, so only the database can refuse it.
"""

from __future__ import annotations

from typing import Any

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import EscrowEntry, EscrowKind, Milestone, ProjectRecord, RecordKind, Thread
from tests.support.api import Api
from tests.support.renovation import Renovation


async def _refused(model: type, **values: Any) -> None:
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await model.create(**values)


async def test_a_milestone_is_released_at_most_once(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    milestone = (
        await Milestone.filter(project_id=int(scene.project_id)).order_by("position").first()
    )
    assert milestone is not None
    row = {
        "project_id": milestone.project_id,
        "kind": EscrowKind.RELEASE,
        "amount_cents": 1,
        "milestone_id": milestone.id,
        "held_after_cents": 0,
        "recorded_by_id": int(scene.customer.id),
    }
    await EscrowEntry.create(**row)
    await _refused(EscrowEntry, **row)


async def test_a_record_is_superseded_at_most_once(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, contract=True)
    contract = await ProjectRecord.get(project_id=int(scene.project_id), subject="contract")
    row = {
        "project_id": contract.project_id,
        "kind": RecordKind.CONTRACT,
        "subject": "contract",
        "supersedes_id": contract.id,
        "content": "{}",
        "sha256": "0" * 64,
        "filed_by_id": int(scene.customer.id),
    }
    await ProjectRecord.create(**row, filing_number="X-1", version=2)
    await _refused(ProjectRecord, **row, filing_number="X-2", version=3)


async def test_one_thread_per_project_and_per_job_and_worker(api: Api, app: Any) -> None:
    scene = await Renovation.build(api, app, team=True)
    project_id, customer_id = int(scene.project_id), int(scene.customer.id)
    await Thread.create(project_id=project_id, customer_id=customer_id)
    await _refused(Thread, project_id=project_id, customer_id=customer_id)

    customer = await api.register("CUSTOMER")
    worker = await api.worker()
    job = await api.post_job(customer)
    await api.quote(worker, job["id"])  # opens the job thread
    await _refused(
        Thread, job_id=int(job["id"]), customer_id=int(customer.id), worker_id=int(worker.id)
    )
