"""GraphQL input types, named as in the public contract."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.enums import Role, ServiceCategory


@strawberry.input
class GeoPointInput:
    lat: float
    lng: float


@strawberry.input
class RegisterInput:
    email: str
    password: str
    display_name: str
    role: Role


@strawberry.input
class WorkerProfileInput:
    categories: list[ServiceCategory]
    location: GeoPointInput
    service_radius_km: float
    bio: str | None = None
    available: bool | None = None


@strawberry.input
class PostJobInput:
    category: ServiceCategory
    title: str
    description: str
    location: GeoPointInput
    address: str
    budget_min_cents: int | None = None
    budget_max_cents: int | None = None
    preferred_start: datetime | None = None
    preferred_end: datetime | None = None


@strawberry.input
class SubmitQuoteInput:
    job_id: strawberry.ID
    amount_cents: int
    message: str | None = None
    earliest_start: datetime | None = None
