"""GraphQL over WebSocket on /graphql, in either protocol a client offers:

- `graphql-transport-ws` (the graphql-ws library): web/websocket/transport_ws.py
- `graphql-ws` (legacy subscriptions-transport-ws, older Apollo clients): legacy_ws.py

Each protocol module holds its typed messages and what it says differently; the session they
share (web/websocket/session.py) holds everything else.
"""

from __future__ import annotations

from starlette.websockets import WebSocket

from web.websocket import legacy_ws, transport_ws
from web.websocket.session import WireProtocol, serve

PROTOCOLS: dict[str, type[WireProtocol]] = {
    transport_ws.NAME: transport_ws.GraphQLTransportWS,
    legacy_ws.NAME: legacy_ws.GraphQLWS,
}


async def graphql_ws(websocket: WebSocket) -> None:
    offered = websocket.scope.get("subprotocols") or []
    name = next((p for p in offered if p in PROTOCOLS), None)
    if name is None:
        await websocket.close(code=4406, reason="Subprotocol not acceptable")
        return
    await websocket.accept(subprotocol=name)
    await serve(websocket, PROTOCOLS[name]())


__all__ = ["PROTOCOLS", "graphql_ws"]
