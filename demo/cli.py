"""`python server.py demo`: fill the configured database with a believable city.

Everything is done through the real GraphQL API, in-process (demo/client.py), so every rule
of the platform holds for the demo as for anyone; only the ADMIN is made the way
`server.py create-admin` makes one, since the API never creates administrators.

The database must be empty. A database that already holds the finished demo is left as it is
(said so, exit 0); one that holds anything else is refused unless --force.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from demo import firms, renovation, repair
from demo.city import City
from demo.client import DemoError, GraphQL
from demo.scene import ADMIN_EMAIL, DEFAULT_PASSWORD, NEWCOMER_EMAIL, SIZES, Scene, Step
from demo.summary import print_summary
from settings import Settings

# server.py's `_create_admin(settings, email, display_name, password) -> message`.
CreateAdmin = Callable[[Settings, str, str, str], Awaitable[str]]
ADMIN_NAME = "平台管理员 Platform Admin"


@dataclass(frozen=True)
class Options:
    size: str = "default"
    seed: int = 2026
    password: str = DEFAULT_PASSWORD
    force: bool = False


def parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(
        prog="server.py demo",
        description="Fill the configured database (DATABASE_URL) with a demo city.",
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="default")
    parser.add_argument("--seed", type=int, default=2026, help="the same seed, the same city")
    parser.add_argument(
        "--password", default=DEFAULT_PASSWORD, help="the password of every demo account"
    )
    parser.add_argument(
        "--force", action="store_true", help="add the demo to a database holding other data"
    )
    args = parser.parse_args(argv)
    if not 8 <= len(args.password) <= 256:
        parser.error("--password must be 8 to 256 characters (the sign-up rule)")
    return Options(args.size, args.seed, args.password, args.force)


def main(argv: list[str], create_admin: CreateAdmin) -> int:
    from settings import SettingsError, load_settings

    options = parse(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"fixhub: {error}", file=sys.stderr)
        return 2
    # Piped into a file or a pager, rich would assume 80 columns and wrap the summary.
    console = Console() if sys.stdout.isatty() else Console(width=160)
    return asyncio.run(run(settings, options, create_admin, console))


async def database_holds(settings: Settings) -> str:
    """What the database holds: empty, demo (finished), partial (an earlier run stopped
    part-way) or other data. A read-only look (every row of the database hangs off a user),
    with the database opened as create-admin opens it: the app's lifespan would also start
    the sweeper that closes overdue jobs, a write to a database the demo may refuse."""
    from models import User
    from models.database import close_database, open_database

    await open_database(settings.database_url)
    try:
        if not await User.exists():
            return "empty"
        admin = await User.filter(email=ADMIN_EMAIL).exists()
        newcomer = await User.filter(email=NEWCOMER_EMAIL).exists()
        if admin and newcomer:
            return "demo"
        return "partial" if admin else "other"
    finally:
        await close_database()


async def run(
    settings: Settings, options: Options, create_admin: CreateAdmin, console: Console
) -> int:
    where = settings.database_url.split("@")[-1]
    holds = await database_holds(settings)
    if holds == "demo":
        console.print(f"The database ({where}) already holds the demo; nothing changed.")
        console.print(f"Sign in as {ADMIN_EMAIL} or any account listed when it was made.")
        return 0
    if holds == "partial":
        console.print(
            f"[red]The database ({where}) holds a demo that stopped part-way[/red] "
            f"({ADMIN_EMAIL} exists, {NEWCOMER_EMAIL} does not). Start again from an empty "
            "database."
        )
        return 2
    if holds == "other" and not options.force:
        console.print(
            f"[red]The database ({where}) already holds data that is not the demo; nothing "
            "changed.[/red] Point DATABASE_URL at an empty database, or add the demo anyway "
            "with --force."
        )
        return 2
    started = time.monotonic()
    # create-admin opens and closes the database itself, so it runs before the app's lifespan.
    message = await create_admin(settings, ADMIN_EMAIL, ADMIN_NAME, options.password)
    if not message.startswith("created"):
        console.print(f"[red]Could not create the demo ADMIN: {message}[/red]")
        return 2
    from application import create_app

    app = create_app(settings)
    scene = Scene(GraphQL(app), City(options.seed), options.password, SIZES[options.size])
    plan: list[Step] = [("ADMIN signs in", lambda: _admin(scene))]
    plan += repair.steps(scene) + firms.steps(scene) + renovation.steps(scene)
    plan += repair.final_steps(scene)
    async with app.router.lifespan_context(app):
        try:
            await _walk(plan, console)
        except DemoError as error:
            console.print(
                f"[red]The demo stopped part-way: {error}[/red]\nThe database now holds part "
                "of it; start again from an empty database."
            )
            return 1
    print_summary(console, scene, options.password, time.monotonic() - started)
    return 0


async def _admin(scene: Scene) -> None:
    await scene.sign_in_admin(ADMIN_NAME)


async def _walk(plan: list[Step], console: Console) -> None:
    columns = (
        TextColumn("{task.description:<48}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("demo city", total=len(plan))
        for description, step in plan:
            progress.update(task, description=description)
            await step()
            progress.advance(task)
        progress.update(task, description="done")
