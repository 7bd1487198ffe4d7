"""Traces (OpenTelemetry), here into an in-memory exporter: a span per operation with the
database statements under it, slow resolvers, and an event's publish linked to its delivery;
off unless OTEL_EXPORTER_OTLP_ENDPOINT is set."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import tracing
from tests.support.websocket import LiveServer

QUOTES = "subscription($id: ID!) { quoteReceived(jobId: $id) { id amountCents } }"


@pytest.fixture(autouse=True)
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on before the app starts (so its database client is instrumented)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use(provider)
    yield exporter
    tracing.use(None)


def named(exporter: InMemorySpanExporter, prefix: str) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.name.startswith(prefix)]


async def test_an_operation_is_a_span_over_its_statements(
    live_server: LiveServer, spans: InMemorySpanExporter
) -> None:
    customer = await live_server.api.register("CUSTOMER")
    spans.clear()
    await live_server.api.ok("query Mine { myJobs { edges { cursor } } }", actor=customer)
    [operation] = named(spans, "graphql query Mine")
    assert operation.attributes is not None
    assert operation.attributes["graphql.operation.name"] == "Mine"
    assert operation.attributes["enduser.id"] == customer.id
    children = [
        str((span.attributes or {}).get("db.statement"))
        for span in named(spans, "db SELECT")
        if span.parent is not None and span.parent.span_id == operation.context.span_id
    ]
    [jobs] = [statement for statement in children if '"jobs"' in statement]
    assert "?" in jobs or "$1" in jobs  # the statement's text, never its parameters


async def test_a_slow_resolver_gets_a_span_of_its_own(
    live_server: LiveServer, spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = await live_server.api.register("CUSTOMER")
    import resolvers.jobs

    original = resolvers.jobs.my_jobs

    async def slow(*args: object, **kwargs: object) -> object:
        await asyncio.sleep(tracing.SLOW_RESOLVER_SECONDS * 3)
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(resolvers.jobs, "my_jobs", slow)
    spans.clear()
    await live_server.api.ok("query Mine { me { id } myJobs { edges { cursor } } }", actor=customer)
    assert [span.name for span in named(spans, "resolve ")] == ["resolve Query.myJobs"]


async def test_a_publish_is_linked_to_its_delivery(
    live_server: LiveServer, protocol: str, spans: InMemorySpanExporter
) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER")
    worker = await api.worker()
    job = await api.post_job(customer)
    async with live_server.session(protocol, customer) as client:
        await client.subscribe("q", QUOTES, {"id": job["id"]})
        await client.barrier()
        spans.clear()
        await api.ok(
            "mutation Quote($input: SubmitQuoteInput!) { submitQuote(input: $input) { id } }",
            {"input": {"jobId": job["id"], "amountCents": 4200}},
            worker,
        )
        await client.next_data("q")
        await asyncio.sleep(0.05)  # the deliver span ends just after the frame is queued
    [mutation] = named(spans, "graphql mutation Quote")
    [publish] = named(spans, "publish job:quotes")
    [deliver] = named(spans, "deliver job:quotes")
    assert publish.parent is not None and publish.parent.span_id == mutation.context.span_id
    assert [link.context.span_id for link in deliver.links] == [publish.context.span_id]
    assert deliver.attributes is not None and deliver.attributes["fixhub.recipients"] == 1


def test_tracing_is_off_unless_an_endpoint_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    tracing.use(None)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    tracing.configure_from_environment()
    assert not tracing.enabled()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    tracing.configure_from_environment()
    assert tracing.enabled()
