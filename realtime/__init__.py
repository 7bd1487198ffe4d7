"""Realtime pub/sub bus backing GraphQL subscriptions (memory or Redis backend)."""

from realtime.backends import create_bus
from realtime.bus import (
    Bus,
    BusUnavailable,
    QueueSubscription,
    SubscriberTooSlow,
    Subscription,
)
from realtime.memory import MemoryBus
from realtime.redis_backend import RedisBus

__all__ = [
    "Bus",
    "BusUnavailable",
    "MemoryBus",
    "QueueSubscription",
    "RedisBus",
    "SubscriberTooSlow",
    "Subscription",
    "create_bus",
]
