"""Replay-then-live for one subscription, with no duplicate and no gap.

The subscription joins the live stream first, so nothing committed after the stored rows are
read can be missed; live events that arrive while the replay runs are held back. The replay
then sends what was stored after the client's cursor, and the held-back events follow, minus
the ones the replay already sent. Deduplication is by id set, not by "greater than the last
replayed id": two transactions can commit in the other order than their ids were assigned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

MAX_HELD_BACK = 1024


class ReplayGate:
    def __init__(self, send: Callable[[str], bool]) -> None:
        self._send = send
        self._held: list[tuple[int, str]] | None = []
        self._replayed: frozenset[int] = frozenset()

    def live(self, event_id: int, payload: str) -> bool:
        """The hub's delivery callback; False means the subscriber fell behind."""
        if self._held is not None:
            if len(self._held) >= MAX_HELD_BACK:
                return False
            self._held.append((event_id, payload))
            return True
        if event_id in self._replayed:
            return True
        return self._send(payload)

    def finish(self, replayed_ids: Iterable[int]) -> bool:
        """After the replay was sent: release the held-back live events it did not cover."""
        self._replayed = frozenset(replayed_ids)
        held, self._held = self._held or [], None
        return all(
            self._send(payload) for event_id, payload in held if event_id not in self._replayed
        )
