"""Hostile-traffic benchmark: the worst operations the limits accept, and /healthz under attack.

    python bench/hostile.py [--database-url URL] [--jobs 100] [--runs 5]

It starts `python server.py` on a fresh temporary SQLite file (or an empty --database-url),
fills it over HTTP so that every list the operations read is full (one customer with --jobs
jobs, each with MAX_QUOTES_PER_JOB quotes from distinct workers), and then measures:

1. **The worst accepted operations.** For each shape below, the largest instance the server
   accepts (the largest page size under MAX_QUERY_COST, by binary search), run --runs times
   one at a time: CPU of the server's event-loop thread (/proc/<pid>/task/<pid>/schedstat, in
   nanoseconds), CPU of the whole process, and the wall time.
2. **Refused operations.** Hostile documents that the limits refuse (exponential fragments,
   repeated fields, the members cycle, over-budget pages, deep nesting), each made distinct so
   the document cache cannot help: the CPU to refuse one.
3. **/healthz while under attack**: 16 clients send refused documents as fast as the server
   answers while /healthz is polled every 20 ms for --attack-seconds; then the same with the
   worst accepted operation.

Progress goes to stderr, the table to stdout. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from server_process import BenchError, Server, free_port, log, percentile, problem_lines

PASSWORD = "bench password 1234"
CENTRE = (31.25, 121.25)  # the middle of one 0.5-degree matching cell
QUOTES_PER_JOB = 5

REGISTER = """mutation($input: RegisterInput!) { register(input: $input) { token user { id } } }"""
UPDATE_PROFILE = """mutation($input: WorkerProfileInput!) { updateWorkerProfile(input: $input) {
  id } }"""
POST_JOB = """mutation($input: PostJobInput!) { postJob(input: $input) { id } }"""
SUBMIT_QUOTE = """mutation($input: SubmitQuoteInput!) { submitQuote(input: $input) { id } }"""

# Shapes of accepted operations: (name, document builder taking a size). The size is the page
# size or the number of aliases, raised until the server refuses the price.
JOB_FIELDS = "id title description address category status budgetMinCents budgetMaxCents createdAt"
QUOTE_FIELDS = "id amountCents currency message status createdAt"
WORKER_FIELDS = "id displayName ratingAverage ratingCount completedJobs"


def jobs_with_quotes(page: int) -> str:
    return (
        f"{{ myJobs(first: {page}) {{ edges {{ node {{ {JOB_FIELDS} quoteCount "
        f"quotes {{ {QUOTE_FIELDS} worker {{ {WORKER_FIELDS} }} }} }} }} }} }}"
    )


def aliased_job_pages(page: int) -> str:
    body = " ".join(
        f"a{i}: myJobs(first: {page}) {{ edges {{ node {{ {JOB_FIELDS} }} }} }}" for i in range(30)
    )
    return f"{{ {body} }}"


def aliased_job_ids(page: int) -> str:
    body = " ".join(
        f"a{i}: myJobs(first: {page}) {{ edges {{ node {{ id }} }} }}" for i in range(30)
    )
    return f"{{ {body} }}"


def aliased_jobs_with_quotes(page: int) -> str:
    body = " ".join(
        f"a{i}: myJobs(first: {page}) {{ edges {{ node {{ id quotes {{ {QUOTE_FIELDS} "
        f"worker {{ {WORKER_FIELDS} }} }} }} }} }}"
        for i in range(30)
    )
    return f"{{ {body} }}"


def aliased_notifications(page: int) -> str:
    body = " ".join(
        f"a{i}: notifications(first: {page}) {{ edges {{ cursor node {{ id kind title body "
        "data read createdAt } } pageInfo { hasNextPage endCursor } }"
        for i in range(30)
    )
    return f"{{ {body} }}"


# Shapes of accepted operations, each built for a page size n: the bench finds the largest n
# the server accepts (binary search on the price) and measures that.
ACCEPTED_SHAPES: list[tuple[str, Callable[[int], str]]] = [
    ("myJobs(first: n) with quotes and workers", jobs_with_quotes),
    ("30 aliases x myJobs(first: n), 9 fields", aliased_job_pages),
    ("30 aliases x myJobs(first: n), id only", aliased_job_ids),
    ("30 aliases x myJobs(first: n) with quotes", aliased_jobs_with_quotes),
    ("30 aliases x notifications(first: n)", aliased_notifications),
]


def refused_documents(nonce: int) -> dict[str, str]:
    """Documents the limits refuse; `nonce` makes each text distinct (no cache hits)."""
    spreads = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30))
    return {
        "exponential fragments (2^30 paths) over a page": (
            f"query Q{nonce} {{ ...F0 }} {spreads} fragment F30 on Query {{ "
            "myJobs(first: 100) { edges { node { id quotes { id } } } } }"
        ),
        "400 x me{id} in one selection": f"query Q{nonce} {{ {' '.join(['me { id }'] * 400)} }}",
        "members cycle, 5 levels": (
            f"query Q{nonce} {{ myEnterprises {{ "
            + "members { user { id } enterprise { " * 5
            + "id"
            + " } }" * 5
            + " } }"
        ),
        "30 aliases x myJobs(first: 100) with quotes": (
            f"query Q{nonce} {{ "
            + " ".join(
                f"a{i}: myJobs(first: 100) {{ edges {{ node {{ id quotes {{ id worker {{ id }} }} "
                "} } }"
                for i in range(30)
            )
            + " }"
        ),
        "depth 40": f"query Q{nonce} {{ " + "me { " * 40 + "id" + " }" * 41,
    }


# --- measuring ------------------------------------------------------------------------------

# Polls GET /healthz every 20 ms on one kept-alive connection; prints the latencies (ms).
PROBER = """
import http.client, json, sys, time
host, port = sys.argv[1].split(":")
stop = time.monotonic() + float(sys.argv[2])
connection = http.client.HTTPConnection(host, int(port), timeout=60)
latencies = []
while time.monotonic() < stop:
    started = time.perf_counter()
    connection.request("GET", "/healthz")
    response = connection.getresponse()
    response.read()
    if response.status == 200:
        latencies.append((time.perf_counter() - started) * 1000)
    time.sleep(0.02)
print(json.dumps(latencies))
"""


def loop_thread_cpu_ns(pid: int) -> int:
    """On-CPU nanoseconds of the server's main thread, which runs the event loop."""
    return int(Path(f"/proc/{pid}/task/{pid}/schedstat").read_text().split()[0])


class Client:
    def __init__(self, base_url: str, token: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.AsyncClient(
            base_url=base_url, trust_env=False, timeout=120.0, headers=headers
        )

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post("/graphql", json={"query": query, "variables": variables})

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = await self.post(query, variables)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise BenchError(f"HTTP {response.status_code}: {response.text[:400]}")
        return body["data"]

    async def close(self) -> None:
        await self.http.aclose()


async def register(client: Client, role: str, label: str) -> tuple[str, str]:
    data = await client.data(
        REGISTER,
        {
            "input": {
                "email": f"hostile-{label}-{secrets.token_hex(3)}@example.com",
                "password": PASSWORD,
                "displayName": f"Bench {label}",
                "role": role,
            }
        },
    )
    return data["register"]["token"], data["register"]["user"]["id"]


async def fill(base_url: str, jobs: int) -> str:
    """One customer with `jobs` jobs, each quoted by QUOTES_PER_JOB workers: its token."""
    anonymous = Client(base_url)
    customer_token, _ = await register(anonymous, "CUSTOMER", "customer")
    worker_tokens = []
    for i in range(QUOTES_PER_JOB):
        token, _ = await register(anonymous, "WORKER", f"worker{i}")
        worker = Client(base_url, token)
        profile = {
            "categories": ["PIPES"],
            "location": {"lat": CENTRE[0] + 0.001 * i, "lng": CENTRE[1]},
            "serviceRadiusKm": 10.0,
            "bio": "A plumber of many years, careful and on time.",
        }
        await worker.data(UPDATE_PROFILE, {"input": profile})
        worker_tokens.append(worker)
    await anonymous.close()
    customer = Client(base_url, customer_token)
    for n in range(jobs):
        job = {
            "category": "PIPES",
            "title": f"Leaking pipe number {n} under the kitchen sink",
            "description": "Water drips from the joint under the sink; the cabinet is wet. " * 3,
            "location": {"lat": CENTRE[0], "lng": CENTRE[1]},
            "address": "Benchmark street 1, Xuhui district",
            "budgetMinCents": 10000,
            "budgetMaxCents": 30000,
        }
        job_id = (await customer.data(POST_JOB, {"input": job}))["postJob"]["id"]
        await asyncio.gather(
            *(
                worker.data(
                    SUBMIT_QUOTE,
                    {
                        "input": {
                            "jobId": job_id,
                            "amountCents": 12000 + 100 * i,
                            "message": "I can come tomorrow morning with the parts.",
                        }
                    },
                )
                for i, worker in enumerate(worker_tokens)
            )
        )
        if (n + 1) % 25 == 0:
            log(f"  {n + 1}/{jobs} jobs posted and quoted")
    await customer.close()
    for worker in worker_tokens:
        await worker.close()
    return customer_token


async def measure(
    server: Server, client: Client, query: str, runs: int
) -> tuple[list[float], list[float], float, int]:
    """(loop-thread CPU ms per run, wall ms per run, process CPU ms per run, cost)."""
    loop_ms, wall_ms = [], []
    cost = 0
    before_process = server.cpu_seconds()
    for _ in range(runs):
        before = loop_thread_cpu_ns(server.pid)
        started = time.perf_counter()
        response = await client.post(query)
        wall_ms.append((time.perf_counter() - started) * 1000)
        loop_ms.append((loop_thread_cpu_ns(server.pid) - before) / 1e6)
        body = response.json()
        if body.get("errors"):
            raise BenchError(f"refused: {body['errors'][0]['message']}")
        cost = int(response.headers.get("x-query-cost", "0"))
    process_ms = (server.cpu_seconds() - before_process) * 1000 / runs
    return loop_ms, wall_ms, process_ms, cost


async def largest_accepted(client: Client, build: Callable[[int], str], most: int = 100) -> int:
    """The largest n in 1..most whose operation the server accepts (0 if none)."""
    low, high = 0, most
    while low < high:
        middle = (low + high + 1) // 2
        if (await client.post(build(middle))).json().get("errors"):
            high = middle - 1
        else:
            low = middle
    return low


async def healthz_under(
    base_url: str, attack: Callable[[int], tuple[str, bool]], seconds: float, token: str
) -> tuple[list[float], int, int]:
    """/healthz latencies (ms) while 16 clients send `attack(nonce)` documents; returns the
    latencies, the attack requests answered, and those answered otherwise than expected."""
    stop = time.monotonic() + seconds
    answered = unexpected = 0

    async def attacker(index: int) -> None:
        nonlocal answered, unexpected
        client = Client(base_url, token)
        nonce = index * 1_000_000
        try:
            while time.monotonic() < stop:
                nonce += 1
                query, should_refuse = attack(nonce)
                body = (await client.post(query)).json()
                answered += 1
                if bool(body.get("errors")) != should_refuse:
                    unexpected += 1
        finally:
            await client.close()

    # The prober is its own process, so its timings are the server's, not this loop's (which
    # is busy with the attackers).
    prober = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PROBER,
        base_url.removeprefix("http://"),
        str(seconds),
        stdout=asyncio.subprocess.PIPE,
    )
    attackers = asyncio.gather(*(attacker(i) for i in range(16)))
    output, _ = await prober.communicate()
    await attackers
    latencies = json.loads(output)
    if not latencies:
        raise BenchError("/healthz never answered 200")
    return latencies, answered, unexpected


# --- the run --------------------------------------------------------------------------------


async def run(args: argparse.Namespace, server: Server) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    await server.wait_healthy()
    log(f"filling: 1 customer, {QUOTES_PER_JOB} workers, {args.jobs} jobs with quotes")
    token = await fill(server.base_url, args.jobs)
    client = Client(server.base_url, token)
    worst: tuple[float, str] = (0.0, "")
    try:
        for name, build in ACCEPTED_SHAPES:
            size = await largest_accepted(client, build)
            if size == 0:
                rows.append((f"accepted: {name}", "refused at every size"))
                continue
            await measure(server, client, build(size), 1)  # warm the document cache
            loop_ms, wall_ms, process_ms, cost = await measure(
                server, client, build(size), args.runs
            )
            median = statistics.median(loop_ms)
            rows.append(
                (
                    f"accepted: {name}, n={size} (cost {cost})",
                    f"loop CPU {median:.1f} ms (max {max(loop_ms):.1f}), process CPU "
                    f"{process_ms:.0f} ms, wall {statistics.median(wall_ms):.1f} ms",
                )
            )
            worst = max(worst, (median, build(size)))
            log(rows[-1][0] + ": " + rows[-1][1])

        for name, query in refused_documents(0).items():
            loop_ms = []
            for nonce in range(1, args.runs + 1):
                text = refused_documents(nonce)[name]
                before = loop_thread_cpu_ns(server.pid)
                body = (await client.post(text)).json()
                loop_ms.append((loop_thread_cpu_ns(server.pid) - before) / 1e6)
                if not body.get("errors"):
                    raise BenchError(f"not refused: {name}")
            rows.append(
                (
                    f"refused: {name} ({len(query)} bytes)",
                    f"loop CPU {statistics.median(loop_ms):.2f} ms (max {max(loop_ms):.2f})",
                )
            )
            log(rows[-1][0] + ": " + rows[-1][1])

        names = list(refused_documents(0))

        def hostile(nonce: int) -> tuple[str, bool]:
            return refused_documents(nonce)[names[nonce % len(names)]], True

        latencies, answered, unexpected = await healthz_under(
            server.base_url, hostile, args.attack_seconds, token
        )
        rows.append(
            (
                f"/healthz while 16 clients send refused documents ({answered} refused)",
                f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f}"
                f" ms, max {max(latencies):.1f} ms ({len(latencies)} probes, "
                f"{sum(1 for x in latencies if x > 100)} over 100 ms)",
            )
        )
        if unexpected:
            rows.append(("  hostile documents not refused", str(unexpected)))
        log(rows[-1][0] + ": " + rows[-1][1])

        worst_query = worst[1]
        latencies, answered, unexpected = await healthz_under(
            server.base_url, lambda _nonce: (worst_query, False), args.attack_seconds, token
        )
        rows.append(
            (
                f"/healthz while 16 clients send the worst accepted one ({answered} answered)",
                f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f}"
                f" ms, max {max(latencies):.1f} ms ({len(latencies)} probes, "
                f"{sum(1 for x in latencies if x > 100)} over 100 ms)",
            )
        )
        log(rows[-1][0] + ": " + rows[-1][1])
    finally:
        await client.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an EMPTY database (default: temporary SQLite)")
    parser.add_argument("--broadcast-url", default="memory://")
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--attack-seconds", type=float, default=10.0)
    parser.add_argument("--max-query-cost", help="MAX_QUERY_COST for the server (default: its)")
    args = parser.parse_args(argv)
    temp = Path(tempfile.mkdtemp(prefix="fixhub-hostile-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url or f"sqlite://{temp / 'fixhub.sqlite3'}",
        "BROADCAST_URL": args.broadcast_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "MAX_QUOTES_PER_JOB": str(QUOTES_PER_JOB),
        "REGISTRATIONS_PER_ADDRESS": "1000000",  # every client here is 127.0.0.1
        "PYTHONUNBUFFERED": "1",
    }
    if args.max_query_cost:
        env["MAX_QUERY_COST"] = args.max_query_cost
    server = Server(free_port(), env, temp / "server.log", "warning")
    server.start()
    try:
        rows = asyncio.run(run(args, server))
    except BenchError as error:
        log(f"FAILED: {error}\n{server.log_tail()}")
        return 1
    finally:
        server.stop()
    width = max(len(name) for name, _ in rows)
    print(f"\nfixhub hostile-traffic bench ({os.cpu_count()} cores, {sys.platform})")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    problems = problem_lines(temp / "server.log")
    if problems:
        print("\nserver log problems:\n" + "\n".join(problems[:20]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
