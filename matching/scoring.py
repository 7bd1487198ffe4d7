"""The documented match score. Pure functions: no database, no GraphQL.

score = 0.40 * proximity + 0.30 * rating + 0.15 * experience + 0.15 * responsiveness, each in
[0, 1]:
- proximity      = 1 - distance / service radius (the job at the edge of the circle scores 0)
- rating         = Bayesian average / 5, with a prior of 5 reviews at 3.5 stars, so a new worker
                   is neither shut out nor ranked above a proven one by one lucky review
- experience     = min(completed jobs, 50) / 50
- responsiveness = (recent quotes + 1) / (recent matches + 2): the share of recent matches the
                   worker answered with a quote, starting at 0.5 for a newcomer
Ties break on distance, then on worker id, so the ranking is deterministic.

Each reason carries its numbers as well as an English `text`, so that a client can word it in
its own language (the web app does): schema.matching.MatchReason documents them per code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WEIGHTS = {"proximity": 0.40, "rating": 0.30, "experience": 0.15, "responsiveness": 0.15}
PRIOR_REVIEWS = 5
PRIOR_RATING = 3.5
EXPERIENCE_CAP = 50
_PROXIMITY, _RATING = WEIGHTS["proximity"], WEIGHTS["rating"]
_EXPERIENCE, _RESPONSIVENESS = WEIGHTS["experience"], WEIGHTS["responsiveness"]


@dataclass(frozen=True)
class Candidate:
    worker_id: int
    distance_km: float
    radius_km: float
    rating_sum: int
    rating_count: int
    completed_jobs: int
    recent_matches: int
    recent_quotes: int


@dataclass(frozen=True)
class RankedMatch:
    worker_id: int
    score: float
    distance_km: float
    reasons: list[dict[str, Any]]


def total_score(
    distance_km: float,
    radius_km: float,
    rating_sum: int,
    rating_count: int,
    completed_jobs: int,
    recent_matches: int,
    recent_quotes: int,
) -> float:
    """The score, rounded as it is stored and ranked. The engine's fast path calls this on
    plain values for every candidate and builds the reasons only for the ones it keeps."""
    proximity = max(0.0, 1.0 - distance_km / radius_km)
    bayes = (rating_sum + PRIOR_RATING * PRIOR_REVIEWS) / (rating_count + PRIOR_REVIEWS)
    rating = bayes / 5.0
    experience = min(completed_jobs, EXPERIENCE_CAP) / EXPERIENCE_CAP
    responsiveness = (recent_quotes + 1) / (recent_matches + 2)
    total = (
        _PROXIMITY * proximity
        + _RATING * rating
        + _EXPERIENCE * experience
        + _RESPONSIVENESS * responsiveness
    )
    return round(total, 4)


def score(candidate: Candidate) -> RankedMatch:
    total = total_score(
        candidate.distance_km,
        candidate.radius_km,
        candidate.rating_sum,
        candidate.rating_count,
        candidate.completed_jobs,
        candidate.recent_matches,
        candidate.recent_quotes,
    )
    responsiveness = (candidate.recent_quotes + 1) / (candidate.recent_matches + 2)
    average = candidate.rating_sum / candidate.rating_count if candidate.rating_count else None
    reasons: list[dict[str, Any]] = [
        {
            "code": "DISTANCE",
            "value": round(candidate.distance_km, 2),
            "radius_km": candidate.radius_km,
            "text": f"{candidate.distance_km:.1f} km away, within a "
            f"{candidate.radius_km:g} km service radius",
        },
        {
            "code": "RATING",
            "value": round(average, 2) if average is not None else None,
            "review_count": candidate.rating_count,
            "text": f"rated {average:.1f}/5 from {candidate.rating_count} reviews"
            if average is not None
            else "no reviews yet",
        },
        {
            "code": "COMPLETED_JOBS",
            "value": candidate.completed_jobs,
            "text": f"{candidate.completed_jobs} completed jobs",
        },
        {
            "code": "RESPONSIVENESS",
            "value": round(responsiveness, 2),
            "recent_quotes": candidate.recent_quotes,
            "recent_matches": candidate.recent_matches,
            "text": f"quoted on {candidate.recent_quotes} of {candidate.recent_matches} "
            "recent matches",
        },
    ]
    return RankedMatch(candidate.worker_id, total, candidate.distance_km, reasons)


def rank(candidates: list[Candidate], limit: int) -> list[RankedMatch]:
    """The straightforward ranking: score everyone, sort, keep the first `limit`."""
    scored = [score(candidate) for candidate in candidates]
    scored.sort(key=lambda match: (-match.score, match.distance_km, match.worker_id))
    return scored[:limit]
