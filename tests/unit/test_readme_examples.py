"""Every GraphQL document the README's shell examples send (`gql TOKEN '...'`, `python
watch.py '...'`) validates against the schema and fits the default query budget: the fast check,
beside tests/integration/test_readme_runs.py, which runs them all against a real server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, validate

from resolvers.pagination import DEFAULT_PAGE_SIZE
from schema import schema
from schema.list_caps import caps_for
from settings import Settings
from web.cost import Pricer

README = Path(__file__).resolve().parents[2] / "README.md"
# The document is the single-quoted word after the token (gql) or the options (watch.py).
SENT = re.compile(r"""(?:\bgql +(?:''|"\$\w+")|\bwatch\.py(?: --first \d+)?) +'([^']*)'""")


def _operations() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), re.S)
    return [document.strip() for block in blocks for document in SENT.findall(block)]


OPERATIONS = _operations()


def test_the_readme_shows_the_renovation_walkthrough() -> None:
    assert len(OPERATIONS) >= 80


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: " ".join(op.split())[:60])
def test_readme_operation_is_valid(operation: str) -> None:
    assert [error.message for error in validate(schema._schema, parse(operation))] == []


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: " ".join(op.split())[:60])
def test_readme_operation_is_within_the_default_query_budget(operation: str) -> None:
    document = parse(operation)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    [definition] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    pricer = Pricer(schema._schema, fragments, None, DEFAULT_PAGE_SIZE, caps_for(Settings()))
    assert pricer.operation(definition) <= Settings().max_query_cost
