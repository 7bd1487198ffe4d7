"""A quote carries why its worker was matched to the job: the customer compares quotes by it
(the web app's quote board shows the reasons next to price and rating)."""

from __future__ import annotations

from tests.support.api import Api

JOB_QUOTES = """query($id: ID!) { job(id: $id) { quotes {
  worker { id } match { distanceKm score reasons { code text value radiusKm reviewCount } } } } }"""


async def test_the_customer_sees_why_each_quoting_worker_was_matched(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    near = await api.worker(lat=52.5, lng=13.4)
    farther = await api.worker(lat=52.6, lng=13.4)
    job = await api.post_job(customer, lat=52.5, lng=13.4)
    await api.quote(near, job["id"])
    await api.quote(farther, job["id"])

    quotes = (await api.ok(JOB_QUOTES, {"id": job["id"]}, customer))["job"]["quotes"]

    assert [quote["worker"]["id"] for quote in quotes] == [near.id, farther.id]
    near_match, farther_match = (quote["match"] for quote in quotes)
    assert near_match["distanceKm"] < 1 < farther_match["distanceKm"] < 15
    for match in (near_match, farther_match):
        codes = {reason["code"] for reason in match["reasons"]}
        assert codes, match
        assert all(reason["text"] for reason in match["reasons"])
        # what a client needs to word the reasons itself (the web app's zh-CN board does)
        by_code = {reason["code"]: reason for reason in match["reasons"]}
        assert by_code["DISTANCE"]["value"] == round(match["distanceKm"], 2)
        assert by_code["DISTANCE"]["radiusKm"] == 25
        assert by_code["RATING"] == {**by_code["RATING"], "value": None, "reviewCount": 0}


async def test_a_worker_sees_only_the_match_of_its_own_quote(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    worker, other = await api.worker(), await api.worker()
    job = await api.post_job(customer)
    await api.quote(worker, job["id"])
    await api.quote(other, job["id"])

    quotes = (await api.ok(JOB_QUOTES, {"id": job["id"]}, worker))["job"]["quotes"]

    assert [quote["worker"]["id"] for quote in quotes] == [worker.id]
    assert quotes[0]["match"]["reasons"]
