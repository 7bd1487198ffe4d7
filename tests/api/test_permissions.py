"""The permission matrix for every mutation and query on a job: each role, including the ones
that must be refused, with the exact error code. Refusals change nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support.api import Actor, Api

OK = "OK"


@dataclass
class Scene:
    customer: Actor
    other_customer: Actor
    matched_worker: Actor
    unmatched_worker: Actor
    job_id: str
    quote_id: str | None = None


async def _scene(api: Api, *, quoted: bool = False, hired: bool = False) -> Scene:
    customer = await api.register("CUSTOMER")
    other_customer = await api.register("CUSTOMER")
    matched = await api.worker()
    unmatched = await api.worker(lat=40.4, lng=-3.7)  # Madrid, far from the Berlin job
    job = await api.post_job(customer)
    scene = Scene(customer, other_customer, matched, unmatched, job["id"])
    if quoted or hired:
        scene.quote_id = (await api.quote(matched, job["id"]))["id"]
    if hired:
        await api.ok(
            "mutation($id: ID!) { acceptQuote(quoteId: $id) { id } }",
            {"id": scene.quote_id},
            customer,
        )
    return scene


def _actors(scene: Scene) -> dict[str, Actor | None]:
    return {
        "customer": scene.customer,
        "other_customer": scene.other_customer,
        "matched_worker": scene.matched_worker,
        "unmatched_worker": scene.unmatched_worker,
        "anonymous": None,
    }


async def _check(api: Api, scene: Scene, query: str, variables: dict, expected: dict) -> None:
    """Refused roles first (they must change nothing), then the allowed one."""
    actors = _actors(scene)
    ordered = sorted(expected.items(), key=lambda item: item[1] == OK)
    for role, outcome in ordered:
        body = await api.call(query, variables, actors[role])
        if outcome == OK:
            assert "errors" not in body, (role, body)
        else:
            assert body.get("errors"), (role, body)
            codes = [error["extensions"]["code"] for error in body["errors"]]
            assert codes == [outcome], (role, body)


JOB_VARS = "mutation($id: ID!) { r: %s(jobId: $id) { id status } }"
SCHEDULE = 'scheduleJob(jobId: $id, scheduledAt: "2099-05-01T09:00:00Z")'
MATRIX = [
    # (scene, query, variables key, expectations)
    (
        {},
        "query($id: ID!) { job(id: $id) { id title } }",
        "job",
        {
            "customer": OK,
            "other_customer": "NOT_FOUND",
            "matched_worker": OK,
            "unmatched_worker": "NOT_FOUND",
            "anonymous": "UNAUTHENTICATED",
        },
    ),
    (
        {},
        """mutation($id: ID!) { r: submitQuote(input: {jobId: $id, amountCents: 5000}) { id } }""",
        "job",
        {
            "customer": "FORBIDDEN",
            "other_customer": "FORBIDDEN",
            "unmatched_worker": "NOT_FOUND",
            "anonymous": "UNAUTHENTICATED",
            "matched_worker": OK,
        },
    ),
    (
        {"quoted": True},
        "mutation($id: ID!) { r: withdrawQuote(quoteId: $id) { id status } }",
        "quote",
        {
            "customer": "FORBIDDEN",
            "other_customer": "NOT_FOUND",
            "unmatched_worker": "NOT_FOUND",
            "anonymous": "UNAUTHENTICATED",
            "matched_worker": OK,
        },
    ),
    (
        {"quoted": True},
        "mutation($id: ID!) { r: acceptQuote(quoteId: $id) { id status } }",
        "quote",
        {
            "other_customer": "NOT_FOUND",
            "matched_worker": "FORBIDDEN",
            "unmatched_worker": "NOT_FOUND",
            "anonymous": "UNAUTHENTICATED",
            "customer": OK,
        },
    ),
    (
        {"hired": True},
        'mutation($id: ID!) { r: scheduleJob(jobId: $id, scheduledAt: "2099-05-01T09:00:00Z")'
        " { id status } }",
        "job",
        {
            "customer": "FORBIDDEN",
            "other_customer": "NOT_FOUND",
            "unmatched_worker": "NOT_FOUND",
            "anonymous": "UNAUTHENTICATED",
            "matched_worker": OK,
        },
    ),
    (
        {"hired": True},
        'mutation($id: ID!) { r: cancelJob(jobId: $id, reason: "plans changed") { id status } }',
        "job",
        {
            "other_customer": "NOT_FOUND",
            "matched_worker": "FORBIDDEN",
            "unmatched_worker": "NOT_FOUND",
            "anonymous": "UNAUTHENTICATED",
            "customer": OK,
        },
    ),
]


@pytest.mark.parametrize(("scene_kind", "query", "target", "expected"), MATRIX)
async def test_matrix(api: Api, scene_kind: dict, query: str, target: str, expected: dict) -> None:
    scene = await _scene(api, **scene_kind)
    variables = {"id": scene.job_id if target == "job" else scene.quote_id}
    await _check(api, scene, query, variables, expected)


@pytest.mark.parametrize("step", ["startJob", "completeJob"])
async def test_only_the_hired_worker_works_on_the_job(api: Api, step: str) -> None:
    scene = await _scene(api, hired=True)
    if step == "completeJob":
        for call in (
            'scheduleJob(jobId: $id, scheduledAt: "2099-05-01T09:00:00Z")',
            "startJob(jobId: $id)",
        ):
            await api.ok(
                f"mutation($id: ID!) {{ r: {call} {{ id }} }}",
                {"id": scene.job_id},
                scene.matched_worker,
            )
    else:
        await api.ok(
            f"mutation($id: ID!) {{ r: {SCHEDULE} {{ id }} }}",
            {"id": scene.job_id},
            scene.matched_worker,
        )
    await _check(
        api,
        scene,
        JOB_VARS % step,
        {"id": scene.job_id},
        {
            "customer": "FORBIDDEN",
            "other_customer": "NOT_FOUND",
            "unmatched_worker": "NOT_FOUND",
            "anonymous": "UNAUTHENTICATED",
            "matched_worker": OK,
        },
    )


async def test_only_the_customer_accepts_the_work(api: Api) -> None:
    scene = await _scene(api, hired=True)
    for call in (
        'scheduleJob(jobId: $id, scheduledAt: "2099-05-01T09:00:00Z")',
        "startJob(jobId: $id)",
        "completeJob(jobId: $id)",
    ):
        await api.ok(
            f"mutation($id: ID!) {{ r: {call} {{ id }} }}",
            {"id": scene.job_id},
            scene.matched_worker,
        )
    await _check(
        api,
        scene,
        JOB_VARS % "acceptJob",
        {"id": scene.job_id},
        {
            "matched_worker": "FORBIDDEN",
            "other_customer": "NOT_FOUND",
            "unmatched_worker": "NOT_FOUND",
            "anonymous": "UNAUTHENTICATED",
            "customer": OK,
        },
    )


async def test_role_gated_mutations(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    worker = await api.register("WORKER")
    post = """mutation { postJob(input: {category: PIPES, title: "t", description: "d",
      location: {lat: 1, lng: 1}, address: "a"}) { id } }"""
    profile = """mutation { updateWorkerProfile(input: {categories: [PIPES],
      location: {lat: 1, lng: 1}, serviceRadiusKm: 10}) { id } }"""
    assert await api.error_code(post, actor=worker) == "FORBIDDEN"
    assert await api.error_code(post) == "UNAUTHENTICATED"
    assert await api.error_code(profile, actor=customer) == "FORBIDDEN"
    assert await api.error_code(profile) == "UNAUTHENTICATED"
    await api.ok(post, actor=customer)
    await api.ok(profile, actor=worker)


async def test_quotes_visible_to_customer_all_worker_own_only(api: Api) -> None:
    scene = await _scene(api, quoted=True)
    second = await api.worker()
    # the second worker registered after the job was posted, so it is not matched
    assert (
        await api.error_code(
            "query($id: ID!) { job(id: $id) { id } }", {"id": scene.job_id}, second
        )
        == "NOT_FOUND"
    )
    other = await api.worker()
    job2 = await api.post_job(scene.customer)
    q1 = await api.quote(scene.matched_worker, job2["id"])
    q2 = await api.quote(other, job2["id"])
    query = "query($id: ID!) { job(id: $id) { quotes { id } } }"
    as_customer = await api.ok(query, {"id": job2["id"]}, scene.customer)
    assert [q["id"] for q in as_customer["job"]["quotes"]] == [q1["id"], q2["id"]]
    as_worker = await api.ok(query, {"id": job2["id"]}, other)
    assert [q["id"] for q in as_worker["job"]["quotes"]] == [q2["id"]]
