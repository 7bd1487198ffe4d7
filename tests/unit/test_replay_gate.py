"""Replay-then-live: events racing the replay are neither lost nor sent twice."""

from __future__ import annotations

from web.replay import MAX_HELD_BACK, ReplayGate


def test_live_events_during_replay_are_held_then_deduplicated() -> None:
    sent: list[str] = []
    gate = ReplayGate(lambda payload: sent.append(payload) or True)
    # ids 7 and 8 commit while the replay reads; 7 was read by the replay, 8 was not
    assert gate.live(8, "live-8")
    assert gate.live(7, "live-7")
    assert sent == []
    sent.extend(["replay-6", "replay-7"])  # what the replay itself sent
    assert gate.finish([6, 7])
    assert sent == ["replay-6", "replay-7", "live-8"]
    # after the replay, a late duplicate of a replayed id is dropped; new ids pass
    assert gate.live(6, "late-6")
    assert gate.live(9, "live-9")
    assert sent == ["replay-6", "replay-7", "live-8", "live-9"]


def test_a_subscriber_that_falls_behind_during_replay_is_refused() -> None:
    gate = ReplayGate(lambda payload: True)
    assert all(gate.live(i, "x") for i in range(MAX_HELD_BACK))
    assert not gate.live(MAX_HELD_BACK, "one too many")
