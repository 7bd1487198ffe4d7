"""Subscriptions have one execution path: web/fanout.py runs each Subscription field from its
spec in schema.SPECS. A field without a spec could not be served; strawberry's own
subscription path (graphql-core's `subscribe`) is closed rather than a second, untested way."""

from __future__ import annotations

import pytest

from schema import SPECS, graphql_schema, schema

SUBSCRIPTION_FIELDS = sorted(graphql_schema.subscription_type.fields)  # type: ignore[union-attr]


def test_every_subscription_field_has_the_spec_the_fanout_runs() -> None:
    assert sorted(SPECS) == SUBSCRIPTION_FIELDS


@pytest.mark.parametrize("field", ["matchingJobs", "notifications"])
async def test_strawberrys_own_subscription_path_is_closed(field: str) -> None:
    results = await schema.subscribe(f"subscription {{ {field} {{ id }} }}")
    first = await anext(results)  # type: ignore[arg-type]

    assert first.data is None
    assert [e.message for e in first.errors or []] == [
        f"Subscription.{field} is executed by web/fanout.py from SPECS."
    ]
