"""One WebSocket session, whichever protocol it speaks: authentication, the per-user socket
cap, its table of operations (run by web/websocket/operations.py) and the outgoing queue.
What differs between the protocols (message names, framing, keep-alive) is a
`WireProtocol`: web/websocket/transport_ws.py and web/websocket/legacy_ws.py.

Frames are built by string concatenation around an already serialised payload, so a payload
shared by many sockets is serialised once. Each socket has a bounded list of outgoing frames
and a writer task that runs only while the list is not empty: an idle socket holds no task
and no queue (a process holds thousands of idle sockets; see web/ws_protocol.py). A socket
whose list is full cannot keep up, and cannot even be told so in a frame: it is closed with
1013 (Try Again Later) and a reason, so that its client reconnects, rather than grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from starlette.websockets import WebSocket, WebSocketDisconnect

import metrics
from models import User
from resolvers.tokens import InvalidToken, session_from_authorization
from web.fanout import Member
from web.state import AppState

log = logging.getLogger("fixhub.websocket")

OUTGOING_QUEUE = 1024
# Close code for a socket whose outgoing frames overflowed (RFC 6455's registry: "Try Again
# Later"); graphql-ws clients reconnect after it.
CLOSE_FALLING_BEHIND = 1013
FALLING_BEHIND = "Falling behind: too many messages waiting for this client; reconnect."


# A close frame carries at most 123 bytes of reason; a longer one makes the close itself fail,
# and the client sees the socket drop without a code (1006).
MAX_CLOSE_REASON_BYTES = 123


class Close(Exception):
    """Ends the session with this close code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = _fitting(reason)


def _fitting(reason: str) -> str:
    """`reason` cut to fit a close frame (some reasons quote what the client sent)."""
    encoded = reason.encode("utf-8", "replace")
    if len(encoded) <= MAX_CLOSE_REASON_BYTES:
        return reason
    return encoded[: MAX_CLOSE_REASON_BYTES - 3].decode("utf-8", "ignore") + "..."


class WireProtocol(ABC):
    """What one WebSocket protocol says differently: its message names, how a result and an
    error are framed, and what it sends besides (acknowledgements, keep-alives, refusals)."""

    name: ClassVar[str]
    # The server sends `complete` after an operation's error, and to confirm a client's stop.
    completes_after_error: ClassVar[bool]
    confirms_stop: ClassVar[bool]

    @abstractmethod
    async def handle(self, session: Session, message: dict[str, Any]) -> None:
        """Acts on one client message (a JSON object with a string `type`)."""

    @abstractmethod
    def next_frame(self, op_id: str, payload: str) -> str:
        """The frame carrying one result, around its already serialised JSON `payload`."""

    @abstractmethod
    def error_message(self, op_id: str, errors: list[dict[str, Any]]) -> Mapping[str, Any]:
        """The message ending operation `op_id` with `errors` (never empty)."""

    def acknowledgement(self) -> list[str]:
        """The frames accepting connection_init."""
        return ['{"type":"connection_ack"}']

    def refusal(self, reason: str) -> Mapping[str, Any] | None:
        """A message saying why, sent before a close frame that refuses the session."""
        return None

    def keepalive_seconds(self) -> float | None:
        """How often to send `keepalive_frame` once acknowledged; None: never."""
        return None

    keepalive_frame: ClassVar[str] = ""


# Hashed by identity (AppState.sessions holds sets of them); slots: one per held socket.
@dataclass(eq=False, slots=True)
class Session:
    websocket: WebSocket
    state: AppState
    protocol: WireProtocol
    client_address: str = "unknown"
    user: User | None = None
    acknowledged: bool = False
    init_received: bool = False
    # Loop time at which the session's token expires; the socket is closed with 4403 then.
    expires_at: float | None = None
    expiry: asyncio.TimerHandle | None = None
    # The key this socket counts under in AppState.sessions, once initialised.
    slot: tuple[str, object] | None = None
    # Frames not yet handed to the socket, oldest first (at most OUTGOING_QUEUE).
    pending: list[str] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None
    # Set once the session ends or the server closes it (`close_soon`): frames are dropped.
    closing: bool = False
    closer: asyncio.Task[None] | None = None
    operations: dict[str, tuple[str, Member] | asyncio.Task[None]] = field(default_factory=dict)

    def send(self, frame: str) -> bool:
        """Queues a frame; False if the socket fell too far behind (it is then closed)."""
        if self.closing:
            return True  # the socket is going away; nothing more reaches it
        if len(self.pending) >= OUTGOING_QUEUE:
            self.close_soon(CLOSE_FALLING_BEHIND, FALLING_BEHIND, flush=False)
            return False
        self.pending.append(frame)
        if self.writer is None:
            self.writer = asyncio.get_running_loop().create_task(self._write())
        return True

    async def _write(self) -> None:
        try:
            while self.pending:
                await self.websocket.send_text(self.pending.pop(0))
        except (WebSocketDisconnect, RuntimeError, OSError):
            self.closing = True  # the client is gone
            self.pending.clear()
        finally:
            self.writer = None

    async def flushed(self, within: float) -> None:
        """Waits (at most `within` seconds) until the queued frames are written."""
        writer = self.writer
        if writer is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(writer), within)

    def close_soon(self, code: int, reason: str, *, flush: bool) -> None:
        """Closes the socket from outside its receive loop, which then sees the disconnect
        and ends the session. With `flush`, the frames already queued go out first."""
        if self.closing:
            return
        self.closing = True
        if not flush:
            self.pending.clear()

        async def close() -> None:
            await self.flushed(1.0)
            with contextlib.suppress(Exception):
                await self.websocket.close(code=code, reason=_fitting(reason))

        self.closer = asyncio.get_running_loop().create_task(close())

    def send_message(self, message: Mapping[str, Any]) -> None:
        self.send(json.dumps(message, separators=(",", ":")))

    # Frames around a serialised payload (JSON text) --------------------------------------
    def next_frame(self, op_id: str, payload: str) -> str:
        return self.protocol.next_frame(op_id, payload)

    def send_errors(self, op_id: str, errors: list[dict[str, Any]]) -> None:
        self.send_message(self.protocol.error_message(op_id, errors))

    def send_complete(self, op_id: str) -> None:
        self.send_message({"id": op_id, "type": "complete"})


async def serve(websocket: WebSocket, protocol: WireProtocol) -> None:
    """Serves one accepted socket speaking `protocol` until either side closes it."""
    state: AppState = websocket.app.state.fixhub
    connection = Session(
        websocket=websocket,
        state=state,
        protocol=protocol,
        client_address=websocket.client.host if websocket.client else "unknown",
    )
    close: Close | None = None
    open_sockets = metrics.WEBSOCKETS.labels(protocol.name)
    open_sockets.inc()
    try:
        await _serve(connection)
    except Close as error:
        close = error
    except WebSocketDisconnect:
        pass
    finally:
        open_sockets.dec()
        _release_slot(connection)
        if connection.expiry is not None:
            connection.expiry.cancel()
        for op_id in list(connection.operations):
            stop(connection, op_id, notify=False)
        if close is not None:
            # Let queued frames (e.g. connection_error) go out before the close frame.
            await connection.flushed(1.0)
        connection.closing = True
        for task in (connection.writer, connection.closer):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
    if close is not None:
        with contextlib.suppress(Exception):
            await websocket.close(code=close.code, reason=close.reason)


async def _receive_text(websocket: WebSocket) -> str:
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    text = message.get("text")
    if not isinstance(text, str):  # a binary frame: both protocols speak JSON text only
        raise Close(4400, "Invalid message received")
    return text


async def _serve(connection: Session) -> None:
    websocket = connection.websocket
    # Every message counts against the deadline until connection_init arrives, so a client
    # cannot hold an unauthenticated socket open by pinging.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + connection.state.settings.ws_connection_init_timeout_seconds
    raw: str | None
    while not connection.init_received:
        try:
            raw = await asyncio.wait_for(_receive_text(websocket), deadline - loop.time())
        except TimeoutError:
            raise Close(4408, "Connection initialisation timeout") from None
        await _handle(connection, raw)
    every = connection.protocol.keepalive_seconds()
    keepalive = (
        asyncio.create_task(_keepalive(connection, every), name="ws keepalive")
        if every is not None
        else None
    )
    try:
        while True:
            raw = await _receive_text(websocket)
            if connection.expires_at is not None and loop.time() >= connection.expires_at:
                _refuse(connection, TOKEN_EXPIRED)
                raise Close(4403, TOKEN_EXPIRED)
            await _handle(connection, raw)
    finally:
        if keepalive is not None:
            keepalive.cancel()


async def _keepalive(connection: Session, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        if connection.acknowledged:
            connection.send(connection.protocol.keepalive_frame)


def _parse_message(raw: str) -> dict[str, Any]:
    try:
        message = json.loads(raw)
    except (ValueError, RecursionError):
        raise Close(4400, "Invalid message received") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise Close(4400, "Invalid message received")
    return message


async def _handle(connection: Session, raw: str) -> None:
    await connection.protocol.handle(connection, _parse_message(raw))


async def connection_init(connection: Session, payload: Any) -> None:
    """A client's connection_init: authenticates the session, or closes it."""
    await _connection_init(connection, payload)


async def _connection_init(connection: Session, payload: Any) -> None:
    if connection.init_received:
        raise Close(4429, "Too many initialisation requests")
    connection.init_received = True
    if payload is not None and not isinstance(payload, dict):
        raise Close(4400, "connection_init payload must be an object")
    authorization = (payload or {}).get("authorization") or (payload or {}).get("Authorization")
    try:
        if authorization is not None and not isinstance(authorization, str):
            raise InvalidToken("authorization must be a string")
        connection.user, expiry = await session_from_authorization(
            authorization, connection.state.settings.secret_key
        )
    except InvalidToken:
        _refuse(connection, "Forbidden: invalid token")
        raise Close(4403, "Forbidden") from None
    if expiry is not None:
        # One timer rather than a deadline on every receive (asyncio.wait_for makes a task
        # per message and holds one per idle socket).
        loop = asyncio.get_running_loop()
        connection.expires_at = loop.time() + (expiry - time.time())
        connection.expiry = loop.call_at(connection.expires_at, _expire, connection)
    _take_slot(connection)
    connection.acknowledged = True
    for frame in connection.protocol.acknowledgement():
        connection.send(frame)


TOKEN_EXPIRED = "Forbidden: token expired"


def _expire(connection: Session) -> None:
    _refuse(connection, TOKEN_EXPIRED)
    connection.close_soon(4403, TOKEN_EXPIRED, flush=True)


def _refuse(connection: Session, message: str) -> None:
    """Says why, before the close frame, where the protocol has a message for it."""
    refusal = connection.protocol.refusal(message)
    if refusal is not None:
        connection.send_message(refusal)


def _take_slot(connection: Session) -> None:
    """Counts this session against its user's (or anonymous address's) socket cap, or refuses
    it with 4429."""
    settings, sessions = connection.state.settings, connection.state.sessions
    if connection.user is not None:
        slot: tuple[str, object] = ("user", connection.user.id)
        cap = settings.ws_max_sockets_per_user
    else:
        slot, cap = ("address", connection.client_address), settings.ws_max_sockets_per_address
    held = sessions.setdefault(slot, set())
    if len(held) >= cap:
        if not held:
            del sessions[slot]
        _refuse(connection, f"Too many connections: at most {cap} per account (or address).")
        raise Close(4429, "Too many connections")
    held.add(connection)
    connection.slot = slot


def _release_slot(connection: Session) -> None:
    slot, connection.slot = connection.slot, None
    if slot is None:
        return
    held = connection.state.sessions.get(slot)
    if held is None:
        return
    held.discard(connection)
    if not held:
        del connection.state.sessions[slot]


def stop(connection: Session, op_id: str, *, notify: bool = True) -> None:
    operation = connection.operations.pop(op_id, None)
    if operation is None:
        return
    if isinstance(operation, asyncio.Task):
        operation.cancel()
        return
    channel, member = operation
    connection.state.hub.leave(channel, member)
    if notify and connection.protocol.confirms_stop:
        connection.send_complete(op_id)
