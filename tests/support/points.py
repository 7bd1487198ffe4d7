"""Helpers of tests/api/test_points.py, shared with the tests that build on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tortoise import connections

import models
from models import Job
from tests.support.api import Actor, Api

CREATE_REWARD = """mutation($input: CreateRewardInput!) { createReward(input: $input) {
  id name description costPoints stock active } }"""


REDEEM = """mutation($reward: ID!, $key: String!) { redeemReward(rewardId: $reward,
  idempotencyKey: $key) { id costPoints idempotencyKey createdAt reward { id name stock } } }"""


ADJUST = """mutation($user: ID!, $delta: Int!, $reason: String!) {
  adjustPoints(userId: $user, delta: $delta, reason: $reason) {
    id delta balanceAfter kind reason jobId job { id } redemption { id } } }"""


async def make_reward(
    api: Api, admin: Actor, cost: int = 30, stock: int = 10, **overrides: Any
) -> dict[str, Any]:
    reward_input = {
        "name": "Coffee voucher",
        "description": "One coffee at a partner café.",
        "costPoints": cost,
        "stock": stock,
        **overrides,
    }
    return (await api.ok(CREATE_REWARD, {"input": reward_input}, admin))["createReward"]


async def grant(api: Api, admin: Actor, actor: Actor, delta: int) -> dict[str, Any]:
    variables = {"user": actor.id, "delta": delta, "reason": "Welcome bonus"}
    return (await api.ok(ADJUST, variables, admin))["adjustPoints"]


async def balance_of(api: Api, actor: Actor) -> int:
    return (await api.ok("{ me { pointsBalance } }", actor=actor))["me"]["pointsBalance"]


async def redeem(api: Api, actor: Actor | None, reward_id: str, key: str) -> dict[str, Any]:
    return await api.call(REDEEM, {"reward": reward_id, "key": key}, actor)


async def stock_of(reward_id: str) -> int:
    return (await models.Reward.get(id=int(reward_id))).stock


async def accepted_job(api: Api, amount_cents: int = 20000) -> tuple[Actor, Actor, Job]:
    customer, worker, job_id = await api.accepted_job(amount_cents)
    return customer, worker, await Job.get(id=int(job_id))


async def assert_ledger_consistent() -> None:
    """For every user: the sum of deltas equals the balance, every balance_after is the running
    sum in ledger order, and nothing is negative; no stock is negative either."""
    db = connections.get("default")
    accounts = {
        row["user_id"]: int(row["balance"])
        for row in await db.execute_query_dict("SELECT user_id, balance FROM point_accounts")
    }
    entries = await db.execute_query_dict(
        "SELECT user_id, delta, balance_after FROM point_transactions ORDER BY user_id, id"
    )
    running: dict[int, int] = {}
    for entry in entries:
        user_id = entry["user_id"]
        running[user_id] = running.get(user_id, 0) + int(entry["delta"])
        assert int(entry["balance_after"]) == running[user_id], entry
        assert running[user_id] >= 0, entry
    assert set(running) <= set(accounts), "ledger rows without an account"
    for user_id, balance in accounts.items():
        assert balance >= 0, (user_id, balance)
        assert running.get(user_id, 0) == balance, (user_id, running.get(user_id), balance)
    negative = await db.execute_query_dict("SELECT id, stock FROM rewards WHERE stock < 0")
    assert negative == []


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(app: Any) -> AsyncIterator[None]:
    yield
    await assert_ledger_consistent()
