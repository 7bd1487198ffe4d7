"""Which fields skip strawberry's resolver wrapper (web/direct_resolvers.py), and that a
skipped wrapper changes no answer."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from graphql import GraphQLObjectType, build_schema, graphql_sync

from schema import schema
from web import direct_resolvers

GRAPHQL = schema._schema


def field(type_name: str, name: str) -> Any:
    named = GRAPHQL.type_map[type_name]
    assert isinstance(named, GraphQLObjectType)
    return named.fields[name]


def test_a_method_of_self_alone_is_called_directly() -> None:
    direct_resolvers.install(GRAPHQL)
    title = field("Job", "title")
    assert title.extensions.get("fixhub-direct-resolver")
    row = SimpleNamespace(title="Leaking pipe")
    job = schema.get_type_by_name("Job")
    assert job is not None
    source = job.origin(_job=row)  # type: ignore[union-attr]
    assert title.resolve(source, None) == "Leaking pipe"


@pytest.mark.parametrize(
    ("type_name", "name"),
    [
        ("Query", "myJobs"),  # arguments to convert
        ("Query", "me"),  # takes info
        ("Job", "customer"),  # takes info (its loaders)
        ("Job", "quotes"),  # arguments and info
    ],
)
def test_a_field_that_needs_strawberry_keeps_its_wrapper(type_name: str, name: str) -> None:
    direct_resolvers.install(GRAPHQL)
    assert not field(type_name, name).extensions.get("fixhub-direct-resolver")


def test_subscription_roots_are_left_alone() -> None:
    direct_resolvers.install(GRAPHQL)
    subscription = GRAPHQL.subscription_type
    assert subscription is not None
    assert not any(f.extensions.get("fixhub-direct-resolver") for f in subscription.fields.values())


def test_installing_twice_replaces_nothing_more() -> None:
    first = direct_resolvers.install(GRAPHQL)
    assert first > 200  # most fields of fixhub's types read their row through a method
    assert direct_resolvers.install(GRAPHQL) == first


def test_a_field_without_a_strawberry_definition_is_left_alone() -> None:
    plain = build_schema("type Query { hello: String }")
    assert direct_resolvers.install(plain) == 0
    assert graphql_sync(plain, "{ hello }", root_value={"hello": "hi"}).data == {"hello": "hi"}
