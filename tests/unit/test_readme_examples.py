"""Every GraphQL operation the README shows validates against the schema, so the walkthrough
cannot drift from the API it describes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse, validate

from schema import schema

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
