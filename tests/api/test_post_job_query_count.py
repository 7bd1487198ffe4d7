"""postJob's SQL does not grow with the workers it matches: one matched worker and twenty
cost the same statements, inside its transaction too (the match rows are one batched insert,
the counters one UPDATE)."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise import connections

from tests.support.api import Api

WRITERS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")


def count_every_statement(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement through the client's class or its transaction wrapper (a subclass
    that runs the transaction's statements), which tests/support/query_count.py's
    instance-level counter does not see."""
    statements: list[str] = []
    base = type(connections.get("default"))
    for cls in (base, *base.__subclasses__()):
        for name in WRITERS:
            original = vars(cls).get(name)
            if original is None:
                continue

            async def counted(
                self: Any, query: str, *args: Any, _original: Any = original, **kw: Any
            ) -> Any:
                statements.append(query)
                return await _original(self, query, *args, **kw)

            monkeypatch.setattr(cls, name, counted)
    return statements


async def _statements_for_post_job(
    api: Api, monkeypatch: pytest.MonkeyPatch, category: str, workers: int
) -> list[str]:
    customer = await api.register("CUSTOMER")
    for _ in range(workers):
        await api.worker(categories=(category,))
    with monkeypatch.context() as patch:
        statements = count_every_statement(patch)
        job = await api.post_job(customer, category=category)
    assert job["matchCount"] == workers
    return statements


async def test_post_job_costs_the_same_statements_for_one_match_and_twenty(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = await _statements_for_post_job(api, monkeypatch, "PIPES", 1)
    twenty = await _statements_for_post_job(api, monkeypatch, "CLEANING", 20)
    assert len(one) == len(twenty), "\n".join(twenty)
    # viewer; matching; job; status change; match rows; the counters (locked in order on
    # PostgreSQL in the same UPDATE); the outbox: the next position (after PostgreSQL's
    # position lock) and the event row, in the transaction; then the relay reads the
    # unpublished rows and marks them published (on PostgreSQL under its own pass lock).
    postgres = connections.get("default").capabilities.dialect == "postgres"
    assert len(one) <= 10 + 2 * postgres, "\n".join(one)
