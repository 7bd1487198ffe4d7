"""The matching engine's geometry and ranking, without a database."""

from __future__ import annotations

import math

import pytest

from matching.geo import cell_of, cells_covering, haversine_km
from matching.scoring import Candidate, rank, score


def test_haversine_berlin_munich() -> None:
    assert haversine_km(52.52, 13.405, 48.137, 11.575) == pytest.approx(504, abs=2)


@pytest.mark.parametrize(
    ("lat", "lng", "radius"),
    [(52.52, 13.4, 25), (0.0, 179.9, 50), (-33.9, 151.2, 200), (64.1, -21.9, 120)],
)
def test_every_point_inside_a_circle_lies_in_a_covered_cell(
    lat: float, lng: float, radius: float
) -> None:
    cells = cells_covering(lat, lng, radius)
    # walk the circle's edge and its inside: each point's cell must be indexed
    for bearing_step in range(36):
        for fraction in (0.0, 0.5, 0.99):
            distance = radius * fraction
            bearing = math.radians(bearing_step * 10)
            dlat = distance / 111.195 * math.cos(bearing)
            dlng = distance / (111.195 * math.cos(math.radians(lat + dlat))) * math.sin(bearing)
            point_lng = (lng + dlng + 180) % 360 - 180
            assert cell_of(lat + dlat, point_lng) in cells


def test_small_circle_touches_few_cells() -> None:
    assert len(cells_covering(52.52, 13.4, 10)) <= 4


def _candidate(worker_id: int, **overrides: float) -> Candidate:
    values = {
        "distance_km": 5.0,
        "radius_km": 20.0,
        "rating_sum": 0,
        "rating_count": 0,
        "completed_jobs": 0,
        "recent_matches": 0,
        "recent_quotes": 0,
        **overrides,
    }
    return Candidate(worker_id=worker_id, **values)  # type: ignore[arg-type]


def test_closer_better_rated_more_experienced_ranks_first() -> None:
    near = _candidate(1, distance_km=1)
    far = _candidate(2, distance_km=15)
    rated = _candidate(3, distance_km=15, rating_sum=50, rating_count=10, completed_jobs=40)
    ranked = rank([far, near, rated], limit=3)
    assert ranked[0].worker_id in {1, 3}
    assert ranked[-1].worker_id == 2


def test_rank_keeps_the_top_n_deterministically() -> None:
    ranked = rank([_candidate(i) for i in range(30, 0, -1)], limit=20)
    assert [m.worker_id for m in ranked] == list(range(1, 21))


def test_reasons_explain_the_score() -> None:
    match = score(_candidate(7, distance_km=2.345, rating_sum=9, rating_count=2))
    codes = {reason["code"]: reason for reason in match.reasons}
    assert codes["DISTANCE"]["value"] == 2.35
    assert codes["RATING"]["value"] == 4.5
    assert "2.3 km" in codes["DISTANCE"]["text"]
    # The numbers a client words the reasons with in its own language:
    assert codes["DISTANCE"]["radius_km"] == 20.0
    assert codes["RATING"]["review_count"] == 2


def test_responsiveness_reason_carries_both_counts() -> None:
    match = score(_candidate(7, recent_matches=8, recent_quotes=3))
    [reason] = [r for r in match.reasons if r["code"] == "RESPONSIVENESS"]
    assert (reason["recent_quotes"], reason["recent_matches"]) == (3, 8)
    assert reason["value"] == round(4 / 10, 2)
    assert 0 < match.score <= 1
