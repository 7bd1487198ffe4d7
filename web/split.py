"""A subscription selection split into what is the same for every recipient and what depends
on the viewer, so that the fan-out runs the shared part once per event and only the viewer's
fields once per recipient.

Why: `matchingJobs { id title category myMatch { score distanceKm } }` reaches the ~20 workers
a job was matched to. Run whole, the selection executes 20 times, `id title category`
included, and the fan-out becomes the biggest cost of a postJob (issue 12). Split, the event
costs one execution of `{ id title category }` and 20 small executions of
`{ myMatch { score distanceKm } }` (whose match rows still load in one batched query, through
the loaders the runs share), each merged into the shared result.

Which fields depend on the viewer is declared by the subscription (SubscriptionSpec.per_viewer,
names of the root type's fields); that declaration only decides speed, never who sees what:
- a field declared per viewer that does not read the viewer just runs per recipient;
- the shared part is proven viewer-independent on every event by the same check as before
  (`Context.viewer_used`, set by any read of `viewer`); if it read the viewer after all, the
  fan-out throws its result away and runs the whole selection per viewer (web/fanout.py).

Only the plain shape is split: an operation whose one root field selects fields directly (no
fragment at the first two levels). Anything else runs whole, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from schema.common import SubscriptionSpec
from web.engine import Prepared, RequestError


@dataclass(frozen=True)
class SplitPlan:
    shared: Prepared  # the root field with only the fields that are the same for everyone
    per_viewer: Prepared  # the root field with only the viewer's fields
    root_key: str  # the root field's response key (alias or name)
    # The root field's response keys in the order the client selected them, each with True
    # when its value comes from the viewer's part (the answer keeps the selection's order).
    order: tuple[tuple[str, bool], ...]

    @classmethod
    def of(
        cls, spec: SubscriptionSpec, prepared: Prepared, operation_name: str | None
    ) -> SplitPlan | None:
        """The split of this selection, or None when it runs whole."""
        if not spec.per_viewer:
            return None
        try:
            operation = prepared.operation(operation_name)
        except RequestError:
            return None
        selections = operation.selection_set.selections
        if len(selections) != 1 or not isinstance(selections[0], FieldNode):
            return None
        root = selections[0]
        if root.selection_set is None:
            return None
        fields = root.selection_set.selections
        if not all(isinstance(field, FieldNode) for field in fields):
            return None
        mine = [f for f in fields if isinstance(f, FieldNode) and f.name.value in spec.per_viewer]
        shared = [f for f in fields if isinstance(f, FieldNode) and f not in mine]
        if not mine or not shared:
            return None  # nothing to share, or nothing per viewer: running whole is cheaper
        order: dict[str, bool] = {}
        for field in fields:
            assert isinstance(field, FieldNode)
            key = (field.alias or field.name).value
            order.setdefault(key, field in mine)
        return cls(
            shared=_with_fields(prepared, operation, root, shared, "shared"),
            per_viewer=_with_fields(prepared, operation, root, mine, "per viewer"),
            root_key=(root.alias or root.name).value,
            order=tuple(order.items()),
        )

    def merge(self, shared: ExecutionResult, mine: ExecutionResult) -> ExecutionResult:
        """One viewer's answer: what the whole selection would have given that viewer. A null
        in either part (an error on a non-null field) nulls the root as it would have."""
        errors = [*(shared.errors or ()), *(mine.errors or ())] or None
        if shared.data is None or mine.data is None:
            return ExecutionResult(data=None, errors=errors)
        shared_root = shared.data.get(self.root_key)
        my_root = mine.data.get(self.root_key)
        if shared_root is None or my_root is None:
            return ExecutionResult(data={self.root_key: None}, errors=errors)
        merged: dict[str, Any] = {
            key: (my_root if viewer else shared_root)[key] for key, viewer in self.order
        }
        return ExecutionResult(data={self.root_key: merged}, errors=errors)


def _with_fields(
    prepared: Prepared,
    operation: OperationDefinitionNode,
    root: FieldNode,
    fields: list[FieldNode],
    label: str,
) -> Prepared:
    """`prepared` with the root field selecting only `fields` (fragments kept for the nested
    selections). Executed, never validated again: it is a part of a validated document."""
    new_root = _copy(root, selection_set=SelectionSetNode(selections=tuple(fields)))
    new_operation = _copy(operation, selection_set=SelectionSetNode(selections=(new_root,)))
    definitions = tuple(
        new_operation if definition is operation else definition
        for definition in prepared.document.definitions
    )
    return Prepared(
        text=f"{prepared.text}\n# {label} part",
        document=DocumentNode(definitions=definitions),
        errors=(),
    )


def _copy(node: Any, **changes: Any) -> Any:
    """A copy of an (immutable) AST node with some attributes changed."""
    values = {key: getattr(node, key) for key in node.keys}
    values.update(changes)
    return type(node)(**values)
