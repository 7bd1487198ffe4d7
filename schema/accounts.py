"""Accounts: the signed-in user, workers' public profiles, registering and signing in."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

import models
from errors import NotFound
from models import Role as ModelRole
from models import ServiceCategory as ModelCategory
from resolvers import accounts, points
from resolvers.ids import parse_id
from schema.common import Connection, GeoPoint, GeoPointInput, Info
from schema.enums import Role, ServiceCategory
from schema.reviews import Review, review_connection

if TYPE_CHECKING:
    from schema.points import PointTransaction


@strawberry.type(description="A worker's public profile.")
class Worker:
    _user: strawberry.Private[models.User]
    _profile: strawberry.Private[models.WorkerProfile | None]

    @classmethod
    def from_model(cls, user: models.User, profile: models.WorkerProfile | None) -> Worker:
        return cls(_user=user, _profile=profile)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._user.id))

    @strawberry.field
    def display_name(self) -> str:
        return self._user.display_name

    @strawberry.field
    def categories(self) -> list[ServiceCategory]:
        return [ServiceCategory(c) for c in self._profile.categories] if self._profile else []

    @strawberry.field
    def bio(self) -> str | None:
        return self._profile.bio if self._profile else None

    @strawberry.field(description="Average of the customers' ratings (1-5); null before any.")
    def rating_average(self) -> float | None:
        if not self._profile or not self._profile.rating_count:
            return None
        return round(self._profile.rating_sum / self._profile.rating_count, 2)

    @strawberry.field
    def rating_count(self) -> int:
        return self._profile.rating_count if self._profile else 0

    @strawberry.field
    def completed_jobs(self) -> int:
        return self._profile.completed_jobs if self._profile else 0

    @strawberry.field(description="Customers' reviews of this worker, newest first.")
    async def reviews(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Review]:
        return await review_connection(info, self._user.id, first, after)

    @strawberry.field(description="Only the worker itself sees its availability and area.")
    def available(self, info: Info) -> bool | None:
        return self._profile.available if self._profile and self._own(info) else None

    @strawberry.field(description="Only the worker itself sees its base location.")
    def location(self, info: Info) -> GeoPoint | None:
        if not self._profile or not self._own(info):
            return None
        return GeoPoint(lat=self._profile.lat, lng=self._profile.lng)

    @strawberry.field(description="Only the worker itself sees its service radius.")
    def service_radius_km(self, info: Info) -> float | None:
        return self._profile.service_radius_km if self._profile and self._own(info) else None

    def _own(self, info: Info) -> bool:
        viewer = info.context.viewer
        return viewer is not None and viewer.id == self._user.id


async def load_worker(info: Info, user_id: int | None) -> Worker | None:
    if user_id is None:
        return None
    loaders = info.context.loaders
    user = await loaders.user_by_id.load(user_id)
    if user is None:
        return None
    return Worker.from_model(user, await loaders.worker_profile_by_user_id.load(user_id))


@strawberry.type
class User:
    _user: strawberry.Private[models.User]

    @classmethod
    def from_model(cls, user: models.User) -> User:
        return cls(_user=user)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._user.id))

    @strawberry.field
    def email(self) -> str:
        return self._user.email

    @strawberry.field
    def display_name(self) -> str:
        return self._user.display_name

    @strawberry.field
    def role(self) -> Role:
        return Role(self._user.role.value)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._user.created_at

    @strawberry.field(description="The worker profile, for WORKER accounts that set one up.")
    async def worker_profile(self, info: Info) -> Worker | None:
        if self._user.role != models.Role.WORKER:
            return None
        profile = await info.context.loaders.worker_profile_by_user_id.load(self._user.id)
        return Worker.from_model(self._user, profile) if profile else None

    @strawberry.field(description="Your points balance. Only you see it (others: FORBIDDEN).")
    async def points_balance(self, info: Info) -> int:
        return await points.balance(info.context, self._user.id)

    @strawberry.field(description="Your points ledger, newest first. Only you see it.")
    async def point_transactions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[PointTransaction, strawberry.lazy("schema.points")]]:
        # The one back-edge of accounts: points shows jobs, and a job shows its workers.
        from schema.points import transaction_connection

        return await transaction_connection(info, self._user.id, first, after)


@strawberry.type
class AuthPayload:
    token: str
    user: User


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


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The signed-in user, or null when anonymous.")
    def me(self, info: Info) -> User | None:
        viewer = info.context.viewer
        return User.from_model(viewer) if viewer else None


# `worker` is listed after the job fields in the published Query (schema/__init__.py).
@strawberry.type
class WorkerProfilesQuery:
    @strawberry.field(description="A worker's public profile.")
    async def worker(self, info: Info, id: strawberry.ID) -> Worker | None:
        try:
            user_id = parse_id(id, "Worker")
        except NotFound:
            return None
        worker = await load_worker(info, user_id)
        if worker is None or worker._user.role.value != "WORKER":
            return None
        return worker


@strawberry.type
class AccountsMutation:
    @strawberry.mutation
    async def register(self, info: Info, input: RegisterInput) -> AuthPayload:
        auth = await accounts.register(
            info.context,
            input.email,
            input.password,
            input.display_name,
            ModelRole(input.role.value),
        )
        return AuthPayload(token=auth.token, user=User.from_model(auth.user))

    @strawberry.mutation
    async def login(self, info: Info, email: str, password: str) -> AuthPayload:
        auth = await accounts.login(info.context, email, password)
        return AuthPayload(token=auth.token, user=User.from_model(auth.user))

    @strawberry.mutation
    async def update_worker_profile(self, info: Info, input: WorkerProfileInput) -> Worker:
        profile = await accounts.update_worker_profile(
            info.context,
            accounts.WorkerProfileChange(
                categories=[ModelCategory(c.value) for c in input.categories],
                lat=input.location.lat,
                lng=input.location.lng,
                service_radius_km=input.service_radius_km,
                bio=input.bio,
                available=input.available,
            ),
        )
        viewer = info.context.viewer
        assert viewer is not None
        return Worker.from_model(viewer, profile)
