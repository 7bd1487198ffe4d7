"""schema.graphql (the SDL the web app's typed operations are generated from) is the schema the
server serves: a change to the schema without regenerating the file fails here, not as a web
app that silently sends fields the server no longer has."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from server import schema_sdl

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_schema_file_is_the_schema_the_server_serves() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema_sdl(), (
        "schema.graphql is out of date: run `python server.py print-schema > schema.graphql` "
        "and rebuild the web app (cd webapp && npm run build)"
    )


def test_print_schema_writes_the_sdl_to_stdout() -> None:
    done = subprocess.run(
        [sys.executable, "server.py", "print-schema"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == schema_sdl()
    assert "type Query {" in done.stdout and "type Subscription {" in done.stdout
