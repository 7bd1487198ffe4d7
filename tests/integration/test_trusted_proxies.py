"""X-Forwarded-For is believed only from FORWARDED_ALLOW_IPS, on a real `python server.py`.

uvicorn on its own trusts the header from 127.0.0.1, so a local client (or a proxy passing the
header through) could choose the address that the per-address sign-in limit counts.
"""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from server import uvicorn_options
from settings import load_settings
from tests.support.server_process import ServerProcess
from tests.support.services import SECRET

LOGIN = 'mutation($e: String!) { login(email: $e, password: "wrong password") { token } }'
ARGS = argparse.Namespace(host="127.0.0.1", port=8000, workers=1, log_level="info")


def test_uvicorn_trusts_no_proxy_unless_told() -> None:
    options = uvicorn_options(load_settings({}), ARGS)
    assert options["proxy_headers"] is False
    assert options["forwarded_allow_ips"] == []

    trusted = load_settings({"FORWARDED_ALLOW_IPS": "10.0.0.0/8,192.0.2.1"})
    options = uvicorn_options(trusted, ARGS)
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == ["10.0.0.0/8", "192.0.2.1"]


@asynccontextmanager
async def running_server(
    tmp_path: Path, database_url: str, **env: str
) -> AsyncIterator[ServerProcess]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FORWARDED_ALLOW_IPS", "DATABASE_URL", "BROADCAST_URL", "FIXHUB_ENV"}
    }
    environment.update(
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET,
        LOGIN_ATTEMPTS_PER_ADDRESS="2",
        **env,
    )
    server = ServerProcess(environment, tmp_path / "server.log")
    try:
        await server.wait_healthy()
        yield server
    finally:
        server.stop()


def sign_in_from(server: ServerProcess) -> Callable[[str], Any]:
    async def sign_in(forwarded_for: str) -> str:
        email = f"nobody-{uuid.uuid4().hex[:8]}@example.com"  # only the address limit applies
        async with httpx.AsyncClient(base_url=server.http_url, timeout=30) as http:
            response = await http.post(
                "/graphql",
                json={"query": LOGIN, "variables": {"e": email}},
                headers={"X-Forwarded-For": forwarded_for},
            )
        assert response.status_code == 200, response.text
        return str(response.json()["errors"][0]["extensions"]["code"])

    return sign_in


async def test_forwarded_for_does_not_reset_the_address_limit_by_default(
    tmp_path: Path, server_sqlite_url: str
) -> None:
    async with running_server(tmp_path, server_sqlite_url) as server:
        sign_in = sign_in_from(server)
        assert [await sign_in("1.2.3.4"), await sign_in("1.2.3.4")] == ["UNAUTHENTICATED"] * 2
        # Another claimed address is still the same peer, 127.0.0.1: refused.
        assert await sign_in("5.6.7.8") == "RATE_LIMITED"


async def test_forwarded_for_names_the_client_behind_a_trusted_proxy(
    tmp_path: Path, server_sqlite_url: str
) -> None:
    async with running_server(
        tmp_path, server_sqlite_url, FORWARDED_ALLOW_IPS="127.0.0.1"
    ) as server:
        sign_in = sign_in_from(server)
        assert [await sign_in("1.2.3.4"), await sign_in("1.2.3.4")] == ["UNAUTHENTICATED"] * 2
        assert await sign_in("1.2.3.4") == "RATE_LIMITED"
        assert await sign_in("5.6.7.8") == "UNAUTHENTICATED"
