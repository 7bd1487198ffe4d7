"""fixhub beside a reference server (graphql-js + graphql-ws + ws, bench/reference/), one run.

    python bench/compare.py [--clients 1000] [--seconds 15] [--postgres --processes 2]

For each server in turn (the reference first, then `python server.py`), with the same client:
register the actors over HTTP, measure the memory of held sockets, then run each shape with
--publishers concurrent publishers sending one fixed document with variables, for a warm-up
phase and then --seconds:

- A: `submitQuote` -> the job's customer's `quoteReceived(jobId)` (one socket per job),
- B: `postJob` -> `matchingJobs { id title category }` of the --workers-per-area workers of
  the job's area, out of --clients sockets,
- B-myMatch: the same with `myMatch { score distanceKm }`, which depends on the viewer.

Every frame is checked (nothing lost, nothing repeated, nothing to the wrong socket). The table
goes to stdout, progress to stderr; exit status 1 on any loss or failure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).resolve().parent / "reference"
sys.path.insert(1, str(REPO))  # after bench/ (sys.path[0]): models.database for --postgres

import profiling  # noqa: E402
from server_process import (  # noqa: E402
    HOST,
    BenchError,
    Server,
    free_port,
    log,
    postgres_database,
    problem_lines,
)
from shapes import (  # noqa: E402
    MATCHING_JOBS,
    POST_JOB,
    PhaseResult,
    QuoteJob,
    Shapes,
    connect_all,
    job_input,
)

from realtime import (  # noqa: E402
    PASSWORD,
    REGISTER,
    SERVICE_RADIUS_KM,
    UPDATE_PROFILE,
    Actor,
    Api,
    Layout,
    Socket,
    close_all,
    near,
    raise_fd_limit,
)

SHAPES = ("A", "B", "B-myMatch")
WARMUP_WORKERS = 5
REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass
class Outcome:
    """What one server measured."""

    name: str
    shapes: dict[str, PhaseResult] = field(default_factory=dict)
    memory_kib: dict[str, float] = field(default_factory=dict)  # "deflate" / "plain" -> KiB
    setup_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


@dataclass
class Cast:
    customers: list[Actor]
    quoters: list[Actor]
    warmup: list[Actor]
    fleet: list[Actor]
    quote_jobs: list[QuoteJob]
    warmup_job: QuoteJob


class Run:
    def __init__(self, args: argparse.Namespace, name: str, server: Server) -> None:
        self.args = args
        self.name = name
        self.server = server
        self.outcome = Outcome(name)
        self.layout = Layout.random(args.areas, random.Random(args.seed))
        self.run_id = secrets.token_hex(4)
        self.rng = random.Random(args.seed)

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.server.port}/graphql"

    def new_api(self) -> Api:
        return Api(self.server.base_url, connections=max(32, self.args.publishers * 2))

    # ---- set-up: the same documents on both servers ----

    async def setup(self, api: Api) -> Cast:
        args = self.args
        gate = asyncio.Semaphore(args.register_concurrency)
        done = 0
        started = time.perf_counter()

        async def register(role: str, label: str, centre: tuple[float, float] | None) -> Actor:
            nonlocal done
            async with gate:
                data = await api.call(
                    REGISTER,
                    {
                        "input": {
                            "email": f"cmp-{self.run_id}-{label}@example.com",
                            "password": PASSWORD,
                            "displayName": f"Bench {label}",
                            "role": role,
                        }
                    },
                )
                actor = Actor(id=data["register"]["user"]["id"], token=data["register"]["token"])
                if centre is not None:
                    profile = {
                        "categories": ["PIPES"],
                        "location": near(centre, self.rng),
                        "serviceRadiusKm": SERVICE_RADIUS_KM,
                        "bio": "Benchmark plumber",
                    }
                    await api.call(UPDATE_PROFILE, {"input": profile}, actor.token)
            done += 1
            if done % 200 == 0:
                log(f"  {self.name}: {done} users registered")
            return actor

        lay = self.layout
        customers = [register("CUSTOMER", f"c{i}", None) for i in range(args.publishers)]
        quoters = [register("WORKER", f"q{i}", lay.quote_area) for i in range(args.publishers)]
        warmup = [register("WORKER", f"warm{i}", lay.warmup_area) for i in range(WARMUP_WORKERS)]
        fleet = [
            register("WORKER", f"w{i}", lay.areas[i // args.workers_per_area])
            for i in range(args.clients)
        ]
        log(f"{self.name}: registering {args.publishers * 2 + WARMUP_WORKERS + args.clients} users")
        everyone = await asyncio.gather(*customers, *quoters, *warmup, *fleet)
        p = args.publishers
        cast_customers, cast_quoters = everyone[:p], everyone[p : 2 * p]
        cast_warmup, cast_fleet = (
            everyone[2 * p : 2 * p + WARMUP_WORKERS],
            everyone[2 * p + WARMUP_WORKERS :],
        )
        for i, worker in enumerate(cast_warmup):
            worker.index, worker.area = i, 0
        for i, worker in enumerate(cast_fleet):
            worker.index, worker.area = i, i // args.workers_per_area

        log(f"{self.name}: posting {args.clients} jobs for shape A in the quote area")

        # One at a time: every one of these jobs matches the same 16 quoting workers, and on
        # PostgreSQL concurrent postJobs over the same workers deadlock in fixhub today
        # (resolvers/jobs.py updates their WorkerProfile rows in no fixed order: INTERNAL).
        one_at_a_time = asyncio.Semaphore(1)

        async def post(
            customer: Actor, centre: tuple[float, float], index: int, matched: int
        ) -> QuoteJob:
            async with one_at_a_time:
                data = await api.call(
                    POST_JOB, {"input": job_input(centre, f"quote job {index}")}, customer.token
                )
            job = data["postJob"]
            if job["matchCount"] != matched:
                raise BenchError(f"quote job {index} matched {job['matchCount']}, not {matched}")
            return QuoteJob(id=job["id"], index=index, customer=customer)

        quote_jobs = await asyncio.gather(
            *(post(cast_customers[i % p], lay.quote_area, i, p) for i in range(args.clients))
        )
        warmup_job = await post(cast_customers[0], lay.warmup_area, -1, WARMUP_WORKERS)
        self.outcome.setup_seconds = time.perf_counter() - started
        log(f"{self.name}: set-up took {self.outcome.setup_seconds:.1f} s")
        return Cast(
            cast_customers, cast_quoters, cast_warmup, cast_fleet, list(quote_jobs), warmup_job
        )

    # ---- memory of held sockets ----

    async def memory(self, fleet: list[Actor]) -> None:
        """RSS growth per socket: N sockets without permessage-deflate, then (still holding
        them) N more with it, so neither batch reuses memory the other freed."""
        sockets: list[Socket] = []
        try:
            await asyncio.sleep(1.0)
            before = self.server.tree_rss_kib()
            for mode, compression in (("plain", False), ("deflate", True)):
                batch = [Socket(f"mem-{mode}-{w.index}", lambda now, m: None) for w in fleet]
                sockets += batch
                await connect_all(
                    [(s, w.token, MATCHING_JOBS, {}) for s, w in zip(batch, fleet, strict=True)],
                    self.ws_url,
                    compression,
                )
                await asyncio.sleep(1.0)
                after = self.server.tree_rss_kib()
                self.outcome.memory_kib[mode] = (after - before) / len(fleet)
                log(
                    f"{self.name}: {len(fleet)} held sockets ({mode}): "
                    f"{self.outcome.memory_kib[mode]:.1f} KiB each"
                )
                before = after
        finally:
            await close_all(sockets)

    # ---- the whole run ----

    async def run(
        self,
        restart_after_setup: bool,
        profile_hook: Callable[[str], Callable[[int, float], None] | None],
    ) -> None:
        args = self.args
        self.server.start()
        await self.server.wait_healthy()
        api = self.new_api()
        try:
            cast = await self.setup(api)
        finally:
            await api.close()
        if restart_after_setup:
            # Same database and secret (tokens stay valid); set-up's argon2 allocations no
            # longer sit in the heap that the memory figure reads.
            log(f"{self.name}: restarting the server after set-up")
            self.server.stop()
            self.server.start()
            await self.server.wait_healthy()
        shapes = Shapes(self.server, self.ws_url, args.compression, args.drain_seconds)
        repeat = self.name == "reference"  # it stores no quote, so a (job, worker) may repeat
        log(f"{self.name}: warm-up")
        warm = [
            *(await shapes.quotes([cast.warmup_job], cast.warmup, [1.0], repeat_pairs=repeat)),
            *(
                await shapes.jobs(
                    cast.warmup, [self.layout.warmup_area], cast.customers, [1.0], my_match=False
                )
            ),
            *(
                await shapes.jobs(
                    cast.warmup, [self.layout.warmup_area], cast.customers, [1.0], my_match=True
                )
            ),
        ]
        for result in warm:
            self.outcome.failures += [f"warm-up: {f}" for f in result.failures]
        if args.memory:
            await self.memory(cast.fleet)
        phases = [args.warmup_seconds, args.seconds] if args.warmup_seconds > 0 else [args.seconds]
        areas = self.layout.areas
        for shape in args.shapes:
            log(
                f"{self.name}: shape {shape}, {args.clients} sockets, "
                f"{args.publishers} publishers, phases {phases} s"
            )
            shapes.phase_hook = profile_hook(shape)
            if shape == "A":
                results = await shapes.quotes(
                    cast.quote_jobs, cast.quoters, phases, repeat_pairs=repeat
                )
            else:
                results = await shapes.jobs(
                    cast.fleet, areas, cast.customers, phases, my_match=shape == "B-myMatch"
                )
            shapes.phase_hook = None
            for result in results:
                self.outcome.failures += [f"{shape}: {f}" for f in result.failures]
            self.outcome.shapes[shape] = results[-1]
            if results[-1].exhausted:
                log(f"{self.name}: shape {shape}: the quoters ran out of jobs (raise --clients)")


# --- the servers ------------------------------------------------------------------------------


def ensure_reference_installed() -> None:
    if (REFERENCE / "node_modules" / "graphql-ws").is_dir():
        return
    log("installing the reference's packages: npm ci (bench/reference/package-lock.json)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=REFERENCE, check=True)


def reference_server(temp: Path, args: argparse.Namespace) -> Server:
    port = free_port()
    env = {**os.environ, "NODE_ENV": "production"}
    if not args.ref_deflate_threshold < 0:
        env["DEFLATE_THRESHOLD"] = str(args.ref_deflate_threshold)
    command = ["node", "server.js", "--host", HOST, "--port", str(port)]
    return Server(port, env, temp / "reference.log", "", command=command, cwd=REFERENCE)


@contextlib.contextmanager
def fixhub_server(temp: Path, args: argparse.Namespace) -> Iterator[Server]:
    with contextlib.ExitStack() as stack:
        if args.postgres:
            database_url = stack.enter_context(postgres_database("fixhub_bench_"))
            broadcast_url = REDIS_URL
        else:
            database_url, broadcast_url = f"sqlite://{temp / 'fixhub.sqlite3'}", "memory://"
        many = str(args.clients * 2 + 1000)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "BROADCAST_URL": broadcast_url,
            "FIXHUB_NAMESPACE": f"bench-{uuid.uuid4().hex[:8]}",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "MAX_QUOTES_PER_JOB": str(max(5, args.publishers)),
            "MATCH_LIMIT": str(max(20, args.publishers, args.workers_per_area, WARMUP_WORKERS)),
            # Every client is 127.0.0.1 and a customer holds many sockets (one per job).
            "REGISTRATIONS_PER_ADDRESS": str(1_000_000),
            "LOGIN_ATTEMPTS_PER_ADDRESS": str(1_000_000),
            "WS_MAX_SOCKETS_PER_ADDRESS": many,
            "WS_MAX_SOCKETS_PER_USER": many,
            "WS_MAX_OPERATIONS_PER_USER": many,
            "PYTHONUNBUFFERED": "1",
        }
        extra = ("--workers", str(args.processes)) if args.processes > 1 else ()
        log(
            f"fixhub: database {database_url.split('@')[-1]}, bus {broadcast_url}, "
            f"{args.processes} process(es)"
        )
        yield Server(free_port(), env, temp / "fixhub.log", args.server_log_level, extra_args=extra)


# --- the table --------------------------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    return "-" if value != value else f"{value:,.{digits}f}"  # NaN -> "-"


def table(outcomes: dict[str, Outcome], args: argparse.Namespace, loads: list[str]) -> str:
    fix, ref = outcomes.get("fixhub"), outcomes.get("reference")
    rows: list[tuple[str, str, str, str]] = []

    def row(name: str, get: Callable[[Outcome], float], digits: int = 1) -> None:
        a = get(fix) if fix else float("nan")
        b = get(ref) if ref else float("nan")
        ratio = a / b if fix and ref and b and a == a and b == b else float("nan")
        rows.append((name, fmt(a, digits), fmt(b, digits), fmt(ratio, 2)))

    def shape(o: Outcome, s: str) -> PhaseResult:
        return o.shapes.get(s) or PhaseResult()

    from shapes import latency

    publish = {"A": "submitQuote", "B": "postJob", "B-myMatch": "postJob"}
    unit = {"A": "events/s", "B": "deliveries/s", "B-myMatch": "deliveries/s"}
    for s in args.shapes:
        row(f"{s}: {unit[s]}", lambda o, s=s: shape(o, s).events_per_s, 0)
        row(
            f"{s}: {publish[s]} sent / s",
            lambda o, s=s: (
                shape(o, s).publishes / shape(o, s).wall if shape(o, s).wall else float("nan")
            ),
            0,
        )
        row(f"{s}: latency publish->frame p50 (ms)", lambda o, s=s: latency(shape(o, s), 0.5), 1)
        row(f"{s}: latency publish->frame p99 (ms)", lambda o, s=s: latency(shape(o, s), 0.99), 1)
        row(
            f"{s}: server CPU per {publish[s]} (ms)",
            lambda o, s=s: shape(o, s).cpu_ms_per_publish,
            2,
        )
        row(
            f"{s}: server CPU (% of one core)",
            lambda o, s=s: (
                100 * shape(o, s).server_cpu / shape(o, s).wall
                if shape(o, s).wall
                else float("nan")
            ),
            0,
        )
        row(
            f"{s}: share of it in the event-loop thread (%)",
            lambda o, s=s: (
                100 * shape(o, s).loop_cpu / shape(o, s).server_cpu
                if shape(o, s).server_cpu
                else float("nan")
            ),
            0,
        )
        row(
            f"{s}: bench client CPU (% of one core)",
            lambda o, s=s: (
                100 * shape(o, s).client_cpu / shape(o, s).wall
                if shape(o, s).wall
                else float("nan")
            ),
            0,
        )
        row(
            f"{s}: other processes' CPU (% of one core)",
            lambda o, s=s: (
                100 * shape(o, s).other_cpu / shape(o, s).wall if shape(o, s).wall else float("nan")
            ),
            0,
        )
        row(f"{s}: frames received (all checked)", lambda o, s=s: shape(o, s).received, 0)
    if args.memory:
        row(
            "held socket, permessage-deflate (KiB RSS)",
            lambda o: o.memory_kib.get("deflate", float("nan")),
        )
        row(
            "held socket, no compression (KiB RSS)",
            lambda o: o.memory_kib.get("plain", float("nan")),
        )
    row("set-up (s)", lambda o: o.setup_seconds)
    width = max(len(r[0]) for r in rows) + 2
    lines = [f"{'metric':<{width}}{'fixhub':>12}{'reference':>12}{'fixhub/ref':>12}"]
    lines += [f"{n:<{width}}{a:>12}{b:>12}{r:>12}" for n, a, b, r in rows]
    lines += ["", *loads]
    return "\n".join(lines)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- entry point ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000, help="WebSocket clients per shape")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured phase per shape")
    parser.add_argument("--warmup-seconds", type=float, default=2.0, help="unmeasured phase first")
    parser.add_argument("--publishers", type=int, default=16)
    parser.add_argument("--workers-per-area", type=int, default=20)
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated: A,B,B-myMatch")
    parser.add_argument("--only", choices=("fixhub", "reference"), help="measure one server")
    parser.add_argument("--postgres", action="store_true", help="fixhub on PostgreSQL + Redis")
    parser.add_argument("--processes", type=int, default=1, help="fixhub server processes")
    parser.add_argument(
        "--no-compression",
        dest="compression",
        action="store_false",
        help="the shapes' sockets do not offer permessage-deflate (browsers do)",
    )
    parser.add_argument(
        "--no-memory", dest="memory", action="store_false", help="skip the held-socket memory phase"
    )
    parser.add_argument(
        "--profile", choices=SHAPES, help="py-spy the fixhub server during this shape"
    )
    parser.add_argument("--profile-rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument("--profile-top", type=int, default=25)
    parser.add_argument(
        "--ref-deflate-threshold",
        type=int,
        default=-1,
        help="the reference compresses frames of at least this many bytes (default: ws's 1024)",
    )
    parser.add_argument("--register-concurrency", type=int, default=16)
    parser.add_argument("--drain-seconds", type=float, default=30.0)
    parser.add_argument("--server-log-level", default="warning")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep-temp", action="store_true", help="keep logs, database, profile")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="hard limit per server")
    args = parser.parse_args(argv)
    args.shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    if unknown := [s for s in args.shapes if s not in SHAPES]:
        parser.error(f"unknown shapes {unknown}; choose from {', '.join(SHAPES)}")
    if args.processes > 1 and not args.postgres:
        parser.error("--processes > 1 needs --postgres (a shared database and Redis bus)")
    if args.clients < args.workers_per_area or args.publishers < 1:
        parser.error("--clients must be at least --workers-per-area, --publishers at least 1")
    if args.profile and args.only == "reference":
        parser.error("--profile records the fixhub server (py-spy profiles Python)")
    args.areas = -(-args.clients // args.workers_per_area)
    if args.seed is None:
        args.seed = secrets.randbelow(2**31)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    raise_fd_limit(args.clients * 4 + 2048)  # the memory phase holds 2 sockets per client
    temp = Path(tempfile.mkdtemp(prefix="fixhub-compare-"))
    outcomes: dict[str, Outcome] = {}
    failures: list[str] = []
    loads = [f"load average (1/5/15 min) at start: {loadavg()} on {os.cpu_count()} CPUs"]
    profile_output = temp / "profile.txt"
    log(
        f"compare: {args.clients} clients, {args.publishers} publishers, {args.seconds} s "
        f"per shape, seed {args.seed}; temp {temp}"
    )

    def run_one(name: str, server: Server) -> None:
        run = Run(args, name, server)
        outcomes[name] = run.outcome
        recorder: list[subprocess.Popen[bytes]] = []

        def profile_hook(shape: str) -> Callable[[int, float], None] | None:
            if name != "fixhub" or shape != args.profile:
                return None
            last = 1 if args.warmup_seconds > 0 else 0

            def hook(phase: int, seconds: float) -> None:
                if phase == last:
                    log(f"py-spy: recording fixhub for {seconds:.0f} s -> {profile_output}")
                    recorder.append(
                        profiling.start(
                            server.pid,
                            seconds,
                            profile_output,
                            args.profile_rate,
                            args.processes > 1,
                        )
                    )

            return hook

        async def go() -> None:
            await asyncio.wait_for(
                run.run(restart_after_setup=name == "fixhub", profile_hook=profile_hook),
                args.max_seconds,
            )

        crashed: BaseException | None = None
        try:
            asyncio.run(go())
        except BaseException as error:  # report, clean up, print what we have
            crashed = error
            if not isinstance(error, KeyboardInterrupt | TimeoutError | BenchError):
                traceback.print_exc()
        finally:
            alive = server.alive()
            status = server.stop()
            if not alive and status is not None:
                failures.append(f"{name}: the server died during the run (exit status {status})")
            for process in recorder:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(30)
        if crashed is not None:
            failures.append(f"{name}: the bench stopped: {type(crashed).__name__}: {crashed}")
        failures.extend(f"{name}: {f}" for f in run.outcome.failures)
        problems = problem_lines(server.log_path) if name == "fixhub" else []
        if problems:
            failures.append(
                f"fixhub logged {len(problems)} warning/error lines, first: {problems[0]}"
            )
        loads.append(f"load average after {name}: {loadavg()}")
        if isinstance(crashed, KeyboardInterrupt):
            raise crashed

    try:
        if args.only != "fixhub":
            ensure_reference_installed()
            run_one("reference", reference_server(temp, args))
        if args.only != "reference":
            with fixhub_server(temp, args) as server:
                run_one("fixhub", server)
    except KeyboardInterrupt:
        failures.append("interrupted")

    print()
    print(table(outcomes, args, loads))
    if args.profile and profile_output.exists():
        print(
            f"\nfixhub server profile during shape {args.profile} (py-spy, {args.profile_rate} Hz):"
        )
        print(profiling.top_frames(profile_output, args.profile_top))
    if failures:
        print("\nFAILURES:")
        for failure in failures:
            print(f"  - {failure}")
    if failures or args.keep_temp:
        print(f"\nlogs{' and profile' if args.profile else ''} kept in {temp}", file=sys.stderr)
    else:
        shutil.rmtree(temp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
