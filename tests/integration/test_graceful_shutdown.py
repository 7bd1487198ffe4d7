"""SIGTERM drains a real `python server.py`: it stops accepting, closes its WebSockets with
1012 ("service restart", so clients reconnect, through a proxy to another process) and exits
cleanly (its lifespan shutdown runs to the end) within SHUTDOWN_TIMEOUT_SECONDS. The server
runs with LOG_FORMAT=json, so its log is checked to be JSON lines, uvicorn's included."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.server_process import ServerProcess


async def test_sigterm_closes_sockets_with_1012_and_exits_cleanly(
    tmp_path: Path, server_sqlite_url: str
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": server_sqlite_url,
        "SHUTDOWN_TIMEOUT_SECONDS": "5",
        "LOG_FORMAT": "json",
    }
    server = ServerProcess(env, tmp_path / "server.log", log_level="info")
    try:
        await server.wait_answering("/readyz")
        async with httpx.AsyncClient() as http:
            answer = await http.post(
                f"{server.http_url}/graphql",
                json={"query": "query Probe { __typename }"},
                headers={"X-Request-ID": "probe-1"},
            )
        assert answer.headers["x-request-id"] == "probe-1"
        socket_ = await connect(
            server.ws_url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        )
        await socket_.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await socket_.recv())["type"] == "connection_ack"

        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        try:
            while True:
                await asyncio.wait_for(socket_.recv(), 10)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 1012, closed
        # uvicorn re-raises the signal once it has shut down, so the exit status says
        # SIGTERM; its log says whether the shutdown ran to the end.
        assert await asyncio.to_thread(server.process.wait, 10) in (0, -signal.SIGTERM)
        assert time.monotonic() - started < 5 + 3
    finally:
        server.stop()
    # LOG_FORMAT=json: every line the process wrote, uvicorn's included, is one JSON object.
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.strip()]
    messages = [line["message"] for line in lines]
    assert "Application shutdown complete." in messages, messages
    assert not [line for line in lines if line["level"] in ("ERROR", "CRITICAL")], lines
    [access] = [line for line in lines if line["logger"] == "fixhub.access"]
    assert access["requestId"] == "probe-1" and access["operation"] == "Probe"
    assert access["outcome"] == "ok"
