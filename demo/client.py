"""GraphQL documents sent to the app in-process, over its own HTTP endpoint.

The demo is a client like any other: each request is an ASGI `http` call to POST /graphql
with a JSON body and a bearer token, so authentication, permissions, validation, query cost
and rate limits all hold exactly as they do for a phone or a browser. Going through the ASGI
interface (rather than importing resolvers or the engine) also keeps the demo independent of
how the layers inside are arranged. httpx would do the same, but it is a test-only dependency.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message


class DemoError(Exception):
    """A call the demo relies on was refused: the message names the operation and the code."""


@dataclass
class Account:
    """A person of the demo city, signed in (the token `register` returned)."""

    email: str
    name: str
    role: str
    address: str  # the client address this person calls from
    id: str = ""
    token: str = ""
    # For the summary: what this account is for ("" = not listed).
    sees: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def client_address(index: int) -> str:
    """The n-th person's own address, in the private 10.77.0.0/16 range.

    Every demo person calls from an address of their own, as real users do from their own
    phones, so the per-address limits (registrations, sign-in attempts) apply to the demo
    unchanged: no setting is overridden for it.
    """
    return f"10.77.{index // 250}.{index % 250 + 1}"


class GraphQL:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.operations = 0

    async def call(
        self, query: str, variables: dict[str, Any] | None = None, *, by: Account | None = None
    ) -> dict[str, Any]:
        """The response body of one POST /graphql, as `by` (anonymous from 10.77.255.1 when
        None)."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if by is not None and by.token:
            headers.append((b"authorization", f"Bearer {by.token}".encode()))
        address = by.address if by is not None else "10.77.255.1"
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": (address, 50000),
            "server": ("fixhub-demo", 80),
        }
        sent = False
        chunks: list[bytes] = []
        status = 0

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        self.operations += 1
        try:
            return json.loads(b"".join(chunks))
        except ValueError:
            raise DemoError(f"HTTP {status} without a JSON body from {_name(query)}") from None

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, *, by: Account | None = None
    ) -> Any:
        """The data of the (single) root field; DemoError when the call was refused."""
        payload = await self.call(query, variables, by=by)
        errors = payload.get("errors")
        if errors:
            first = errors[0]
            code = first.get("extensions", {}).get("code", "?")
            who = f" as {by.email}" if by is not None else ""
            raise DemoError(f"{_name(query)}{who} was refused ({code}): {first.get('message')}")
        data = payload["data"]
        return next(iter(data.values())) if len(data) == 1 else data


def _name(query: str) -> str:
    """The first root field of a document, for error messages."""
    text = query.split("{", 1)[-1].strip()
    return text.split("(", 1)[0].split("{", 1)[0].split()[0] if text else "request"
