"""find_matches (one SQL statement with a distance bound, scores on tuples, top-k) ranks
exactly like the straightforward definition: every available worker of the category, other
than the poster, whose service circle contains the job, scored and sorted by `rank`. Checked
on seeded random workers written through the profile path (reindex_worker), in the places
where the database's bound is tightest or degenerate: mid-latitudes, near a pole, across the
antimeridian, the equator; with twins that tie on score and distance, and huge radii."""

from __future__ import annotations

import random
from typing import Any

import pytest

from matching.engine import find_matches, reindex_worker
from matching.geo import haversine_km
from matching.scoring import Candidate, RankedMatch, rank
from models import Role, ServiceCategory, User, WorkerProfile

CATEGORIES = [category.value for category in ServiceCategory]
# (lat, lng, spread in degrees) of each cluster of workers and jobs
REGIONS = [(48.1, 11.6, 0.6), (88.9, 40.0, 1.5), (-12.0, 179.8, 0.6), (0.1, -0.1, 0.4)]


def straightforward(
    profiles: list[WorkerProfile], category: str, lat: float, lng: float, exclude: int, limit: int
) -> list[RankedMatch]:
    candidates = [
        Candidate(
            p.user_id,
            distance,
            p.service_radius_km,
            p.rating_sum,
            p.rating_count,
            p.completed_jobs,
            p.recent_matches,
            p.recent_quotes,
        )
        for p in profiles
        if p.available and p.user_id != exclude and category in p.categories
        for distance in [haversine_km(lat, lng, p.lat, p.lng)]
        if distance <= p.service_radius_km
    ]
    return rank(candidates, limit)


def wrap_lng(lng: float) -> float:
    return (lng + 180.0) % 360.0 - 180.0


async def seed_workers(rng: random.Random, count: int) -> list[WorkerProfile]:
    users = await User.bulk_create(
        [
            User(
                email=f"w{rng.random()}@match.example",
                password_hash="x",
                display_name="Worker",
                role=Role.WORKER,
            )
            for _ in range(count)
        ]
    )
    users = await User.filter(role=Role.WORKER).order_by("id")
    profiles = []
    twin: dict[str, Any] | None = None
    for user in users:
        lat, lng, spread = rng.choice(REGIONS)
        values: dict[str, Any] = {
            "categories": sorted(rng.sample(CATEGORIES, rng.randint(1, 3))),
            "lat": max(-90.0, min(90.0, lat + rng.uniform(-spread, spread))),
            "lng": wrap_lng(lng + rng.uniform(-spread, spread)),
            "service_radius_km": rng.choice(
                [1.0, float(rng.randint(2, 60)), rng.uniform(1, 200), 250.0]
            ),
            "available": rng.random() > 0.1,
            "rating_sum": rng.randint(0, 60),
            "rating_count": rng.randint(0, 12),
            "completed_jobs": rng.randint(0, 70),
            "recent_matches": rng.randint(0, 39),
            "recent_quotes": rng.randint(0, 20),
        }
        if twin is not None and rng.random() < 0.15:
            values = dict(twin)  # same place and record: ties broken by worker id
        twin = values
        profile = await WorkerProfile.create(user_id=user.id, **values)
        await reindex_worker(profile)
        profiles.append(profile)
    return profiles


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_find_matches_ranks_like_the_straightforward_definition(app: Any, seed: int) -> None:
    rng = random.Random(seed)
    profiles = await seed_workers(rng, 160)
    compared = matched = 0
    for _ in range(60):
        lat, lng, spread = rng.choice(REGIONS)
        if rng.random() < 0.3:  # right at a worker: distance 0, and that worker excluded
            worker = rng.choice(profiles)
            job_lat, job_lng, exclude = worker.lat, worker.lng, worker.user_id
        else:
            job_lat = max(-90.0, min(90.0, lat + rng.uniform(-spread, spread)))
            job_lng = wrap_lng(lng + rng.uniform(-spread, spread))
            exclude = rng.choice(profiles).user_id if rng.random() < 0.5 else 0
        category = rng.choice(CATEGORIES)
        limit = rng.choice([1, 5, 20, 500])
        expected = straightforward(profiles, category, job_lat, job_lng, exclude, limit)
        found = await find_matches(
            category=category, lat=job_lat, lng=job_lng, exclude_user_id=exclude, limit=limit
        )
        assert found == expected, (category, job_lat, job_lng, exclude, limit)
        compared += 1
        matched += bool(expected)
    # the comparison is not vacuous: most jobs found somebody
    assert compared == 60 and matched > 30
