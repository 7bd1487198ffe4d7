"""The points ledger: earning for reviewed jobs, the rewards catalogue, redeeming, and ADMIN
adjustments.

Every change of a balance goes through `_post`, which writes the account and its ledger row in
the caller's transaction, so the ledger's sum always equals the balance. The database, not
Python, holds the invariants:

- a balance never goes below zero: one conditional `UPDATE ... WHERE balance >= -delta`;
- each party earns for a job exactly once: the unique (user, job, kind) index on the ledger;
- one redemption per (user, idempotency key): the unique index on redemptions;
- a stock never goes below zero: one conditional `UPDATE ... WHERE stock > 0 AND active`.

Refusals: CONFLICT for "not enough points", "out of stock", an idempotency key reused for
another reward, and a price changed under the request; an inactive reward is NOT_FOUND to
non-admins (they cannot see it in the catalogue either) and INVALID_STATE (status INACTIVE) to
ADMINs.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from errors import BadUserInput, Conflict, Forbidden, InvalidState, NotFound
from models import (
    Job,
    JobStatus,
    PointAccount,
    PointKind,
    PointTransaction,
    Redemption,
    Reward,
    Role,
    User,
)
from resolvers import validation
from resolvers.context import Context
from resolvers.ids import parse_id
from resolvers.notifications import NotificationKind, notify
from resolvers.pagination import Page, paginate
from resolvers.policy import require_role, require_user

log = logging.getLogger(__name__)

MAX_COST_POINTS = 1_000_000
MAX_STOCK = 1_000_000
MAX_ADJUSTMENT = 1_000_000
MAX_KEY_LENGTH = 100
EARNING_RULE_SETTING = "points_earning_rule"


# --- Earning -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EarningRule:
    """What each party earns when the customer's review of an accepted job is stored.

        points = min(cap_per_party, base + amount_cents * share_bp // 1_000_000)

    i.e. a fixed amount plus a share of the job value (the accepted quote) in the currency's
    main unit, rounded down. Shares are in basis points: 100 = 1 %. With the defaults a job of
    120.00 (12 000 cents) earns the customer 50 + 1 = 51 points and the worker 100 + 2 = 102.
    Points are currency-blind: 1.00 of any currency counts the same.

    Override any field with `Settings.extra["points_earning_rule"]`, e.g.
    `{"customer_base": 80, "worker_share_bp": 300}`; unknown names or negative values are
    refused loudly rather than silently ignored.
    """

    customer_base: int = 50
    customer_share_bp: int = 100
    worker_base: int = 100
    worker_share_bp: int = 200
    cap_per_party: int = 10_000

    def customer_points(self, amount_cents: int) -> int:
        return self._points(self.customer_base, self.customer_share_bp, amount_cents)

    def worker_points(self, amount_cents: int) -> int:
        return self._points(self.worker_base, self.worker_share_bp, amount_cents)

    def _points(self, base: int, share_bp: int, amount_cents: int) -> int:
        return min(self.cap_per_party, base + max(amount_cents, 0) * share_bp // 1_000_000)

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None) -> EarningRule:
        if not overrides:
            return cls()
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(
                f"{EARNING_RULE_SETTING}: unknown setting(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}"
            )
        for name, value in overrides.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(
                    f"{EARNING_RULE_SETTING}.{name} must be a whole number >= 0, got {value!r}"
                )
        return dataclasses.replace(cls(), **overrides)


def earning_rule(ctx: Context) -> EarningRule:
    return EarningRule.from_overrides(ctx.settings.extra.get(EARNING_RULE_SETTING))


async def award_for_review(ctx: Context, job: Job, amount_cents: int) -> None:
    """Inside the review's `ctx.write()`: the customer and the hired worker each earn their
    points for `job`, exactly once per party, and are notified.

    Each party's award runs in a SAVEPOINT. If the party already earned for this job — a retry,
    a concurrent call, a review stored again — the unique (user, job, EARN) index refuses the
    ledger row; the savepoint rolls back that party's balance change and only that, so the
    surrounding transaction (the review) goes on and commits, and the award is a no-op. On
    PostgreSQL a concurrent duplicate waits on the first one's uncommitted index entry and fails
    once it commits; if the first rolls back instead, the second earns. Either way the party
    earns once and the ledger's sum equals the balance.
    """
    if job.hired_worker_id is None or job.status not in (JobStatus.ACCEPTED, JobStatus.CLOSED):
        raise InvalidState(
            f"Job {job.id} is {job.status.value}; points are earned only for accepted work.",
            status=job.status.value,
        )
    rule = earning_rule(ctx)
    awards = [
        (job.customer_id, rule.customer_points(amount_cents), "your review of"),
        (job.hired_worker_id, rule.worker_points(amount_cents), "your work on"),
    ]
    # Accounts are always locked in user-id order, so two awards can't deadlock each other.
    for user_id, amount, what in sorted(awards):
        if amount <= 0:
            continue
        reason = f"Earned for {what} job {job.id}"
        entry = await _earn_once(user_id, job.id, amount, reason)
        if entry is None:
            log.info("user %s already earned for job %s; award skipped", user_id, job.id)
            continue
        await notify(
            ctx,
            user_id,
            NotificationKind.POINTS_EARNED,
            f"{job.title}: {amount} points earned",
            f"You earned {amount} points for {what} job {job.id}; "
            f"your balance is {entry.balance_after}.",
            jobId=job.id,
            points=amount,
            transactionId=entry.id,
        )


async def _earn_once(
    user_id: int, job_id: int, amount: int, reason: str
) -> PointTransaction | None:
    if await PointTransaction.exists(user_id=user_id, job_id=job_id, kind=PointKind.EARN):
        return None  # a plain retry: no need to touch the account at all
    try:
        async with in_transaction():  # nested in the caller's write: a SAVEPOINT
            return await _post(user_id, amount, PointKind.EARN, reason, job_id=job_id)
    except IntegrityError:  # the unique (user, job, kind) index: earned concurrently
        return None


# --- The ledger --------------------------------------------------------------------------------


class NotEnoughPoints(Conflict):
    def __init__(self, balance: int, needed: int) -> None:
        super().__init__(
            f"Not enough points: the balance is {balance}, this needs {needed}.",
            balance=balance,
            needed=needed,
        )


async def _apply(user_id: int, delta: int) -> bool:
    changed = await PointAccount.filter(user_id=user_id, balance__gte=-delta).update(
        balance=F("balance") + delta, updated_at=datetime.now(UTC)
    )
    return changed > 0


async def _post(
    user_id: int,
    delta: int,
    kind: PointKind,
    reason: str,
    *,
    job_id: int | None = None,
    redemption_id: int | None = None,
    actor_id: int | None = None,
) -> PointTransaction:
    """Inside a write: change one balance by `delta` and append its ledger row.

    Raises NotEnoughPoints (and changes nothing) if the balance would go below zero.
    """
    if not await _apply(user_id, delta):
        # Either the balance is too low, or the account does not exist yet. Create it with
        # INSERT ... ON CONFLICT DO NOTHING: a concurrent creator makes this wait and then do
        # nothing, instead of raising an IntegrityError that would abort the transaction.
        await PointAccount.bulk_create(
            [PointAccount(user_id=user_id, balance=0)], ignore_conflicts=True
        )
        if not await _apply(user_id, delta):
            raise NotEnoughPoints(await _balance_of(user_id), -delta)
    # The UPDATE above holds the account's row lock until commit: what we read is ours.
    balance_after = await _balance_of(user_id)
    return await PointTransaction.create(
        user_id=user_id,
        delta=delta,
        balance_after=balance_after,
        kind=kind,
        reason=reason[:300],
        job_id=job_id,
        redemption_id=redemption_id,
        actor_id=actor_id,
    )


async def _balance_of(user_id: int) -> int:
    account = await PointAccount.get_or_none(user_id=user_id)
    return account.balance if account else 0


def _require_own(ctx: Context, user_id: int) -> None:
    viewer = require_user(ctx.viewer)
    if viewer.id != user_id:
        raise Forbidden("A points balance and its transactions are visible only to their owner.")


async def balance(ctx: Context, user_id: int) -> int:
    _require_own(ctx, user_id)
    return await _balance_of(user_id)


async def list_transactions(
    ctx: Context, user_id: int, first: int | None, after: str | None
) -> Page[PointTransaction]:
    """The user's ledger, newest first; each REDEEM row comes with its redemption and reward."""
    _require_own(ctx, user_id)
    query = PointTransaction.filter(user_id=user_id).prefetch_related("redemption__reward")
    return await paginate(query, first=first, after=after, max_page_size=ctx.settings.max_page_size)


async def adjust_points(ctx: Context, user_id: str, delta: int, reason: str) -> PointTransaction:
    """ADMIN: add or remove points, audited (kind ADJUST, actor = the admin, a reason)."""
    admin = require_role(ctx.viewer, Role.ADMIN)
    if delta == 0 or not -MAX_ADJUSTMENT <= delta <= MAX_ADJUSTMENT:
        raise BadUserInput(
            f"delta must be a non-zero whole number between -{MAX_ADJUSTMENT} and "
            f"{MAX_ADJUSTMENT}.",
            "delta",
        )
    reason = validation.text(reason, "reason", max_length=300)
    target = await User.get_or_none(id=parse_id(user_id, "User"))
    if target is None:
        raise NotFound("User", user_id)
    if target.id == admin.id:
        raise Forbidden("An ADMIN cannot adjust their own points; ask another ADMIN.")
    async with ctx.write():
        try:
            entry = await _post(target.id, delta, PointKind.ADJUST, reason, actor_id=admin.id)
        except NotEnoughPoints as refused:
            balance_now = refused.extensions["balance"]
            raise Conflict(
                f"User {target.id} has {balance_now} points; an adjustment of {delta} would make "
                "the balance negative.",
                balance=balance_now,
            ) from None
        verb = "added to" if delta > 0 else "removed from"
        await notify(
            ctx,
            target.id,
            NotificationKind.POINTS_ADJUSTED,
            f"{abs(delta)} points {verb} your balance",
            f"Reason: {reason}\nYour balance is now {entry.balance_after}.",
            points=delta,
            transactionId=entry.id,
        )
    return entry


# --- Rewards -----------------------------------------------------------------------------------


@dataclass
class RewardChange:
    """A new reward (every field but `active` required) or a change (None = unchanged)."""

    name: str | None = None
    description: str | None = None
    cost_points: int | None = None
    stock: int | None = None
    active: bool | None = None


def _checked(change: RewardChange) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if change.name is not None:
        fields["name"] = validation.text(change.name, "name", max_length=120)
    if change.description is not None:
        fields["description"] = validation.optional_text(
            change.description, "description", max_length=2000
        )
    if change.cost_points is not None:
        if not 1 <= change.cost_points <= MAX_COST_POINTS:
            raise BadUserInput(f"costPoints must be between 1 and {MAX_COST_POINTS}.", "costPoints")
        fields["cost_points"] = change.cost_points
    if change.stock is not None:
        if not 0 <= change.stock <= MAX_STOCK:
            raise BadUserInput(f"stock must be between 0 and {MAX_STOCK}.", "stock")
        fields["stock"] = change.stock
    if change.active is not None:
        fields["active"] = change.active
    return fields


async def create_reward(ctx: Context, new: RewardChange) -> Reward:
    require_role(ctx.viewer, Role.ADMIN)
    for value, name in ((new.name, "name"), (new.cost_points, "costPoints"), (new.stock, "stock")):
        if value is None:
            raise BadUserInput(f"{name} is required for a new reward.", name)
    fields = {"description": "", "active": True, **_checked(new)}
    async with ctx.write():
        reward = await Reward.create(**fields)
    return reward


async def update_reward(ctx: Context, reward_id: str, change: RewardChange) -> Reward:
    """ADMIN: change any of the fields; `stock` sets the number left (it is not added)."""
    require_role(ctx.viewer, Role.ADMIN)
    ident = parse_id(reward_id, "Reward")
    fields = _checked(change)
    async with ctx.write():
        if not await Reward.exists(id=ident):
            raise NotFound("Reward", reward_id)
        if fields:
            await Reward.filter(id=ident).update(**fields, updated_at=datetime.now(UTC))
        reward = await Reward.get(id=ident)
    return reward


async def list_rewards(
    ctx: Context, first: int | None, after: str | None, active_only: bool
) -> Page[Reward]:
    """Newest first. ADMINs see inactive rewards too unless `active_only`; others never do."""
    user = require_user(ctx.viewer)
    query = Reward.all()
    if active_only or user.role != Role.ADMIN:
        query = query.filter(active=True)
    return await paginate(query, first=first, after=after, max_page_size=ctx.settings.max_page_size)


def _redeemable(user: User, reward: Reward | None, reward_id: object) -> Reward:
    if reward is None or (not reward.active and user.role != Role.ADMIN):
        raise NotFound("Reward", reward_id)
    if not reward.active:
        raise InvalidState(
            f"Reward {reward.id} is inactive; activate it before redeeming it.", status="INACTIVE"
        )
    return reward


def _idempotency_key(value: str) -> str:
    if not value.strip():
        raise BadUserInput(
            "idempotencyKey must not be empty: send a unique value (e.g. a UUID) per redemption "
            "and the same one when you retry it.",
            "idempotencyKey",
        )
    if len(value) > MAX_KEY_LENGTH:
        raise BadUserInput(
            f"idempotencyKey must be at most {MAX_KEY_LENGTH} characters.", "idempotencyKey"
        )
    return value


async def _earlier_redemption(user_id: int, key: str, reward_id: int) -> Redemption | None:
    """The redemption this key already made, if any; a key reused for another reward is a
    CONFLICT."""
    earlier = await Redemption.get_or_none(user_id=user_id, idempotency_key=key).prefetch_related(
        "reward"
    )
    if earlier is not None and earlier.reward_id != reward_id:
        raise Conflict(
            f"idempotencyKey {key!r} was already used to redeem reward {earlier.reward_id}; "
            "use a new key for a different reward.",
            field="idempotencyKey",
        )
    return earlier


async def redeem_reward(ctx: Context, reward_id: str, idempotency_key: str) -> Redemption:
    """Any signed-in user spends points on a reward, at most once per idempotency key.

    The same (user, key) always returns the same redemption and charges once; a balance and a
    stock never go below zero. The redemption row is inserted first, claiming the key: on
    PostgreSQL a concurrent call with the same key waits on that uncommitted index entry, then
    fails with a unique violation that aborts its transaction, so it is caught outside the
    write and answered with the redemption that won.
    """
    user = require_user(ctx.viewer)
    ident = parse_id(reward_id, "Reward")
    key = _idempotency_key(idempotency_key)
    earlier = await _earlier_redemption(user.id, key, ident)
    if earlier is not None:
        return earlier
    reward = _redeemable(user, await Reward.get_or_none(id=ident), reward_id)
    cost = reward.cost_points
    try:
        async with ctx.write():
            redemption = await Redemption.create(
                user_id=user.id, reward_id=ident, cost_points=cost, idempotency_key=key
            )
            # One conditional UPDATE takes a unit: concurrent redemptions can't oversell, and
            # the price we charge is the one the reward has while we hold its row.
            taken = await Reward.filter(
                id=ident, active=True, stock__gt=0, cost_points=cost
            ).update(stock=F("stock") - 1, updated_at=datetime.now(UTC))
            if not taken:
                current = _redeemable(user, await Reward.get_or_none(id=ident), reward_id)
                if current.stock <= 0:
                    raise Conflict(f"{current.name} is out of stock.", stock=0)
                raise Conflict(
                    f"The price of {current.name} changed to {current.cost_points} points; "
                    "redeem again to accept it.",
                    costPoints=current.cost_points,
                )
            reward = await Reward.get(id=ident)  # as it is now, one unit fewer
            entry = await _post(
                user.id,
                -cost,
                PointKind.REDEEM,
                f"Redeemed {reward.name}",
                redemption_id=redemption.id,
            )
            await notify(
                ctx,
                user.id,
                NotificationKind.POINTS_REDEEMED,
                f"{reward.name} redeemed",
                f"You redeemed {reward.name} for {cost} points; your balance is "
                f"{entry.balance_after}.",
                rewardId=reward.id,
                redemptionId=redemption.id,
                points=-cost,
                transactionId=entry.id,
            )
    except IntegrityError:
        # The unique (user, idempotency key) index: the same key won concurrently.
        earlier = await _earlier_redemption(user.id, key, ident)
        if earlier is None:
            raise
        return earlier
    redemption.reward = reward
    return redemption
