"""Generated subscriptions, queries and mutations over both WebSocket protocols, and frames no
client library sends: never INTERNAL, never a traceback or SQL text, and a socket the server
ends always gets a close code (never 1006). The short profile; bench/fuzz.py runs the long one.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.fuzz import (
    PROTOCOLS,
    SHORT,
    Operation,
    World,
    WsSession,
    malformed_sequences,
    operations,
    run_malformed,
)
from tests.support.websocket import LiveServer

MIXED = st.one_of(operations("subscription"), operations("query"), operations("mutation"))


@SHORT
@given(operation=MIXED)
async def test_generated_operations_over_websocket(
    live_server: LiveServer, live_world: World, protocol: str, operation: Operation
) -> None:
    session = WsSession(live_server.ws_url, protocol, live_world.token(operation.actor))
    try:
        outcome = await session.run(operation)
    finally:
        await session.close()
    assert not outcome.problems, operation.reproducer()


@pytest.mark.parametrize(
    ("protocol", "label"),
    [(protocol, label) for protocol in PROTOCOLS for label, _ in malformed_sequences(protocol)],
)
async def test_malformed_frames_are_refused_with_a_close_code_or_an_answer(
    live_server: LiveServer, protocol: str, label: str
) -> None:
    frames = dict(malformed_sequences(protocol))[label]
    outcome = await run_malformed(live_server.ws_url, protocol, frames)
    assert not outcome.problems, (label, outcome)
