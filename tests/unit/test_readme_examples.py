"""Every GraphQL operation the README shows validates against the schema, so the walkthrough
cannot drift from the API it describes."""

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


def _operations() -> list[str]:
    operations = []
    for block in re.findall(r"```graphql\n(.*?)```", README.read_text(), re.S):
        lines = [line for line in block.splitlines() if not line.strip().startswith("#")]
        depth, current = 0, ""
        for char in "\n".join(lines):
            current += char
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    operations.append(current.strip())
                    current = ""
    return operations


OPERATIONS = _operations()


def test_the_readme_shows_the_renovation_walkthrough() -> None:
    assert len(OPERATIONS) >= 40


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
