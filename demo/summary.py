"""The end of a demo run: the accounts to sign in with, the shared password, and what was
made."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from demo.scene import Scene


def print_summary(console: Console, scene: Scene, password: str, seconds: float) -> None:
    accounts = Table(title="Sign in as", show_lines=False)
    accounts.add_column("email", no_wrap=True)
    accounts.add_column("role", no_wrap=True)
    accounts.add_column("name")
    accounts.add_column("what they can see")
    for account in scene.accounts:
        if account.sees:
            accounts.add_row(account.email, account.role, account.name, account.sees)
    console.print(accounts)
    console.print(
        f"Every demo account's password: [bold]{password}[/bold]   "
        f"(sign in with the `login` mutation; {len(scene.accounts)} accounts in all)"
    )
    made = Table(title="Made through the API", show_header=False)
    made.add_column("what")
    made.add_column("how many", justify="right")
    for name, count in sorted(scene.counts.items()):
        made.add_row(name, str(count))
    made.add_row("GraphQL operations", str(scene.gql.operations))
    console.print(made)
    console.print(f"The demo took {seconds:.1f} s.")
