"""The fuzz checks themselves: an INTERNAL or a leak is caught, an echo of hostile input in a
validation message is not mistaken for one, and an injected bug is found over HTTP."""

from __future__ import annotations

import pytest

from tests.support.api import Api
from tests.support.fuzz import HOSTILE_STRINGS, Operation, Outcome, run_http


def test_an_internal_error_is_a_problem() -> None:
    outcome = Outcome()
    outcome.check_payload({"errors": [{"message": "x", "extensions": {"code": "INTERNAL"}}]})
    assert outcome.codes == ["INTERNAL"]
    assert len(outcome.problems) == 1


@pytest.mark.parametrize(
    "leak",
    [
        'Traceback (most recent call last):\n  File "/app/x.py", line 3',
        'SELECT "id" FROM "user" WHERE "id" = 1',
        "sqlite3.OperationalError: no such table",
        'value "99999999999" is out of range for type integer',
    ],
)
def test_a_traceback_or_sql_in_an_error_is_a_problem(leak: str) -> None:
    outcome = Outcome()
    outcome.check_payload({"errors": [{"message": leak, "extensions": {"code": "BAD_USER_INPUT"}}]})
    assert outcome.problems, leak


def test_hostile_input_echoed_in_a_validation_message_is_not_a_leak() -> None:
    outcome = Outcome()
    errors = [
        {"message": f"Expected value of type 'ID', found {text!r}.", "extensions": {"code": "X"}}
        for text in HOSTILE_STRINGS
    ]
    outcome.check_payload({"errors": errors})
    assert outcome.problems == []


async def test_an_injected_bug_is_found(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("resolvers.pagination.decode_cursor", broken)
    customer = await api.register("CUSTOMER")
    operation = Operation(
        "query", '{ myJobs(after: "aWQ6MQ==") { pageInfo { hasNextPage } } }', {}, None
    )
    outcome = await run_http(api.http, operation, customer.token)
    assert outcome.codes == ["INTERNAL"]
    assert outcome.problems
