"""Server memory per held WebSocket, with and without permessage-deflate, in about a minute.

    python bench/socket_memory.py [--sockets 500] [--tracemalloc]

bench/compare.py and bench/realtime.py measure the same figure after registering a thousand
workers (minutes of argon2); this registers one worker and holds --sockets sockets of it,
each with `connection_init`, a `matchingJobs` subscription and a ping/pong, as a worker's app
does. The server restarts after the registration (argon2's freed memory would otherwise be
reused by the sockets and hide their cost), holds 20 warm-up sockets of each kind, then reads
VmRSS before and after each batch (first without compression, then with).

--tracemalloc also starts the server with PYTHONTRACEMALLOC=1 and a SIGUSR1 handler that
dumps a snapshot before and after each batch, and prints the top allocation sites per socket
(slow: start-up takes minutes under tracemalloc).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import sys
import tempfile
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import httpx
from server_process import Server, free_port, log
from websockets.asyncio.client import ClientConnection, connect

REGISTER = """mutation Register($input: RegisterInput!) {
  register(input: $input) { token user { id } }
}"""
MATCHING_JOBS = "subscription { matchingJobs { id title category } }"
HOOK = """import os, signal, tracemalloc
_dumps = [0]
def _dump(*_):
    _dumps[0] += 1
    tracemalloc.take_snapshot().dump(os.path.join({folder!r}, f"snapshot-{{_dumps[0]}}.pickle"))
signal.signal(signal.SIGUSR1, _dump)
"""


async def hold(url: str, token: str, compression: bool) -> ClientConnection:
    socket = await connect(
        url,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        proxy=None,
        compression="deflate" if compression else None,
        open_timeout=60,
    )
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
    await socket.send(json.dumps(init))
    if json.loads(await socket.recv()).get("type") != "connection_ack":
        raise RuntimeError("no connection_ack")
    subscribe = {"id": "1", "type": "subscribe", "payload": {"query": MATCHING_JOBS}}
    await socket.send(json.dumps(subscribe))
    await socket.send(json.dumps({"type": "ping"}))
    while json.loads(await socket.recv()).get("type") != "pong":
        pass
    return socket


async def batch(url: str, token: str, compression: bool, count: int) -> list[ClientConnection]:
    gate = asyncio.Semaphore(50)

    async def one() -> ClientConnection:
        async with gate:
            return await hold(url, token, compression)

    return await asyncio.gather(*(one() for _ in range(count)))


async def snapshot(server: Server, folder: Path, count: int) -> None:
    os.kill(server.pid, signal.SIGUSR1)
    for _ in range(600):
        if (folder / f"snapshot-{count}.pickle").exists():
            await asyncio.sleep(1)  # let the dump finish writing
            return
        await asyncio.sleep(0.5)
    raise RuntimeError("no tracemalloc snapshot")


def top_sites(folder: Path, before: int, after: int, sockets: int, top: int = 20) -> None:
    old = tracemalloc.Snapshot.load(str(folder / f"snapshot-{before}.pickle"))
    new = tracemalloc.Snapshot.load(str(folder / f"snapshot-{after}.pickle"))
    stats = new.compare_to(old, "lineno")
    total = sum(stat.size_diff for stat in stats)
    print(f"  traced: {total / sockets / 1024:.1f} KiB per socket; top sites (bytes per socket):")
    for stat in stats[:top]:
        frame = stat.traceback[0]
        where = frame.filename.split("site-packages/")[-1]
        print(f"  {stat.size_diff / sockets:8.0f}  {where}:{frame.lineno}")


async def main(args: argparse.Namespace) -> dict[str, Any]:
    temp = Path(tempfile.mkdtemp(prefix="fixhub-socket-memory-"))
    many = str(3 * args.sockets + 100)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{temp / 'fixhub.sqlite3'}",
        "BROADCAST_URL": "memory://",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "WS_MAX_SOCKETS_PER_USER": many,
        "WS_MAX_SOCKETS_PER_ADDRESS": many,
        "WS_MAX_OPERATIONS_PER_USER": many,
        "PYTHONUNBUFFERED": "1",
    }
    if args.tracemalloc:
        (temp / "hook").mkdir()
        (temp / "hook" / "sitecustomize.py").write_text(HOOK.format(folder=str(temp)))
        env["PYTHONPATH"] = str(temp / "hook")
        env["PYTHONTRACEMALLOC"] = "1"
    server = Server(free_port(), env, temp / "fixhub.log", "warning")
    within = 600.0 if args.tracemalloc else 90.0
    server.start()
    held: list[ClientConnection] = []
    try:
        await server.wait_healthy(within)
        async with httpx.AsyncClient(base_url=server.base_url, trust_env=False) as http:
            variables = {
                "input": {
                    "email": f"memory-{uuid.uuid4().hex[:8]}@example.com",
                    "password": "bench password 1234",
                    "displayName": "Memory",
                    "role": "WORKER",
                }
            }
            answer = await http.post("/graphql", json={"query": REGISTER, "variables": variables})
            token = answer.json()["data"]["register"]["token"]
        server.stop()
        server.start()
        await server.wait_healthy(within)
        url = f"ws://127.0.0.1:{server.port}/graphql"
        held += await batch(url, token, True, 20) + await batch(url, token, False, 20)
        await asyncio.sleep(1)
        results: dict[str, Any] = {"sockets": args.sockets}
        dumps = 0
        for compression in (False, True):
            label = "permessage-deflate" if compression else "no compression"
            if args.tracemalloc:
                dumps += 1
                await snapshot(server, temp, dumps)
            before = server.rss_kib()
            held += await batch(url, token, compression, args.sockets)
            await asyncio.sleep(1.5)
            after = server.rss_kib()
            results[f"{label} (KiB RSS per socket)"] = round((after - before) / args.sockets, 1)
            log(f"{label}: {(after - before) / args.sockets:.1f} KiB per held socket")
            if args.tracemalloc:
                dumps += 1
                await snapshot(server, temp, dumps)
                top_sites(temp, dumps - 1, dumps, args.sockets)
        return results
    finally:
        for socket in held:
            await socket.close()
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--tracemalloc", action="store_true")
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
    sys.exit(0)
