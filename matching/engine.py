"""Selecting the workers for a job: index lookup, exact distance, ranking.

Cost per posted job: one statement. It reads the job's (category, cell) range of the covering
index of worker_cells, which carries each worker's circle, drops there the workers that
provably cannot reach the job (a lower bound of the distance, below), and joins only the rest
to their profiles by primary key. Python gets plain tuples of the columns scoring needs,
computes the exact distance and the score of each, and builds reasons only for the `limit` it
keeps. The cost depends on how many workers serve the job's cell (a contiguous index range),
never on how many workers exist.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from matching.geo import EARTH_RADIUS_KM, KM_PER_DEGREE_LAT, cell_of, cells_covering, haversine_km
from matching.scoring import Candidate, RankedMatch, score, total_score
from models import WorkerCell, WorkerProfile


async def reindex_worker(profile: WorkerProfile) -> None:
    """Rewrite the worker's rows in the service-area index after a profile change."""
    cells = cells_covering(profile.lat, profile.lng, profile.service_radius_km)
    async with in_transaction():
        await WorkerCell.filter(worker_id=profile.user_id).delete()
        if profile.available:
            await WorkerCell.bulk_create(
                [
                    WorkerCell(
                        worker_id=profile.user_id,
                        category=category,
                        cell=cell,
                        lat=profile.lat,
                        lng=profile.lng,
                        service_radius_km=profile.service_radius_km,
                    )
                    for category in profile.categories
                    for cell in cells
                ],
                batch_size=500,
            )


# The database filters with a lower bound of haversine_km, never with the distance itself, so
# the exact check and the score stay in Python and give today's floats bit for bit. From the
# haversine formula, with a = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) and d = 2R asin(√a):
#   d >= R |Δφ|                                       (a >= sin²(Δφ/2))
#   d >= 2R √(cos φ1 cos φ2) sin(|Δλ|/2) >= 2R √(cos φ1 · c) (x - x³/6),  x = |Δλ|/2 in radians
# where c <= cos φ2 for every worker the first bound lets through with a radius up to
# BOUNDED_RADIUS_KM (sin x >= x - x³/6 for every x >= 0). A worker whose radius is larger skips
# the second bound. SLACK_KM absorbs the databases' rounding (~1e-12 relative).
BOUNDED_RADIUS_KM = 200.0
SLACK_KM = 1e-6
_HALF_RADIANS_PER_DEGREE = math.pi / 360.0

_CANDIDATES = """
SELECT p.user_id, p.lat, p.lng, p.service_radius_km, p.rating_sum, p.rating_count,
       p.completed_jobs, p.recent_matches, p.recent_quotes, p.categories
FROM worker_cells c JOIN worker_profiles p ON p.user_id = c.worker_id
WHERE c.category = {category} AND c.cell = {cell}
  AND ABS(c.lat - {lat}) * {km_per_degree} <= c.service_radius_km + {slack}
  AND (c.service_radius_km > {bounded}
       OR {lng_scale} * (ABS(c.lng - {lng}) * {half_radians}
          - ABS(c.lng - {lng}) * {half_radians} * ABS(c.lng - {lng}) * {half_radians}
            * ABS(c.lng - {lng}) * {half_radians} / 6.0)
          <= c.service_radius_km + {slack})
  AND c.worker_id <> {exclude} AND p.available
"""
_PARAMETERS = (
    "category",
    "cell",
    "exclude",
    "lat",
    "lng",
    "km_per_degree",
    "slack",
    "bounded",
    "lng_scale",
    "half_radians",
)
_STATEMENTS: dict[str, str] = {}


def _statement(dialect: str) -> str:
    """The statement in the connection's placeholder style ($n typed as floats where needed on
    PostgreSQL, ? on SQLite)."""
    if dialect not in _STATEMENTS:
        if dialect == "postgres":
            kinds = {"category": "", "cell": "", "exclude": "::int"}
            marks = {
                name: f"${number}{kinds.get(name, '::float8')}"
                for number, name in enumerate(_PARAMETERS, 1)
            }
            text = _CANDIDATES.format(**marks)
        else:
            text = _CANDIDATES.format(**{name: f":{name}" for name in _PARAMETERS})
        _STATEMENTS[dialect] = text
    return _STATEMENTS[dialect]


def _longitude_scale(lat: float) -> float:
    """2R √(cos φ1 · c), c the smallest cos φ2 within BOUNDED_RADIUS_KM (+ slack) of the job."""
    reach = (BOUNDED_RADIUS_KM + 1.0) / KM_PER_DEGREE_LAT
    farthest = abs(lat) + reach
    if farthest >= 90.0:
        return 0.0
    return (
        2
        * EARTH_RADIUS_KM
        * math.sqrt(max(0.0, math.cos(math.radians(lat))) * math.cos(math.radians(farthest)))
    )


async def find_matches(
    *, category: str, lat: float, lng: float, exclude_user_id: int, limit: int
) -> list[RankedMatch]:
    """The `limit` best workers for a job, exactly as `rank` orders every available worker of
    the category whose service circle contains the job (tests/api/test_matching_equivalence.py)."""
    client = connections.get("default")
    values: dict[str, Any] = {
        "category": category,
        "cell": cell_of(lat, lng),
        "exclude": exclude_user_id,
        "lat": lat,
        "lng": lng,
        "km_per_degree": KM_PER_DEGREE_LAT,
        "slack": SLACK_KM,
        "bounded": BOUNDED_RADIUS_KM,
        "lng_scale": _longitude_scale(lat),
        "half_radians": _HALF_RADIANS_PER_DEGREE,
    }
    dialect = client.capabilities.dialect
    parameters: Any = [values[name] for name in _PARAMETERS] if dialect == "postgres" else values
    _, rows = await client.execute_query(_statement(dialect), parameters)
    # Categories are stored as a JSON list of ServiceCategory values (capitals and _), so the
    # quoted value occurs in the text exactly when the list holds it; the index rows already
    # imply it (reindex_worker writes them with the profile), this keeps today's check.
    quoted = f'"{category}"'
    ranked: list[tuple[float, float, int, Any]] = []
    for row in rows:
        worker_id, worker_lat, worker_lng, radius = row[0], row[1], row[2], row[3]
        distance = haversine_km(lat, lng, worker_lat, worker_lng)
        if distance > radius or quoted not in row[9]:
            continue
        total = total_score(distance, radius, row[4], row[5], row[6], row[7], row[8])
        # Worker ids are unique, so the tuples never compare beyond them: rank's exact order.
        ranked.append((-total, distance, worker_id, row))
    return [
        score(Candidate(worker_id, distance, row[3], row[4], row[5], row[6], row[7], row[8]))
        for _, distance, worker_id, row in heapq.nsmallest(limit, ranked)
    ]
