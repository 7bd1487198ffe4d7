"""Realtime benchmark: a real fixhub server, real WebSocket and HTTP clients, all on 127.0.0.1.

    python bench/realtime.py [--workers-connected 1000] [--jobs 200] [--quotes 100]

It starts `python server.py` as a subprocess on a fresh temporary SQLite file (or
--database-url), registers the actors over HTTP, restarts the server so the memory baseline is
not distorted by set-up (argon2 hashing allocates and frees a lot), and then measures:

1. submitQuote -> the customer's `quoteReceived` frame: quotes sent one at a time by distinct
   matched workers; latency from sending the HTTP request to receiving the WebSocket `next`.
2. The server's RSS growth per held connection (/proc/<pid>/status VmRSS) while
   --workers-connected sockets are connected and subscribed to `matchingJobs`.
3. postJob -> each matched worker's `matchingJobs` frame, with --publishers concurrent
   customers posting --jobs jobs; every (job, matched worker) delivery is checked.

Progress goes to stderr, the result table to stdout. Exit status 1 if anything was lost or
failed (the table still prints, with the failures listed under it). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import resource
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import metrics_scrape
from server_process import HOST, BenchError, Server, free_port, log, percentile, problem_lines
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

PASSWORD = "bench password 1234"
CATEGORY = "PIPES"
CELL_DEGREES = 0.5  # matching/geo.py: a job looks up exactly one grid cell
SERVICE_RADIUS_KM = 10.0  # from near a cell's centre this circle stays inside the cell
WARMUP_WORKERS = 5

# The fixed documents a client app sends (only the variables change).
REGISTER = """mutation Register($input: RegisterInput!) {
  register(input: $input) { token user { id } }
}"""
UPDATE_PROFILE = """mutation UpdateWorkerProfile($input: WorkerProfileInput!) {
  updateWorkerProfile(input: $input) { id }
}"""
POST_JOB = """mutation PostJob($input: PostJobInput!) {
  postJob(input: $input) { id status matchCount }
}"""
SUBMIT_QUOTE = """mutation SubmitQuote($input: SubmitQuoteInput!) {
  submitQuote(input: $input) { id status amountCents }
}"""
QUOTE_RECEIVED = """subscription QuoteReceived($jobId: ID!) {
  quoteReceived(jobId: $jobId) {
    id amountCents currency message status createdAt
    worker { id displayName ratingAverage ratingCount completedJobs }
  }
}"""
MATCHING_JOBS = """subscription MatchingJobs {
  matchingJobs {
    id title category address budgetMinCents budgetMaxCents createdAt
    myMatch { score distanceKm }
  }
}"""


def machine_busy_seconds() -> float:
    """CPU time all processes on this machine have used (the `cpu` line of /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    guest = sum(values[8:10])  # already counted in user and nice
    return (sum(values) - idle - guest) / os.sysconf("SC_CLK_TCK")


def raise_fd_limit(needed: int) -> tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft != resource.RLIM_INFINITY and soft < needed:
        log(f"WARNING: open-file limit {soft} < {needed} needed; sockets may fail to open")
    return soft, hard


# --- HTTP -----------------------------------------------------------------------------------


@dataclass
class Actor:
    id: str
    token: str
    index: int = 0
    area: int = -1


class Api:
    def __init__(self, base_url: str, connections: int) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url,
            trust_env=False,  # never a proxy: we only talk to 127.0.0.1
            timeout=httpx.Timeout(60.0),
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def call(self, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        if response.status_code != 200:
            raise BenchError(f"HTTP {response.status_code}: {response.text[:500]}")
        body = response.json()
        if body.get("errors"):
            raise BenchError(f"GraphQL errors: {json.dumps(body['errors'])[:500]}")
        return body["data"]


# --- WebSocket ------------------------------------------------------------------------------


class Socket:
    """One graphql-transport-ws connection with one subscription and a reader task."""

    def __init__(self, name: str, on_message: Callable[[float, dict[str, Any]], None]) -> None:
        self.name = name
        self.on_message = on_message
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.closing = False
        self.lost: str | None = None
        self.bad_frames: list[str] = []

    async def open(
        self, url: str, token: str, query: str, variables: dict[str, Any], compression: bool
    ) -> None:
        self.ws = await connect(
            url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            proxy=None,
            compression="deflate" if compression else None,
            open_timeout=60,
            close_timeout=5,
        )
        await self.ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), 60))
        if ack.get("type") != "connection_ack":
            raise BenchError(f"{self.name}: expected connection_ack, got {ack}")
        payload = {"query": query, "variables": variables}
        await self.ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        # The server handles a socket's messages in order and answers `subscribe` with nothing,
        # so the pong proves the subscription is live on the bus.
        await self.ws.send(json.dumps({"type": "ping", "payload": {"bench": self.name}}))
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), 60)
            now = time.perf_counter()
            message = json.loads(raw)
            if message.get("type") == "pong":
                break
            if message.get("type") in ("error", "complete"):
                raise BenchError(f"{self.name}: subscription refused: {message}")
            self.on_message(now, message)
        self.reader = asyncio.create_task(self._read(), name=f"reader {self.name}")

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                now = time.perf_counter()
                try:
                    self.on_message(now, json.loads(raw))
                except Exception as error:  # a frame we could not digest: report, keep reading
                    self.bad_frames.append(f"{type(error).__name__}: {error}: {raw!r:.300}")
        except ConnectionClosed as error:
            if not self.closing:
                self.lost = f"closed by the server: {error}"
            return
        if not self.closing:
            self.lost = f"closed by the server: code {self.ws.close_code} {self.ws.close_reason}"

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader


def next_data(message: dict[str, Any], root_field: str) -> dict[str, Any] | None:
    """The subscription's object from a clean `next` frame; None for anything else."""
    payload = message.get("payload")
    if message.get("type") != "next" or not isinstance(payload, dict) or payload.get("errors"):
        return None
    data = payload.get("data")
    value = data.get(root_field) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else None


async def close_all(sockets: list[Socket], within: float = 20.0) -> None:
    if not sockets:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(s.close() for s in sockets)), within)


async def wait_until(condition: Callable[[], bool], changed: asyncio.Event, within: float) -> bool:
    """Wait until condition() holds, re-checking whenever `changed` is set; False on timeout."""
    deadline = time.monotonic() + within
    while not condition():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), min(remaining, 0.5))
    return True


# --- the benchmark --------------------------------------------------------------------------


@dataclass
class Layout:
    """Where every worker lives: `areas` cells of --workers-per-area workers for the fan-out,
    one cell with --quotes workers for the quote test, one small warm-up cell."""

    areas: list[tuple[float, float]]
    quote_area: tuple[float, float]
    warmup_area: tuple[float, float]

    @classmethod
    def random(cls, count: int, rng: random.Random) -> Layout:
        # Distinct 0.5-degree cells between 55S and 55N, so no two areas share a cell.
        lat_cells = range(int((90 - 55) / CELL_DEGREES), int((90 + 55) / CELL_DEGREES))
        lng_cells = range(int(360 / CELL_DEGREES))
        picked: set[tuple[int, int]] = set()
        while len(picked) < count + 2:
            picked.add((rng.choice(lat_cells), rng.choice(lng_cells)))
        centres = [
            (-90 + (i + 0.5) * CELL_DEGREES, -180 + (j + 0.5) * CELL_DEGREES)
            for i, j in sorted(picked)
        ]
        rng.shuffle(centres)
        return cls(areas=centres[:count], quote_area=centres[count], warmup_area=centres[-1])


def near(centre: tuple[float, float], rng: random.Random) -> dict[str, float]:
    """A point within ~2 km of the centre (well inside every worker's 10 km circle)."""
    return {
        "lat": round(centre[0] + rng.uniform(-0.015, 0.015), 6),
        "lng": round(centre[1] + rng.uniform(-0.015, 0.015), 6),
    }


@dataclass
class Results:
    rows: list[tuple[str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, name: str, value: float | int | str, digits: int = 1) -> None:
        if isinstance(value, float):
            text = f"{value:,.{digits}f}"
        elif isinstance(value, int):
            text = f"{value:,}"
        else:
            text = value
        self.rows.append((name, text))

    def fail(self, message: str) -> None:
        log(f"FAILURE: {message}")
        self.failures.append(message)

    def table(self) -> str:
        width = max([len("metric")] + [len(name) for name, _ in self.rows]) + 3
        lines = [f"{'metric':<{width}}value"]
        lines += [f"{name:<{width}}{value}" for name, value in self.rows]
        return "\n".join(lines)


class Bench:
    def __init__(self, args: argparse.Namespace, server: Server, results: Results) -> None:
        self.args = args
        self.server = server
        self.results = results
        self.rng = random.Random(args.seed)
        self.run_id = secrets.token_hex(4)
        self.n_areas = math.ceil(args.workers_connected / args.workers_per_area)
        self.layout = Layout.random(self.n_areas, self.rng)
        self.sockets: list[Socket] = []
        self.api: Api | None = None
        self.metrics_table = ""

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.server.port}/graphql"

    def new_api(self) -> Api:
        return Api(self.server.base_url, connections=max(32, self.args.publishers * 2))

    # ---- set-up ----

    async def register(self, api: Api, role: str, label: str) -> Actor:
        data = await api.call(
            REGISTER,
            {
                "input": {
                    "email": f"bench-{self.run_id}-{label}@example.com",
                    "password": PASSWORD,
                    "displayName": f"Bench {label}",
                    "role": role,
                }
            },
        )
        return Actor(id=data["register"]["user"]["id"], token=data["register"]["token"])

    async def register_worker(
        self, api: Api, label: str, centre: tuple[float, float], index: int, area: int
    ) -> Actor:
        actor = await self.register(api, "WORKER", label)
        actor.index, actor.area = index, area
        profile = {
            "categories": [CATEGORY],
            "location": near(centre, self.rng),
            "serviceRadiusKm": SERVICE_RADIUS_KM,
            "bio": "Benchmark plumber",
        }
        await api.call(UPDATE_PROFILE, {"input": profile}, actor.token)
        return actor

    async def setup(self, api: Api) -> dict[str, Any]:
        args = self.args
        plan: list[Callable[[], Any]] = []
        customers: list[Actor] = []
        warmup: list[Actor] = []
        quoters: list[Actor] = []
        fleet: list[Actor] = []

        def customer(i: int) -> Callable[[], Any]:
            async def go() -> None:
                customers.append(await self.register(api, "CUSTOMER", f"c{i}"))

            return go

        def worker(
            bucket: list[Actor], label: str, centre: tuple[float, float], i: int, area: int
        ) -> Callable[[], Any]:
            async def go() -> None:
                bucket.append(await self.register_worker(api, label, centre, i, area))

            return go

        for i in range(args.publishers + 1):
            plan.append(customer(i))
        for i in range(WARMUP_WORKERS):
            plan.append(worker(warmup, f"warm{i}", self.layout.warmup_area, i, -1))
        for i in range(args.quotes):
            plan.append(worker(quoters, f"q{i}", self.layout.quote_area, i, -1))
        for i in range(args.workers_connected):
            area = i // args.workers_per_area
            plan.append(worker(fleet, f"w{i}", self.layout.areas[area], i, area))

        total = len(plan)
        done = 0
        started = time.perf_counter()
        last_report = started
        queue: asyncio.Queue[Callable[[], Any]] = asyncio.Queue()
        for job in plan:
            queue.put_nowait(job)

        async def runner() -> None:
            nonlocal done, last_report
            while True:
                try:
                    job = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await job()
                done += 1
                now = time.perf_counter()
                if done == total or done % 100 == 0 or now - last_report > 10:
                    last_report = now
                    rate = done / (now - started)
                    log(f"  registered {done}/{total} users ({rate:.1f}/s)")

        log(
            f"set-up: registering {total} users ({args.publishers + 1} customers, "
            f"{total - args.publishers - 1} workers with profiles), "
            f"{args.register_concurrency} at a time"
        )
        await asyncio.gather(*(runner() for _ in range(args.register_concurrency)))
        elapsed = time.perf_counter() - started
        self.results.add("set-up: users registered", total)
        self.results.add("set-up: registration time (s)", elapsed)
        fleet.sort(key=lambda a: a.index)
        quoters.sort(key=lambda a: a.index)
        return {
            "customers": customers,
            "warmup": warmup,
            "quoters": quoters,
            "fleet": fleet,
        }

    async def post_job(
        self, api: Api, customer: Actor, centre: tuple[float, float], title: str
    ) -> dict[str, Any]:
        job_input = {
            "category": CATEGORY,
            "title": title,
            "description": "Water drips from the joint under the kitchen sink.",
            "location": {"lat": round(centre[0], 6), "lng": round(centre[1], 6)},
            "address": "Benchmark street 1",
            "budgetMinCents": 10000,
            "budgetMaxCents": 30000,
        }
        data = await api.call(POST_JOB, {"input": job_input}, customer.token)
        return data["postJob"]

    async def quote(self, api: Api, worker: Actor, job_id: str, amount: int) -> dict[str, Any]:
        variables = {"input": {"jobId": job_id, "amountCents": amount, "message": "Can do"}}
        data = await api.call(SUBMIT_QUOTE, variables, worker.token)
        return data["submitQuote"]

    # ---- warm-up ----

    async def warm_up(self, api: Api, customer: Actor, workers: list[Actor]) -> None:
        """Every code path once (both subscriptions, postJob, submitQuote) before measuring."""
        log("warm-up: subscriptions, postJob and submitQuote on a separate area")
        received: list[dict[str, Any]] = []
        quotes: list[dict[str, Any]] = []
        changed = asyncio.Event()

        def collect(
            into: list[dict[str, Any]], root_field: str
        ) -> Callable[[float, dict[str, Any]], None]:
            def on_message(now: float, message: dict[str, Any]) -> None:
                if next_data(message, root_field) is None:
                    raise BenchError(f"warm-up: unexpected frame {message}")
                into.append(message)
                changed.set()

            return on_message

        sockets = [Socket(f"warm{w.index}", collect(received, "matchingJobs")) for w in workers]
        try:
            for sock, worker in zip(sockets, workers, strict=True):
                await sock.open(self.ws_url, worker.token, MATCHING_JOBS, {}, self.args.compression)
            job = await self.post_job(api, customer, self.layout.warmup_area, "warm-up job")
            if job["matchCount"] != len(workers):
                raise BenchError(f"warm-up job matched {job['matchCount']}, not {len(workers)}")
            watcher = Socket("warm-customer", collect(quotes, "quoteReceived"))
            sockets.append(watcher)
            await watcher.open(
                self.ws_url,
                customer.token,
                QUOTE_RECEIVED,
                {"jobId": job["id"]},
                self.args.compression,
            )
            for i, worker in enumerate(workers):
                await self.quote(api, worker, job["id"], 10000 + i)
            await wait_until(
                lambda: len(received) >= len(workers) and len(quotes) >= len(workers), changed, 10
            )
            bad = [frame for sock in sockets for frame in sock.bad_frames]
            if len(received) != len(workers) or len(quotes) != len(workers) or bad:
                raise BenchError(
                    f"warm-up lost events: {len(received)}/{len(workers)} job frames, "
                    f"{len(quotes)}/{len(workers)} quote frames; bad frames: {bad[:3]}"
                )
        finally:
            await close_all(sockets)

    # ---- 1. quote -> customer ----

    async def quote_latency(self, api: Api, customer: Actor, quoters: list[Actor]) -> None:
        args = self.args
        log(f"test 1: {len(quoters)} sequential quotes -> the customer's quoteReceived")
        job = await self.post_job(api, customer, self.layout.quote_area, "quote test job")
        if job["matchCount"] < len(quoters):
            raise BenchError(
                f"the quote job matched {job['matchCount']} workers, need {len(quoters)} "
                "(is MATCH_LIMIT too low?)"
            )
        frames: dict[str, float] = {}
        bad: list[dict[str, Any]] = []
        arrived = asyncio.Event()

        def on_message(now: float, message: dict[str, Any]) -> None:
            quote = next_data(message, "quoteReceived")
            if quote is not None:
                frames[quote["id"]] = now
                arrived.set()
            else:
                bad.append(message)

        watcher = Socket("customer", on_message)
        self.sockets.append(watcher)
        await watcher.open(
            self.ws_url, customer.token, QUOTE_RECEIVED, {"jobId": job["id"]}, args.compression
        )
        latencies: list[float] = []
        round_trips: list[float] = []
        for i, worker in enumerate(quoters):
            sent = time.perf_counter()
            quote = await self.quote(api, worker, job["id"], 20000 + i)
            round_trips.append(time.perf_counter() - sent)
            await wait_until(lambda q=quote: q["id"] in frames, arrived, 10)
            if quote["id"] not in frames:
                self.results.fail(f"quote {quote['id']} (#{i + 1}) never reached the customer")
                continue
            latencies.append(frames[quote["id"]] - sent)
        await asyncio.sleep(0.2)
        bad += watcher.bad_frames
        if bad:
            self.results.fail(f"the customer got {len(bad)} unexpected frames, e.g. {bad[0]}")
        if watcher.lost:
            self.results.fail(f"the customer's socket was {watcher.lost}")
        if len(frames) != len(quoters):
            self.results.fail(f"quote events: {len(frames)} received for {len(quoters)} quotes")
        await watcher.close()
        self.sockets.remove(watcher)
        if latencies:
            ms = [x * 1000 for x in latencies]
            self.results.add("quote -> customer event, median (ms)", statistics.median(ms), 2)
            self.results.add("quote -> customer event, p99 (ms)", percentile(ms, 0.99), 2)
            self.results.add("quote -> customer event, max (ms)", max(ms), 2)
            rt = [x * 1000 for x in round_trips]
            self.results.add("submitQuote HTTP round trip, median (ms)", statistics.median(rt), 2)
        self.results.add("quote events received / quotes sent", f"{len(frames)} / {len(quoters)}")

    # ---- 2 + 3. held connections, memory, fan-out ----

    async def connect_fleet(
        self, fleet: list[Actor], on_delivery: Callable[[float, int, dict[str, Any]], None]
    ) -> list[Socket]:
        args = self.args
        log(f"connecting {len(fleet)} worker sockets subscribed to matchingJobs")
        gate = asyncio.Semaphore(args.connect_concurrency)
        sockets: list[Socket] = []
        done = 0

        async def one(worker: Actor) -> None:
            nonlocal done
            index = worker.index
            sock = Socket(f"w{index}", lambda now, m: on_delivery(now, index, m))
            sockets.append(sock)
            self.sockets.append(sock)
            async with gate:
                await sock.open(self.ws_url, worker.token, MATCHING_JOBS, {}, args.compression)
            done += 1
            if done % 250 == 0 or done == len(fleet):
                log(f"  {done}/{len(fleet)} sockets connected and subscribed")

        started = time.perf_counter()
        await asyncio.gather(*(one(w) for w in fleet))
        elapsed = time.perf_counter() - started
        self.results.add(f"connect + subscribe {len(fleet)} sockets (s)", elapsed, 2)
        return sockets

    async def memory_and_fanout(self, api: Api, customers: list[Actor], fleet: list[Actor]) -> None:
        args = self.args
        await asyncio.sleep(1.0)
        before = self.server.rss_kib()
        log(f"server RSS before the sockets: {before / 1024:.1f} MiB")

        deliveries: list[tuple[float, int, int, str]] = []  # (time, job index, worker, job id)
        problems: list[str] = []
        changed = asyncio.Event()

        def on_delivery(now: float, worker: int, message: dict[str, Any]) -> None:
            changed.set()
            job = next_data(message, "matchingJobs")
            if job is None:
                problems.append(f"worker {worker}: {json.dumps(message)[:300]}")
                return
            title = str(job.get("title"))
            if not title.startswith("bench job "):
                problems.append(f"worker {worker}: a frame for an unknown job {job}")
                return
            deliveries.append((now, int(title.removeprefix("bench job ")), worker, job["id"]))

        sockets = await self.connect_fleet(fleet, on_delivery)
        await asyncio.sleep(1.0)
        after = self.server.rss_kib()
        log(f"server RSS with the sockets: {after / 1024:.1f} MiB")
        self.results.add("server RSS before the sockets (MiB)", before / 1024, 1)
        self.results.add(f"server RSS with {len(fleet)} sockets (MiB)", after / 1024, 1)
        self.results.add(
            "server memory per held connection (KiB)", (after - before) / len(fleet), 1
        )

        log(f"test 2: {args.jobs} jobs posted by {args.publishers} concurrent customers")
        sent: dict[int, float] = {}
        answered: dict[int, dict[str, Any]] = {}
        round_trips: list[float] = []
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(args.jobs):
            queue.put_nowait(i)

        async def publisher(customer: Actor) -> None:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                area = i % self.n_areas
                sent[i] = time.perf_counter()
                job = await self.post_job(api, customer, self.layout.areas[area], f"bench job {i}")
                round_trips.append(time.perf_counter() - sent[i])
                answered[i] = job

        server_cpu, client_cpu = self.server.cpu_seconds(), time.process_time()
        machine_cpu = machine_busy_seconds()
        started = time.perf_counter()
        await asyncio.gather(*(publisher(c) for c in customers[: args.publishers]))
        posted = time.perf_counter()
        expected = sum(job["matchCount"] for job in answered.values())
        await wait_until(lambda: len(deliveries) >= expected, changed, args.drain_seconds)
        drained = time.perf_counter()
        server_cpu = self.server.cpu_seconds() - server_cpu
        client_cpu = time.process_time() - client_cpu
        other_cpu = machine_busy_seconds() - machine_cpu - server_cpu - client_cpu
        await asyncio.sleep(0.5)  # anything extra (duplicates) would show up now
        received = len(deliveries)

        # Who should have got what: every worker of the job's area (the area holds at most
        # --workers-per-area workers and MATCH_LIMIT is at least that).
        area_of = {w.index: w.area for w in fleet}
        seen: set[tuple[int, int]] = set()
        duplicates = misrouted = wrong_id = 0
        latencies: list[float] = []
        for now, i, worker, job_id in deliveries:
            if (i, worker) in seen:
                duplicates += 1
                continue
            seen.add((i, worker))
            if area_of.get(worker) != i % self.n_areas:
                misrouted += 1
            if i in answered and answered[i]["id"] != job_id:
                wrong_id += 1
            latencies.append(now - sent[i])
        area_sizes = [0] * self.n_areas
        for w in fleet:
            area_sizes[w.area] += 1
        by_area = sum(area_sizes[i % self.n_areas] for i in range(args.jobs))

        ms = [x * 1000 for x in latencies]
        if ms:
            self.results.add("job -> matched worker event, median (ms)", statistics.median(ms), 2)
            self.results.add("job -> matched worker event, p99 (ms)", percentile(ms, 0.99), 2)
            self.results.add("job -> matched worker event, max (ms)", max(ms), 2)
            last = max(now for now, *_ in deliveries)
            self.results.add("deliveries/s (first post -> last frame)", received / (last - started))
        rt = [x * 1000 for x in round_trips]
        self.results.add("postJob HTTP round trip, median (ms)", statistics.median(rt), 2)
        self.results.add("postJob HTTP round trip, p99 (ms)", percentile(rt, 0.99), 2)
        self.results.add("jobs posted / s", len(answered) / (posted - started))
        wall = drained - started
        self.results.add("fan-out test wall time (s)", wall, 2)
        self.results.add("server CPU during it (% of one core)", 100 * server_cpu / wall)
        self.results.add("bench client CPU during it (% of one core)", 100 * client_cpu / wall)
        self.results.add(
            "other processes' CPU during it (% of one core)", max(0.0, 100 * other_cpu / wall)
        )
        self.results.add("deliveries expected (sum of matchCount)", expected)
        self.results.add("deliveries received", received)

        if expected != received:
            self.results.fail(
                f"DELIVERY MISMATCH: expected {expected} (sum of matchCount), received {received}"
                f" ({expected - received:+d} missing)"
            )
        if expected != by_area:
            self.results.fail(
                f"sum of matchCount {expected} != {by_area} workers in the jobs' areas"
            )
        if duplicates or misrouted or wrong_id:
            self.results.fail(
                f"{duplicates} duplicate, {misrouted} misrouted, {wrong_id} wrong-id deliveries"
            )
        problems += [f"{s.name}: {frame}" for s in sockets for frame in s.bad_frames]
        if problems:
            kinds = sorted({p.split(": ", 1)[1] for p in problems})
            self.results.fail(
                f"{len(problems)} error/unexpected frames on the worker sockets "
                f"({len(kinds)} distinct), first: {problems[0]}"
            )
        lost = [s for s in sockets if s.lost]
        if lost:
            self.results.fail(f"{len(lost)} worker sockets were {lost[0].lost}")
        log(f"deliveries: expected {expected}, received {received}")

    async def run(self) -> None:
        api = self.new_api()
        try:
            actors = await self.setup(api)
        finally:
            await api.close()
        # Fresh server process for the measurements: same database, same secret (tokens stay
        # valid); set-up's transient allocations no longer sit in its heap.
        log("restarting the server so set-up does not distort the memory baseline")
        status = self.server.stop()
        # uvicorn re-raises the signal after its graceful shutdown: -SIGTERM is a clean exit.
        if status not in (0, -signal.SIGTERM, None):
            self.results.fail(f"the server exited with status {status} on SIGTERM after set-up")
        self.server.start()
        await self.server.wait_healthy()
        self.api = api = self.new_api()
        customers: list[Actor] = actors["customers"]
        quote_customer, publishers = customers[0], customers[1:]
        # What a Prometheus scraping this process sees move during the measurements.
        before = await metrics_scrape.scrape(self.server.base_url) if self.args.metrics else None
        await self.warm_up(api, quote_customer, actors["warmup"])
        await self.quote_latency(api, quote_customer, actors["quoters"])
        await self.memory_and_fanout(api, publishers, actors["fleet"])
        if before is not None:
            after = await metrics_scrape.scrape(self.server.base_url)
            self.metrics_table = metrics_scrape.table(before, after)

    async def close(self) -> None:
        await close_all(self.sockets)
        if self.api is not None:
            await self.api.close()


# --- entry point ----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers-connected", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--quotes", type=int, default=100, help="at most 100 (server cap)")
    parser.add_argument(
        "--database-url",
        help="an EMPTY database (default: a fresh temporary SQLite file)",
    )
    parser.add_argument("--broadcast-url", default="memory://")
    parser.add_argument("--port", type=int, help="default: a free port on 127.0.0.1")
    parser.add_argument("--workers-per-area", type=int, default=20, help="matches per job")
    parser.add_argument("--publishers", type=int, default=16, help="concurrent job posters")
    parser.add_argument("--register-concurrency", type=int, default=16)
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument("--drain-seconds", type=float, default=30.0)
    parser.add_argument(
        "--no-compression",
        dest="compression",
        action="store_false",
        help="do not offer permessage-deflate (browsers do offer it)",
    )
    parser.add_argument(
        "--no-metrics",
        dest="metrics",
        action="store_false",
        help="do not scrape the server's /metrics before and after the measurements",
    )
    parser.add_argument("--server-log-level", default="warning")
    parser.add_argument("--seed", type=int, default=None, help="layout seed (default: random)")
    parser.add_argument("--keep-temp", action="store_true", help="keep the database and log")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="hard time limit")
    args = parser.parse_args(argv)
    if not 1 <= args.quotes <= 100:
        parser.error("--quotes must be between 1 and 100 (MAX_QUOTES_PER_JOB is capped at 100)")
    if not 1 <= args.workers_per_area <= 500:
        parser.error("--workers-per-area must be between 1 and 500 (MATCH_LIMIT cap)")
    for name in ("workers_connected", "jobs", "publishers", "register_concurrency"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.seed is None:
        args.seed = secrets.randbelow(2**31)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    raise_fd_limit(args.workers_connected * 2 + 2048)
    temp = Path(tempfile.mkdtemp(prefix="fixhub-bench-"))
    database_url = args.database_url or f"sqlite://{temp / 'fixhub.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BROADCAST_URL": args.broadcast_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "MAX_QUOTES_PER_JOB": str(max(5, args.quotes)),
        "MATCH_LIMIT": str(max(20, args.quotes, args.workers_per_area, WARMUP_WORKERS)),
        # Every client here is 127.0.0.1: lift the per-address limits meant for the internet.
        "REGISTRATIONS_PER_ADDRESS": str(1_000_000),
        "LOGIN_ATTEMPTS_PER_ADDRESS": str(1_000_000),
        "WS_MAX_SOCKETS_PER_ADDRESS": str(args.workers_connected + 1000),
        "PYTHONUNBUFFERED": "1",
    }
    port = args.port or free_port()
    server = Server(port, env, temp / "server.log", args.server_log_level)
    results = Results()
    log(
        f"fixhub realtime bench: {args.workers_connected} workers, {args.jobs} jobs, "
        f"{args.quotes} quotes; seed {args.seed}; server on {HOST}:{port}; "
        f"database {database_url.split('@')[-1]}; bus {args.broadcast_url.split('@')[-1]}; "
        f"MATCH_LIMIT={env['MATCH_LIMIT']} MAX_QUOTES_PER_JOB={env['MAX_QUOTES_PER_JOB']}"
    )

    bench = Bench(args, server, results)

    async def go() -> None:
        try:
            server.start()
            await server.wait_healthy()
            await asyncio.wait_for(bench.run(), args.max_seconds)
        finally:
            await bench.close()

    load_before = os.getloadavg()[0]
    crashed: BaseException | None = None
    try:
        asyncio.run(go())
    except BaseException as error:  # report, then still clean up and print what we have
        crashed = error
        if not isinstance(error, KeyboardInterrupt | TimeoutError | BenchError):
            traceback.print_exc()
    finally:
        alive = server.alive()
        status = server.stop()
        if not alive and status is not None:
            results.fail(f"the server process died during the run (exit status {status})")
    if isinstance(crashed, KeyboardInterrupt):
        results.fail("interrupted")
    elif isinstance(crashed, TimeoutError):
        results.fail(f"the run exceeded --max-seconds {args.max_seconds:.0f}")
    elif crashed is not None:
        results.fail(f"the bench stopped: {type(crashed).__name__}: {crashed}")

    results.add(
        "machine load average (1 min) at start / end",
        f"{load_before:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
    )
    problems = problem_lines(server.log_path)
    if problems:
        results.fail(f"the server logged {len(problems)} warning/error lines")
    print()
    print(results.table())
    if bench.metrics_table:
        print("\nthe server's /metrics, scraped before and after the measurements:")
        print(bench.metrics_table)
    if results.failures:
        print("\nFAILURES:")
        for failure in results.failures:
            print(f"  - {failure}")
        if problems:
            print("\nserver log excerpt (warnings/errors):")
            for line in problems[:40]:
                print(f"  {line}")
        print(f"\nserver log tail:\n{server.log_tail(30)}")
    if results.failures or args.keep_temp:
        print(f"\ndatabase and server log kept in {temp}", file=sys.stderr)
    else:
        shutil.rmtree(temp, ignore_errors=True)
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
