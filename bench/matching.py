"""Matching benchmark: `find_matches` among many workers packed in one region, against scanning
the same rows already in memory, measured in the same run.

    python bench/matching.py                    # 100,000 workers, SQLite (temporary file)
    python bench/matching.py --postgres         # the same on the local PostgreSQL
    python bench/matching.py --sqlite-file /tmp/m.sqlite3   # keep the seeded file, reuse it
    python bench/matching.py --profile profile.txt          # + py-spy of the matching loop

It seeds `--workers` workers (users, profiles and their service-area index rows, written
with raw bulk inserts the way `reindex_worker` would leave them) uniformly in a square of
`--region-degrees` around one point, each serving 1-2 of the six categories within a
5-25 km radius; 5 % are unavailable (no index rows). Then it runs `--jobs` matches with the
arguments `postJob` passes (the category, the job's point, the posting customer excluded,
MATCH_LIMIT 20), timing each one (wall and CPU), and the same jobs with the straightforward
definition over every profile row loaded into memory beforehand (`scan` below). Every
job's ranking from `find_matches` must equal the scan's (ids, scores, distances, reasons),
or the run fails. "Candidates" are the index rows of the job's (category, cell): what
`find_matches` has to look at; "in radius" are those the job lies inside the circle of.

The table goes to stdout; exit status 1 if a ranking differed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Before bench/ (sys.path[0]), where this file would shadow the `matching` package.
sys.path.insert(0, str(REPO))

import profiling  # noqa: E402
from server_process import percentile, postgres_database  # noqa: E402
from tortoise import connections  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from matching.engine import find_matches  # noqa: E402
from matching.geo import cell_of, cells_covering, haversine_km  # noqa: E402
from matching.scoring import Candidate, RankedMatch, rank  # noqa: E402
from models import ServiceCategory  # noqa: E402
from models.database import close_database, open_database  # noqa: E402

CENTRE = (48.0, 11.0)
CATEGORIES = [category.value for category in ServiceCategory]
LIMIT = 20  # settings.match_limit
CELL_COLUMNS = "worker_id, category, cell, lat, lng, service_radius_km"
ProfileRow = tuple[int, list[str], float, float, float, bool, int, int, int, int, int]


def generate_workers(count: int, region: float, seed: int) -> list[ProfileRow]:
    rng = random.Random(seed)
    rows: list[ProfileRow] = []
    for index in range(count):
        rows.append(
            (
                index + 2,  # user 1 is the customer posting every job
                sorted(rng.sample(CATEGORIES, rng.choice((1, 1, 2)))),
                CENTRE[0] + rng.uniform(-region / 2, region / 2),
                CENTRE[1] + rng.uniform(-region / 2, region / 2),
                float(rng.randint(5, 25)),
                rng.random() >= 0.05,
                rng.randint(0, 200),
                rng.randint(0, 45),
                rng.randint(0, 80),
                rng.randint(0, 39),
                rng.randint(0, 20),
            )
        )
    # ratings sum to at most 5 per review, as reviews would leave them
    return [(*r[:6], min(r[6], 5 * r[7]), *r[7:]) for r in rows]  # type: ignore[misc]


async def seed(workers: list[ProfileRow], postgres: bool) -> None:
    client = connections.get("default")
    now = datetime.now(UTC)
    users = [(1, "customer@bench.example", "x", "Customer", "CUSTOMER", 0, 0, now)]
    users += [
        (w[0], f"worker{w[0]}@bench.example", "x", f"Worker {w[0]}", "WORKER", 0, 0, now)
        for w in workers
    ]
    profiles = [(*w[:1], json.dumps(w[1]), *w[2:], None, now) for w in workers]
    cells = [
        (w[0], category, cell, w[2], w[3], w[4])
        for w in workers
        if w[5]
        for category in w[1]
        for cell in sorted(cells_covering(w[2], w[3], w[4]))
    ]
    user_columns = (
        "id, email, password_hash, display_name, role, customer_rating_sum,"
        " customer_rating_count, created_at"
    )
    profile_columns = (
        "user_id, categories, lat, lng, service_radius_km, available, rating_sum, rating_count,"
        " completed_jobs, recent_matches, recent_quotes, bio, updated_at"
    )
    if postgres:
        async with client.acquire_connection() as connection:
            await connection.copy_records_to_table(
                "users", records=users, columns=user_columns.replace(" ", "").split(",")
            )
            await connection.copy_records_to_table(
                "worker_profiles",
                records=profiles,
                columns=profile_columns.replace(" ", "").split(","),
            )
            await connection.copy_records_to_table(
                "worker_cells", records=cells, columns=[*CELL_COLUMNS.split(", ")]
            )
            # as autovacuum leaves a table: the visibility map lets index-only scans skip the heap
            await connection.execute("VACUUM ANALYZE")
        return
    iso = now.isoformat()
    async with in_transaction() as tx:
        await tx.execute_many(
            f"INSERT INTO users ({user_columns}) VALUES (?,?,?,?,?,?,?,?)",
            [(*u[:-1], iso) for u in users],
        )
        await tx.execute_many(
            f"INSERT INTO worker_profiles ({profile_columns}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(*p[:-1], iso) for p in profiles],
        )
        await tx.execute_many(
            f"INSERT INTO worker_cells ({CELL_COLUMNS}) VALUES (?,?,?,?,?,?)", cells
        )
    await client.execute_script("ANALYZE")


async def load_profiles() -> list[ProfileRow]:
    """Every profile row, as the scan keeps them in memory."""
    _, rows = await connections.get("default").execute_query(
        "SELECT user_id, categories, lat, lng, service_radius_km, available, rating_sum,"
        " rating_count, completed_jobs, recent_matches, recent_quotes FROM worker_profiles"
    )
    loaded: list[ProfileRow] = []
    for row in rows:
        categories = row[1] if isinstance(row[1], list) else json.loads(row[1])
        loaded.append((row[0], categories, *row[2:5], bool(row[5]), *row[6:]))  # type: ignore[arg-type]
    return loaded


def scan(
    profiles: list[ProfileRow], category: str, lat: float, lng: float, exclude: int, limit: int
) -> list[RankedMatch]:
    """The straightforward definition: every available worker of the category, other than
    the poster, whose service circle contains the job, ranked."""
    candidates = []
    for uid, categories, wlat, wlng, radius, available, rs, rc, cj, rm, rq in profiles:
        if not available or uid == exclude or category not in categories:
            continue
        distance = haversine_km(lat, lng, wlat, wlng)
        if distance > radius:
            continue
        candidates.append(Candidate(uid, distance, radius, rs, rc, cj, rm, rq))
    return rank(candidates, limit)


def generate_jobs(count: int, region: float, seed: int) -> list[tuple[str, float, float]]:
    rng = random.Random(seed + 1)
    inner = region / 2 * 0.8  # away from the region's edge, where the workers thin out
    return [
        (
            rng.choice(CATEGORIES),
            CENTRE[0] + rng.uniform(-inner, inner),
            CENTRE[1] + rng.uniform(-inner, inner),
        )
        for _ in range(count)
    ]


async def index_rows(category: str, lat: float, lng: float, postgres: bool) -> int:
    marks = ("$1", "$2") if postgres else ("?", "?")
    _, rows = await connections.get("default").execute_query(
        f"SELECT count(*) FROM worker_cells WHERE category = {marks[0]} AND cell = {marks[1]}",
        [category, cell_of(lat, lng)],
    )
    return int(rows[0][0])


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def fmt(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}"


async def run(args: argparse.Namespace, database_url: str) -> int:
    await open_database(database_url)
    try:
        client = connections.get("default")
        _, existing = await client.execute_query("SELECT count(*) FROM worker_profiles")
        started = time.perf_counter()
        if int(existing[0][0]) == 0:
            print(f"seeding {args.workers:,} workers ...", file=sys.stderr)
            await seed(
                generate_workers(args.workers, args.region_degrees, args.seed), args.postgres
            )
            print(f"seeded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        profiles = await load_profiles()
        jobs = generate_jobs(args.jobs + args.warmup, args.region_degrees, args.seed)
        candidates = [await index_rows(c, lat, lng, args.postgres) for c, lat, lng in jobs]

        wall: list[float] = []
        cpu: list[float] = []
        results: list[list[RankedMatch]] = []
        for number, (category, lat, lng) in enumerate(jobs):
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            matches = await find_matches(
                category=category, lat=lat, lng=lng, exclude_user_id=1, limit=LIMIT
            )
            wall_end, cpu_end = time.perf_counter(), time.process_time()
            if number >= args.warmup:
                wall.append((wall_end - wall_start) * 1000)
                cpu.append((cpu_end - cpu_start) * 1000)
            results.append(matches)

        scan_wall: list[float] = []
        scan_cpu: list[float] = []
        in_radius: list[int] = []
        mismatches = 0
        for number, (category, lat, lng) in enumerate(jobs):
            measured = number >= args.warmup and number < args.warmup + args.scan_jobs
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            expected = scan(profiles, category, lat, lng, 1, LIMIT)
            wall_end, cpu_end = time.perf_counter(), time.process_time()
            if measured:
                scan_wall.append((wall_end - wall_start) * 1000)
                scan_cpu.append((cpu_end - cpu_start) * 1000)
            in_radius.append(len(scan(profiles, category, lat, lng, 1, 10**9)))
            if expected != results[number]:
                mismatches += 1
                if mismatches <= 3:
                    print(f"MISMATCH job {number} {category} {lat},{lng}", file=sys.stderr)

        if args.profile:
            await profile_loop(args, jobs)
    finally:
        await close_database()

    measured_candidates = candidates[args.warmup :]
    per_candidate_us = 1000 * statistics.median(wall) / statistics.median(measured_candidates)
    rows = [
        ("database", "PostgreSQL" if args.postgres else "SQLite"),
        ("workers (profiles in memory for the scan)", f"{len(profiles):,}"),
        ("jobs measured (warm-up)", f"{len(wall)} ({args.warmup})"),
        ("candidates per job (index rows) median", f"{statistics.median(measured_candidates):,}"),
        (
            "candidates per job min / max",
            f"{min(measured_candidates)} / {max(measured_candidates)}",
        ),
        ("in radius per job median", f"{statistics.median(in_radius[args.warmup :]):,}"),
        ("find_matches wall median (ms)", fmt(statistics.median(wall))),
        ("find_matches wall p99 (ms)", fmt(percentile(wall, 0.99))),
        ("find_matches CPU median (ms)", fmt(statistics.median(cpu))),
        ("find_matches CPU p99 (ms)", fmt(percentile(cpu, 0.99))),
        ("us per candidate (wall median / candidates median)", fmt(per_candidate_us, 1)),
        (
            f"in-memory scan wall median (ms, {len(scan_wall)} jobs)",
            fmt(statistics.median(scan_wall)),
        ),
        ("in-memory scan wall p99 (ms)", fmt(percentile(scan_wall, 0.99))),
        ("in-memory scan CPU median (ms)", fmt(statistics.median(scan_cpu))),
        (
            "scan / find_matches (wall medians)",
            fmt(statistics.median(scan_wall) / statistics.median(wall), 1),
        ),
        (
            "scan / find_matches (CPU medians)",
            fmt(statistics.median(scan_cpu) / statistics.median(cpu), 1),
        ),
        ("rankings equal to the scan's", f"{len(jobs) - mismatches} of {len(jobs)}"),
        (
            "load average (1/5/15 min) at the end",
            load_average(),
        ),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'metric':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 1 if mismatches else 0


async def profile_loop(args: argparse.Namespace, jobs: list[tuple[str, float, float]]) -> None:
    """py-spy on this process while it matches for --profile-seconds (bench/profiling.py)."""
    output = Path(args.profile)
    recorder = profiling.start(os.getpid(), args.profile_seconds, output, 200, False)
    await asyncio.sleep(1.0)  # py-spy attaching
    deadline = time.perf_counter() + args.profile_seconds
    number = 0
    while time.perf_counter() < deadline:
        category, lat, lng = jobs[number % len(jobs)]
        await find_matches(category=category, lat=lat, lng=lng, exclude_user_id=1, limit=LIMIT)
        number += 1
    await asyncio.to_thread(recorder.wait)
    print(profiling.top_frames(output, args.profile_top), file=sys.stderr)


@contextlib.contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    if args.postgres:
        with postgres_database("fixhub_bench_matching_") as url:
            yield url
        return
    if args.sqlite_file:
        yield f"sqlite://{args.sqlite_file}"
        return
    with tempfile.TemporaryDirectory(prefix="fixhub-matching-") as directory:
        yield f"sqlite://{directory}/fixhub.sqlite3"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--region-degrees", type=float, default=7.0)
    parser.add_argument("--jobs", type=int, default=500, help="measured matches")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--scan-jobs", type=int, default=60, help="of them, timed as a scan")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--postgres", action="store_true", help="the local PostgreSQL")
    parser.add_argument("--sqlite-file", help="SQLite file to seed once and reuse")
    parser.add_argument("--profile", help="py-spy raw output file; prints the top frames")
    parser.add_argument("--profile-seconds", type=float, default=10.0)
    parser.add_argument("--profile-top", type=int, default=20)
    args = parser.parse_args()
    print("load average at the start: " + load_average(), file=sys.stderr)
    with database(args) as url:
        return asyncio.run(run(args, url))


if __name__ == "__main__":
    sys.exit(main())
