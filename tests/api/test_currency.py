"""CURRENCY: new jobs and projects (and so their quotes) are priced in the server's currency,
which the schema tells a client before anything exists (the web app formats budgets with it)."""

from __future__ import annotations

import pytest

from settings import Settings
from tests.support.api import Api


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(currency="JPY")


async def test_new_jobs_quotes_and_projects_take_the_configured_currency(api: Api) -> None:
    assert (await api.ok("{ currency }")) == {"currency": "JPY"}
    customer = await api.register("CUSTOMER")
    worker = await api.worker()
    job = await api.post_job(customer)
    await api.quote(worker, job["id"])
    shown = await api.ok(
        "query($id: ID!) { job(id: $id) { currency quotes { currency } } }",
        {"id": job["id"]},
        customer,
    )
    assert shown == {"job": {"currency": "JPY", "quotes": [{"currency": "JPY"}]}}
    project = await api.ok(
        """mutation($input: CreateProjectInput!) {
             createProject(input: $input) { currency } }""",
        {
            "input": {
                "title": "Flat",
                "address": "Somewhere 1",
                "location": {"lat": 52.5, "lng": 13.4},
                "areaSqm": 60,
                "budgetCents": 1_000_000,
            }
        },
        customer,
    )
    assert project == {"createProject": {"currency": "JPY"}}
