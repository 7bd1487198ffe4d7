"""Races the points ledger must survive. Real on PostgreSQL (TEST_DATABASE_URL), where the
requests overlap; on SQLite, which serialises writers, the same scenarios run one by one.
The ledger invariant is checked after every scenario (here explicitly, and by the autouse
fixture of test_points)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from models import Notification, PointKind, PointTransaction, Redemption, User
from resolvers import points
from tests.support.api import Api
from tests.support.points import (
    ADJUST,
    accepted_job,
    assert_ledger_consistent,
    balance_of,
    grant,
    ledger_stays_consistent,
    make_reward,
    redeem,
    stock_of,
)
from tests.support.renovation import make_admin

__all__ = ["ledger_stays_consistent"]  # the autouse fixture, applied here too


def outcome(bodies: list[dict[str, Any]]) -> Counter[str]:
    return Counter(
        body["errors"][0]["extensions"]["code"] if "errors" in body else "OK" for body in bodies
    )


async def test_50_concurrent_redemptions_against_a_balance_for_10(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    customer = await api.register("CUSTOMER")
    reward = await make_reward(api, admin, cost=30, stock=100)
    await grant(api, admin, customer, 300)

    bodies = await asyncio.gather(
        *(redeem(api, customer, reward["id"], f"order-{n}") for n in range(50))
    )

    assert outcome(bodies) == {"OK": 10, "CONFLICT": 40}
    refusals = {body["errors"][0]["message"] for body in bodies if "errors" in body}
    assert all(message.startswith("Not enough points: the balance is ") for message in refusals)
    assert await balance_of(api, customer) == 0
    assert await stock_of(reward["id"]) == 90
    assert await Redemption.filter(user_id=int(customer.id)).count() == 10
    assert (
        await PointTransaction.filter(user_id=int(customer.id), kind=PointKind.REDEEM).count() == 10
    )
    await assert_ledger_consistent()


async def test_50_concurrent_redemptions_against_a_stock_of_10(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    customer = await api.register("CUSTOMER")
    reward = await make_reward(api, admin, cost=5, stock=10)
    await grant(api, admin, customer, 1000)

    bodies = await asyncio.gather(
        *(redeem(api, customer, reward["id"], f"order-{n}") for n in range(50))
    )

    assert outcome(bodies) == {"OK": 10, "CONFLICT": 40}
    refusals = {body["errors"][0]["message"] for body in bodies if "errors" in body}
    assert refusals == {"Coffee voucher is out of stock."}
    assert await stock_of(reward["id"]) == 0
    assert await balance_of(api, customer) == 950
    await assert_ledger_consistent()


async def test_20_concurrent_calls_with_one_key_charge_once(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    customer = await api.register("CUSTOMER")
    reward = await make_reward(api, admin, cost=10, stock=100)
    await grant(api, admin, customer, 100)

    bodies = await asyncio.gather(
        *(redeem(api, customer, reward["id"], "one-key") for _ in range(20))
    )

    assert outcome(bodies) == {"OK": 20}
    ids = {body["data"]["redeemReward"]["id"] for body in bodies}
    assert len(ids) == 1
    assert await Redemption.filter(user_id=int(customer.id)).count() == 1
    assert (
        await PointTransaction.filter(user_id=int(customer.id), kind=PointKind.REDEEM).count() == 1
    )
    assert await balance_of(api, customer) == 90
    assert await stock_of(reward["id"]) == 99
    assert await Notification.filter(kind="POINTS_REDEEMED").count() == 1
    await assert_ledger_consistent()


async def test_20_concurrent_calls_with_one_key_and_stock_for_one(api: Api, app: Any) -> None:
    """The last unit goes to the first call; the others return its redemption, not "out of
    stock", because the key is claimed before the stock is touched."""
    admin = await make_admin(app)
    customer = await api.register("CUSTOMER")
    reward = await make_reward(api, admin, cost=10, stock=1)
    await grant(api, admin, customer, 10)

    bodies = await asyncio.gather(
        *(redeem(api, customer, reward["id"], "last-one") for _ in range(20))
    )

    assert outcome(bodies) == {"OK": 20}
    assert len({body["data"]["redeemReward"]["id"] for body in bodies}) == 1
    assert await stock_of(reward["id"]) == 0
    assert await balance_of(api, customer) == 0
    await assert_ledger_consistent()


async def test_concurrent_duplicate_awards_pay_each_party_once(api: Api, app: Any) -> None:
    customer, worker, job = await accepted_job(api, amount_cents=20_000)
    state = app.state.fixhub
    user = await User.get(id=job.customer_id)

    async def award_once() -> None:
        ctx = state.context(user)
        async with ctx.write():
            await points.award_for_review(ctx, job, 20_000)

    await asyncio.gather(*(award_once() for _ in range(10)))

    assert await balance_of(api, customer) == 52
    assert await balance_of(api, worker) == 104
    earned = await PointTransaction.filter(job_id=job.id).values_list("user_id", "delta")
    assert sorted(earned) == sorted([(int(customer.id), 52), (int(worker.id), 104)])
    assert await Notification.filter(kind="POINTS_EARNED").count() == 2
    await assert_ledger_consistent()


async def test_concurrent_awards_redemptions_and_adjustments_keep_the_ledger(
    api: Api, app: Any
) -> None:
    """Everything that moves one user's balance, at once: earning, spending, ADMIN debits."""
    admin = await make_admin(app)
    customer, _, job = await accepted_job(api, amount_cents=20_000)  # customer earns 52
    reward = await make_reward(api, admin, cost=7, stock=100)
    await grant(api, admin, customer, 48)  # 48 + 52 = 100 once the award lands
    state = app.state.fixhub
    user = await User.get(id=job.customer_id)

    async def award_once() -> dict[str, Any]:
        ctx = state.context(user)
        async with ctx.write():
            await points.award_for_review(ctx, job, 20_000)
        return {}

    debit = {"user": customer.id, "delta": -5, "reason": "Correction"}
    bodies = await asyncio.gather(
        *(award_once() for _ in range(3)),
        *(redeem(api, customer, reward["id"], f"k{n}") for n in range(10)),
        *(api.call(ADJUST, debit, admin) for _ in range(10)),
    )

    spent = sum(7 for body in bodies[3:13] if "errors" not in body)
    debited = sum(5 for body in bodies[13:] if "errors" not in body)
    assert await balance_of(api, customer) == 100 - spent - debited >= 0
    assert all(
        body["errors"][0]["extensions"]["code"] == "CONFLICT"
        for body in bodies[3:]
        if "errors" in body
    )
    assert await stock_of(reward["id"]) == 100 - spent // 7
    await assert_ledger_consistent()
