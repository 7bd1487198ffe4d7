"""Home repair: customers and workers across the districts, jobs in every state of the job
lifecycle with their quotes and conversations, reviews both ways (hence points and service
records), the rewards catalogue and redemptions, and notifications partly read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from demo import texts
from demo.city import DISTRICTS, Person
from demo.client import Account, DemoError
from demo.scene import NEWCOMER_EMAIL, Scene, Step

# The order of the lifecycle; every state gets `jobs_per_state` jobs.
STATES = (
    "OPEN",
    "HIRED",
    "SCHEDULED",
    "IN_PROGRESS",
    "COMPLETED",
    "ACCEPTED",
    "CLOSED",
    "CANCELLED",
)
KEY_WORKER_CATEGORIES = ("PIPES", "WATER_ELECTRICAL", "APPLIANCES")

UPDATE_PROFILE = """mutation($input: WorkerProfileInput!) {
  updateWorkerProfile(input: $input) { id } }"""
POST_JOB = """mutation($input: PostJobInput!) { postJob(input: $input) { id matchCount } }"""
MY_MATCH = "query($id: ID!) { job(id: $id) { myMatch { score } } }"
SUBMIT_QUOTE = """mutation($input: SubmitQuoteInput!) { submitQuote(input: $input) { id } }"""
WITHDRAW_QUOTE = "mutation($id: ID!) { withdrawQuote(quoteId: $id) { id } }"
ACCEPT_QUOTE = "mutation($id: ID!) { acceptQuote(quoteId: $id) { id } }"
SCHEDULE = "mutation($id: ID!, $at: DateTime!) { scheduleJob(jobId: $id, scheduledAt: $at) { id } }"
START = "mutation($id: ID!) { startJob(jobId: $id) { id } }"
COMPLETE = "mutation($id: ID!) { completeJob(jobId: $id) { id } }"
ACCEPT_JOB = "mutation($id: ID!) { acceptJob(jobId: $id) { id } }"
CANCEL = "mutation($id: ID!, $reason: String!) { cancelJob(jobId: $id, reason: $reason) { id } }"
THREADS = """query($after: String) { threads(first: 100, after: $after) {
  edges { node { id job { id } } } pageInfo { hasNextPage endCursor } } }"""
SEND = (
    "mutation($thread: ID!, $text: String!) { sendMessage(threadId: $thread, text: $text) { id } }"
)
REVIEW_JOB = "mutation($input: ReviewJobInput!) { reviewJob(input: $input) { id } }"
REPLY = "mutation($id: ID!, $text: String!) { replyToReview(reviewId: $id, text: $text) { id } }"
REVIEW_CUSTOMER = """mutation($input: ReviewCustomerInput!) {
  reviewCustomer(input: $input) { id } }"""
CREATE_REWARD = "mutation($input: CreateRewardInput!) { createReward(input: $input) { id } }"
ADJUST = """mutation($user: ID!, $delta: Int!, $reason: String!) {
  adjustPoints(userId: $user, delta: $delta, reason: $reason) { id } }"""
REDEEM = """mutation($reward: ID!, $key: String!) {
  redeemReward(rewardId: $reward, idempotencyKey: $key) { id } }"""
BALANCE = "{ me { pointsBalance } }"
NOTIFICATIONS = "{ notifications(first: 100) { edges { node { id } } } }"
MARK_READ = "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }"

REWARDS = (
    ("星巴克咖啡券 Starbucks coffee voucher", 60, 200, "One tall coffee at any Shanghai store."),
    ("免费管道检测 Free pipe check", 150, 50, "A worker checks your pipes and drains for leaks."),
    ("两小时保洁 Two hours of cleaning", 300, 30, "Redeemable for any cleaning job."),
    ("工具店代金券 Tool-shop voucher", 150, 40, "For workers: 100 yuan at partner tool shops."),
)
SEASONAL = ("中秋月饼礼盒 Mid-Autumn mooncake box", 120, 0, "Back next September.")


def steps(scene: Scene) -> list[Step]:
    size = scene.size
    plan: list[Step] = [("customer 王芳 Wang Fang", lambda: key_customer(scene))]
    plan += [(f"customer {n + 1}", lambda: customer(scene)) for n in range(size.customers)]
    plan.append(("worker 陈师傅 Master Chen", lambda: key_worker(scene)))
    for index, category in enumerate(texts.CATEGORIES):
        for n in range(size.workers_per_category):
            district = DISTRICTS[(index * 3 + n * 5) % len(DISTRICTS)]
            plan.append(
                (
                    f"worker {category.lower()} in {district.english}",
                    partial(worker, scene, category, district),
                )
            )
    for state_index, state in enumerate(STATES):
        for n in range(size.jobs_per_state):
            plan.append((f"job → {state}", partial(job, scene, state, state_index, n)))
    plan.append(("rewards catalogue", lambda: rewards(scene)))
    plan.append(("points: bonus and redemptions", lambda: redemptions(scene)))
    plan.append(("notifications read", lambda: read_notifications(scene)))
    return plan


def final_steps(scene: Scene) -> list[Step]:
    """The newcomer is registered last: its account marks a finished demo."""
    return [("newcomer", lambda: newcomer(scene))]


# --- people ------------------------------------------------------------------------------------


async def key_customer(scene: Scene) -> None:
    home = scene.city.place(DISTRICTS[0])
    await scene.register(
        "CUSTOMER",
        Person("王芳 Wang Fang", "wang.fang"),
        local="customer",
        key="customer",
        home=home,
        sees="her jobs in every state, quotes, chats, reviews, points and a redemption",
    )


async def customer(scene: Scene) -> None:
    home = scene.city.place()
    account = await scene.register("CUSTOMER", home=home)
    scene.ids.setdefault("customers", []).append(account)


async def key_worker(scene: Scene) -> None:
    account = await scene.register(
        "WORKER",
        Person("陈建国 Chen Jianguo", "chen.jianguo"),
        local="worker",
        key="worker",
        sees="matched jobs, his quotes, hired jobs in every state, reviews and points",
    )
    await profile(scene, account, list(KEY_WORKER_CATEGORIES), DISTRICTS[0], 25.0, "陈师傅")


async def worker(scene: Scene, category: str, district: Any) -> None:
    account = await scene.register("WORKER")
    await profile(
        scene, account, [category], district, scene.city.random.choice((18.0, 20.0, 25.0))
    )


async def profile(
    scene: Scene,
    account: Account,
    categories: list[str],
    district: Any,
    radius: float,
    title: str = "",
) -> None:
    place = scene.city.place(district)
    bio = texts.BIOS[categories[0]]
    await scene.gql.ok(
        UPDATE_PROFILE,
        {
            "input": {
                "categories": categories,
                "location": {"lat": place.lat, "lng": place.lng},
                "serviceRadiusKm": radius,
                "bio": f"{title} {bio}".strip() + f" ({district.chinese} {district.english})",
            }
        },
        by=account,
    )
    account.details["categories"] = categories
    scene.ids.setdefault("workers", []).append(account)


async def newcomer(scene: Scene) -> None:
    await scene.register(
        "CUSTOMER",
        Person("Emily Carter", "newcomer"),
        local=NEWCOMER_EMAIL.split("@")[0],
        sees="a brand-new account: the empty states",
    )


# --- one job, driven to its state --------------------------------------------------------------


async def job(scene: Scene, state: str, state_index: int, n: int) -> None:
    rng = scene.city.random
    gql = scene.gql
    first = n == 0  # the first job of each state is the key customer's, the key worker hired
    if first:
        customer = scene.key["customer"]
        category = KEY_WORKER_CATEGORIES[state_index % len(KEY_WORKER_CATEGORIES)]
    else:
        customer = rng.choice(scene.ids["customers"])
        category = texts.CATEGORIES[(state_index + n) % len(texts.CATEGORIES)]
    title, description, price = rng.choice(texts.JOBS[category])
    home = customer.details["home"]
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
        days=rng.randint(2, 10)
    )
    posted = await gql.ok(
        POST_JOB,
        {
            "input": {
                "category": category,
                "title": title,
                "description": description,
                "location": {"lat": home.lat, "lng": home.lng},
                "address": home.address,
                "budgetMinCents": price * 8 // 10,
                "budgetMaxCents": price * 13 // 10,
                "preferredStart": start.isoformat(),
                "preferredEnd": (start + timedelta(days=3)).isoformat(),
            }
        },
        by=customer,
    )
    job_id = posted["id"]
    scene.counts[f"jobs: {state}"] += 1
    quoters = await matched_workers(
        scene, job_id, category, prefer=scene.key["worker"] if first else None
    )
    quoters = quoters[: rng.randint(1, 3) if not first else max(2, rng.randint(1, 3))]
    quotes: dict[str, str] = {}
    for worker in quoters:
        amount = price * rng.randint(85, 125) // 100
        quote = await gql.ok(
            SUBMIT_QUOTE,
            {
                "input": {
                    "jobId": job_id,
                    "amountCents": amount,
                    "message": rng.choice(texts.QUOTE_MESSAGES),
                    "earliestStart": start.isoformat(),
                }
            },
            by=worker,
        )
        quotes[worker.id] = quote["id"]
        scene.counts["quotes"] += 1
    if not quoters:  # the city's workers cover every district, so this is a bug of the demo
        raise DemoError(f"nobody was matched to the {category} job {job_id} ({home.address})")
    hired = quoters[0]
    question, answer = rng.choice(texts.QUESTIONS)
    thread = await thread_of(scene, hired, job_id)
    await send(scene, customer, thread, question)
    await send(scene, hired, thread, answer)
    if state == "OPEN":
        if len(quoters) > 1 and n % 2 == 0:  # a worker changed their mind
            await gql.ok(WITHDRAW_QUOTE, {"id": quotes[quoters[-1].id]}, by=quoters[-1])
            scene.counts["quotes withdrawn"] += 1
        return
    if state == "CANCELLED" and n % 2 == 0:
        await gql.ok(
            CANCEL, {"id": job_id, "reason": rng.choice(texts.CANCEL_REASONS)}, by=customer
        )
        return
    await gql.ok(ACCEPT_QUOTE, {"id": quotes[hired.id]}, by=customer)
    await send(scene, hired, thread, rng.choice(texts.HIRED_MESSAGES))
    if state == "CANCELLED":  # hired, then cancelled before the work started
        await gql.ok(
            CANCEL, {"id": job_id, "reason": rng.choice(texts.CANCEL_REASONS)}, by=customer
        )
        return
    moves = STATES.index(state)
    if moves >= STATES.index("SCHEDULED"):
        at = start + timedelta(hours=rng.choice((9, 10, 14, 15)))
        await gql.ok(SCHEDULE, {"id": job_id, "at": at.isoformat()}, by=hired)
    if moves >= STATES.index("IN_PROGRESS"):
        await gql.ok(START, {"id": job_id}, by=hired)
    if moves >= STATES.index("COMPLETED"):
        await gql.ok(COMPLETE, {"id": job_id}, by=hired)
    if moves >= STATES.index("ACCEPTED"):
        await gql.ok(ACCEPT_JOB, {"id": job_id}, by=customer)
        await reviews(scene, state, n, job_id, customer, hired)


async def matched_workers(
    scene: Scene, job_id: str, category: str, prefer: Account | None
) -> list[Account]:
    """Workers of the category that the matching engine matched to the job (only they may
    quote), `prefer` first when matched."""
    candidates = [w for w in scene.ids["workers"] if category in w.details["categories"]]
    scene.city.random.shuffle(candidates)
    if prefer is not None and prefer in candidates:
        candidates.remove(prefer)
        candidates.insert(0, prefer)
    matched = []
    for worker in candidates:
        job = await scene.gql.ok(MY_MATCH, {"id": job_id}, by=worker)
        if job is not None and job["myMatch"] is not None:
            matched.append(worker)
        if len(matched) == 3:
            break
    return matched


async def thread_of(scene: Scene, worker: Account, job_id: str) -> str:
    after = None
    while True:
        page = await scene.gql.ok(THREADS, {"after": after}, by=worker)
        for edge in page["edges"]:
            if edge["node"]["job"] and edge["node"]["job"]["id"] == job_id:
                return str(edge["node"]["id"])
        if not page["pageInfo"]["hasNextPage"]:
            raise DemoError(f"no conversation of job {job_id} for {worker.email}")
        after = page["pageInfo"]["endCursor"]


async def send(scene: Scene, sender: Account, thread_id: str, text: str) -> None:
    await scene.gql.ok(SEND, {"thread": thread_id, "text": text}, by=sender)
    scene.counts["messages"] += 1


async def reviews(
    scene: Scene, state: str, n: int, job_id: str, customer: Account, worker: Account
) -> None:
    """ACCEPTED jobs: the customer's review with the worker's reply, no review yet, or only the
    worker's; CLOSED jobs: both ways (the second review closes the job)."""
    rng = scene.city.random
    gql = scene.gql
    by_customer = state == "CLOSED" or n % 3 == 0
    by_worker = state == "CLOSED" or n % 3 == 2
    if by_customer:
        rating, comment = rng.choice(texts.REVIEWS)
        review = await gql.ok(
            REVIEW_JOB,
            {
                "input": {
                    "jobId": job_id,
                    "rating": rating,
                    "quality": rating,
                    "punctuality": max(1, rating - rng.randint(0, 1)),
                    "priceFairness": rating,
                    "cleanliness": max(1, rating - rng.randint(0, 1)),
                    "comment": comment,
                }
            },
            by=customer,
        )
        scene.counts["reviews of workers"] += 1
        if rng.random() < 0.7 or n == 0:
            await gql.ok(REPLY, {"id": review["id"], "text": rng.choice(texts.REPLIES)}, by=worker)
            scene.counts["review replies"] += 1
    if by_worker:
        rating, comment = rng.choice(texts.CUSTOMER_REVIEWS)
        await gql.ok(
            REVIEW_CUSTOMER,
            {"input": {"jobId": job_id, "rating": rating, "comment": comment}},
            by=worker,
        )
        scene.counts["reviews of customers"] += 1


# --- points ------------------------------------------------------------------------------------


async def rewards(scene: Scene) -> None:
    ids = []
    for name, cost, stock, description in REWARDS:
        reward = await scene.gql.ok(
            CREATE_REWARD,
            {
                "input": {
                    "name": name,
                    "costPoints": cost,
                    "stock": stock,
                    "description": description,
                }
            },
            by=scene.admin,
        )
        ids.append(reward["id"])
    name, cost, stock, description = SEASONAL
    await scene.gql.ok(
        CREATE_REWARD,
        {
            "input": {
                "name": name,
                "costPoints": cost,
                "stock": stock,
                "description": description,
                "active": False,
            }
        },
        by=scene.admin,
    )
    scene.counts["rewards"] += len(REWARDS) + 1
    scene.ids["rewards"] = ids


async def redemptions(scene: Scene) -> None:
    gql = scene.gql
    customer, worker = scene.key["customer"], scene.key["worker"]
    await gql.ok(
        ADJUST,
        {"user": customer.id, "delta": 20, "reason": "欢迎加入徐汇试点 Welcome to the Xuhui pilot"},
        by=scene.admin,
    )
    coffee, _, _, tools = scene.ids["rewards"]
    for account, reward, key in (
        (customer, coffee, "demo-coffee-1"),
        (worker, tools, "demo-tools-1"),
    ):
        balance = (await gql.ok(BALANCE, by=account))["pointsBalance"]
        cost = REWARDS[scene.ids["rewards"].index(reward)][1]
        if balance >= cost:
            await gql.ok(REDEEM, {"reward": reward, "key": key}, by=account)
            scene.counts["redemptions"] += 1


async def read_notifications(scene: Scene) -> None:
    """The key customer has read her older notifications; the newest stay unread."""
    customer = scene.key["customer"]
    edges = (await scene.gql.ok(NOTIFICATIONS, by=customer))["edges"]
    older = [edge["node"]["id"] for edge in edges[len(edges) // 3 :]]
    if older:
        await scene.gql.ok(MARK_READ, {"ids": older}, by=customer)
