"""The measured operation shapes of bench/compare.py, against any server speaking fixhub's
documents (fixhub itself or bench/reference/): each connects its subscriber sockets, runs
publishers for a while, waits for every expected frame and checks each one.

- A: `submitQuote` over HTTP -> the job's customer's `quoteReceived(jobId)` frame.
- B: `postJob` over HTTP -> `matchingJobs` of the workers in the job's area, `{ id title category }`
  or, with `my_match`, `{ id title category myMatch { score distanceKm } }`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from raw_http import RawConnection
from server_process import HOST, BenchError, Server, log, percentile

from realtime import (
    CATEGORY,
    POST_JOB,
    QUOTE_RECEIVED,
    SUBMIT_QUOTE,
    Actor,
    Socket,
    close_all,
    machine_busy_seconds,
    next_data,
    wait_until,
)

MATCHING_JOBS = "subscription MatchingJobs {\n  matchingJobs { id title category }\n}"
MATCHING_JOBS_MY_MATCH = """subscription MatchingJobsWithMatch {
  matchingJobs { id title category myMatch { score distanceKm } }
}"""
JOB_DESCRIPTION = "Water drips from the joint under the kitchen sink."


def job_input(centre: tuple[float, float], title: str) -> dict[str, Any]:
    return {
        "category": CATEGORY,
        "title": title,
        "description": JOB_DESCRIPTION,
        "location": {"lat": round(centre[0], 6), "lng": round(centre[1], 6)},
        "address": "Benchmark street 1",
        "budgetMinCents": 10000,
        "budgetMaxCents": 30000,
    }


@dataclass
class QuoteJob:
    """A job for shape A: its customer holds one socket subscribed to its quotes."""

    id: str
    index: int
    customer: Actor


@dataclass
class PhaseResult:
    publishes: int = 0
    events: int = 0  # frames expected (= frames received when nothing is lost)
    received: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    wall: float = 0.0  # first publish -> last frame
    server_cpu: float = 0.0
    loop_cpu: float = 0.0  # of which the main (event-loop) thread(s)
    client_cpu: float = 0.0
    other_cpu: float = 0.0
    exhausted: bool = False  # the publishers ran out of (job, worker) pairs before the end
    failures: list[str] = field(default_factory=list)

    @property
    def events_per_s(self) -> float:
        return self.received / self.wall if self.wall else 0.0

    @property
    def cpu_ms_per_publish(self) -> float:
        return 1000 * self.server_cpu / self.publishes if self.publishes else 0.0

    def summary(self) -> str:
        p50 = statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")
        return (
            f"{self.publishes} publishes, {self.received}/{self.events} frames, "
            f"{self.events_per_s:,.0f}/s, p50 {p50:.1f} ms, "
            f"{self.cpu_ms_per_publish:.2f} ms CPU/publish"
        )


class Meter:
    """CPU of the server tree, of this process and of everything else, over one phase."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.server_cpu = server.tree_cpu_seconds()
        self.loop_cpu = server.tree_loop_cpu_seconds()
        self.client_cpu = time.process_time()
        self.machine_cpu = machine_busy_seconds()

    def stop(self, result: PhaseResult) -> None:
        result.server_cpu = self.server.tree_cpu_seconds() - self.server_cpu
        result.loop_cpu = self.server.tree_loop_cpu_seconds() - self.loop_cpu
        result.client_cpu = time.process_time() - self.client_cpu
        other = machine_busy_seconds() - self.machine_cpu - result.server_cpu - result.client_cpu
        result.other_cpu = max(0.0, other)


async def connect_all(
    sockets: list[tuple[Socket, str, str, dict[str, Any]]],
    url: str,
    compression: bool,
    concurrency: int = 50,
) -> None:
    """Open (socket, token, query, variables) with at most `concurrency` handshakes at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(sock: Socket, token: str, query: str, variables: dict[str, Any]) -> None:
        async with gate:
            await sock.open(url, token, query, variables, compression)

    await asyncio.gather(*(one(*entry) for entry in sockets))


@dataclass
class Shapes:
    server: Server
    ws_url: str
    compression: bool
    drain_seconds: float = 30.0
    frame_timeout: float = 10.0  # a publisher waits at most this long for its frames
    # Called as (phase index, seconds) just before a phase's publishers start: the profiler.
    phase_hook: Callable[[int, float], None] | None = None
    amounts: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000))
    titles: itertools.count[int] = field(default_factory=itertools.count)

    async def settle(self, arrived: asyncio.Future[None]) -> None:
        """A publisher waits for its frames before the next publish (a closed loop: a server
        cannot buffer an ever-growing backlog); what never comes is reported as lost later."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(arrived), self.frame_timeout)

    # ---- A ----

    async def quotes(
        self,
        jobs: list[QuoteJob],
        quoters: list[Actor],
        phases: list[float],
        *,
        repeat_pairs: bool,
    ) -> list[PhaseResult]:
        """Shape A. Quoter p sends quotes to jobs p*n/P, p*n/P+1, ... (wrapping); with
        `repeat_pairs` False (fixhub: one live quote per worker and job) it stops after every job
        once. Each quote's amount is unique: it identifies the frame."""
        sent: dict[int, tuple[float, int, str]] = {}  # amount -> (time, job index, worker id)
        waiters: dict[int, asyncio.Future[None]] = {}  # amount -> its frame arrived
        frames: list[tuple[float, int, dict[str, Any]]] = []
        bad: list[str] = []
        changed = asyncio.Event()

        def on_message(job_index: int) -> Callable[[float, dict[str, Any]], None]:
            def handle(now: float, message: dict[str, Any]) -> None:
                changed.set()
                quote = next_data(message, "quoteReceived")
                if quote is None:
                    bad.append(f"job {job_index}: {json.dumps(message)[:300]}")
                    return
                frames.append((now, job_index, quote))
                waiter = waiters.pop(quote.get("amountCents"), None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)

            return handle

        sockets = [Socket(f"customer-job{j.index}", on_message(j.index)) for j in jobs]
        try:
            await connect_all(
                [
                    (s, j.customer.token, QUOTE_RECEIVED, {"jobId": j.id})
                    for s, j in zip(sockets, jobs, strict=True)
                ],
                self.ws_url,
                self.compression,
            )
            await asyncio.sleep(0.5)  # graphql-ws may answer the ping before it subscribes
            loop = asyncio.get_running_loop()
            positions = [p * len(jobs) // len(quoters) for p in range(len(quoters))]
            remaining = [len(jobs)] * len(quoters)  # without repeat_pairs: each job once
            results = []
            for seconds in phases:
                result = PhaseResult()
                frames.clear()
                sent.clear()
                if self.phase_hook is not None:
                    self.phase_hook(len(results), seconds)
                meter = Meter(self.server)
                started = time.perf_counter()
                deadline = started + seconds

                async def quoter(
                    p: int, worker: Actor, result: PhaseResult = result, deadline: float = deadline
                ) -> None:
                    http = RawConnection(HOST, self.server.port)
                    try:
                        while time.perf_counter() < deadline:
                            if not repeat_pairs and remaining[p] == 0:
                                result.exhausted = True
                                return
                            remaining[p] -= 1
                            job = jobs[positions[p] % len(jobs)]
                            positions[p] += 1
                            amount = next(self.amounts)
                            sent[amount] = (time.perf_counter(), job.index, worker.id)
                            variables = {
                                "input": {
                                    "jobId": job.id,
                                    "amountCents": amount,
                                    "message": "Can do",
                                }
                            }
                            waiters[amount] = arrived = loop.create_future()
                            try:
                                await http.call(SUBMIT_QUOTE, variables, worker.token)
                            except BenchError as error:
                                result.failures.append(f"submitQuote by {worker.id}: {error}")
                                sent.pop(amount)
                                return
                            result.publishes += 1
                            await self.settle(arrived)
                    finally:
                        await http.close()

                await asyncio.gather(*(quoter(p, w) for p, w in enumerate(quoters)))
                result.events = result.publishes
                await wait_until(
                    lambda r=result: len(frames) >= r.events, changed, self.drain_seconds
                )
                meter.stop(result)
                await asyncio.sleep(0.3)  # duplicates would show up now
                result.received = len(frames)
                seen: set[int] = set()
                for now, job_index, quote in frames:
                    amount = quote.get("amountCents")
                    origin = sent.get(amount) if isinstance(amount, int) else None
                    if origin is None or amount in seen:
                        result.failures.append(f"job {job_index}: unknown or repeated {quote}")
                        continue
                    seen.add(amount)
                    when, expected_job, worker_id = origin
                    if expected_job != job_index or quote.get("worker", {}).get("id") != worker_id:
                        result.failures.append(f"misrouted quote frame {quote} on job {job_index}")
                    result.latencies_ms.append(1000 * (now - when))
                if frames:
                    result.wall = max(now for now, *_ in frames) - started
                finish(result, bad, sockets, "quote")
                results.append(result)
            return results
        finally:
            await close_all(sockets)

    # ---- B ----

    async def jobs(
        self,
        fleet: list[Actor],
        areas: list[tuple[float, float]],
        publishers: list[Actor],
        phases: list[float],
        *,
        my_match: bool,
    ) -> list[PhaseResult]:
        """Shape B: publishers post jobs round-robin over `areas`; each must reach exactly the
        fleet workers of its area (Actor.area), once."""
        query = MATCHING_JOBS_MY_MATCH if my_match else MATCHING_JOBS
        area_of = {w.id: w.area for w in fleet}
        area_size = [0] * len(areas)
        for worker in fleet:
            area_size[worker.area] += 1
        sent: dict[int, tuple[float, int]] = {}  # title number -> (time, area)
        waiters: dict[int, list[Any]] = {}  # title number -> [frames to come, all came]
        answered: dict[int, dict[str, Any]] = {}
        frames: list[tuple[float, str, dict[str, Any]]] = []
        bad: list[str] = []
        changed = asyncio.Event()

        def on_message(worker_id: str) -> Callable[[float, dict[str, Any]], None]:
            def handle(now: float, message: dict[str, Any]) -> None:
                changed.set()
                job = next_data(message, "matchingJobs")
                if job is None:
                    bad.append(f"worker {worker_id}: {json.dumps(message)[:300]}")
                    return
                frames.append((now, worker_id, job))
                number = str(job.get("title")).removeprefix("bench job ")
                waiter = waiters.get(int(number)) if number.isdigit() else None
                if waiter is not None:
                    waiter[0] -= 1
                    if waiter[0] <= 0 and not waiter[1].done():
                        waiter[1].set_result(None)

            return handle

        sockets = [Socket(f"worker{w.id}", on_message(w.id)) for w in fleet]
        try:
            await connect_all(
                [(s, w.token, query, {}) for s, w in zip(sockets, fleet, strict=True)],
                self.ws_url,
                self.compression,
            )
            await asyncio.sleep(0.5)
            loop = asyncio.get_running_loop()
            results = []
            for seconds in phases:
                result = PhaseResult()
                frames.clear()
                if self.phase_hook is not None:
                    self.phase_hook(len(results), seconds)
                meter = Meter(self.server)
                started = time.perf_counter()
                deadline = started + seconds

                async def publisher(
                    customer: Actor, result: PhaseResult = result, deadline: float = deadline
                ) -> None:
                    http = RawConnection(HOST, self.server.port)
                    try:
                        while time.perf_counter() < deadline:
                            number = next(self.titles)
                            area = number % len(areas)
                            sent[number] = (time.perf_counter(), area)
                            arrived = loop.create_future()
                            waiters[number] = [area_size[area], arrived]
                            variables = {"input": job_input(areas[area], f"bench job {number}")}
                            try:
                                data = await http.call(POST_JOB, variables, customer.token)
                            except BenchError as error:
                                result.failures.append(f"postJob by {customer.id}: {error}")
                                return
                            answered[number] = job = data["postJob"]
                            result.publishes += 1
                            result.events += job["matchCount"]
                            if job["matchCount"] != area_size[area]:
                                result.failures.append(
                                    f"job {number} matched {job['matchCount']} workers, "
                                    f"not the {area_size[area]} of its area"
                                )
                            await self.settle(arrived)
                            waiters.pop(number, None)
                    finally:
                        await http.close()

                await asyncio.gather(*(publisher(c) for c in publishers))
                await wait_until(
                    lambda r=result: len(frames) >= r.events, changed, self.drain_seconds
                )
                meter.stop(result)
                await asyncio.sleep(0.3)
                result.received = len(frames)
                seen: set[tuple[int, str]] = set()
                for now, worker_id, job in frames:
                    title = str(job.get("title"))
                    number = int(title.removeprefix("bench job ")) if title[-1:].isdigit() else -1
                    if number not in sent or (number, worker_id) in seen:
                        result.failures.append(f"worker {worker_id}: unknown or repeated {job}")
                        continue
                    seen.add((number, worker_id))
                    when, area = sent[number]
                    if area_of[worker_id] != area:
                        result.failures.append(f"job {number} (area {area}) reached {worker_id}")
                    if number in answered and answered[number]["id"] != job.get("id"):
                        result.failures.append(f"job {number}: frame id {job.get('id')}")
                    if job.get("category") != CATEGORY:
                        result.failures.append(f"job {number}: category {job.get('category')}")
                    if my_match and not isinstance(job.get("myMatch"), dict):
                        result.failures.append(f"job {number} for {worker_id}: no myMatch")
                    result.latencies_ms.append(1000 * (now - when))
                if frames:
                    result.wall = max(now for now, *_ in frames) - started
                finish(result, bad, sockets, "job")
                results.append(result)
            return results
        finally:
            await close_all(sockets)


def finish(result: PhaseResult, bad: list[str], sockets: list[Socket], what: str) -> None:
    """Fold the socket-level problems into the result and log a one-line summary."""
    if result.received != result.events:
        result.failures.append(
            f"LOST {what} frames: expected {result.events}, received {result.received}"
        )
    problems = bad + [f"{s.name}: {frame}" for s in sockets for frame in s.bad_frames]
    if problems:
        result.failures.append(f"{len(problems)} error/unexpected frames, first: {problems[0]}")
        bad.clear()
    lost = [s for s in sockets if s.lost]
    if lost:
        result.failures.append(f"{len(lost)} sockets were {lost[0].lost}")
    if len(result.failures) > 20:
        result.failures[20:] = [f"... and {len(result.failures) - 20} more"]
    log(f"  {result.summary()}")


def latency(result: PhaseResult, fraction: float) -> float:
    if not result.latencies_ms:
        return float("nan")
    if fraction == 0.5:
        return statistics.median(result.latencies_ms)
    return percentile(result.latencies_ms, fraction)
