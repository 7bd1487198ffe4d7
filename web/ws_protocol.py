"""uvicorn's `websockets-sansio` WebSocket protocol, with less memory per held socket.

A process holds thousands of idle sockets (every worker's `matchingJobs`), so what one socket
keeps between messages is what limits it (issue 12: < 40 KiB with permessage-deflate, < 20 KiB
without). Measured with tracemalloc on 300 held sockets, uvicorn 0.55's protocol kept:

- permessage-deflate: 39 KB of zlib compressor state (window 2^12, memLevel 5) and 7 KB of
  decompressor state, for the life of the socket;
- an asyncio.Queue and an asyncio.Event: five empty deques of 760 bytes each;
- the handshake request and response with their headers, never read again.

Here the compressor keeps a 2^9 window at memLevel 1 (about 9 KB with its state). fixhub's
frames are small JSON documents (a few hundred bytes), so a larger window hardly compresses
them better. The client is asked not to carry its compression context over
(client_no_context_takeover, which RFC 7692 lets a server add to any offer), so the
decompressor exists only while a client message is decoded; clients send little (subscribe,
ping). The queue and the event become a list with one waiter and a flag.

This subclasses uvicorn's protocol and touches attributes it sets in `__init__` (`conn`,
`queue`, `writable`, `request`, `response`): uvicorn is pinned in requirements.lock, and
tests/realtime/test_socket_memory.py checks what it negotiates.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.http11 import Request
from websockets.server import ServerProtocol

SERVER_WINDOW_BITS = 9  # zlib's smallest for compression (8 is refused, zlib issue 171)
COMPRESS_MEMORY_LEVEL = 1
CLIENT_WINDOW_BITS = 12


def deflate_factory() -> ServerPerMessageDeflateFactory:
    return ServerPerMessageDeflateFactory(
        server_max_window_bits=SERVER_WINDOW_BITS,
        client_max_window_bits=CLIENT_WINDOW_BITS,
        client_no_context_takeover=True,
        compress_settings={"memLevel": COMPRESS_MEMORY_LEVEL},
    )


class Inbox:
    """What uvicorn's protocol needs of its receive queue (one consumer: the app's `receive`),
    without asyncio.Queue's four deques."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> Any:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)

    def empty(self) -> bool:
        return not self._items


class Flag:
    """What uvicorn's protocol needs of its `writable` event (set, clear, wait), without a
    deque of waiters on every socket."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = True
        self._waiters: list[asyncio.Future[None]] | None = None

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> None:
        if self._set:
            return
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)


class FixhubWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.conn = ServerProtocol(
            extensions=[deflate_factory()] if config.ws_per_message_deflate else [],
            max_size=config.ws_max_size,
            logger=logging.getLogger("uvicorn.error"),
        )
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Flag()  # type: ignore[assignment]

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        self.request = None  # type: ignore[assignment]  # read only here; the scope carries what the app needs

    async def send(self, message: Any) -> None:
        if message["type"] == "websocket.close":
            # A close does not wait behind backpressure: the server may be closing the socket
            # precisely because its client stopped reading (web/websocket/session.py).
            self.writable.set()
        await super().send(message)
        if message["type"] == "websocket.accept":
            self.response = None  # type: ignore[assignment]  # sent; never read again
