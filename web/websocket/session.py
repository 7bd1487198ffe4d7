"""One WebSocket session, whichever protocol it speaks: authentication, the per-user caps,
operations (subscriptions through the fan-out, queries and mutations run once) and the
outgoing queue. What differs between the protocols (message names, framing, keep-alive) is a
`WireProtocol`: web/websocket/transport_ws.py and web/websocket/legacy_ws.py.

Frames are built by string concatenation around an already serialised payload, so a payload
shared by many sockets is serialised once. Each socket has a bounded outgoing queue and one
writer task; a socket that cannot keep up has its subscriptions ended, not its memory grown.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_argument_values,
)
from graphql.execution.values import get_variable_values
from starlette.websockets import WebSocket, WebSocketDisconnect

from errors import DomainError, ErrorCode
from models import User
from resolvers.context import Context
from resolvers.tokens import InvalidToken, session_from_authorization
from schema import SPECS
from web.engine import Prepared, RequestError, is_subscription
from web.fanout import Member
from web.replay import ReplayGate
from web.state import AppState

log = logging.getLogger("fixhub.websocket")

OUTGOING_QUEUE = 1024


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


@dataclass(eq=False)  # hashed by identity: AppState.sessions holds sets of them
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
    # The key this socket counts under in AppState.sessions, once initialised.
    slot: tuple[str, object] | None = None
    outgoing: asyncio.Queue[str | None] = field(
        default_factory=lambda: asyncio.Queue(OUTGOING_QUEUE)
    )
    operations: dict[str, tuple[str, Member] | asyncio.Task[None]] = field(default_factory=dict)

    def send(self, frame: str) -> bool:
        try:
            self.outgoing.put_nowait(frame)
        except asyncio.QueueFull:
            return False
        return True

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
    writer = asyncio.create_task(_write(connection), name="ws writer")
    close: Close | None = None
    try:
        await _serve(connection)
    except Close as error:
        close = error
    except WebSocketDisconnect:
        pass
    finally:
        _release_slot(connection)
        for op_id in list(connection.operations):
            _stop(connection, op_id, notify=False)
        if not connection.outgoing.full():
            connection.outgoing.put_nowait(None)  # tells the writer to finish
        if close is not None:
            # Let queued frames (e.g. connection_error) go out before the close frame.
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(writer), 1.0)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer
    if close is not None:
        with contextlib.suppress(Exception):
            await websocket.close(code=close.code, reason=close.reason)


async def _write(connection: Session) -> None:
    queue = connection.outgoing
    try:
        while True:
            frame = await queue.get()
            if frame is None:
                return
            await connection.websocket.send_text(frame)
    except (WebSocketDisconnect, RuntimeError, OSError):
        return


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
            if connection.expires_at is None:
                raw = await _receive_text(websocket)
            else:
                try:
                    raw = await asyncio.wait_for(
                        _receive_text(websocket), connection.expires_at - loop.time()
                    )
                except TimeoutError:
                    raw = None
                if raw is None or loop.time() >= connection.expires_at:
                    _refuse(connection, "Forbidden: token expired")
                    raise Close(4403, "Forbidden: token expired")
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


async def start_operation(connection: Session, message: dict[str, Any]) -> None:
    """A client's subscribe (graphql-transport-ws) or start (graphql-ws) message."""
    if not connection.acknowledged:
        raise Close(4401, "Unauthorized")
    try:
        await _subscribe(connection, message)
    except (Close, asyncio.CancelledError):
        raise
    except Exception:
        # A bug behind one operation ends that operation, never the socket and the other
        # operations on it.
        _fail_operation(connection, message.get("id"))


def stop_operation(connection: Session, message: dict[str, Any]) -> None:
    """A client's complete (graphql-transport-ws) or stop (graphql-ws) message."""
    op_id = message.get("id")
    if isinstance(op_id, str):
        _stop(connection, op_id)


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
        loop = asyncio.get_running_loop()
        connection.expires_at = loop.time() + (expiry - time.time())
    _take_slot(connection)
    connection.acknowledged = True
    for frame in connection.protocol.acknowledgement():
        connection.send(frame)


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


def _operations_limit(connection: Session) -> str | None:
    """Why one more operation is refused on this socket, or None if it may run."""
    settings = connection.state.settings
    if len(connection.operations) >= settings.ws_max_subscriptions_per_socket:
        return "Too many operations on this connection."
    held = connection.state.sessions.get(connection.slot) if connection.slot else None
    cap = settings.ws_max_operations_per_user
    if held and sum(len(other.operations) for other in held) >= cap:
        return (
            f"Too many operations: at most {cap} at a time per account (or address), over all "
            "its connections. Complete some first."
        )
    return None


async def _subscribe(connection: Session, message: dict[str, Any]) -> None:
    op_id = message.get("id")
    payload = message.get("payload")
    if not isinstance(op_id, str) or not op_id or not isinstance(payload, dict):
        raise Close(4400, "Invalid subscribe message")
    if op_id in connection.operations:
        raise Close(4409, f"Subscriber for {op_id} already exists")
    state = connection.state
    engine = state.engine
    query = payload.get("query")
    variables = payload.get("variables")
    operation_name = payload.get("operationName")
    if (
        not isinstance(query, str)
        or (variables is not None and not isinstance(variables, dict))
        or (operation_name is not None and not isinstance(operation_name, str))
    ):
        raise Close(4400, "Invalid subscribe payload")
    refusal = _operations_limit(connection)
    if refusal is not None:
        connection.send_errors(
            op_id, [{"message": refusal, "extensions": {"code": "RATE_LIMITED"}}]
        )
        return
    context = state.context(connection.user, connection.client_address)
    try:
        prepared = await engine.prepare(query)
        operation = prepared.operation(operation_name)
        cost = engine.price(prepared, operation, variables)
    except RequestError as error:
        connection.send_errors(
            op_id, [engine.format_error(e, context.request_id) for e in error.errors]
        )
        return
    if not is_subscription(operation):
        task = asyncio.create_task(
            _single_result(connection, op_id, prepared, variables, operation_name)
        )
        connection.operations[op_id] = task
        return
    try:
        if prepared.tokens > state.settings.max_subscription_tokens:
            raise RequestError(
                [
                    GraphQLError(
                        f"A subscription's document may hold at most "
                        f"{state.settings.max_subscription_tokens} tokens (this one has "
                        f"{prepared.tokens}): it is kept for as long as the subscription "
                        "lives. Select fewer fields, or send the subscription on its own."
                    )
                ]
            )
        field_name, arguments = _root_field(state, prepared, operation, variables)
        spec = SPECS[field_name]
        channel = await spec.channel(context, arguments)
    except RequestError as error:
        connection.send_errors(
            op_id, [engine.format_error(e, context.request_id) for e in error.errors]
        )
        return
    except DomainError as error:
        refused = engine.format_error(GraphQLError(error.message, original_error=error), "")
        payload_text = json.dumps({"errors": [refused], "data": None}, separators=(",", ":"))
        connection.send(connection.next_frame(op_id, payload_text))
        connection.send_complete(op_id)
        return

    def send_payload(text: str) -> bool:
        return connection.send(connection.next_frame(op_id, text))

    gate = ReplayGate(send_payload) if spec.replay is not None else None
    member = Member(
        user=connection.user,
        deliver=gate.live if gate is not None else lambda _event_id, text: send_payload(text),
        end=lambda reason: _end_with_error(connection, op_id, reason),
    )
    connection.operations[op_id] = (channel, member)
    try:
        await state.hub.join(channel, spec, prepared, query, operation_name, variables, member)
    except Exception:
        connection.operations.pop(op_id, None)
        _end_with_error(connection, op_id, "The event stream is unavailable; try again.")
        return
    if gate is not None and spec.replay is not None:
        await _replay(
            connection, op_id, gate, spec.replay, context, arguments, prepared, payload, cost
        )


async def _replay(
    connection: Session,
    op_id: str,
    gate: ReplayGate,
    replay: Callable[[Context, dict[str, Any]], Awaitable[list[tuple[int, Any]]]],
    context: Context,
    arguments: dict[str, Any],
    prepared: Prepared,
    request: dict[str, Any],
    cost: int,
) -> None:
    """Send what was stored after the client's cursor, then let the live events through.
    `cost` is the price of one event; the replay runs it once per stored event."""
    engine = connection.state.engine
    try:
        items = await replay(context, arguments)
        engine.price_replay(len(items), cost)
    except DomainError as error:
        # Refused like a refused channel (one result carrying the error, then complete), so a
        # client handles a bad cursor the way it handles any other refusal.
        refusal = engine.format_error(GraphQLError(error.message, original_error=error), "")
        _stop(connection, op_id, notify=False)
        payload_text = json.dumps({"errors": [refusal], "data": None}, separators=(",", ":"))
        connection.send(connection.next_frame(op_id, payload_text))
        connection.send_complete(op_id)
        return
    for _event_id, root in items:
        result = await engine.execute(
            prepared,
            context=context.for_new_operation(),
            variables=request.get("variables"),
            operation_name=request.get("operationName"),
            root_value=root,
        )
        text = json.dumps(engine.format_result(result, context.request_id), separators=(",", ":"))
        if not connection.send(connection.next_frame(op_id, text)):
            _end_with_error(connection, op_id, "This subscription fell too far behind.")
            return
    if not gate.finish(event_id for event_id, _ in items):
        _end_with_error(connection, op_id, "This subscription fell too far behind.")


def _single_root_field(prepared: Prepared, selection_set: SelectionSetNode) -> FieldNode | None:
    """The subscription's one root field, also when selected through fragments. Validation
    already ensured there is exactly one, without @skip/@include."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            return selection
        if isinstance(selection, InlineFragmentNode):
            found = _single_root_field(prepared, selection.selection_set)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = prepared.fragments[selection.name.value]
            found = _single_root_field(prepared, fragment.selection_set)
        else:
            found = None
        if found is not None:
            return found
    return None


def _root_field(
    state: AppState,
    prepared: Prepared,
    operation: OperationDefinitionNode,
    variables: dict[str, Any] | None,
) -> tuple[str, dict[str, Any]]:
    schema = state.engine.schema
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), variables or {}, max_errors=20
    )
    if isinstance(coerced, list):
        raise RequestError(coerced)
    field_node = _single_root_field(prepared, operation.selection_set)
    if field_node is None:
        raise RequestError([GraphQLError("A subscription must select one root field.")])
    name = field_node.name.value
    subscription_type = schema.subscription_type
    assert subscription_type is not None
    definition = subscription_type.fields[name]
    try:
        arguments = get_argument_values(definition, field_node, coerced)
    except GraphQLError as error:
        raise RequestError([error]) from None
    return name, arguments


def _fail_operation(connection: Session, op_id: object) -> None:
    request_id = uuid.uuid4().hex[:16]
    log.exception("operation %r failed (request %s)", op_id, request_id)
    if not isinstance(op_id, str):
        return
    _stop(connection, op_id, notify=False)
    error = {
        "message": f"Internal error; quote request id {request_id} when reporting it.",
        "extensions": {"code": "INTERNAL", "requestId": request_id},
    }
    connection.send_errors(op_id, [error])
    if connection.protocol.completes_after_error:
        connection.send_complete(op_id)


def _end_with_error(connection: Session, op_id: str, reason: str) -> None:
    """Ends a subscription the server cannot go on serving (its stream failed, or it fell
    too far behind): UNAVAILABLE, since subscribing again is the remedy."""
    if op_id not in connection.operations:
        return
    _stop(connection, op_id, notify=False)
    error = {"message": reason, "extensions": {"code": ErrorCode.UNAVAILABLE.value}}
    connection.send_errors(op_id, [error])
    if connection.protocol.completes_after_error:
        connection.send_complete(op_id)


async def _single_result(
    connection: Session,
    op_id: str,
    prepared: Any,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> None:
    state = connection.state
    context = state.context(connection.user, connection.client_address)
    try:
        result = await state.engine.execute(
            prepared, context=context, variables=variables, operation_name=operation_name
        )
        payload = json.dumps(
            state.engine.format_result(result, context.request_id), separators=(",", ":")
        )
        connection.send(connection.next_frame(op_id, payload))
        connection.send_complete(op_id)
    except asyncio.CancelledError:
        raise
    except Exception:
        connection.operations.pop(op_id, None)  # so failing does not cancel this very task
        _fail_operation(connection, op_id)
    finally:
        connection.operations.pop(op_id, None)


def _stop(connection: Session, op_id: str, *, notify: bool = True) -> None:
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
