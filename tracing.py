"""OpenTelemetry traces, exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set.

Off (the default), every span below is the API's no-op span and nothing is installed. On:
- a span per GraphQL operation (HTTP and WebSocket), with its name, type and request id;
- a span per database statement (the statement text, never its parameters);
- a span for each resolver that took longer than SLOW_RESOLVER_SECONDS, recorded after the
  fact so that fast fields cost no span;
- `publish <channel kind>` after commit, whose context travels in the event ("tp": a W3C
  traceparent), and `deliver <channel kind>` in every process that fans it out, linked to it.

The exporter reads the standard OTEL_* variables (endpoint, headers, timeouts) itself.
"""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Link, Span, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

SLOW_RESOLVER_SECONDS = 0.01
_PROPAGATOR = TraceContextTextMapPropagator()
_NOOP: Tracer = trace.NoOpTracer()
_tracer: Tracer = _NOOP


def enabled() -> bool:
    return _tracer is not _NOOP


def configure_from_environment() -> None:
    """Exports to OTEL_EXPORTER_OTLP_ENDPOINT when it is set; otherwise tracing stays off."""
    if not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or enabled():
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    service = os.environ.get("OTEL_SERVICE_NAME") or "fixhub"
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    use(provider)


def use(provider: TracerProvider | None) -> None:
    """Traces into `provider` (tests pass one with an in-memory exporter); None: off."""
    global _tracer
    _tracer = _NOOP if provider is None else provider.get_tracer("fixhub")


@contextmanager
def operation_span(
    name: str | None, kind: str, *, request_id: str, transport: str, user_id: int | None
) -> Iterator[Span]:
    with _tracer.start_as_current_span(
        f"graphql {kind} {name or '(anonymous)'}",
        kind=SpanKind.SERVER,
        attributes={
            "graphql.operation.name": name or "",
            "graphql.operation.type": kind,
            "fixhub.request_id": request_id,
            "fixhub.transport": transport,
            **({"enduser.id": str(user_id)} if user_id is not None else {}),
        },
    ) as span:
        yield span


def current_carrier() -> dict[str, str] | None:
    """The current span's context, to continue it in another task (None when off)."""
    if not enabled():
        return None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier or None


@contextmanager
def publish_span(
    kind: str, parent: dict[str, str] | None = None
) -> Iterator[dict[str, str] | None]:
    """The span of one publish, and the carrier its context travels in (None when off).
    `parent`: the carrier of the operation that caused the event, when it ran in another
    task (the outbox relay publishes for the mutation)."""
    if not enabled():
        yield None
        return
    context = _PROPAGATOR.extract(parent) if parent else None
    with _tracer.start_as_current_span(f"publish {kind}", context=context, kind=SpanKind.PRODUCER):
        carrier: dict[str, str] = {}
        _PROPAGATOR.inject(carrier)
        yield carrier


@contextmanager
def deliver_span(kind: str, carrier: dict[str, str] | None, recipients: int) -> Iterator[None]:
    if not enabled():
        yield
        return
    links = []
    if carrier:
        published = trace.get_current_span(_PROPAGATOR.extract(carrier)).get_span_context()
        if published.is_valid:
            links.append(Link(published))
    with _tracer.start_as_current_span(
        f"deliver {kind}",
        kind=SpanKind.CONSUMER,
        links=links,
        attributes={"fixhub.recipients": recipients},
    ):
        yield


def instrument_database(client: Any) -> None:
    """A span around each statement of a Tortoise client (its text, not its parameters)."""
    if not enabled() or getattr(client, "_fixhub_traced", False):
        return
    for method in ("execute_query", "execute_query_dict", "execute_insert", "execute_many"):
        original = getattr(client, method)

        async def traced(query: str, *args: Any, _original: Any = original, **kw: Any) -> Any:
            verb = query.lstrip().split(" ", 1)[0].upper()
            with _tracer.start_as_current_span(
                f"db {verb}",
                kind=SpanKind.CLIENT,
                attributes={"db.system": client.capabilities.dialect, "db.statement": query[:500]},
            ):
                return await _original(query, *args, **kw)

        setattr(client, method, traced)
    client._fixhub_traced = True


class SlowResolvers:
    """graphql-core middleware: a span for each resolver slower than SLOW_RESOLVER_SECONDS,
    with its real start and end, under the operation's span."""

    def resolve(self, next_: Callable[..., Any], root: Any, info: Any, **args: Any) -> Any:
        started = time.time_ns()
        result = next_(root, info, **args)
        if inspect.isawaitable(result):
            return self._timed(result, started, info)
        self._record(started, info)
        return result

    async def _timed(self, result: Awaitable[Any], started: int, info: Any) -> Any:
        try:
            return await result
        finally:
            self._record(started, info)

    @staticmethod
    def _record(started: int, info: Any) -> None:
        ended = time.time_ns()
        if ended - started < SLOW_RESOLVER_SECONDS * 1e9:
            return
        span = _tracer.start_span(
            f"resolve {info.parent_type.name}.{info.field_name}",
            start_time=started,
            attributes={"graphql.field.path": ".".join(str(key) for key in info.path.as_list())},
        )
        span.end(end_time=ended)
