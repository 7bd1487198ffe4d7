"""A `python server.py` (or another program, such as Caddy) in its own process on a free port,
as the scale-out, proxy and shutdown tests run it, and a bare graphql-transport-ws subscriber."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests.support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
# A server under coverage (its subprocess patch) migrating an empty database on a 2-core machine
# at load 40 took over 30 s to answer; one that fails to start exits, and fails at once.
START_TIMEOUT = 60.0


class ChildProcess:
    """A program the tests start on a free port (a fixhub server, Caddy in front of some),
    its output in `log`, and the wait until it answers."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path, port: int) -> None:
        self.port = port
        self.log = log
        self.handle = log.open("wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.handle, stderr=subprocess.STDOUT
        )

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    async def wait_answering(self, path: str, timeout: float = START_TIMEOUT) -> None:
        """Returns once GET `path` answers 200; fails if the process exits first."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.log.name}: exited: {self.tail()}")
                try:
                    if (await http.get(f"{self.http_url}{path}")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.log.name}: {path} never answered: {self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.handle.close()


class ServerProcess(ChildProcess):
    def __init__(self, env: dict[str, str], log: Path, log_level: str = "warning") -> None:
        port = free_port()
        command = [sys.executable, "server.py", "--port", str(port), "--log-level", log_level]
        super().__init__(command, env, log, port)

    async def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        await self.wait_answering("/healthz", timeout)


QUOTES = "subscription($id: ID!) { quoteReceived(jobId: $id) { id amountCents worker { id } } }"


async def subscribe(
    url: str, token: str, query: str, variables: dict[str, Any]
) -> ClientConnection:
    socket_ = await connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await socket_.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(await asyncio.wait_for(socket_.recv(), 5))["type"] == "connection_ack"
    await socket_.send(
        json.dumps(
            {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
    )
    return socket_


async def next_payload(socket_: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(socket_.recv(), timeout))
    assert message["type"] == "next", message
    return message["payload"]
