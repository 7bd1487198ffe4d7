"""Points: earning for a reviewed job, the rewards catalogue, redeeming, ADMIN adjustments, who
may do each, and the ledger invariant (sum of deltas == balance) after every scenario."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise import connections

from errors import Forbidden, InvalidState, Unauthenticated
from models import Job, Notification, PointKind, PointTransaction, User
from resolvers import points
from resolvers.points import EarningRule
from tests.support.api import Actor, Api
from tests.support.points import (
    ADJUST,
    CREATE_REWARD,
    REDEEM,
    accepted_job,
    balance_of,
    grant,
    ledger_stays_consistent,
    make_reward,
    redeem,
    stock_of,
)
from tests.support.query_count import StatementCounter
from tests.support.renovation import make_admin

__all__ = ["ledger_stays_consistent"]  # the autouse fixture, applied here too

PASSWORD = "correct horse battery"

UPDATE_REWARD = """mutation($id: ID!, $input: UpdateRewardInput!) {
  updateReward(id: $id, input: $input) { id name description costPoints stock active } }"""
REWARDS = """query($first: Int, $after: String, $activeOnly: Boolean! = false) {
  rewards(first: $first, after: $after, activeOnly: $activeOnly) {
    edges { cursor node { id name active } } pageInfo { hasNextPage endCursor } } }"""
MY_POINTS = """query($first: Int, $after: String) { me { pointsBalance
  pointTransactions(first: $first, after: $after) {
    edges { cursor node { id delta balanceAfter kind reason jobId job { id status }
      redemption { id costPoints idempotencyKey reward { id name } } } }
    pageInfo { hasNextPage endCursor } } } }"""


# --- helpers, shared with test_points_concurrency.py ------------------------------------------


async def award(app: Any, job: Job, amount_cents: int) -> None:
    """What the reviews code does: award inside its own write."""
    ctx = app.state.fixhub.context(await User.get(id=job.customer_id))
    async with ctx.write():
        await points.award_for_review(ctx, job, amount_cents)


async def snapshot() -> dict[str, Any]:
    """Everything a refused points call must leave untouched."""
    db = connections.get("default")
    rows = {}
    for table, order in (
        ("point_accounts", "user_id"),
        ("point_transactions", "id"),
        ("rewards", "id"),
        ("redemptions", "id"),
    ):
        rows[table] = await db.execute_query_dict(f"SELECT * FROM {table} ORDER BY {order}")
    rows["notifications"] = await Notification.filter(kind__startswith="POINTS_").count()
    return rows


@pytest.fixture
async def admin(app: Any) -> Actor:
    return await make_admin(app)


def errors_of(body: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    assert body.get("errors"), body
    return [
        (e["extensions"]["code"], e["message"], e["extensions"].get("field"))
        for e in body["errors"]
    ]


async def test_an_admin_made_in_the_database_signs_in_with_login(api: Api, app: Any) -> None:
    admin = await make_admin(app)
    limiter = app.state.fixhub.limiter
    # With Redis the per-address sign-in counter outlives the test: start from a fresh one and
    # leave none of this test's attempt behind for the tests that count attempts.
    await limiter.reset("login:address:127.0.0.1")
    try:
        data = await api.ok(
            """mutation($e: String!, $p: String!) {
                 login(email: $e, password: $p) { token user { id role } } }""",
            {"e": admin.email, "p": PASSWORD},
        )
    finally:
        await limiter.reset("login:address:127.0.0.1")

    assert data["login"]["user"] == {"id": admin.id, "role": "ADMIN"}
    signed_in = Actor(admin.id, data["login"]["token"], admin.email, "ADMIN")
    assert (await api.ok("{ me { role } }", actor=signed_in))["me"] == {"role": "ADMIN"}


# --- earning ----------------------------------------------------------------------------------


def test_earning_rule_is_a_base_plus_a_share_of_the_job_value_capped() -> None:
    rule = EarningRule()
    assert (rule.customer_points(12_000), rule.worker_points(12_000)) == (51, 102)
    assert (rule.customer_points(0), rule.worker_points(0)) == (50, 100)
    assert rule.worker_points(10**10) == rule.cap_per_party == 10_000

    custom = EarningRule.from_overrides({"customer_base": 0, "worker_share_bp": 1000})
    assert (custom.customer_points(12_000), custom.worker_points(12_000)) == (1, 112)
    assert EarningRule.from_overrides(None) == EarningRule()
    with pytest.raises(ValueError, match="unknown setting"):
        EarningRule.from_overrides({"customer_bonus": 5})
    with pytest.raises(ValueError, match="whole number"):
        EarningRule.from_overrides({"worker_base": -1})


async def test_award_for_review_pays_both_parties_once_and_tells_them(api: Api, app: Any) -> None:
    customer, worker, job = await accepted_job(api, amount_cents=20_000)

    await award(app, job, 20_000)
    await award(app, job, 20_000)  # a retry: nothing more

    mine = (await api.ok(MY_POINTS, actor=customer))["me"]
    assert mine["pointsBalance"] == 52  # 50 + 1 % of 200.00
    [entry] = [edge["node"] for edge in mine["pointTransactions"]["edges"]]
    assert entry["delta"] == 52 and entry["balanceAfter"] == 52 and entry["kind"] == "EARN"
    assert entry["jobId"] == str(job.id)
    assert entry["job"] == {"id": str(job.id), "status": "ACCEPTED"}
    assert entry["redemption"] is None
    assert entry["reason"] == f"Earned for your review of job {job.id}"
    assert await balance_of(api, worker) == 104  # 100 + 2 % of 200.00
    told = await Notification.filter(kind="POINTS_EARNED").order_by("user_id")
    assert sorted((n.user_id, n.data["points"]) for n in told) == sorted(
        [(int(customer.id), 52), (int(worker.id), 104)]
    )


async def test_earning_rule_comes_from_settings_extra(api: Api, app: Any) -> None:
    customer, worker, job = await accepted_job(api, amount_cents=50_000)
    state = app.state.fixhub
    ctx = state.context(await User.get(id=job.customer_id))
    ctx.settings = state.settings.with_overrides(
        extra={"points_earning_rule": {"customer_base": 10, "worker_share_bp": 1000}}
    )

    async with ctx.write():
        await points.award_for_review(ctx, job, 50_000)

    assert await balance_of(api, customer) == 15  # 10 + 1 % of 500.00
    assert await balance_of(api, worker) == 150  # 100 + 10 % of 500.00


async def test_a_duplicate_award_does_not_break_the_surrounding_transaction(
    api: Api, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer, worker, job = await accepted_job(api)
    ctx = app.state.fixhub.context(await User.get(id=job.customer_id))

    async with ctx.write():
        await points.award_for_review(ctx, job, 20_000)
        # Skip the fast "already earned?" check so the second award really hits the unique
        # index, as a concurrent one would; on PostgreSQL that error aborts the transaction
        # unless it is confined to a savepoint.
        with monkeypatch.context() as patch:

            async def never(*args: Any, **kwargs: Any) -> bool:
                return False

            patch.setattr(PointTransaction, "exists", never)
            await points.award_for_review(ctx, job, 20_000)
        # ... and the review's transaction goes on writing and commits.
        await Notification.create(user_id=job.customer_id, kind="TEST", title="t", body="b")

    assert await Notification.filter(kind="TEST").count() == 1
    assert await balance_of(api, customer) == 52
    assert await balance_of(api, worker) == 104
    assert await PointTransaction.filter(job_id=job.id).count() == 2


async def test_award_refuses_a_job_that_was_not_accepted(api: Api, app: Any) -> None:
    customer = await api.register("CUSTOMER")
    job = await Job.get(id=int((await api.post_job(customer))["id"]))
    ctx = app.state.fixhub.context(await User.get(id=job.customer_id))

    with pytest.raises(InvalidState, match="only for accepted work"):
        async with ctx.write():
            await points.award_for_review(ctx, job, 20_000)
    assert await PointTransaction.all().count() == 0


# --- redeeming ---------------------------------------------------------------------------------


async def test_redeem_charges_once_per_key_and_links_the_ledger(api: Api, admin: Actor) -> None:
    customer = await api.register("CUSTOMER")
    reward = await make_reward(api, admin, cost=30, stock=5)
    await grant(api, admin, customer, 100)

    first = await redeem(api, customer, reward["id"], "order-1")
    again = await redeem(api, customer, reward["id"], "order-1")

    assert "errors" not in first and first == again
    redemption = first["data"]["redeemReward"]
    assert redemption["costPoints"] == 30 and redemption["idempotencyKey"] == "order-1"
    assert redemption["reward"]["id"] == reward["id"]
    assert await balance_of(api, customer) == 70
    assert await stock_of(reward["id"]) == 4
    edges = (await api.ok(MY_POINTS, actor=customer))["me"]["pointTransactions"]["edges"]
    assert [(e["node"]["kind"], e["node"]["delta"], e["node"]["balanceAfter"]) for e in edges] == [
        ("REDEEM", -30, 70),
        ("ADJUST", 100, 100),
    ]
    assert edges[0]["node"]["redemption"] == {
        "id": redemption["id"],
        "costPoints": 30,
        "idempotencyKey": "order-1",
        "reward": {"id": reward["id"], "name": "Coffee voucher"},
    }
    told = await Notification.filter(user_id=int(customer.id), kind="POINTS_REDEEMED")
    assert [n.data["redemptionId"] for n in told] == [int(redemption["id"])]


async def test_a_key_reused_for_another_reward_is_a_conflict(api: Api, admin: Actor) -> None:
    customer = await api.register("CUSTOMER")
    coffee = await make_reward(api, admin, cost=10)
    cake = await make_reward(api, admin, cost=10, name="Cake")
    await grant(api, admin, customer, 100)
    await redeem(api, customer, coffee["id"], "k1")
    before = await snapshot()

    body = await redeem(api, customer, cake["id"], "k1")

    assert errors_of(body) == [
        (
            "CONFLICT",
            f"idempotencyKey 'k1' was already used to redeem reward {coffee['id']}; use a new "
            "key for a different reward.",
            "idempotencyKey",
        )
    ]
    assert await snapshot() == before


async def test_the_same_key_of_another_user_is_another_redemption(api: Api, admin: Actor) -> None:
    alice, bob = await api.register("CUSTOMER"), await api.register("WORKER")
    reward = await make_reward(api, admin, cost=10)
    for actor in (alice, bob):
        await grant(api, admin, actor, 10)

    ids = {
        (await redeem(api, a, reward["id"], "same"))["data"]["redeemReward"]["id"]
        for a in (alice, bob)
    }

    assert len(ids) == 2
    assert await balance_of(api, alice) == await balance_of(api, bob) == 0


async def test_not_enough_points_changes_nothing(api: Api, admin: Actor) -> None:
    customer = await api.register("CUSTOMER")
    reward = await make_reward(api, admin, cost=30, stock=5)
    await grant(api, admin, customer, 29)
    before = await snapshot()

    body = await redeem(api, customer, reward["id"], "k")

    assert [(code, message) for code, message, _ in errors_of(body)] == [
        ("CONFLICT", "Not enough points: the balance is 29, this needs 30.")
    ]
    assert body["errors"][0]["extensions"]["balance"] == 29
    assert await snapshot() == before
    # The refused key is not used up: with enough points the same key works.
    await grant(api, admin, customer, 1)
    assert "errors" not in await redeem(api, customer, reward["id"], "k")
    assert await balance_of(api, customer) == 0


async def test_a_user_without_any_points_is_refused(api: Api, admin: Actor) -> None:
    worker = await api.register("WORKER")
    reward = await make_reward(api, admin, cost=1)

    body = await redeem(api, worker, reward["id"], "k")

    assert [code for code, _, _ in errors_of(body)] == ["CONFLICT"]
    assert await balance_of(api, worker) == 0
    assert await stock_of(reward["id"]) == 10


async def test_out_of_stock_changes_nothing(api: Api, admin: Actor) -> None:
    customer = await api.register("CUSTOMER")
    reward = await make_reward(api, admin, cost=10, stock=1)
    await grant(api, admin, customer, 100)
    await redeem(api, customer, reward["id"], "first")
    before = await snapshot()

    body = await redeem(api, customer, reward["id"], "second")

    assert [(code, message) for code, message, _ in errors_of(body)] == [
        ("CONFLICT", "Coffee voucher is out of stock.")
    ]
    assert await snapshot() == before
    assert await stock_of(reward["id"]) == 0 and await balance_of(api, customer) == 90


async def test_an_inactive_reward_is_not_found_except_to_admins(api: Api, admin: Actor) -> None:
    customer = await api.register("CUSTOMER")
    reward = await make_reward(api, admin, cost=10, active=False)
    await grant(api, admin, customer, 100)
    before = await snapshot()

    as_customer = await redeem(api, customer, reward["id"], "k")
    as_admin = await redeem(api, admin, reward["id"], "k")
    unknown = await redeem(api, customer, "999999", "k")

    assert errors_of(as_customer) == [("NOT_FOUND", f"Reward {reward['id']} was not found.", None)]
    assert errors_of(as_admin) == [
        (
            "INVALID_STATE",
            f"Reward {reward['id']} is inactive; activate it before redeeming it.",
            None,
        )
    ]
    assert as_admin["errors"][0]["extensions"]["status"] == "INACTIVE"
    assert errors_of(unknown) == [("NOT_FOUND", "Reward 999999 was not found.", None)]
    assert await snapshot() == before


async def test_a_redemption_is_charged_the_price_it_was_made_at(api: Api, admin: Actor) -> None:
    customer = await api.register("CUSTOMER")
    reward = await make_reward(api, admin, cost=10)
    await grant(api, admin, customer, 100)
    made = (await redeem(api, customer, reward["id"], "k"))["data"]["redeemReward"]

    await api.ok(UPDATE_REWARD, {"id": reward["id"], "input": {"costPoints": 50}}, admin)
    again = (await redeem(api, customer, reward["id"], "k"))["data"]["redeemReward"]

    assert again["id"] == made["id"] and again["costPoints"] == 10
    assert await balance_of(api, customer) == 90


# --- adjusting ---------------------------------------------------------------------------------


async def test_adjust_points_is_audited_and_told(api: Api, admin: Actor) -> None:
    worker = await api.register("WORKER")

    added = await grant(api, admin, worker, 40)
    variables = {"user": worker.id, "delta": -15, "reason": "Refund of a disputed job"}
    taken = (await api.ok(ADJUST, variables, admin))["adjustPoints"]

    assert (added["kind"], added["delta"], added["balanceAfter"]) == ("ADJUST", 40, 40)
    assert (taken["delta"], taken["balanceAfter"], taken["reason"]) == (
        -15,
        25,
        "Refund of a disputed job",
    )
    assert taken["jobId"] is None and taken["job"] is None and taken["redemption"] is None
    audit = await PointTransaction.filter(user_id=int(worker.id)).order_by("id")
    assert [(e.kind, e.actor_id) for e in audit] == [(PointKind.ADJUST, int(admin.id))] * 2
    told = await Notification.filter(user_id=int(worker.id), kind="POINTS_ADJUSTED").order_by("id")
    assert [n.title for n in told] == [
        "40 points added to your balance",
        "15 points removed from your balance",
    ]
    assert await balance_of(api, worker) == 25


async def test_adjust_points_never_makes_a_balance_negative(api: Api, admin: Actor) -> None:
    customer = await api.register("CUSTOMER")
    await grant(api, admin, customer, 10)
    before = await snapshot()

    body = await api.call(ADJUST, {"user": customer.id, "delta": -11, "reason": "Typo"}, admin)

    assert errors_of(body) == [
        (
            "CONFLICT",
            f"User {customer.id} has 10 points; an adjustment of -11 would make the balance "
            "negative.",
            None,
        )
    ]
    assert await snapshot() == before


async def test_adjust_points_refuses_unknown_users_and_the_admin_itself(
    api: Api, admin: Actor
) -> None:
    before = await snapshot()

    unknown = await api.call(ADJUST, {"user": "999999", "delta": 5, "reason": "x"}, admin)
    own = await api.call(ADJUST, {"user": admin.id, "delta": 5, "reason": "x"}, admin)

    assert errors_of(unknown) == [("NOT_FOUND", "User 999999 was not found.", None)]
    assert errors_of(own) == [
        ("FORBIDDEN", "An ADMIN cannot adjust their own points; ask another ADMIN.", None)
    ]
    assert await snapshot() == before


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message", "field"),
    [
        ({"name": "   "}, "name must not be empty.", "name"),
        ({"name": "n" * 121}, "name must be at most 120 characters.", "name"),
        (
            {"description": "d" * 2001},
            "description must be at most 2000 characters.",
            "description",
        ),
        ({"costPoints": 0}, "costPoints must be between 1 and 1000000.", "costPoints"),
        ({"costPoints": 1_000_001}, "costPoints must be between 1 and 1000000.", "costPoints"),
        ({"stock": -1}, "stock must be between 0 and 1000000.", "stock"),
        ({"stock": 1_000_001}, "stock must be between 0 and 1000000.", "stock"),
    ],
)
async def test_reward_input_is_validated(
    api: Api, admin: Actor, overrides: dict[str, Any], message: str, field: str
) -> None:
    reward = await make_reward(api, admin)
    valid = {"name": "Tea", "description": "", "costPoints": 5, "stock": 0}
    before = await snapshot()

    created = await api.call(CREATE_REWARD, {"input": {**valid, **overrides}}, admin)
    updated = await api.call(UPDATE_REWARD, {"id": reward["id"], "input": overrides}, admin)

    assert errors_of(created) == errors_of(updated) == [("BAD_USER_INPUT", message, field)]
    assert await snapshot() == before


async def test_reward_edges_of_the_valid_range_are_accepted(api: Api, admin: Actor) -> None:
    reward = await make_reward(
        api, admin, cost=1_000_000, stock=0, name="n" * 120, description="d" * 2000
    )
    assert (reward["costPoints"], reward["stock"], reward["active"]) == (1_000_000, 0, True)

    changed = await api.ok(
        UPDATE_REWARD,
        {"id": reward["id"], "input": {"stock": 1_000_000, "costPoints": 1, "active": False}},
        admin,
    )
    assert changed["updateReward"] == {
        **reward,
        "stock": 1_000_000,
        "costPoints": 1,
        "active": False,
    }
    unchanged = await api.ok(UPDATE_REWARD, {"id": reward["id"], "input": {}}, admin)
    assert unchanged["updateReward"] == changed["updateReward"]
    missing = await api.call(UPDATE_REWARD, {"id": "999999", "input": {"stock": 1}}, admin)
    assert errors_of(missing) == [("NOT_FOUND", "Reward 999999 was not found.", None)]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            "",
            "idempotencyKey must not be empty: send a unique value (e.g. a UUID) per redemption "
            "and the same one when you retry it.",
        ),
        (
            "  ",
            "idempotencyKey must not be empty: send a unique value (e.g. a UUID) per "
            "redemption and the same one when you retry it.",
        ),
        ("k" * 101, "idempotencyKey must be at most 100 characters."),
    ],
)
async def test_idempotency_key_is_validated(api: Api, admin: Actor, key: str, message: str) -> None:
    customer = await api.register("CUSTOMER")
    reward = await make_reward(api, admin, cost=1)
    await grant(api, admin, customer, 5)
    before = await snapshot()

    body = await redeem(api, customer, reward["id"], key)

    assert errors_of(body) == [("BAD_USER_INPUT", message, "idempotencyKey")]
    assert await snapshot() == before
    assert "errors" not in await redeem(api, customer, reward["id"], "k" * 100)


@pytest.mark.parametrize(
    ("delta", "reason", "message", "field"),
    [
        (0, "x", "delta must be a non-zero whole number between -1000000 and 1000000.", "delta"),
        (
            1_000_001,
            "x",
            "delta must be a non-zero whole number between -1000000 and 1000000.",
            "delta",
        ),
        (
            -1_000_001,
            "x",
            "delta must be a non-zero whole number between -1000000 and 1000000.",
            "delta",
        ),
        (5, " ", "reason must not be empty.", "reason"),
        (5, "r" * 301, "reason must be at most 300 characters.", "reason"),
    ],
)
async def test_adjustment_is_validated(
    api: Api, admin: Actor, delta: int, reason: str, message: str, field: str
) -> None:
    customer = await api.register("CUSTOMER")
    before = await snapshot()

    body = await api.call(ADJUST, {"user": customer.id, "delta": delta, "reason": reason}, admin)

    assert errors_of(body) == [("BAD_USER_INPUT", message, field)]
    assert await snapshot() == before


# --- reading -----------------------------------------------------------------------------------


async def test_rewards_catalogue_hides_inactive_rewards_from_non_admins(
    api: Api, admin: Actor
) -> None:
    customer = await api.register("CUSTOMER")
    old = await make_reward(api, admin, name="Old")
    hidden = await make_reward(api, admin, name="Hidden", active=False)
    new = await make_reward(api, admin, name="New")

    def names(data: dict[str, Any]) -> list[str]:
        return [edge["node"]["name"] for edge in data["rewards"]["edges"]]

    assert names(await api.ok(REWARDS, actor=admin)) == ["New", "Hidden", "Old"]
    assert names(await api.ok(REWARDS, {"activeOnly": True}, admin)) == ["New", "Old"]
    assert names(await api.ok(REWARDS, actor=customer)) == ["New", "Old"]
    assert names(await api.ok(REWARDS, {"activeOnly": False}, customer)) == ["New", "Old"]
    page = (await api.ok(REWARDS, {"first": 1}, customer))["rewards"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await api.ok(REWARDS, {"first": 5, "after": page["pageInfo"]["endCursor"]}, customer)
    assert names(rest) == ["Old"]
    assert hidden["active"] is False and old["active"] and new["active"]


async def test_point_transactions_page_newest_first(api: Api, admin: Actor) -> None:
    customer = await api.register("CUSTOMER")
    for delta in (1, 2, 3):
        await grant(api, admin, customer, delta)

    first = (await api.ok(MY_POINTS, {"first": 2}, customer))["me"]
    rest = (
        await api.ok(
            MY_POINTS,
            {"first": 2, "after": first["pointTransactions"]["pageInfo"]["endCursor"]},
            customer,
        )
    )["me"]

    assert first["pointsBalance"] == 6
    assert [e["node"]["delta"] for e in first["pointTransactions"]["edges"]] == [3, 2]
    assert first["pointTransactions"]["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["balanceAfter"] for e in rest["pointTransactions"]["edges"]] == [1]
    assert rest["pointTransactions"]["pageInfo"]["hasNextPage"] is False
    too_many = await api.call(MY_POINTS, {"first": 101}, customer)
    assert errors_of(too_many) == [("BAD_USER_INPUT", "first must be between 1 and 100.", "first")]


async def test_an_earned_entry_links_its_job(api: Api, app: Any) -> None:
    _, worker, job = await accepted_job(api)
    await award(app, job, 20_000)

    edges = (await api.ok(MY_POINTS, actor=worker))["me"]["pointTransactions"]["edges"]

    [node] = [edge["node"] for edge in edges]
    assert (node["kind"], node["delta"], node["jobId"]) == ("EARN", 104, str(job.id))
    assert node["job"] == {"id": str(job.id), "status": "ACCEPTED"}
    assert node["reason"] == f"Earned for your work on job {job.id}"


async def _statements_for_ledger(api: Api, app: Any, admin: Actor, entries: int) -> int:
    customer, _, job = await accepted_job(api)
    await award(app, job, 20_000)  # one EARN entry with its job
    reward = await make_reward(api, admin, cost=1, stock=100)
    await grant(api, admin, customer, entries)
    for n in range(entries):
        await redeem(api, customer, reward["id"], f"k{n}")
    counter = StatementCounter()
    with pytest.MonkeyPatch.context() as patch:
        counter.wrap(patch)
        data = await api.ok(MY_POINTS, {"first": 100}, customer)
    assert len(data["me"]["pointTransactions"]["edges"]) == entries + 2
    return len(counter.statements)


async def test_listing_the_ledger_costs_the_same_sql_for_1_entry_and_30(
    api: Api, app: Any, admin: Actor
) -> None:
    one = await _statements_for_ledger(api, app, admin, 1)
    thirty = await _statements_for_ledger(api, app, admin, 30)
    assert one == thirty
    # viewer, balance, page, redemptions, rewards, jobs
    assert one <= 6


# --- permissions -------------------------------------------------------------------------------


async def test_a_balance_and_ledger_are_visible_only_to_their_owner(api: Api, app: Any) -> None:
    customer, worker, _ = await accepted_job(api)
    state = app.state.fixhub
    as_worker = state.context(await User.get(id=int(worker.id)))
    anonymous = state.context(None)

    with pytest.raises(Forbidden, match="visible only to their owner"):
        await points.balance(as_worker, int(customer.id))
    with pytest.raises(Forbidden, match="visible only to their owner"):
        await points.list_transactions(as_worker, int(customer.id), None, None)
    with pytest.raises(Unauthenticated):
        await points.balance(anonymous, int(customer.id))
    assert await points.balance(as_worker, int(worker.id)) == 0
    # Through the API a User is only reachable as `me`; anonymous `me` is null.
    assert await api.ok("{ me { pointsBalance } }") == {"me": None}


OK = "OK"


async def _matrix(
    api: Api,
    actors: dict[str, Actor | None],
    query: str,
    variables: Any,
    expected: dict[str, str],
) -> None:
    """Refused roles first — each must change nothing — then the allowed ones."""
    for role, outcome in sorted(expected.items(), key=lambda item: item[1] == OK):
        before = await snapshot()
        body = await api.call(
            query, variables(role) if callable(variables) else variables, actors[role]
        )
        if outcome == OK:
            assert "errors" not in body, (role, body)
        else:
            assert [e["extensions"]["code"] for e in body.get("errors", [])] == [outcome], (
                role,
                body,
            )
            assert await snapshot() == before, role


async def test_permission_matrix(api: Api, app: Any, admin: Actor) -> None:
    other_admin = await make_admin(app)
    actors: dict[str, Actor | None] = {
        "admin": admin,
        "customer": await api.register("CUSTOMER"),
        "worker": await api.register("WORKER"),
        "anonymous": None,
    }
    reward = await make_reward(api, admin, cost=5, stock=100)
    for role in ("admin", "customer", "worker"):
        actor = actors[role]
        assert actor is not None
        await grant(api, other_admin, actor, 50)
    admin_only = {
        "customer": "FORBIDDEN",
        "worker": "FORBIDDEN",
        "anonymous": "UNAUTHENTICATED",
        "admin": OK,
    }
    signed_in = {"customer": OK, "worker": OK, "anonymous": "UNAUTHENTICATED", "admin": OK}

    await _matrix(
        api,
        actors,
        CREATE_REWARD,
        {"input": {"name": "Tea", "costPoints": 5, "stock": 1}},
        admin_only,
    )
    await _matrix(
        api, actors, UPDATE_REWARD, {"id": reward["id"], "input": {"stock": 50}}, admin_only
    )
    await _matrix(
        api,
        actors,
        ADJUST,
        {"user": actors["customer"].id, "delta": 1, "reason": "Goodwill"},  # type: ignore[union-attr]
        admin_only,
    )
    await _matrix(api, actors, REWARDS, {}, signed_in)
    await _matrix(
        api, actors, REDEEM, lambda role: {"reward": reward["id"], "key": f"{role}-1"}, signed_in
    )
    for role in ("admin", "customer", "worker"):
        actor = actors[role]
        assert actor is not None
        me = (await api.ok(MY_POINTS, actor=actor))["me"]
        expected = 45 + (1 if role == "customer" else 0)
        assert me["pointsBalance"] == expected, role
        assert me["pointTransactions"]["edges"][0]["node"]["kind"] == "REDEEM"
