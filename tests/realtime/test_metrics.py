"""GET /metrics: what an operator graphs. Operations by name and outcome with their latency,
sockets and live subscriptions, events published and delivered with the fan-out latency
(publish -> result queued on the socket), rate-limit refusals; labels stay bounded."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import metrics
from settings import Settings
from tests.support.websocket import LiveServer

QUOTES = "subscription($id: ID!) { quoteReceived(jobId: $id) { id amountCents } }"


def sample(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_are_served_in_prometheus_text(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": "query Probe { __typename }"})
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = {family.name for family in text_string_to_metric_families(response.text)}
    assert {
        "fixhub_http_operations",
        "fixhub_http_operation_seconds",
        "fixhub_websocket_connections",
        "fixhub_subscriptions",
        "fixhub_events_published",
        "fixhub_events_delivered",
        "fixhub_fanout_latency_seconds",
        "fixhub_bus_reconnects",
        "fixhub_slow_subscribers_ended",
        "fixhub_rate_limit_refusals",
        "fixhub_database_connections_in_use",
    } <= families


async def test_each_operation_is_counted_by_name_and_outcome(client: httpx.AsyncClient) -> None:
    ok_before = sample("fixhub_http_operations_total", operation="Probe", outcome="ok")
    timed_before = sample("fixhub_http_operation_seconds_count", operation="Probe")
    refused_before = sample(
        "fixhub_http_operations_total", operation="Quote", outcome="UNAUTHENTICATED"
    )
    await client.post("/graphql", json={"query": "query Probe { __typename }"})
    await client.post(
        "/graphql",
        json={"query": "mutation Quote { submitQuote(input: {jobId: 1, amountCents: 5}) { id } }"},
    )
    assert sample("fixhub_http_operations_total", operation="Probe", outcome="ok") == ok_before + 1
    assert sample("fixhub_http_operation_seconds_count", operation="Probe") == timed_before + 1
    assert (
        sample("fixhub_http_operations_total", operation="Quote", outcome="UNAUTHENTICATED")
        == refused_before + 1
    )


def test_operation_names_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "MAX_OPERATION_NAMES", 2)
    monkeypatch.setattr(metrics, "_seen_operations", set())
    assert [metrics.operation_label(name) for name in ("A", "B", "C", "A", None)] == [
        "A",
        "B",
        "other",  # a third distinct name: clients choose names, series live forever
        "A",
        "(anonymous)",
    ]
    assert metrics.operation_label("drop table; --") == "other"


def test_channels_are_labelled_by_kind_without_ids() -> None:
    assert metrics.channel_kind("fixhub:job:42:quotes") == "job:quotes"
    assert metrics.channel_kind("fixhub:jobs:matched") == "jobs:matched"
    assert metrics.channel_kind("fixhub:user:7:notifications") == "user:notifications"


async def test_a_quote_is_published_delivered_and_timed(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER")
    worker = await api.worker()
    job = await api.post_job(customer)
    published = sample("fixhub_events_published_total", channel="job:quotes")
    delivered = sample("fixhub_events_delivered_total", channel="job:quotes")
    timed = sample("fixhub_fanout_latency_seconds_count", channel="job:quotes")
    sockets = sample("fixhub_websocket_connections", protocol=protocol)
    live = sample("fixhub_subscriptions", field="quoteReceived")
    async with live_server.session(protocol, customer) as client:
        await client.subscribe("q", QUOTES, {"id": job["id"]})
        await client.barrier()
        assert sample("fixhub_websocket_connections", protocol=protocol) == sockets + 1
        assert sample("fixhub_subscriptions", field="quoteReceived") == live + 1
        await api.quote(worker, job["id"], 4200)
        assert (await client.next_data("q"))["quoteReceived"]["amountCents"] == 4200
        assert sample("fixhub_events_published_total", channel="job:quotes") == published + 1
        assert sample("fixhub_events_delivered_total", channel="job:quotes") == delivered + 1
        assert sample("fixhub_fanout_latency_seconds_count", channel="job:quotes") == timed + 1
        await client.stop("q")
        await client.barrier()
        assert sample("fixhub_subscriptions", field="quoteReceived") == live
    assert sample("fixhub_websocket_connections", protocol=protocol) == sockets


class TestRateLimits:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(registrations_per_address=1)

    async def test_a_refusal_is_counted_by_its_limit(self, live_server: LiveServer) -> None:
        before = sample("fixhub_rate_limit_refusals_total", limit="register:address")
        await live_server.api.register("CUSTOMER")
        code = await live_server.api.error_code(
            """mutation($input: RegisterInput!) { register(input: $input) { token } }""",
            {
                "input": {
                    "email": "second@example.com",
                    "password": "correct horse battery",
                    "displayName": "Second",
                    "role": "CUSTOMER",
                }
            },
        )
        assert code == "RATE_LIMITED"
        assert sample("fixhub_rate_limit_refusals_total", limit="register:address") == before + 1
