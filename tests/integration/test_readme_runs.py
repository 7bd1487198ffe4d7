"""The README runs as pasted: every shell example, in order, in one bash session against a real
`python server.py` on a fresh SQLite file, the way a newcomer pastes it into a terminal.

- A ```sh block runs in the same shell as the ones before it (its variables and the `gql`
  helper carry over) with `set -e -o pipefail`: any failing command, including a GraphQL answer
  with `errors` (the helper fails on them), fails the test with the block and its output.
- A ```json block right after a ```sh block is what that block prints: the same number of
  JSON values with the same keys and types, and the same booleans and enum values.
- A ```js or ```python block whose first line names a file (`// quotes.mjs: ...`) is saved
  under that name in the shell's working directory, for the shell blocks that run it. That
  folder holds the packages a reader installs for the Node example (`npm install graphql-ws
  ws`): graphql-ws and ws as bench/reference/package-lock.json pins them.
- `<!-- readme-test: skip (reason) -->` before a block leaves it out; the skipped blocks are
  named below, and the two set-up commands among them must be the ones .ci/run runs.
  `<!-- readme-test: wait-for FIELD N -->` waits until the server holds N live subscriptions
  to FIELD (its /metrics), as a reader waits for a background watcher to connect.

The README's address (127.0.0.1:8000) is replaced by the test server's free port.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import selectors
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server_process import ROOT, ServerProcess

README = ROOT / "README.md"
README_ADDRESS = "127.0.0.1:8000"
REFERENCE = ROOT / "bench" / "reference"
BLOCK_SECONDS = 90

# The only blocks a reader runs that this test does not, and why (asserted exactly).
SKIPPED = {
    "the run command: .ci/run runs its steps",
    "the test command: .ci/run runs its steps",
    "takes about a minute: tests/integration/test_demo_data.py runs it",
    "needs PostgreSQL and Redis: tests/integration/test_scale_out.py runs that layout",
    "needs Docker: tests/unit/test_deploy_files.py checks the files",
    "a measurement of minutes: run by hand",
}

BLOCK = re.compile(
    r"(?:<!-- readme-test: (?P<directive>[^\n]*?) -->\n+)?```(?P<lang>[a-z]*)\n(?P<body>.*?)```",
    re.S,
)
FILE_NAME = re.compile(r"^(?://|#) (?P<name>[\w.-]+\.(?:mjs|js|py)):")


@dataclass
class Block:
    lang: str
    body: str
    directive: str
    line: int

    @property
    def skip_reason(self) -> str | None:
        match = re.fullmatch(r"skip \((.+)\)", self.directive)
        return match.group(1) if match else None

    def title(self) -> str:
        return f"README.md line {self.line}: {self.body.strip().splitlines()[0][:80]}"


def blocks() -> list[Block]:
    text = README.read_text()
    return [
        Block(m["lang"], m["body"], m["directive"] or "", text.count("\n", 0, m.start()) + 1)
        for m in BLOCK.finditer(text)
    ]


def shape(value: Any) -> Any:
    """What a shown output promises: keys, list lengths and types; booleans and enum values
    exactly (ids, tokens, times and numbers vary)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str) and re.fullmatch(r"[A-Z][A-Z_]+", value):
        return value
    return "string"


def json_values(text: str) -> list[Any]:
    decoder, values, index = json.JSONDecoder(), [], 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            return values
        value, index = decoder.raw_decode(text, index)
        values.append(value)


def steps(command: str) -> list[list[str]]:
    """A one-line command's steps (split on &&, subshell parentheses dropped), as words."""
    return [
        shlex.split(step.strip().strip("()").strip(), comments=True)
        for step in re.split(r"&&", command.replace("(cd", "cd").replace(")", ""))
    ]


def ci_runs(step: list[str], ci_lines: list[str]) -> bool:
    """.ci/run has this step, perhaps with flags of its own added (-q, --no-audit, ...)."""
    for line in ci_lines:
        try:
            candidates = steps(line)
        except ValueError:  # a line shlex cannot read on its own (a continued one)
            continue
        for candidate in candidates:
            if [word for word in candidate if word not in step and word.startswith("-")]:
                candidate = [w for w in candidate if w in step or not w.startswith("-")]
            if candidate == step:
                return True
    return False


def test_the_skipped_blocks_are_few_named_and_the_set_up_is_what_ci_runs() -> None:
    found = blocks()
    skipped = [block for block in found if block.directive.startswith("skip")]
    assert {block.skip_reason for block in skipped} == SKIPPED
    assert len(skipped) == len(SKIPPED)
    assert all(b.directive == "" or b.directive.startswith(("skip (", "wait-for ")) for b in found)
    ci_lines = [
        line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip()
    ]
    by_reason = {block.skip_reason: block.body.strip() for block in skipped}
    run_command = by_reason["the run command: .ci/run runs its steps"]
    test_command = by_reason["the test command: .ci/run runs its steps"]
    for step in steps(test_command):
        assert ci_runs(step, ci_lines), f".ci/run does not run the README's step {step}"
    # The run command installs without the test extra and ends by starting the server: .ci/run
    # installs the same with it, and the tests start `python server.py` themselves.
    for step in steps(run_command):
        if step == ["python", "server.py"]:
            continue
        if step[:2] == ["pip", "install"] and step[-2:] == ["-e", "."]:
            step = [*step[:-1], ".[test]"]
        assert ci_runs(step, ci_lines), f".ci/run does not run the README's step {step}"


def _node_modules() -> Path:
    """graphql-ws and ws, installed from bench/reference's committed lock when missing."""
    modules = REFERENCE / "node_modules"
    if not (modules / "graphql-ws").is_dir() or not (modules / "ws").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=REFERENCE,
            check=True,
            timeout=300,
        )
    return modules


class Shell:
    """One bash session: each block is sourced in it, its output kept in a file of its own."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd = cwd
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its background jobs are stopped with it
        )
        self.count = 0

    def run(self, body: str) -> tuple[str, str]:
        """Runs a block; returns its stdout and stderr, or fails with them."""
        self.count += 1
        script = self.cwd / f".block-{self.count}.sh"
        out, err = script.with_suffix(".out"), script.with_suffix(".err")
        script.write_text(body)
        done = f"__readme_block_{self.count}_done__"
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(
            f"set -e -o pipefail; source {script.name} </dev/null >{out.name} 2>{err.name}; "
            f"set +e; echo {done}\n"
        )
        self.process.stdin.flush()
        line = _read_line(self.process, BLOCK_SECONDS)
        stdout, stderr = out.read_text(), err.read_text() if err.exists() else ""
        if line.strip() != done:
            pytest.fail(
                f"the block failed (the shell said {line!r})\n--- block ---\n{body}"
                f"--- stdout ---\n{stdout}--- stderr ---\n{stderr}"
            )
        return stdout, stderr

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The shell's next line, or '' when it exited or took longer than `timeout`."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    if not selector.select(timeout):
        return f"(no answer within {timeout} s)"
    return process.stdout.readline()


async def _wait_for_subscriptions(base_url: str, field: str, count: int) -> None:
    pattern = re.compile(rf'^fixhub_subscriptions\{{field="{field}"\}} (\S+)$', re.M)
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            match = pattern.search((await http.get(f"{base_url}/metrics")).text)
            if match and float(match.group(1)) >= count:
                return
            await asyncio.sleep(0.1)
    pytest.fail(f"{count} live {field} subscriptions never appeared")


TOOLS = ("bash", "curl", "jq", "node", "npm")


@pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS) and not os.environ.get("CI"),
    reason=f"the README's examples need {', '.join(TOOLS)} (.ci/run installs curl and jq)",
)
async def test_every_shell_example_of_the_readme_runs_in_order(tmp_path: Path) -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"CI needs {missing} for the README's examples"
    paste = tmp_path / "paste"
    paste.mkdir()
    (paste / "node_modules").symlink_to(_node_modules())
    (paste / "server.py").symlink_to(ROOT / "server.py")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FIXHUB_", "DATABASE_URL", "BROADCAST_URL", "TEST_"))
    }
    env.update(
        DATABASE_URL=f"sqlite://{tmp_path / 'fixhub.sqlite3'}",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
    )
    server = ServerProcess(env, tmp_path / "server.log")
    shell = Shell(paste, env)
    address = f"127.0.0.1:{server.port}"
    ran = 0
    try:
        await server.wait_healthy(timeout=90)  # a loaded machine, under coverage
        found = blocks()
        for index, block in enumerate(found):
            body = block.body.replace(README_ADDRESS, address)
            if block.skip_reason is not None or block.lang not in ("sh", "js", "python"):
                continue
            if block.lang in ("js", "python"):
                name = FILE_NAME.match(body)
                if name:
                    (paste / name["name"]).write_text(body)
                continue
            if block.directive.startswith("wait-for "):
                _, field, count = block.directive.split()
                await _wait_for_subscriptions(server.http_url, field, int(count))
            stdout, _ = await asyncio.to_thread(shell.run, body)
            ran += 1
            shown = found[index + 1] if index + 1 < len(found) else None
            if shown is not None and shown.lang == "json":
                actual, expected = json_values(stdout), json_values(shown.body)
                assert [shape(v) for v in actual] == [shape(v) for v in expected], (
                    f"{block.title()} printed\n{stdout}\nwhich is not shaped like the output "
                    f"the README shows:\n{shown.body}"
                )
        assert ran >= 15
    finally:
        shell.stop()
        server.stop()
    assert "Traceback" not in server.tail(), server.tail()
