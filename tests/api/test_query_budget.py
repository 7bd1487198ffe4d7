"""Operations are priced before they run and refused over MAX_QUERY_COST, with the price."""

from __future__ import annotations

import httpx

from tests.support.api import Api
from web.cost import CONNECTION_COST, OBJECT_COST

JOB_PAGE = "query($n: Int) { myJobs(first: $n) { edges { node { id title } } } }"
MEMBERS_CYCLE = (
    "{ myEnterprises { " + "members { user { id } enterprise { " * 4 + "id" + " } }" * 4 + " } }"
)


async def test_an_accepted_operation_reports_its_price(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    response = await api.raw(JOB_PAGE, {"n": 10}, customer.token)
    assert response.status_code == 200
    assert "errors" not in response.json()
    # myJobs (a statement) + edges + 10 x (node object + id + title)
    assert response.headers["x-query-cost"] == str(CONNECTION_COST + 2 + 10 * (1 + OBJECT_COST + 2))


async def test_the_members_cycle_is_refused_before_it_runs(api: Api) -> None:
    owner = await api.register("CUSTOMER")
    body = await api.call(MEMBERS_CYCLE, actor=owner)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["maxCost"] == 4000
    assert error["extensions"]["cost"] > 100**4
    assert "over the budget of 4000" in error["message"]
    assert "data" not in body  # nothing executed


async def test_thirty_aliased_full_pages_are_refused(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    pages = " ".join(
        f"a{i}: myJobs(first: 100) {{ edges {{ node {{ id quotes {{ id }} }} }} }}"
        for i in range(30)
    )
    assert await api.error_code(f"{{ {pages} }}", actor=customer) == "BAD_USER_INPUT"


async def test_a_hostile_page_size_in_a_variable_is_refused_by_price(api: Api) -> None:
    customer = await api.register("CUSTOMER")
    for hostile in (10**30, 2**31, 100_000):
        body = await api.call(JOB_PAGE, {"n": hostile}, customer)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", hostile


async def test_the_price_is_known_to_anonymous_callers_too(client: httpx.AsyncClient) -> None:
    # Pricing needs no account: an anonymous flood of expensive documents is refused unrun.
    response = await client.post("/graphql", json={"query": MEMBERS_CYCLE})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
