"""What a process reports at GET /metrics (Prometheus text format, prometheus-client).

Every layer counts into these: the transport (operations, sockets, subscriptions,
deliveries, fan-out latency), the realtime bus (reconnects), the resolvers (publishes,
rate-limit refusals). One registry per process: in scale-out mode each process serves its own
figures, and the scrape configuration lists every process (README, "Metrics").

Labels are bounded: an operation is labelled by its name only while fewer than
MAX_OPERATION_NAMES distinct names were seen (clients choose names, and each label value is a
time series kept for the life of the process), then "other".
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_seen_operations: set[str] = set()

OPERATIONS = Counter(
    "fixhub_http_operations",
    "GraphQL operations answered over HTTP, by operation name and outcome (ok or error code).",
    ["operation", "outcome"],
    registry=REGISTRY,
)
OPERATION_SECONDS = Histogram(
    "fixhub_http_operation_seconds",
    "Time to answer a GraphQL operation over HTTP, by operation name.",
    ["operation"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)
WEBSOCKETS = Gauge(
    "fixhub_websocket_connections",
    "WebSocket connections open on this process, by protocol.",
    ["protocol"],
    registry=REGISTRY,
)
SUBSCRIPTIONS = Gauge(
    "fixhub_subscriptions",
    "Live subscriptions on this process, by root field.",
    ["field"],
    registry=REGISTRY,
)
EVENTS_PUBLISHED = Counter(
    "fixhub_events_published",
    "Events published to the bus after their transaction committed, by channel kind.",
    ["channel"],
    registry=REGISTRY,
)
EVENTS_NOT_PUBLISHED = Counter(
    "fixhub_events_not_published",
    "Events whose publish failed after commit (logged), by channel kind.",
    ["channel"],
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "fixhub_events_delivered",
    "Subscription results queued to a socket, by channel kind.",
    ["channel"],
    registry=REGISTRY,
)
FANOUT_SECONDS = Histogram(
    "fixhub_fanout_latency_seconds",
    "From an event's publish (its transaction had committed) to its result queued on a "
    "subscriber's socket, by channel kind.",
    ["channel"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
    registry=REGISTRY,
)
BUS_RECONNECTS = Counter(
    "fixhub_bus_reconnects",
    "Times the event bus connection was lost and rebuilt.",
    registry=REGISTRY,
)
SLOW_SUBSCRIBERS = Counter(
    "fixhub_slow_subscribers_ended",
    "Subscriptions ended because their subscriber fell too far behind.",
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "fixhub_rate_limit_refusals",
    "Requests refused by a rate limit, by limit.",
    ["limit"],
    registry=REGISTRY,
)
DATABASE_CONNECTIONS = Gauge(
    "fixhub_database_connections_in_use",
    "Database connections checked out of the PostgreSQL pool (0 on SQLite, whose one "
    "connection serves every request).",
    registry=REGISTRY,
)


def operation_label(name: str | None) -> str:
    if name is None:
        return "(anonymous)"
    if not _NAME.fullmatch(name):
        return "other"
    if name not in _seen_operations:
        if len(_seen_operations) >= MAX_OPERATION_NAMES:
            return "other"
        _seen_operations.add(name)
    return name


def channel_kind(channel: str) -> str:
    """`fixhub:job:42:quotes` -> `job:quotes`: the channel without its ids (and prefix)."""
    parts = channel.split(":")[1:]
    return ":".join(part for part in parts if not part.isdigit()) or "other"


def since(published_at: float | None) -> float | None:
    """Seconds since `published_at` (a time.time() stamp), or None when it is unknown."""
    return None if published_at is None else max(time.time() - published_at, 0.0)


def set_database_gauge(read: Callable[[], float]) -> None:
    DATABASE_CONNECTIONS.set_function(read)
