"""Fuzzing, the long profile: generated operations against a real fixhub server.

    python bench/fuzz.py [--postgres] [--operations 10000] [--seed N]

It starts `python server.py` as a subprocess (a fresh temporary SQLite file and the memory
bus; with --postgres a fresh PostgreSQL database on 127.0.0.1:5432 and Redis on
127.0.0.1:6379), seeds actors of every role with real data over HTTP, and sends the
operations tests/support/fuzz.py generates from the live schema with hypothesis-graphql:
queries and mutations over HTTP and both WebSocket protocols, subscriptions over both
protocols, and malformed frame sequences. It prints a table (operations by kind, answers by
code, INTERNAL, 5xx, sockets dropped without a close code, time) and writes every failing
operation (document, variables, actor, problems) as a JSON line to --failures.
Exit status 1 on any failure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the app's packages (and tests/) before bench/'s modules

import httpx  # noqa: E402
from server_process import (  # noqa: E402  (bench/)
    Server,
    free_port,
    log,
    postgres_database,
    problem_lines,
)

from tests.support.api import Actor, Api  # noqa: E402
from tests.support.fuzz import (  # noqa: E402
    KINDS,
    PROTOCOLS,
    Operation,
    Outcome,
    World,
    WsSession,
    generate,
    malformed_sequences,
    run_http,
    run_malformed,
    seed,
)

REDIS_URL = "redis://127.0.0.1:6379/0"
ADMIN_PASSWORD = "fuzz admin password 1234"
LOGIN = """mutation($e: String!, $p: String!) {
  login(email: $e, password: $p) { token user { id } }
}"""
CHUNK = 250  # operations per generation task
# Of the generated operations; a few percent more are malformed frame sequences.
MIX = {"query": 0.40, "mutation": 0.35, "subscription": 0.25}
MALFORMED_SHARE = 0.02


@dataclass
class Job:
    """One unit of work: an operation over a transport, or a malformed-frame sequence."""

    label: str  # e.g. "query/http", "subscription/graphql-ws", "malformed/graphql-ws"
    operation: Operation | None = None
    transport: str = "http"  # "http" or a WebSocket protocol
    frames: list[str | bytes] = field(default_factory=list)
    frames_label: str = ""


@dataclass
class Tally:
    by_kind: Counter[str] = field(default_factory=Counter)
    by_answer: Counter[str] = field(default_factory=Counter)
    internal: int = 0
    server_errors: int = 0
    dropped: int = 0
    other_problems: int = 0
    failures: list[dict[str, object]] = field(default_factory=list)

    def add(self, job: Job, outcome: Outcome) -> None:
        self.by_kind[job.label] += 1
        self.by_answer[outcome.answer] += 1
        self.internal += "INTERNAL" in outcome.codes
        self.server_errors += outcome.status is not None and outcome.status >= 500
        self.dropped += outcome.dropped
        if not outcome.problems:
            return
        if not ("INTERNAL" in outcome.codes or outcome.dropped or (outcome.status or 0) >= 500):
            self.other_problems += 1
        failure: dict[str, object] = {"label": job.label, "problems": outcome.problems}
        if job.operation is not None:
            failure.update(job.operation.reproducer())
        else:
            failure["frames"] = job.frames_label
        self.failures.append(failure)


# --- plan and generation --------------------------------------------------------------------


def plan(total: int) -> dict[str, int]:
    counts = {kind: round(total * share) for kind, share in MIX.items()}
    counts["query"] += total - sum(counts.values())
    return counts


def generate_all(counts: dict[str, int], seed_value: int, workers: int) -> list[Operation]:
    tasks = []
    for kind, count in counts.items():
        for index, start in enumerate(range(0, count, CHUNK)):
            tasks.append((kind, min(CHUNK, count - start), seed_value * 1000 + index))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        chunks = list(pool.map(_generate_chunk, tasks))
    return [operation for chunk in chunks for operation in chunk]


def _generate_chunk(task: tuple[str, int, int]) -> list[Operation]:
    kind, count, chunk_seed = task
    return generate(kind, count, chunk_seed * 10 + KINDS.index(kind))


def jobs_for(operations: list[Operation], total: int) -> list[Job]:
    jobs: list[Job] = []
    for turn, operation in enumerate(operations):
        if operation.kind == "subscription":
            transport = PROTOCOLS[turn % 2]
        else:
            transport = ("http", "http", *PROTOCOLS)[turn % 4]
        jobs.append(Job(f"{operation.kind}/{transport}", operation, transport))
    sequences = [(p, label, frames) for p in PROTOCOLS for label, frames in malformed_sequences(p)]
    for index in range(max(len(sequences), round(total * MALFORMED_SHARE))):
        protocol, label, frames = sequences[index % len(sequences)]
        jobs.append(Job(f"malformed/{protocol}", None, protocol, list(frames), label))
    return jobs


# --- running --------------------------------------------------------------------------------


async def create_admin(env: dict[str, str], api: Api) -> Actor:
    email = f"fuzz-admin-{uuid.uuid4().hex[:8]}@example.com"
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "server.py", "create-admin", email),
        cwd=REPO,
        env={**env, "FIXHUB_ADMIN_PASSWORD": ADMIN_PASSWORD},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"create-admin failed: {output.decode(errors='replace')}")
    data = await api.ok(LOGIN, {"e": email, "p": ADMIN_PASSWORD})
    return Actor(data["login"]["user"]["id"], data["login"]["token"], email, "ADMIN")


async def worker(
    queue: asyncio.Queue[Job], http: httpx.AsyncClient, ws_url: str, world: World, tally: Tally
) -> None:
    sessions: dict[tuple[str | None, str], WsSession] = {}
    try:
        while True:
            try:
                job = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            if job.operation is None:
                outcome = await run_malformed(ws_url, job.transport, job.frames)
            elif job.transport == "http":
                outcome = await run_http(http, job.operation, world.token(job.operation.actor))
            else:
                key = (job.operation.actor, job.transport)
                if key not in sessions:
                    token = world.token(job.operation.actor)
                    sessions[key] = WsSession(ws_url, job.transport, token)
                outcome = await sessions[key].run(job.operation)
            tally.add(job, outcome)
            done = sum(tally.by_kind.values())
            if done % 1000 == 0:
                log(f"{done} done; INTERNAL {tally.internal}, dropped {tally.dropped}")
    finally:
        for session in sessions.values():
            await session.close()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL + Redis")
    parser.add_argument("--operations", type=int, default=10_000, help="generated operations")
    parser.add_argument("--seed", type=int, default=None, help="default: random")
    parser.add_argument("--concurrency", type=int, default=4, help="clients at a time")
    parser.add_argument("--generators", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--failures", type=Path, default=Path("fuzz-failures.jsonl"))
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--server-log-level", default="warning")
    parser.add_argument("--keep-temp", action="store_true")
    args = parser.parse_args(argv)
    if args.seed is None:
        args.seed = secrets.randbelow(2**20)
    if args.operations < 1 or args.concurrency < 1:
        parser.error("--operations and --concurrency must be at least 1")
    return args


@dataclass
class Target:
    """The server under test and what it was started with."""

    server: Server
    env: dict[str, str]
    port: int


async def run(
    args: argparse.Namespace,
    target: Target,
    operations: list[Operation],
    tally: Tally,
    times: dict[str, float],
) -> None:
    server = target.server
    await server.wait_healthy()
    limits = httpx.Limits(max_connections=args.concurrency * 2)
    base_url = f"http://127.0.0.1:{target.port}"
    async with httpx.AsyncClient(
        base_url=base_url, trust_env=False, timeout=30.0, limits=limits
    ) as http:
        api = Api(http)
        world = await seed(api, await create_admin(target.env, api))
        jobs = jobs_for(operations, args.operations)
        queue: asyncio.Queue[Job] = asyncio.Queue()
        for job in jobs:
            queue.put_nowait(job)
        log(f"seeded {len(world.actors)} actors; {len(jobs)} jobs, {args.concurrency} at a time")
        running = time.perf_counter()
        ws_url = f"ws://127.0.0.1:{target.port}/graphql"
        await asyncio.gather(
            *(worker(queue, http, ws_url, world, tally) for _ in range(args.concurrency))
        )
        times["run"] = time.perf_counter() - running
        health = await http.get("/healthz")
        if health.status_code != 200:
            tally.failures.append({"label": "healthz", "problems": [health.text]})


def fuzz(args: argparse.Namespace, temp: Path, tally: Tally, times: dict[str, float]) -> None:
    """Start the server, generate meanwhile (in processes, before any event loop exists),
    then seed and send."""
    with contextlib.ExitStack() as stack:
        if args.postgres:
            database_url = stack.enter_context(postgres_database("fixhub_fuzz_"))
            broadcast_url = REDIS_URL
        else:
            database_url, broadcast_url = f"sqlite://{temp / 'fixhub.sqlite3'}", "memory://"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "BROADCAST_URL": broadcast_url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "FIXHUB_NAMESPACE": f"fuzz-{uuid.uuid4().hex[:8]}",
            "REGISTRATIONS_PER_ADDRESS": "1000",
            "PYTHONUNBUFFERED": "1",
        }
        port = args.port or free_port()
        server = Server(port, env, temp / "server.log", args.server_log_level)
        started = time.perf_counter()
        try:
            server.start()
            counts = plan(args.operations)
            log(f"generating {args.operations} operations {counts} (seed {args.seed})")
            operations = generate_all(counts, args.seed, max(1, args.generators))
            times["generation"] = time.perf_counter() - started
            asyncio.run(run(args, Target(server, env, port), operations, tally, times))
        finally:
            alive = server.alive()
            status = server.stop()
            if not alive:
                tally.failures.append(
                    {"label": "server", "problems": [f"server died (status {status})"]}
                )
            times["total"] = time.perf_counter() - started
            errors = [
                line for line in problem_lines(temp / "server.log") if "SECRET_KEY" not in line
            ]
            times["server log error lines"] = len(errors)
            if errors:
                tally.failures.append({"label": "server log", "problems": errors[:50]})


def table(args: argparse.Namespace, tally: Tally, times: dict[str, float]) -> str:
    rows: list[tuple[str, str]] = [
        ("database", "PostgreSQL + Redis" if args.postgres else "SQLite + memory bus"),
        ("seed", str(args.seed)),
    ]
    rows += [(f"operations: {label}", f"{n:,}") for label, n in sorted(tally.by_kind.items())]
    rows.append(("operations: total", f"{sum(tally.by_kind.values()):,}"))
    rows += [(f"answers: {code}", f"{n:,}") for code, n in tally.by_answer.most_common()]
    rows += [
        ("INTERNAL errors", str(tally.internal)),
        ("HTTP 5xx", str(tally.server_errors)),
        ("sockets dropped without a close code", str(tally.dropped)),
        ("other problems (leaks, timeouts, bad frames)", str(tally.other_problems)),
        ("server log error lines", str(int(times.get("server log error lines", 0)))),
        ("generation (s, overlaps start-up and seeding)", f"{times.get('generation', 0):.1f}"),
        ("run (s)", f"{times.get('run', 0):.1f}"),
        ("total (s)", f"{times.get('total', 0):.1f}"),
    ]
    if times.get("run"):
        rows.append(("operations / s", f"{sum(tally.by_kind.values()) / times['run']:.0f}"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    temp = Path(tempfile.mkdtemp(prefix="fixhub-fuzz-"))
    tally, times = Tally(), {}
    crashed: BaseException | None = None
    try:
        fuzz(args, temp, tally, times)
    except BaseException as error:  # report, then still print what we have
        crashed = error
        tally.failures.append({"label": "bench", "problems": [f"{type(error).__name__}: {error}"]})
    print(table(args, tally, times))
    if tally.failures:
        args.failures.write_text(
            "\n".join(json.dumps(failure) for failure in tally.failures) + "\n"
        )
        print(f"\n{len(tally.failures)} failures written to {args.failures}")
        for failure in tally.failures[:10]:
            print(f"  - {json.dumps(failure)[:400]}")
    if tally.failures or args.keep_temp:
        print(f"server log kept in {temp}", file=sys.stderr)
    else:
        shutil.rmtree(temp, ignore_errors=True)
    if isinstance(crashed, KeyboardInterrupt):
        return 130
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
