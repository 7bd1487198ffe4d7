"""Great-circle distance and the fixed lat/lng grid behind the matching index."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180.0
# 0.5 degrees is ~55 km north-south: a typical 10-30 km service circle touches 1-4 cells,
# the largest allowed (200 km) at most a few hundred, and a job looks up exactly one cell.
CELL_DEGREES = 0.5
_LAT_CELLS = int(180 / CELL_DEGREES)
_LNG_CELLS = int(360 / CELL_DEGREES)


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _lat_index(lat: float) -> int:
    return min(_LAT_CELLS - 1, max(0, math.floor((lat + 90.0) / CELL_DEGREES)))


def _lng_index(lng: float) -> int:
    return math.floor((lng + 180.0) / CELL_DEGREES) % _LNG_CELLS


def cell_of(lat: float, lng: float) -> str:
    return f"{_lat_index(lat)}:{_lng_index(lng)}"


def cells_covering(lat: float, lng: float, radius_km: float) -> set[str]:
    """Every grid cell that the circle (centre, radius) may touch.

    The cover is the circle's bounding box in degrees, so it can include a few cells the
    circle misses; the exact distance check after the index lookup removes those workers.
    """
    dlat = radius_km / KM_PER_DEGREE_LAT
    lat_low, lat_high = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    # Longitude degrees shrink towards the poles: widen by the narrowest latitude covered.
    widest_cos = min(math.cos(math.radians(lat_low)), math.cos(math.radians(lat_high)))
    if widest_cos < 1e-6:
        lng_indices = list(range(_LNG_CELLS))
    else:
        dlng = radius_km / (KM_PER_DEGREE_LAT * widest_cos)
        if dlng >= 180.0:
            lng_indices = list(range(_LNG_CELLS))
        else:
            first = math.floor((lng - dlng + 180.0) / CELL_DEGREES)
            last = math.floor((lng + dlng + 180.0) / CELL_DEGREES)
            lng_indices = sorted({i % _LNG_CELLS for i in range(first, last + 1)})
    return {
        f"{lat_index}:{lng_index}"
        for lat_index in range(_lat_index(lat_low), _lat_index(lat_high) + 1)
        for lng_index in lng_indices
    }
