"""The legacy `graphql-ws` protocol of subscriptions-transport-ws (older Apollo clients).

Client to server: connection_init, start, stop, connection_terminate. Server to client:
connection_ack, ka (keep-alive), data, error (one error), complete, connection_error (why a
session is refused, before the close frame).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal, NotRequired, TypedDict

from web.websocket.operations import start_operation, stop_operation
from web.websocket.session import Close, Session, WireProtocol, connection_init

NAME = "graphql-ws"
KEEPALIVE_SECONDS = 15.0


# Client to server ------------------------------------------------------------------------
class ConnectionInitMessage(TypedDict):
    type: Literal["connection_init"]
    payload: NotRequired[dict[str, Any] | None]


class StartPayload(TypedDict):
    query: str
    variables: NotRequired[dict[str, Any] | None]
    operationName: NotRequired[str | None]


class StartMessage(TypedDict):
    id: str
    type: Literal["start"]
    payload: StartPayload


class StopMessage(TypedDict):
    id: str
    type: Literal["stop"]


class ConnectionTerminateMessage(TypedDict):
    type: Literal["connection_terminate"]


# Server to client ------------------------------------------------------------------------
class ConnectionAckMessage(TypedDict):
    type: Literal["connection_ack"]


class KeepAliveMessage(TypedDict):
    type: Literal["ka"]


class ConnectionErrorPayload(TypedDict):
    message: str


class ConnectionErrorMessage(TypedDict):
    type: Literal["connection_error"]
    payload: ConnectionErrorPayload


class DataMessage(TypedDict):
    """Built as text around the serialised result (GraphQLWS.next_frame)."""

    id: str
    type: Literal["data"]
    payload: dict[str, Any]


class ErrorMessage(TypedDict):
    id: str
    type: Literal["error"]
    payload: dict[str, Any]


class CompleteMessage(TypedDict):
    id: str
    type: Literal["complete"]


class GraphQLWS(WireProtocol):
    name = NAME
    completes_after_error: ClassVar[bool] = True
    confirms_stop: ClassVar[bool] = True
    keepalive_frame: ClassVar[str] = '{"type":"ka"}'

    async def handle(self, session: Session, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "connection_init":
            await connection_init(session, message.get("payload"))
        elif kind == "start":
            await start_operation(session, message)
        elif kind in ("stop", "complete"):  # `complete` too, as always accepted here
            stop_operation(session, message)
        elif kind == "connection_terminate":
            raise Close(1000, "Normal closure")
        elif kind == "subscribe":
            raise Close(4400, f"Unknown message type {kind!r} for {NAME}")
        else:
            raise Close(4400, f"Unknown message type {kind!r}")

    def next_frame(self, op_id: str, payload: str) -> str:
        return '{"id":' + json.dumps(op_id) + ',"type":"data","payload":' + payload + "}"

    def error_message(self, op_id: str, errors: list[dict[str, Any]]) -> ErrorMessage:
        # The protocol carries one error; the first is the one that ended the operation.
        return {"id": op_id, "type": "error", "payload": errors[0]}

    def acknowledgement(self) -> list[str]:
        # A first keep-alive right away: clients start their timeout on it.
        return ['{"type":"connection_ack"}', self.keepalive_frame]

    def refusal(self, reason: str) -> ConnectionErrorMessage:
        return {"type": "connection_error", "payload": {"message": reason}}

    def keepalive_seconds(self) -> float | None:
        return KEEPALIVE_SECONDS
