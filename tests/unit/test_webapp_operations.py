"""Every GraphQL operation the web app sends (the `graphql(...)` documents in webapp/src)
validates against the schema and stays within the default query budget: an operation over
MAX_QUERY_COST would be refused at run time, leaving a page silently empty."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    validate,
    visit,
)
from graphql.language import Visitor

from resolvers.pagination import DEFAULT_PAGE_SIZE
from schema import schema
from schema.list_caps import caps_for
from settings import Settings
from web.cost import Pricer

SOURCES = Path(__file__).resolve().parents[2] / "webapp" / "src"
_DOCUMENT = re.compile(r"graphql\(`(.*?)`\)", re.S)


def _as_urql_sends(node: OperationDefinitionNode) -> OperationDefinitionNode:
    """With `__typename` in every selection set below the root, as urql's document cache
    adds it (each one counts in the price)."""

    class AddTypename(Visitor):
        def leave_field(self, field: FieldNode, *_: object) -> FieldNode | None:
            if field.selection_set is None:
                return None
            typename = FieldNode(name=NameNode(value="__typename"))
            selections = (*field.selection_set.selections, typename)
            return FieldNode(
                alias=field.alias,
                name=field.name,
                arguments=field.arguments,
                directives=field.directives,
                selection_set=SelectionSetNode(selections=selections),
            )

    return visit(node, AddTypename())


def _definitions() -> tuple[list[OperationDefinitionNode], dict[str, FragmentDefinitionNode]]:
    operations, fragments = [], {}
    for source in sorted(SOURCES.rglob("*.ts*")):
        if "gql" in source.relative_to(SOURCES).parts:
            continue  # generated
        for text in _DOCUMENT.findall(source.read_text(encoding="utf-8")):
            for definition in parse(text).definitions:
                if isinstance(definition, FragmentDefinitionNode):
                    fragments[definition.name.value] = _as_urql_sends(definition)  # type: ignore[arg-type]
                elif isinstance(definition, OperationDefinitionNode):
                    operations.append(_as_urql_sends(definition))
    return operations, fragments


OPERATIONS, FRAGMENTS = _definitions()


def _spread_names(node: OperationDefinitionNode | FragmentDefinitionNode) -> list[str]:
    names: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            names.append(spread.name.value)

    visit(node, Spreads())
    return names


def _with_fragments(operation: OperationDefinitionNode) -> DocumentNode:
    """The operation and the fragments it spreads (transitively), as the generated code sends."""
    needed: dict[str, FragmentDefinitionNode] = {}
    pending: list[OperationDefinitionNode | FragmentDefinitionNode] = [operation]
    while pending:
        for name in _spread_names(pending.pop()):
            if name not in needed:
                needed[name] = FRAGMENTS[name]
                pending.append(FRAGMENTS[name])
    return DocumentNode(definitions=(operation, *needed.values()))


def test_the_web_app_has_its_operations() -> None:
    assert len(OPERATIONS) >= 50
    names = [operation.name.value for operation in OPERATIONS if operation.name]
    assert len(names) == len(OPERATIONS) == len(set(names)), "operations need unique names"


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name.value if op.name else "?")
def test_web_app_operation_is_valid(operation: OperationDefinitionNode) -> None:
    document = _with_fragments(operation)
    assert [error.message for error in validate(schema._schema, document)] == []


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name.value if op.name else "?")
def test_web_app_operation_is_within_the_default_query_budget(
    operation: OperationDefinitionNode,
) -> None:
    fragments = {
        d.name.value: d
        for d in _with_fragments(operation).definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    pricer = Pricer(schema._schema, fragments, None, DEFAULT_PAGE_SIZE, caps_for(Settings()))
    assert pricer.operation(operation) <= Settings().max_query_cost
