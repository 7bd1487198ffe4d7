"""The whole home-repair flow, from posting a need to spending the points it earned."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api
from tests.support.points import assert_ledger_consistent, make_reward
from tests.support.renovation import make_admin
from tests.support.reviews import REVIEW_CUSTOMER, REVIEW_JOB, stars

ME = """{ me { pointsBalance pointTransactions { edges { node { delta balanceAfter kind } } } } }"""
REDEEM = """mutation($r: ID!, $k: String!) { redeemReward(rewardId: $r, idempotencyKey: $k) {
  id costPoints } }"""


async def test_post_hire_work_review_earn_and_redeem(api: Api, app: Any) -> None:
    customer, worker, job_id = await api.accepted_job(amount_cents=20_000)
    await api.ok(REVIEW_JOB, stars(job_id), customer)
    await api.ok(REVIEW_CUSTOMER, {"input": {"jobId": job_id, "rating": 5}}, worker)

    job = await api.ok("query($id: ID!) { job(id: $id) { status } }", {"id": job_id}, customer)
    assert job["job"]["status"] == "CLOSED"
    earned = (await api.ok(ME, actor=customer))["me"]
    assert earned["pointsBalance"] == 52  # 50 + 1% of 20,000 cents
    assert [e["node"]["kind"] for e in earned["pointTransactions"]["edges"]] == ["EARN"]
    assert (await api.ok(ME, actor=worker))["me"]["pointsBalance"] == 104  # 100 + 2%

    admin = await make_admin(app)
    reward = await make_reward(api, admin, cost=50, stock=3)
    first = (await api.ok(REDEEM, {"r": reward["id"], "k": "order-1"}, customer))["redeemReward"]
    again = (await api.ok(REDEEM, {"r": reward["id"], "k": "order-1"}, customer))["redeemReward"]
    assert first == again  # a retried request is the same redemption, charged once

    spent = (await api.ok(ME, actor=customer))["me"]
    assert spent["pointsBalance"] == 2
    assert [e["node"] for e in spent["pointTransactions"]["edges"]] == [
        {"delta": -50, "balanceAfter": 2, "kind": "REDEEM"},
        {"delta": 52, "balanceAfter": 52, "kind": "EARN"},
    ]
    body = await api.call(REDEEM, {"r": reward["id"], "k": "order-2"}, customer)
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"  # not enough points left
    await assert_ledger_consistent()
