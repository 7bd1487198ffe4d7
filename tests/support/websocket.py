"""A small GraphQL-over-WebSocket client for both protocols (`graphql-transport-ws` and the
legacy `graphql-ws` of subscriptions-transport-ws), and the live uvicorn server it talks to."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support.api import Actor, Api

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
PROTOCOLS = [TRANSPORT_WS, LEGACY_WS]
# Long enough for any real reply on a loaded machine; a test never waits this long when the
# server behaves.
REPLY_TIMEOUT = 5.0
# How long "nothing arrives" is watched for.
SILENCE = 0.5

Message = dict[str, Any]


class QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: pytest owns SIGINT/SIGTERM in the test process."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WsClient:
    """One GraphQL WebSocket, speaking either protocol with the same calls.

    Messages that arrive while waiting for something else (see `barrier`) are kept and handed
    out by the next `receive`, so nothing is lost or reordered.
    """

    def __init__(self, socket: ClientConnection, protocol: str) -> None:
        self.socket = socket
        self.protocol = protocol
        self._pending: deque[Message] = deque()

    @property
    def legacy(self) -> bool:
        return self.protocol == LEGACY_WS

    @property
    def next_type(self) -> str:
        return "data" if self.legacy else "next"

    async def send(self, message: Message) -> None:
        await self.socket.send(json.dumps(message))

    async def send_raw(self, data: str | bytes) -> None:
        await self.socket.send(data)

    async def _recv(self, timeout: float) -> Message:
        raw = await asyncio.wait_for(self.socket.recv(), timeout)
        return json.loads(raw)

    async def receive(self, *, timeout: float = REPLY_TIMEOUT, keepalive: bool = False) -> Message:
        """The next message; legacy `ka` keep-alives are skipped unless `keepalive`."""
        while True:
            message = self._pending.popleft() if self._pending else await self._recv(timeout)
            if keepalive or message.get("type") != "ka":
                return message

    async def init(self, token: str | None = None, payload: Message | None = None) -> None:
        """connection_init (with `authorization: Bearer <token>` if given), then expect the ack."""
        if payload is None:
            payload = {"authorization": f"Bearer {token}"} if token else {}
        await self.send({"type": "connection_init", "payload": payload})
        ack = await self.receive()
        assert ack == {"type": "connection_ack"}, ack

    async def subscribe(
        self, op_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        payload: Message = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        kind = "start" if self.legacy else "subscribe"
        await self.send({"id": op_id, "type": kind, "payload": payload})

    async def stop(self, op_id: str) -> None:
        await self.send({"id": op_id, "type": "stop" if self.legacy else "complete"})

    async def barrier(self) -> None:
        """Return once the server has handled everything sent before.

        The server handles one socket's messages in order and a subscribe only returns once the
        subscription is live, so after the round trip an event published now reaches it.
        graphql-transport-ws: a ping/pong; legacy (no ping): a tiny query on its own id.
        """
        token = uuid.uuid4().hex
        if self.legacy:
            await self.subscribe(token, "{ __typename }")
        else:
            await self.send({"type": "ping", "payload": {"barrier": token}})
        while True:
            message = await self._recv(REPLY_TIMEOUT)
            if self.legacy and message.get("id") == token:
                if message["type"] == "complete":
                    return
                assert message == {
                    "id": token,
                    "type": "data",
                    "payload": {"data": {"__typename": "Query"}},
                }, message
            elif message == {"type": "pong", "payload": {"barrier": token}}:
                return
            else:
                self._pending.append(message)

    async def expect_nothing_pending(self) -> None:
        """Nothing (but keep-alives) arrived for what was sent before; checked with a barrier
        round trip instead of a waiting window."""
        await self.barrier()
        pending = [message for message in self._pending if message.get("type") != "ka"]
        assert not pending, pending

    async def next_payload(self, op_id: str, *, timeout: float = REPLY_TIMEOUT) -> Message:
        """The payload of the next message, which must be a result (`next` / legacy `data`)."""
        message = await self.receive(timeout=timeout)
        assert message.get("type") == self.next_type and message.get("id") == op_id, message
        return message["payload"]

    async def next_data(self, op_id: str, *, timeout: float = REPLY_TIMEOUT) -> Message:
        payload = await self.next_payload(op_id, timeout=timeout)
        assert "errors" not in payload, payload
        return payload["data"]

    async def expect_complete(self, op_id: str) -> None:
        message = await self.receive()
        assert message == {"id": op_id, "type": "complete"}, message

    async def refusal_code(self, op_id: str) -> str:
        """A refused subscription: one result carrying the error, then `complete`."""
        payload = await self.next_payload(op_id)
        assert payload["data"] is None, payload
        [error] = payload["errors"]
        await self.expect_complete(op_id)
        return error["extensions"]["code"]

    async def expect_silence(self, window: float = SILENCE) -> None:
        """Nothing but keep-alives arrives within `window` seconds."""
        with contextlib.suppress(TimeoutError):
            message = await self.receive(timeout=window)
            raise AssertionError(f"expected no message, got {message}")

    async def expect_close(self, code: int) -> list[Message]:
        """Read until the server closes the socket; assert its close code. Returns what came
        before the close frame (keep-alives left out)."""
        seen: list[Message] = list(self._pending)
        self._pending.clear()
        try:
            async with asyncio.timeout(REPLY_TIMEOUT):
                while True:
                    message = json.loads(await self.socket.recv())
                    if message.get("type") != "ka":
                        seen.append(message)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, f"no close frame from the server: {closed}"
            assert closed.rcvd.code == code, (closed.rcvd, seen)
        return seen


@dataclass
class LiveServer:
    app: Starlette
    http_url: str
    ws_url: str
    api: Api

    @contextlib.asynccontextmanager
    async def socket(self, protocol: str) -> AsyncIterator[WsClient]:
        async with connect(
            self.ws_url, subprotocols=[protocol], proxy=None, open_timeout=REPLY_TIMEOUT
        ) as socket:
            assert socket.subprotocol == protocol
            yield WsClient(socket, protocol)

    @contextlib.asynccontextmanager
    async def session(self, protocol: str, actor: Actor | None = None) -> AsyncIterator[WsClient]:
        """A socket that is already initialised (as `actor`, or anonymous)."""
        async with self.socket(protocol) as client:
            await client.init(actor.token if actor else None)
            yield client
