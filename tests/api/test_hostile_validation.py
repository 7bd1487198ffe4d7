"""Documents built to make validation super-linear are answered at once, refused or accepted.

Each test here would hold the event loop for seconds to minutes before the fix; the CPU bound
asserted is a hang detector with a wide margin, not a speed target (those live in bench/).
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from graphql import validate

GQL_RESPONSE = "application/graphql-response+json"


def _doubling_fragments(levels: int) -> str:
    """`...F0`, each fragment spreading the next one twice: 2^levels paths, `levels` fragments."""
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"query Doubling {{ ...F0 }} {chain} fragment F{levels} on Query {{ me {{ id }} }}"


async def _post(client: httpx.AsyncClient, query: str) -> tuple[httpx.Response, float]:
    started = time.process_time()
    response = await client.post(
        "/graphql", json={"query": query}, headers={"Accept": GQL_RESPONSE}
    )
    return response, time.process_time() - started


async def test_fragments_spread_twice_at_every_level_are_validated_once_each(
    client: httpx.AsyncClient,
) -> None:
    # 26 levels: 2^26 paths. The depth rule walked every path (n=21 took 5.2 s).
    response, cpu = await _post(client, _doubling_fragments(26))
    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}
    assert cpu < 2.0


async def test_a_deep_fragment_chain_is_still_measured_for_depth(client: httpx.AsyncClient) -> None:
    # Memoising per fragment must not lose depth: F0 → F1 → … each adding one level.
    levels = 7
    chain = " ".join(
        f"fragment D{i} on Enterprise {{ members {{ enterprise {{ ...D{i + 1} }} }} }}"
        for i in range(levels)
    )
    query = f"{{ enterprise(id: 1) {{ ...D0 }} }} {chain} fragment D{levels} on Enterprise {{ id }}"
    response, _ = await _post(client, query)
    body = response.json()
    assert response.status_code == 400
    assert "is 16 levels deep; the limit is 12" in body["errors"][0]["message"]


async def test_one_field_repeated_hundreds_of_times_is_refused_before_validation(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 400 x me{id}: graphql-core's overlapping-fields rule compares every pair (1.5 s), so the
    # document must be refused without validation running at all.
    validated: list[object] = []

    def counting_validate(*args: Any, **kwargs: Any) -> Any:
        validated.append(args[1])
        return validate(*args, **kwargs)

    monkeypatch.setattr("web.engine.validate", counting_validate)
    for separator in (" ", "\n", " ,"):  # whitespace variants each miss the document cache
        response, cpu = await _post(client, "{" + separator.join(["me{id}"] * 400) + "}")
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["message"] == (
            "'me' is selected more than 10 times in one selection set; select it once."
        )
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert cpu < 2.0  # a hang detector only
    assert validated == []


async def test_repeats_through_inline_fragments_count_as_one_selection_set(
    client: httpx.AsyncClient,
) -> None:
    query = "{" + " ".join(["... on Query { me { id } }"] * 11) + "}"
    response, _ = await _post(client, query)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("'me' is selected more than 10")


async def test_a_field_selected_a_few_times_still_works(client: httpx.AsyncClient) -> None:
    response, _ = await _post(client, "{ me { id } me { id } ... on Query { me { id } } }")
    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}


async def test_many_fragments_spread_in_one_selection_set_are_refused(
    client: httpx.AsyncClient,
) -> None:
    # The overlap rule compares every pair of fragments spread side by side (150: 200 ms).
    spreads = " ".join(f"...F{i}" for i in range(31))
    fragments = " ".join(f"fragment F{i} on Query {{ me {{ id }} }}" for i in range(31))
    response, _ = await _post(client, f"{{ {spreads} }} {fragments}")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["message"] == "More than 30 fragments are spread in one selection set."
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_thirty_fragments_side_by_side_still_work(client: httpx.AsyncClient) -> None:
    spreads = " ".join(f"...F{i}" for i in range(30))
    fragments = " ".join(f"fragment F{i} on Query {{ me {{ id }} }}" for i in range(30))
    response, _ = await _post(client, f"{{ {spreads} }} {fragments}")
    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}


async def test_documents_with_too_many_operations_or_fragments_are_refused(
    client: httpx.AsyncClient,
) -> None:
    operations = " ".join(f"query Q{i} {{ ...F }}" for i in range(51))
    response, _ = await _post(client, f"{operations} fragment F on Query {{ me {{ id }} }}")
    assert response.status_code == 400
    assert "more than 50 operations" in response.json()["errors"][0]["message"]

    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(100))
    response, _ = await _post(
        client, f"{{ ...F0 }} {chain} fragment F100 on Query {{ me {{ id }} }}"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "The document has more than 100 fragments."
