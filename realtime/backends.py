"""Choosing a bus by URL scheme: the in-process twin or Redis, optionally namespaced."""

from __future__ import annotations

from urllib.parse import urlsplit

from realtime.bus import DEFAULT_QUEUE_SIZE, Bus, redact_url
from realtime.memory import MemoryBus
from realtime.namespace import NamespacedBus
from realtime.redis_backend import RedisBus


def create_bus(url: str, *, queue_size: int = DEFAULT_QUEUE_SIZE, namespace: str = "") -> Bus:
    """Build a bus from a URL: ``memory://`` or ``redis://`` / ``rediss://``; with a
    namespace, every channel name is prefixed by it (see realtime.namespace)."""
    bus = _create_backend(url, queue_size)
    if namespace:
        return NamespacedBus(bus, namespace)
    return bus


def _create_backend(url: str, queue_size: int) -> Bus:
    scheme = urlsplit(url).scheme.lower()
    if scheme == "memory":
        return MemoryBus(queue_size=queue_size)
    if scheme in ("redis", "rediss"):
        return RedisBus(url, queue_size=queue_size)
    raise ValueError(
        f"unsupported bus URL {redact_url(url)!r}: expected 'memory://', 'redis://...' "
        "or 'rediss://...'"
    )
