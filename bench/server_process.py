"""What the benchmarks share: a fixhub server subprocess and small measuring helpers."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PG_URL = "postgres://root@127.0.0.1:5432/postgres"


class BenchError(Exception):
    pass


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 100 samples is the 99th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# --- /proc readings ---------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str]:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()  # after "(comm)": field 3 onwards


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (fields 14 and 15 of /proc/<pid>/stat)."""
    try:
        fields = _stat_fields(pid)
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main_thread_cpu_seconds(pid: int) -> float:
    """CPU time of a process's main thread alone (/proc/<pid>/task/<pid>/stat): for fixhub and
    Node, the event loop, as opposed to aiosqlite's, argon2's or libuv's worker threads."""
    try:
        stat = Path(f"/proc/{pid}/task/{pid}/stat").read_text()
    except FileNotFoundError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchError(f"VmRSS not found in /proc/{pid}/status")


def descendants(pid: int) -> list[int]:
    """Every live descendant of `pid`, from the parent field of /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat_fields(int(entry.name))[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children.get(child, []))
    return found


# --- the server subprocess ---------------------------------------------------------------


class Server:
    """`python server.py` in the repository root (or `command` in `cwd`, e.g. the Node reference
    of bench/compare.py); output goes to a log file."""

    def __init__(
        self,
        port: int,
        env: dict[str, str],
        log_path: Path,
        log_level: str,
        *,
        extra_args: tuple[str, ...] = (),
        command: list[str] | None = None,
        cwd: Path = REPO,
    ) -> None:
        self.port = port
        self.env = env
        self.log_path = log_path
        self.log_level = log_level
        self.command = command or [
            sys.executable,
            "server.py",
            *("--host", HOST, "--port", str(port)),
            *("--log-level", log_level),
            *extra_args,
        ]
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        with open(self.log_path, "ab") as out:
            out.write(f"\n===== bench: starting server at {time.ctime()} =====\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches only us; we stop it in `finally`
            )

    async def wait_healthy(self, within: float = 90.0) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=self.base_url, trust_env=False) as http:
            while time.monotonic() < deadline:
                if self.process is None or self.process.poll() is not None:
                    raise BenchError(f"the server exited at start-up:\n{self.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    response = await http.get("/healthz", timeout=2.0)
                    if response.status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise BenchError(f"/healthz was not 200 within {within:.0f}s:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def rss_kib(self) -> int:
        return process_rss_kib(self.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        return process_cpu_seconds(self.pid)

    def tree_pids(self) -> list[int]:
        """The server and its descendants (uvicorn --workers N runs N children)."""
        return [self.pid, *descendants(self.pid)]

    def tree_cpu_seconds(self) -> float:
        """User + system CPU time of the server and its live descendants so far."""
        return sum(process_cpu_seconds(pid) for pid in self.tree_pids())

    def tree_loop_cpu_seconds(self) -> float:
        """CPU time of the main (event-loop) threads of the server and its descendants."""
        return sum(main_thread_cpu_seconds(pid) for pid in self.tree_pids())

    def tree_rss_kib(self) -> int:
        return sum(process_rss_kib(pid) for pid in self.tree_pids())

    def stop(self, grace: float = 15.0) -> int | None:
        """SIGTERM, then SIGKILL after `grace` seconds; returns the exit status."""
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                log(f"server pid {process.pid} ignored SIGTERM for {grace:.0f}s; killing it")
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                process.wait(10)
        return process.returncode

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


def problem_lines(log_path: Path) -> list[str]:
    """Warnings, errors and tracebacks from the server log."""
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return []
    markers = ("WARNING", "ERROR", "CRITICAL", "Traceback", "Exception")
    return [line for line in text.splitlines() if any(m in line for m in markers)]


@contextlib.contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty database `<prefix><random>` on the local PostgreSQL, dropped afterwards.
    Needs the repository root on sys.path (for models.database)."""
    import asyncpg

    from models.database import asyncpg_dsn

    name = f"{prefix}{uuid.uuid4().hex[:10]}"

    async def execute(statement: str) -> None:
        connection = await asyncpg.connect(asyncpg_dsn(PG_URL))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
