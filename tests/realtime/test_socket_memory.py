"""What a held socket keeps, as far as a client sees it: the compression it negotiates
(web/ws_protocol.py) and what happens when it cannot keep up (web/websocket/session.py).
The memory itself is measured by bench/ (bench/README.md), not here."""

from __future__ import annotations

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.websocket import TRANSPORT_WS, LiveServer, WsClient
from web.websocket import session

MATCHING_JOBS = "subscription { matchingJobs { id title } }"


async def test_deflate_is_negotiated_with_a_small_server_window_and_no_client_context(
    live_server: LiveServer,
) -> None:
    api = live_server.api
    worker = await api.worker()
    customer = await api.register("CUSTOMER")
    async with connect(
        live_server.ws_url, subprotocols=[TRANSPORT_WS], proxy=None, compression="deflate"
    ) as socket:
        assert socket.response is not None
        agreed = socket.response.headers["Sec-WebSocket-Extensions"]
        assert agreed.startswith("permessage-deflate")
        assert "server_max_window_bits=9" in agreed
        assert "client_no_context_takeover" in agreed
        client = WsClient(socket, TRANSPORT_WS)
        await client.init(worker.token)
        for op_id in ("first", "second"):  # frames compressed in one context, decoded fine
            await client.subscribe(op_id, MATCHING_JOBS, {})
        await client.barrier()
        job = await api.post_job(customer)
        for op_id in ("first", "second"):
            assert (await client.next_data(op_id))["matchingJobs"]["id"] == job["id"]


async def test_a_client_offering_no_compression_still_gets_its_events(
    live_server: LiveServer,
) -> None:
    api = live_server.api
    worker = await api.worker()
    customer = await api.register("CUSTOMER")
    async with connect(
        live_server.ws_url, subprotocols=[TRANSPORT_WS], proxy=None, compression=None
    ) as socket:
        assert socket.response is not None
        assert "Sec-WebSocket-Extensions" not in socket.response.headers
        client = WsClient(socket, TRANSPORT_WS)
        await client.init(worker.token)
        await client.subscribe("jobs", MATCHING_JOBS, {})
        await client.barrier()
        job = await api.post_job(customer)
        assert (await client.next_data("jobs"))["matchingJobs"]["id"] == job["id"]


async def test_a_socket_whose_outgoing_frames_overflow_is_closed_with_1013(
    live_server: LiveServer, protocol: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its queue is full, so not even an error frame fits: the server closes the socket with
    1013 (Try Again Later) and a reason, and the client reconnects."""
    monkeypatch.setattr(session, "OUTGOING_QUEUE", 2)
    api = live_server.api
    worker = await api.worker()
    customer = await api.register("CUSTOMER")
    async with live_server.session(protocol, worker) as client:
        for index in range(4):  # one job: four frames queued at once, two more than fit
            await client.subscribe(f"jobs-{index}", MATCHING_JOBS, {})
        await client.barrier()
        await api.post_job(customer)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await client.receive()
    assert closed.value.rcvd is not None, "no close frame from the server"
    assert closed.value.rcvd.code == 1013
    assert "reconnect" in closed.value.rcvd.reason
    # a new socket is served as usual
    async with live_server.session(protocol, worker) as client:
        await client.subscribe("again", MATCHING_JOBS, {})
        await client.barrier()
        job = await api.post_job(customer)
        assert (await client.next_data("again"))["matchingJobs"]["id"] == job["id"]
