"""Selecting the workers for a job: index lookup, exact distance, ranking.

Cost per posted job: one indexed lookup of (category, cell) in worker_cells, one primary-key
fetch of those workers' profiles, and exact distances for them only. It depends on how many
workers serve the job's cell, never on how many workers exist.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from matching.geo import cell_of, cells_covering, haversine_km
from matching.scoring import Candidate, RankedMatch, rank
from models import WorkerCell, WorkerProfile


async def reindex_worker(profile: WorkerProfile) -> None:
    """Rewrite the worker's rows in the service-area index after a profile change."""
    cells = cells_covering(profile.lat, profile.lng, profile.service_radius_km)
    async with in_transaction():
        await WorkerCell.filter(worker_id=profile.user_id).delete()
        if profile.available:
            await WorkerCell.bulk_create(
                [
                    WorkerCell(worker_id=profile.user_id, category=category, cell=cell)
                    for category in profile.categories
                    for cell in cells
                ],
                batch_size=500,
            )


async def find_matches(
    *, category: str, lat: float, lng: float, exclude_user_id: int, limit: int
) -> list[RankedMatch]:
    worker_ids = await WorkerCell.filter(category=category, cell=cell_of(lat, lng)).values_list(
        "worker_id", flat=True
    )
    if not worker_ids:
        return []
    profiles = await WorkerProfile.filter(user_id__in=list(worker_ids), available=True)
    candidates = []
    for profile in profiles:
        if profile.user_id == exclude_user_id or category not in profile.categories:
            continue
        distance = haversine_km(lat, lng, profile.lat, profile.lng)
        if distance > profile.service_radius_km:
            continue
        candidates.append(
            Candidate(
                worker_id=profile.user_id,
                distance_km=distance,
                radius_km=profile.service_radius_km,
                rating_sum=profile.rating_sum,
                rating_count=profile.rating_count,
                completed_jobs=profile.completed_jobs,
                recent_matches=profile.recent_matches,
                recent_quotes=profile.recent_quotes,
            )
        )
    return rank(candidates, limit)
