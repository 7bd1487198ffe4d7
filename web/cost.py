"""Query cost: the most fields an operation's answer could hold, known before it runs.

Depth, alias and token limits bound a document's text, not its answer: ten members of an
enterprise, each with its enterprise and its ten members, nested four levels, is a short
document with a 10^4-row answer. So every operation is priced before execution (and a
subscription before it is accepted, since its selection then runs once per event):

- every field costs 1, and every object it returns OBJECT_COST more, times the sizes of the
  lists it sits in; a connection (a page of rows) costs CONNECTION_COST more, since each one
  is a statement of its own;
- a list's size is its page size where it is paginated (`first`, or the field's default when
  `first` is left out; the edges of a connection take the page size of the field that returned
  the connection), and its hard cap (schema/list_caps.py) where it is not. Lists that can
  hold many items take `first` too, defaulting to all of them, so a client that shows a few
  asks for a few and pays for a few.

The price is an upper bound on the work, reached only when every list is full. Fragments are
priced once each (by name), so the pass is linear in the document like the depth rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from schema.list_caps import LIST_CAPS

PAGE_ARGUMENT = "first"
# What one object costs beyond its fields: it is a row read and built (measured by
# bench/hostile.py: ~50 us an object against ~8 us a scalar field). The wrappers of a
# connection (the connection, its edges, pageInfo) are not rows and cost like scalars.
OBJECT_COST = 5
# What reading one page costs beyond its rows: a connection is one SQL statement, a hop to the
# database driver and back (measured by bench/hostile.py: ~0.4 ms of the event loop's CPU for a
# one-row page on SQLite, 40 times a scalar field). Without it, 30 aliased one-row pages were
# priced at 270 and cost as much as 1,500 fields.
CONNECTION_COST = 40
# What an unknown or hostile `first` is priced at: larger than any allowed page, so an
# operation that asks for it is refused by price or, if the budget allows it, by the field.
_UNPARSABLE_FIRST = 10**6


class UncappedList(Exception):
    """A list field with neither a page size nor a cap: a schema bug, caught by a test."""


def uncapped_lists(schema: GraphQLSchema) -> list[str]:
    """Every list field the cost analysis could not price: must be empty."""
    missing = []
    for type_name, named in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(named, GraphQLObjectType):
            continue
        for field_name, field in named.fields.items():
            if not _returns_list(field) or PAGE_ARGUMENT in field.args:
                continue
            if _is_connection(named) or f"{type_name}.{field_name}" in LIST_CAPS:
                continue
            missing.append(f"{type_name}.{field_name}")
    return sorted(missing)


class Pricer:
    """Prices one operation of one document with the request's variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any] | None,
        default_page_size: int,
        caps: Mapping[str, int] = LIST_CAPS,
    ) -> None:
        self.schema = schema
        self.caps = caps
        self.fragments = fragments
        self.variables = variables or {}
        self.default_page_size = default_page_size
        self._fragment_costs: dict[str, int] = {}

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        defaults = {
            definition.variable.name.value: definition.default_value.value
            for definition in operation.variable_definitions or ()
            if isinstance(definition.default_value, IntValueNode)
        }
        self.variables = {**defaults, **{k: v for k, v in self.variables.items() if v is not None}}
        return self._selection_set(operation.selection_set, root, 1, frozenset())

    def _selection_set(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType,
        page: int,
        visiting: frozenset[str],
        spread: set[str] | None = None,
    ) -> int:
        """`spread`: the fragments already spread into this selection (with its inline
        fragments); execution collects a fragment once however often it is spread there."""
        if selection_set is None:
            return 0
        spread = set() if spread is None else spread
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, page, visiting)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self._selection_set(
                    selection.selection_set, inner or parent, page, visiting, spread
                )
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
                spread.add(selection.name.value)
                total += self._spread(selection.name.value, page, visiting)
        return total

    def _spread(self, name: str, page: int, visiting: frozenset[str]) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in visiting:
            return 0  # unknown and cyclic spreads are refused by validation
        # The page size a fragment inherits matters only to the edges of a connection, so
        # memoise per (name, page); in practice a document has one or two pages.
        key = f"{name}\0{page}"
        if key not in self._fragment_costs:
            inner = self.schema.get_type(fragment.type_condition.name.value)
            self._fragment_costs[key] = (
                0
                if inner is None
                else self._selection_set(fragment.selection_set, inner, page, visiting | {name})
            )
        return self._fragment_costs[key]

    def _field(
        self, node: FieldNode, parent: GraphQLNamedType, page: int, visiting: frozenset[str]
    ) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType):
            return 1  # __typename and introspection: fixed, small shapes
        field = parent.fields.get(name)
        if field is None:
            return 1  # validation reports it
        child_page = self.default_page_size
        multiplier = 1
        if PAGE_ARGUMENT in field.args:
            child_page = self._first(node, field)
            if _returns_list(field):
                multiplier = child_page
        elif _returns_list(field):
            if _is_connection(parent):
                multiplier = page
            else:
                multiplier = self.caps.get(f"{parent.name}.{name}", _UNPARSABLE_FIRST)
        inner = get_named_type(field.type)
        weight = (
            OBJECT_COST if _is_entity(inner) else CONNECTION_COST if _is_connection(inner) else 0
        )
        return 1 + multiplier * (
            weight + self._selection_set(node.selection_set, inner, child_page, visiting)
        )

    def _first(self, node: FieldNode, field: GraphQLField) -> int:
        for argument in node.arguments or ():
            if argument.name.value != PAGE_ARGUMENT:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if given is None:
                    break  # the variable's own default or the field's applies
                return _page_size(given)
            if isinstance(value, IntValueNode):
                return _page_size(value.value)
            return self.default_page_size  # null: the field's default
        default = field.args[PAGE_ARGUMENT].default_value
        if isinstance(default, int):
            return max(default, 1)
        return self.default_page_size


def _page_size(value: object) -> int:
    try:
        size: int = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return _UNPARSABLE_FIRST
    return min(max(size, 1), _UNPARSABLE_FIRST)


def _returns_list(field: GraphQLField) -> bool:
    return is_list_type(get_nullable_type(field.type))


def _is_entity(named: GraphQLNamedType) -> bool:
    if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
        return False
    if isinstance(named, GraphQLObjectType):
        fields = named.fields
        if "pageInfo" in fields or ("cursor" in fields and "node" in fields):
            return False
        return named.name != "PageInfo"
    return True


def _is_connection(named: GraphQLNamedType) -> bool:
    """A connection's lists (its edges) hold one page; fixhub's connections all have pageInfo."""
    return isinstance(named, GraphQLObjectType) and "pageInfo" in named.fields
