"""GraphQL over WebSocket on /graphql: `graphql-transport-ws` and the legacy `graphql-ws`."""

from web.websocket.session import graphql_ws

__all__ = ["graphql_ws"]
