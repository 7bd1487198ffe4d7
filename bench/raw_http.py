"""A lean HTTP/1.1 client for the publishers of bench/compare.py: one keep-alive connection per
publisher, one request in flight on it, `Content-Length` bodies only.

Why not httpx (realtime.Api): it costs the bench ~1-2 ms of CPU per request, so against the
reference the client, sharing the machine's 2 cores, would be measured instead of the server.
This costs ~0.1 ms. Both servers are measured with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from server_process import BenchError


class RawConnection:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def call(self, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
        """POST /graphql; the `data` of a clean answer, else BenchError."""
        body = json.dumps({"query": query, "variables": variables}).encode()
        head = (
            f"POST /graphql HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
            + (f"Authorization: Bearer {token}\r\n" if token else "")
            + f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            if self.writer is None:
                await self._connect()
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(head + body)
                status, length, close = await self._read_head()
                payload = await self.reader.readexactly(length)
                break
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                await self.close()
                if attempt == 2:
                    raise BenchError(f"HTTP connection failed: {error!r}") from error
        if close:
            await self.close()
        if status != 200:
            raise BenchError(f"HTTP {status}: {payload[:500]!r}")
        answer = json.loads(payload)
        if answer.get("errors"):
            raise BenchError(f"GraphQL errors: {json.dumps(answer['errors'])[:500]}")
        return answer["data"]

    async def _read_head(self) -> tuple[int, int, bool]:
        assert self.reader is not None
        status_line = await self.reader.readuntil(b"\r\n")
        if not status_line:
            raise ConnectionResetError("closed before the status line")
        status = int(status_line.split(b" ", 2)[1])
        length: int | None = None
        close = False
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and value != "identity":
                raise BenchError(f"unsupported Transfer-Encoding: {value}")
            elif name == "connection" and value == "close":
                close = True
        if length is None:
            raise BenchError("a response without Content-Length")
        return status, length, close

    async def close(self) -> None:
        writer, self.writer, self.reader = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
