"""Validation rules that bound the cost of a document before it runs."""

from __future__ import annotations

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)


def _depth(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    memo: dict[str, int],
    visiting: frozenset[str],
) -> int:
    """The deepest field path below `selection_set`. Each fragment's depth is computed once and
    memoised by name: walking every spread anew made `...F1 ...F1` at each of n levels cost 2^n
    (n=30 is ~320 tokens and would hold the event loop for about 40 minutes)."""
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue  # introspection has its own, fixed shape
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, memo, visiting))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, memo, visiting))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in visiting:
                continue  # unknown or cyclic spreads are reported by the standard rules
            if name not in memo:
                memo[name] = _depth(fragment.selection_set, fragments, memo, visiting | {name})
            deepest = max(deepest, memo[name])
    return deepest


def depth_limit(max_depth: int) -> type[ASTValidationRule]:
    class DepthLimit(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            context: ValidationContext = self.context  # type: ignore[assignment]
            fragments = {
                definition.name.value: definition
                for definition in context.document.definitions
                if isinstance(definition, FragmentDefinitionNode)
            }
            depth = _depth(node.selection_set, fragments, {}, frozenset())
            if depth > max_depth:
                name = node.name.value if node.name else "anonymous"
                self.report_error(
                    GraphQLError(
                        f"Operation '{name}' is {depth} levels deep; the limit is {max_depth}.",
                        node,
                    )
                )

    return DepthLimit


def alias_limit(max_aliases: int) -> type[ASTValidationRule]:
    class AliasLimit(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_field(self, node: FieldNode, *_: object) -> None:
            if node.alias is not None:
                self.count += 1
                if self.count == max_aliases + 1:
                    self.report_error(
                        GraphQLError(f"The document uses more than {max_aliases} aliases.", node)
                    )

    return AliasLimit


# Bounds on what graphql-core's stock rules compare pairwise (see shape_error); each is far
# above what a client app sends, even one that composes its screens of many fragments.
MAX_OPERATIONS = 50
MAX_FRAGMENTS = 100
MAX_SPREADS_PER_SELECTION = 30


def shape_error(
    document: DocumentNode, *, max_selections: int, max_repeats: int
) -> GraphQLError | None:
    """Refuses, before validation, the document shapes that make graphql-core's stock rules
    super-linear: OverlappingFieldsCanBeMerged compares every pair of fields sharing a response
    name in one selection set (400 x `me{id}`, 4 KB, took 1.5 s) and every pair of fragments
    spread in one (150 distinct fragments: 200 ms), and rules that run per operation walk the
    fragments again for each (300 operations sharing one fragment). So the selections, the
    repeats of one response name and the spreads in one selection set (inline fragments merge
    into their parent), the operations and the fragments are all bounded. One linear pass; the
    token limit already bounds the document's size."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    if len(operations) > MAX_OPERATIONS:
        return GraphQLError(
            f"The document has more than {MAX_OPERATIONS} operations; send fewer at a time."
        )
    if len(fragments) > MAX_FRAGMENTS:
        return GraphQLError(f"The document has more than {MAX_FRAGMENTS} fragments.")
    selections = 0
    stack: list[SelectionSetNode] = [d.selection_set for d in (*operations, *fragments)]
    while stack:
        selection_set = stack.pop()
        repeats: dict[str, int] = {}
        spreads = 0
        merged: list[SelectionSetNode] = [selection_set]
        while merged:  # an inline fragment's fields are compared with its parent's
            for selection in merged.pop().selections:
                selections += 1
                if selections > max_selections:
                    return GraphQLError(
                        f"The document has more than {max_selections} selections; "
                        "split it into several operations."
                    )
                if isinstance(selection, InlineFragmentNode):
                    merged.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    spreads += 1
                    if spreads > MAX_SPREADS_PER_SELECTION:
                        return GraphQLError(
                            f"More than {MAX_SPREADS_PER_SELECTION} fragments are spread in one "
                            "selection set.",
                            selection,
                        )
                elif isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    repeats[key] = repeats.get(key, 0) + 1
                    if repeats[key] > max_repeats:
                        return GraphQLError(
                            f"'{key}' is selected more than {max_repeats} times in one "
                            "selection set; select it once.",
                            selection,
                        )
                    if selection.selection_set is not None:
                        stack.append(selection.selection_set)
    return None
