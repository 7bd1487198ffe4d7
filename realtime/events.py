"""Event payloads: small, versioned, ids plus what a subscriber needs to load the rest.

Encoded once per event by the publisher; decoded once per channel per process by the fan-out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

VERSION = 1


@dataclass(frozen=True)
class Event:
    type: str  # "quote.submitted", "job.updated", "job.matched"
    id: int  # the quote's or the job's id
    data: dict[str, Any]
    # When it was published (time.time(), after its transaction committed), if the publisher
    # said: the fan-out's latency metric measures from here.
    published_at: float | None = field(default=None, compare=False)
    # The publish span's trace context (W3C traceparent), when tracing is on.
    trace: dict[str, str] | None = field(default=None, compare=False)
    # Its place in the outbox (resolvers/outbox.py), in commit order, and the opaque cursor
    # naming it that clients resume from; None for an event that was never stored.
    position: int | None = field(default=None, compare=False)
    cursor: str | None = field(default=None, compare=False)

    def encode(self, published_at: float | None = None, trace: dict[str, str] | None = None) -> str:
        message: dict[str, Any] = {
            "v": VERSION,
            "type": self.type,
            "id": self.id,
            "data": self.data,
        }
        if self.position is not None:
            message["p"] = self.position
        if self.cursor is not None:
            message["c"] = self.cursor
        if published_at is not None:
            message["at"] = round(published_at, 6)
        if trace:
            message["tp"] = trace
        return json.dumps(message, separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str) -> Event:
        message = json.loads(raw)
        if message.get("v") != VERSION:
            raise ValueError(f"unsupported event version {message.get('v')!r}")
        at = message.get("at")
        position, cursor = message.get("p"), message.get("c")
        return cls(
            type=message["type"],
            id=int(message["id"]),
            data=message.get("data") or {},
            published_at=float(at) if isinstance(at, int | float) else None,
            trace=_carrier(message.get("tp")),
            position=position if isinstance(position, int) else None,
            cursor=cursor if isinstance(cursor, str) else None,
        )


def _carrier(raw: object) -> dict[str, str] | None:
    if not isinstance(raw, dict):
        return None
    return {str(k): v for k, v in raw.items() if isinstance(v, str) and len(v) < 512}


def quote_submitted(quote_id: int, job_id: int) -> Event:
    return Event("quote.submitted", quote_id, {"jobId": job_id})


def job_updated(job_id: int, status: str) -> Event:
    return Event("job.updated", job_id, {"status": status})


def job_matched(job_id: int, worker_ids: list[int]) -> Event:
    return Event("job.matched", job_id, {"workerIds": worker_ids})


def notification_created(notification_id: int) -> Event:
    return Event("notification.created", notification_id, {})


def message_sent(
    message_id: int, thread_id: int, participant_ids: list[int] | None = None
) -> Event:
    """`participants`, for a project thread: who took part when the message was sent (the team
    can change before the contract; someone taken off it stops receiving at once)."""
    data: dict[str, Any] = {"threadId": thread_id}
    if participant_ids is not None:
        data["participants"] = participant_ids
    return Event("message.sent", message_id, data)


def project_event(event_id: int, project_id: int, participant_ids: list[int]) -> Event:
    """`participants`: who follows the project at the moment of the event (the team can change
    before the contract is signed; someone taken off it stops receiving at once)."""
    return Event(
        "project.event", event_id, {"projectId": project_id, "participants": participant_ids}
    )
