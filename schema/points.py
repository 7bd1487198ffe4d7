"""Points: the ledger, the rewards catalogue, redeeming and ADMIN adjustments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

import models
from models import enums
from resolvers import points, policy
from schema.common import Connection, Info, connection
from schema.jobs import Job

# strawberry.enum registers the class and returns it: to a type checker, the class itself.
if TYPE_CHECKING:
    from models.enums import PointKind
else:
    PointKind = strawberry.enum(
        enums.PointKind,
        description="EARN: for a reviewed job. REDEEM: spent on a reward. REFUND: a redemption "
        "given back. ADJUST: changed by an ADMIN. EXPIRE: earned points that lapsed.",
    )


@strawberry.type(description="Something points can be redeemed for.")
class Reward:
    _reward: strawberry.Private[models.Reward]

    @classmethod
    def from_model(cls, reward: models.Reward) -> Reward:
        return cls(_reward=reward)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._reward.id))

    @strawberry.field
    def name(self) -> str:
        return self._reward.name

    @strawberry.field
    def description(self) -> str:
        return self._reward.description

    @strawberry.field
    def cost_points(self) -> int:
        return self._reward.cost_points

    @strawberry.field(description="Units left.")
    def stock(self) -> int:
        return self._reward.stock

    @strawberry.field(description="Only active rewards can be redeemed (or seen by non-admins).")
    def active(self) -> bool:
        return self._reward.active


@strawberry.type(description="One redemption of a reward; the same idempotency key returns it.")
class Redemption:
    _redemption: strawberry.Private[models.Redemption]
    _reward: strawberry.Private[models.Reward]

    @classmethod
    def from_model(cls, redemption: models.Redemption) -> Redemption:
        # The resolvers always return a redemption with its reward loaded.
        return cls(_redemption=redemption, _reward=redemption.reward)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._redemption.id))

    @strawberry.field
    def reward(self) -> Reward:
        return Reward.from_model(self._reward)

    @strawberry.field(description="What was charged, whatever the reward costs now.")
    def cost_points(self) -> int:
        return self._redemption.cost_points

    @strawberry.field
    def idempotency_key(self) -> str:
        return self._redemption.idempotency_key

    @strawberry.field
    def created_at(self) -> datetime:
        return self._redemption.created_at


@strawberry.type(description="One entry of the append-only points ledger.")
class PointTransaction:
    _entry: strawberry.Private[models.PointTransaction]

    @classmethod
    def from_model(cls, entry: models.PointTransaction) -> PointTransaction:
        return cls(_entry=entry)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._entry.id))

    @strawberry.field(description="Points added (positive) or taken (negative).")
    def delta(self) -> int:
        return self._entry.delta

    @strawberry.field(description="The balance right after this entry.")
    def balance_after(self) -> int:
        return self._entry.balance_after

    @strawberry.field
    def kind(self) -> PointKind:
        return PointKind(self._entry.kind.value)

    @strawberry.field
    def reason(self) -> str:
        return self._entry.reason

    @strawberry.field(description="The job an EARN entry is for.")
    def job_id(self) -> strawberry.ID | None:
        job_id = self._entry.job_id
        return None if job_id is None else strawberry.ID(str(job_id))

    @strawberry.field(description="The job an EARN entry is for, if you may see it.")
    async def job(self, info: Info) -> Job | None:
        if self._entry.job_id is None:
            return None
        ctx = info.context
        job = await ctx.loaders.job_by_id.load(self._entry.job_id)
        if job is None or not await policy.can_view_job(ctx.viewer, job, ctx.loaders):
            return None
        return Job.from_model(job)

    @strawberry.field(description="The redemption a REDEEM entry paid for.")
    async def redemption(self) -> Redemption | None:
        if self._entry.redemption_id is None:
            return None
        redemption = self._entry.redemption
        if not isinstance(redemption, models.Redemption):  # not prefetched
            redemption = await models.Redemption.get(id=self._entry.redemption_id)
        if not isinstance(redemption.reward, models.Reward):
            await redemption.fetch_related("reward")
        return Redemption.from_model(redemption)

    @strawberry.field
    def created_at(self) -> datetime:
        return self._entry.created_at


async def transaction_connection(
    info: Info, user_id: int, first: int | None, after: str | None
) -> Connection[PointTransaction]:
    page = await points.list_transactions(info.context, user_id, first, after)
    return connection(page, PointTransaction.from_model)


@strawberry.input
class CreateRewardInput:
    name: str
    cost_points: int
    stock: int
    description: str = ""
    active: bool = True


@strawberry.input(description="Only the fields given change; stock sets the units left.")
class UpdateRewardInput:
    name: str | None = None
    description: str | None = None
    cost_points: int | None = None
    stock: int | None = None
    active: bool | None = None


@strawberry.type
class PointsQuery:
    @strawberry.field(
        description="The rewards catalogue, newest first. ADMINs also see inactive rewards "
        "unless activeOnly; everyone else sees active ones only."
    )
    async def rewards(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        active_only: bool = False,
    ) -> Connection[Reward]:
        page = await points.list_rewards(info.context, first, after, active_only)
        return connection(page, Reward.from_model)


def _reward_change(input: CreateRewardInput | UpdateRewardInput) -> points.RewardChange:
    return points.RewardChange(
        name=input.name,
        description=input.description,
        cost_points=input.cost_points,
        stock=input.stock,
        active=input.active,
    )


@strawberry.type
class PointsMutation:
    @strawberry.mutation(description="ADMIN: add a reward to the catalogue.")
    async def create_reward(self, info: Info, input: CreateRewardInput) -> Reward:
        reward = await points.create_reward(
            info.context,
            _reward_change(input),
        )
        return Reward.from_model(reward)

    @strawberry.mutation(description="ADMIN: change a reward.")
    async def update_reward(
        self, info: Info, id: strawberry.ID, input: UpdateRewardInput
    ) -> Reward:
        reward = await points.update_reward(
            info.context,
            id,
            _reward_change(input),
        )
        return Reward.from_model(reward)

    @strawberry.mutation(
        description="Spend points on a reward. Send a fresh idempotencyKey per redemption and "
        "the same one on retry: it always returns the same redemption and charges once."
    )
    async def redeem_reward(
        self, info: Info, reward_id: strawberry.ID, idempotency_key: str
    ) -> Redemption:
        redemption = await points.redeem_reward(info.context, reward_id, idempotency_key)
        return Redemption.from_model(redemption)

    @strawberry.mutation(description="ADMIN: add (or, negative, remove) points, with a reason.")
    async def adjust_points(
        self, info: Info, user_id: strawberry.ID, delta: int, reason: str
    ) -> PointTransaction:
        entry = await points.adjust_points(info.context, user_id, delta, reason)
        return PointTransaction.from_model(entry)
