"""The price of an operation: every field once, times the sizes of the lists it sits in."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from resolvers.enterprises import MAX_MEMBERS
from schema import schema
from schema.list_caps import LIST_CAPS
from web.cost import CONNECTION_COST, OBJECT_COST, Pricer, uncapped_lists

GRAPHQL_SCHEMA = schema._schema


def price(query: str, variables: dict[str, Any] | None = None) -> int:
    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return Pricer(GRAPHQL_SCHEMA, fragments, variables, default_page_size=20).operation(operation)


def test_every_list_in_the_schema_is_paginated_or_capped() -> None:
    # A new list field must declare its bound in schema/list_caps.py (or take `first`).
    assert uncapped_lists(GRAPHQL_SCHEMA) == []


def test_every_cap_names_a_list_field_that_exists() -> None:
    for key in LIST_CAPS:
        type_name, field_name = key.split(".")
        assert field_name in GRAPHQL_SCHEMA.type_map[type_name].fields, key  # type: ignore[union-attr]


def test_a_field_costs_one_and_an_object_five_more() -> None:
    assert price("{ me { id displayName } }") == (1 + OBJECT_COST) + 2


def test_a_page_multiplies_the_edges_of_its_connection() -> None:
    # myJobs (a statement) + pageInfo + hasNextPage + edges + 10 x (cursor + node object +
    # id); the edges and pageInfo are no rows, so they cost like scalars
    query = "{ myJobs(first: 10) { pageInfo { hasNextPage } edges { cursor node { id } } } }"
    assert price(query) == CONNECTION_COST + 4 + 10 * (1 + (1 + OBJECT_COST) + 1)


def test_each_page_is_a_statement_of_its_own() -> None:
    # 30 one-row pages read 30 rows like one 30-row page, but take 30 statements
    one_page = price("{ myJobs(first: 30) { edges { node { id } } } }")
    aliases = " ".join(f"a{i}: myJobs(first: 1) {{ edges {{ node {{ id }} }} }}" for i in range(30))
    assert price(f"{{ {aliases} }}") - one_page == 29 * (CONNECTION_COST + 2)


@pytest.mark.parametrize(
    ("query", "variables", "page"),
    [
        ("query($n: Int) { myJobs(first: $n) { edges { node { id } } } }", {"n": 7}, 7),
        ("query($n: Int = 9) { myJobs(first: $n) { edges { node { id } } } }", {}, 9),
        ("query($n: Int) { myJobs(first: $n) { edges { node { id } } } }", {}, 20),
        ("{ myJobs { edges { node { id } } } }", None, 20),  # the field's default page
        # hostile values are priced as the largest page, so they are refused by price
        ("query($n: Int) { myJobs(first: $n) { edges { node { id } } } }", {"n": "x"}, 10**6),
        ("query($n: Int) { myJobs(first: $n) { edges { node { id } } } }", {"n": 10**40}, 10**6),
    ],
)
def test_the_page_size_comes_from_first_its_variable_or_the_default(
    query: str, variables: dict[str, Any] | None, page: int
) -> None:
    assert price(query, variables) == CONNECTION_COST + 2 + page * (1 + OBJECT_COST + 1)


def test_an_unpaginated_list_costs_its_cap() -> None:
    cap = LIST_CAPS["Query.siteCameras"]
    assert price("{ siteCameras(projectId: 1) { id name } }") == 1 + cap * (OBJECT_COST + 2)


def test_a_list_that_takes_first_costs_all_its_items_unless_asked_for_fewer() -> None:
    enterprise = 1 + OBJECT_COST
    every_member = price("{ enterprise(id: 1) { members { id } } }")
    assert every_member == enterprise + 1 + MAX_MEMBERS * (OBJECT_COST + 1)
    few = price("{ enterprise(id: 1) { members(first: 5) { id } } }")
    assert few == enterprise + 1 + 5 * (OBJECT_COST + 1)


def test_the_members_cycle_grows_with_every_level() -> None:
    def cycle(levels: int) -> str:
        return (
            "{ enterprise(id: 1) { "
            + "members { enterprise { " * levels
            + "id"
            + " } }" * levels
            + " } }"
        )

    assert price(cycle(2)) > 100 * price(cycle(1)) > 0


def test_fragments_are_priced_like_the_fields_they_spread() -> None:
    inline = "{ myJobs(first: 5) { edges { node { id title quotes { id } } } } }"
    spread = (
        "{ myJobs(first: 5) { edges { node { ...J } } } } "
        "fragment J on Job { id title quotes { id } }"
    )
    assert price(spread) == price(inline)


def test_a_fragment_spread_twice_in_one_selection_is_priced_once_as_it_runs_once() -> None:
    # 2^40 paths, but execution collects each fragment once per selection: priced at once,
    # at what it costs to run
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    me_id = 1 + OBJECT_COST + 1
    assert price(f"{{ ...F0 }} {chain} fragment F40 on Query {{ me {{ id }} }}") == me_id


def test_the_same_fragment_under_different_fields_is_priced_for_each() -> None:
    query = "{ a: me { ...U } b: me { ...U } } fragment U on User { id displayName }"
    assert price(query) == 2 * (1 + OBJECT_COST + 2)
