"""Generated queries and mutations over HTTP, from every role and anonymously: never INTERNAL,
never a traceback or SQL text, never a 5xx (the short profile; bench/fuzz.py runs the long one).
"""

from __future__ import annotations

from hypothesis import given

from tests.support.api import Api
from tests.support.fuzz import SHORT, Operation, World, operations, run_http


@SHORT
@given(operation=operations("query"))
async def test_generated_queries_are_answered_cleanly(
    api: Api, world: World, operation: Operation
) -> None:
    outcome = await run_http(api.http, operation, world.token(operation.actor))
    assert not outcome.problems, operation.reproducer()


@SHORT
@given(operation=operations("mutation"))
async def test_generated_mutations_are_answered_cleanly(
    api: Api, world: World, operation: Operation
) -> None:
    outcome = await run_http(api.http, operation, world.token(operation.actor))
    assert not outcome.problems, operation.reproducer()
