"""Parsing, validating and executing documents, shared by HTTP and WebSocket.

Clients send the same few documents over and over with different variables, so a parsed and
validated document is cached by its text: a repeated request skips both the parser and the
validator (two thirds of the cost of a small operation in graphql-core).
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from errors import DomainError, ErrorCode
from settings import Settings
from web.rules import alias_limit, depth_limit, shape_error

log = logging.getLogger("fixhub.graphql")
_SUGGESTION = re.compile(r" Did you mean [^?]*\?")


class RequestError(Exception):
    """The request cannot execute at all (parse, validation, operation selection)."""

    def __init__(self, errors: list[GraphQLError]) -> None:
        super().__init__(errors[0].message if errors else "invalid request")
        self.errors = errors


@dataclass(frozen=True)
class Prepared:
    document: DocumentNode
    errors: tuple[GraphQLError, ...]

    def operation(self, operation_name: str | None) -> OperationDefinitionNode:
        operations = [
            definition
            for definition in self.document.definitions
            if isinstance(definition, OperationDefinitionNode)
        ]
        if operation_name is None:
            if len(operations) != 1:
                raise RequestError(
                    [GraphQLError("Must provide operation name if query contains several.")]
                )
            return operations[0]
        for operation in operations:
            if operation.name is not None and operation.name.value == operation_name:
                return operation
        raise RequestError([GraphQLError(f"Unknown operation named '{operation_name}'.")])


class Engine:
    def __init__(self, schema: GraphQLSchema, settings: Settings, cache_size: int = 1000) -> None:
        self.schema = schema
        self.settings = settings
        self._cache: OrderedDict[str, Prepared] = OrderedDict()
        self._cache_size = cache_size
        self._rules = [
            *specified_rules,
            depth_limit(settings.max_query_depth),
            alias_limit(settings.max_aliases),
        ]
        if not settings.introspection:
            self._rules.append(NoSchemaIntrospectionCustomRule)

    def prepare(self, query: str) -> Prepared:
        """Parse and validate once per distinct document text; raise RequestError if invalid."""
        prepared = self._cache.get(query)
        if prepared is None:
            prepared = self._prepare(query)
            self._cache[query] = prepared
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(query)
        if prepared.errors:
            raise RequestError(list(prepared.errors))
        return prepared

    def _prepare(self, query: str) -> Prepared:
        try:
            document = parse(query, max_tokens=self.settings.max_tokens)
        except GraphQLError as error:
            return Prepared(DocumentNode(definitions=()), (error,))
        refused = shape_error(
            document,
            max_selections=self.settings.max_selections,
            max_repeats=self.settings.max_field_repeats,
        )
        if refused is not None:
            return Prepared(DocumentNode(definitions=()), (refused,))
        errors = validate(
            self.schema,
            document,
            self._rules,
            max_errors=20,
            hide_suggestions=not self.settings.introspection,
        )
        return Prepared(document, tuple(errors))

    async def execute(
        self,
        prepared: Prepared,
        *,
        context: Any,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        root_value: Any = None,
    ) -> ExecutionResult:
        result = execute(
            self.schema,
            prepared.document,
            root_value=root_value,
            context_value=context,
            variable_values=dict(variables) if variables else None,
            operation_name=operation_name,
            hide_suggestions=not self.settings.introspection,
        )
        if not isinstance(result, ExecutionResult):
            result = await result
        return result

    def format_error(self, error: GraphQLError, request_id: str) -> dict[str, Any]:
        """The one place that turns any error into what a client sees."""
        # graphql-core may wrap a GraphQLError (e.g. a variable coercion failure) in another;
        # only a non-GraphQL exception at the bottom is a domain error or a bug. The outer
        # error keeps the message, locations and path.
        innermost, original = error, error.original_error
        while isinstance(original, GraphQLError):
            innermost, original = original, original.original_error
        formatted: dict[str, Any]
        if isinstance(original, DomainError):
            formatted = {
                "message": original.message,
                "extensions": {"code": original.code.value, **original.extensions},
            }
        elif original is not None:
            log.error(
                "unexpected error in request %s at %s",
                request_id,
                error.path,
                exc_info=(type(original), original, original.__traceback__),
            )
            formatted = {
                "message": f"Internal error; quote request id {request_id} when reporting it.",
                "extensions": {"code": ErrorCode.INTERNAL.value, "requestId": request_id},
            }
        else:
            message = error.message
            if not self.settings.introspection:
                message = _SUGGESTION.sub("", message)
            formatted = {
                "message": message,
                "extensions": {"code": ErrorCode.BAD_USER_INPUT.value},
            }
        locations = error.locations or innermost.locations
        if locations:
            formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in locations]
        if error.path:
            formatted["path"] = list(error.path)
        return formatted

    def format_result(self, result: ExecutionResult, request_id: str) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        if result.errors:
            payload["errors"] = [self.format_error(e, request_id) for e in result.errors]
        payload["data"] = result.data
        return payload


def is_mutation(operation: OperationDefinitionNode) -> bool:
    return operation.operation == OperationType.MUTATION


def is_subscription(operation: OperationDefinitionNode) -> bool:
    return operation.operation == OperationType.SUBSCRIPTION
