"""Run fixhub: `python server.py [--host 127.0.0.1] [--port 8000] [--workers 1]`.

Administrators are never created through the API: `python server.py create-admin EMAIL`
(the password is asked for, or read from FIXHUB_ADMIN_PASSWORD for scripts).

`python server.py demo [--size small|default|large] [--seed N] [--password P] [--force]` fills
an empty database with demo data through the API (see demo/).

`python server.py print-schema > schema.graphql` prints the schema's SDL: the committed
schema.graphql that the web app's typed operations are generated from.

With no configuration it serves the embedded default: SQLite at ./data/fixhub.sqlite3 and
the in-process bus. See the README for DATABASE_URL, BROADCAST_URL and SECRET_KEY.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import logging
import logging.config
import os
import sys
from typing import Any

import uvicorn
from starlette.applications import Starlette

from settings import Settings, SettingsError, load_settings
from web.logs import logging_config

log = logging.getLogger("fixhub")


def app_factory() -> Starlette:
    """Builds the app from the environment (uvicorn calls this in every worker process)."""
    from application import create_app

    app = create_app(load_settings())
    # The schema, models and libraries loaded by now live as long as the process. Freezing
    # them keeps Python's full garbage collections from walking them again and again (about
    # 120,000 objects: a 70 ms pause of the event loop each time).
    gc.collect()
    gc.freeze()
    return app


def _check(settings: Settings, workers: int) -> None:
    if workers > 1 and settings.broadcast_url.startswith("memory"):
        raise SettingsError(
            f"--workers {workers} needs a shared bus: with BROADCAST_URL=memory:// events "
            "would silently not cross processes. Set BROADCAST_URL=redis://host:6379/0."
        )


async def _create_admin(settings: Settings, email: str, display_name: str, password: str) -> str:
    from models import Role, User
    from models.database import close_database, open_database
    from resolvers import validation
    from resolvers.tokens import hash_password

    email = validation.email(email)
    validation.password(password)
    await open_database(settings.database_url)
    try:
        if await User.filter(email=email).exists():
            return f"an account with {email} already exists; nothing changed"
        await User.create(
            email=email,
            password_hash=await hash_password(password),
            display_name=display_name,
            role=Role.ADMIN,
        )
        return f"created ADMIN {email}"
    finally:
        await close_database()


def create_admin(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="server.py create-admin")
    parser.add_argument("email")
    parser.add_argument("--display-name", default="Administrator")
    args = parser.parse_args(argv)
    from errors import DomainError

    try:
        settings = load_settings()
        password = os.environ.get("FIXHUB_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        print(asyncio.run(_create_admin(settings, args.email, args.display_name, password)))
    except (SettingsError, DomainError) as error:
        print(f"fixhub: {error}", file=sys.stderr)
        return 2
    return 0


def schema_sdl() -> str:
    """The schema as SDL, exactly as committed in schema.graphql (with a final newline)."""
    from schema import schema

    return schema.as_str() + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["create-admin"]:
        return create_admin(argv[1:])
    if argv[:1] == ["demo"]:
        from demo.cli import main as demo

        return demo(argv[1:], create_admin=_create_admin)
    if argv[:1] == ["print-schema"]:
        sys.stdout.write(schema_sdl())
        return 0
    parser = argparse.ArgumentParser(description="fixhub GraphQL server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        _check(settings, args.workers)
    except SettingsError as error:
        print(f"fixhub: cannot start: {error}", file=sys.stderr)
        return 2
    logging.config.dictConfig(logging_config(settings.log_format, args.log_level))
    if settings.secret_key_is_default:
        log.warning(
            "\n%s\n  SECRET_KEY is not set: using the built-in DEVELOPMENT key.\n"
            "  Anyone can forge tokens. Set SECRET_KEY before exposing this server.\n%s",
            "!" * 78,
            "!" * 78,
        )
    log.info(
        "fixhub on http://%s:%s/graphql (database %s, bus %s)",
        args.host,
        args.port,
        settings.database_url.split("@")[-1],
        settings.broadcast_url.split("@")[-1],
    )
    uvicorn.run("server:app_factory", **uvicorn_options(settings, args))
    return 0


def uvicorn_options(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of `uvicorn.run`.

    Proxy headers are believed only from FORWARDED_ALLOW_IPS: uvicorn on its own trusts
    X-Forwarded-For from 127.0.0.1, which would let any local client (or a proxy that passes
    the header through) choose the address the per-address limits count.
    """
    trusted = list(settings.forwarded_allow_ips)
    return {
        "factory": True,
        "host": args.host,
        "port": args.port,
        "workers": args.workers,
        # uvicorn's websockets-sansio protocol with less memory per held socket.
        "ws": "web.ws_protocol:FixhubWebSocketProtocol",
        "log_level": args.log_level,
        "log_config": logging_config(settings.log_format, args.log_level),
        # fixhub.access logs each operation without its query string (a GET's could hold
        # personal data); uvicorn's own access log would print it.
        "access_log": False,
        "lifespan": "on",
        # SIGTERM: stop accepting, close sockets with 1012, let requests finish, then stop.
        "timeout_graceful_shutdown": settings.shutdown_timeout_seconds,
        "proxy_headers": bool(trusted),
        # Never None: uvicorn would then read its own default (127.0.0.1) from the environment.
        "forwarded_allow_ips": trusted,
    }


if __name__ == "__main__":
    sys.exit(main())
