"""`graphql-transport-ws`, the protocol of the graphql-ws library (its PROTOCOL.md).

Client to server: connection_init, subscribe, complete, ping, pong. Server to client:
connection_ack, next, error, complete, ping, pong. Refusals are close codes and reasons only.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal, NotRequired, TypedDict

from web.websocket.operations import start_operation, stop_operation
from web.websocket.session import Close, Session, WireProtocol, connection_init

NAME = "graphql-transport-ws"


# Client to server ------------------------------------------------------------------------
class ConnectionInitMessage(TypedDict):
    type: Literal["connection_init"]
    payload: NotRequired[dict[str, Any] | None]


class SubscribePayload(TypedDict):
    query: str
    variables: NotRequired[dict[str, Any] | None]
    operationName: NotRequired[str | None]


class SubscribeMessage(TypedDict):
    id: str
    type: Literal["subscribe"]
    payload: SubscribePayload


class CompleteMessage(TypedDict):
    """Either way: the client stops an operation, or the server says it is done."""

    id: str
    type: Literal["complete"]


class PingMessage(TypedDict):
    type: Literal["ping"]
    payload: NotRequired[Any]


class PongMessage(TypedDict):
    type: Literal["pong"]
    payload: NotRequired[Any]


# Server to client ------------------------------------------------------------------------
class ConnectionAckMessage(TypedDict):
    type: Literal["connection_ack"]


class NextMessage(TypedDict):
    """Built as text around the serialised result (GraphQLTransportWS.next_frame)."""

    id: str
    type: Literal["next"]
    payload: dict[str, Any]


class ErrorMessage(TypedDict):
    id: str
    type: Literal["error"]
    payload: list[dict[str, Any]]


class GraphQLTransportWS(WireProtocol):
    name = NAME
    completes_after_error: ClassVar[bool] = False
    confirms_stop: ClassVar[bool] = False

    async def handle(self, session: Session, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "connection_init":
            await connection_init(session, message.get("payload"))
        elif kind == "subscribe":
            await start_operation(session, message)
        elif kind in ("complete", "stop"):  # `stop` too, as always accepted here
            stop_operation(session, message)
        elif kind == "ping":
            pong: PongMessage = {"type": "pong"}
            if message.get("payload") is not None:
                pong["payload"] = message["payload"]
            session.send_message(pong)
        elif kind == "pong":
            return
        elif kind == "start":
            raise Close(4400, f"Unknown message type {kind!r} for {NAME}")
        else:
            raise Close(4400, f"Unknown message type {kind!r}")

    def next_frame(self, op_id: str, payload: str) -> str:
        return '{"id":' + json.dumps(op_id) + ',"type":"next","payload":' + payload + "}"

    def error_message(self, op_id: str, errors: list[dict[str, Any]]) -> ErrorMessage:
        return {"id": op_id, "type": "error", "payload": errors}
