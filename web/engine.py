"""Parsing, validating and executing documents, shared by HTTP and WebSocket.

Why fixhub runs its own engine on graphql-core instead of strawberry's ASGI integration:
strawberry builds the schema (types, resolvers, descriptions) and fixhub keeps it for that,
but its request path by default parses and validates every document afresh, runs one execution per
subscriber of a subscription, and knows nothing of what a document may cost. fixhub needs, for
every request and before any resolver runs: the document cache below, the hostile-input
limits and the price of a document (web/cost.py, web/rules.py), errors turned into stable
codes in one place (`Engine.format_error`), and, for subscriptions, one execution per event
for all who share a selection (web/fanout.py). All of that sits between the transport and
graphql-core's `execute`, so the engine calls graphql-core directly, on the graphql-core
schema strawberry built (schema.graphql_schema).

Clients send the same few documents over and over with different variables, so a parsed and
validated document is cached by its text: a repeated request skips both the parser and the
validator (two thirds of the cost of a small operation in graphql-core).

What the cache keeps is long-lived, and every long-lived object lengthens Python's full
garbage collections, which stop the event loop: 1,000 cached 1-KB documents are a million
objects and a 0.9 s pause. So a document is cached on its second sight (an attacker's
one-off documents die young, in the cheap collections), the cache holds at most
CACHE_DOCUMENTS documents and CACHE_TEXT characters of them, and a document not cached yet is
parsed and validated in a worker thread, so that even a hostile one holds the loop no longer
than the interpreter's switch interval (5 ms) at a time.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
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

import tracing
from errors import BadUserInput, DomainError, ErrorCode
from resolvers.pagination import DEFAULT_PAGE_SIZE
from schema.list_caps import caps_for
from settings import Settings
from web import direct_resolvers
from web.cost import Pricer
from web.rules import alias_limit, depth_limit, shape_error

log = logging.getLogger("fixhub.graphql")
_SUGGESTION = re.compile(r" Did you mean [^?]*\?")


class RequestError(Exception):
    """The request cannot execute at all (parse, validation, operation selection)."""

    def __init__(self, errors: list[GraphQLError]) -> None:
        super().__init__(errors[0].message if errors else "invalid request")
        self.errors = errors


# A subscription's replay (everything stored after `after`) may cost this many budgets.
REPLAY_BUDGETS = 25
CACHE_DOCUMENTS = 1000
CACHE_TEXT = 64_000  # characters, about 60,000 objects of syntax tree
# Documents not cached yet are prepared here, one at a time: a single thread competes with the
# event loop for the interpreter, so the loop waits at most one switch interval for it.
_PREPARING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fixhub-prepare")
# Digests of documents seen once, remembered so that their second sight is cached.
SEEN_DOCUMENTS = 10_000


@dataclass(frozen=True)
class Prepared:
    text: str
    document: DocumentNode
    errors: tuple[GraphQLError, ...]

    @cached_property
    def fragments(self) -> dict[str, FragmentDefinitionNode]:
        return {
            definition.name.value: definition
            for definition in self.document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }

    @cached_property
    def tokens(self) -> int:
        """The document's tokens, comments included (what MAX_TOKENS counts)."""
        loc = self.document.loc
        count, token = 0, loc.start_token if loc is not None else None
        while token is not None:
            count += 1
            token = token.next
        return max(count - 2, 0)  # not the <SOF> and <EOF> markers

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
    def __init__(self, schema: GraphQLSchema, settings: Settings) -> None:
        self.schema = schema
        self.settings = settings
        direct_resolvers.install(schema)
        self._cache: OrderedDict[str, Prepared] = OrderedDict()
        self._cached_text = 0
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._list_caps = caps_for(settings)
        self._rules = [
            *specified_rules,
            depth_limit(settings.max_query_depth),
            alias_limit(settings.max_aliases),
        ]
        if not settings.introspection:
            self._rules.append(NoSchemaIntrospectionCustomRule)

    async def prepare(self, query: str) -> Prepared:
        """The parsed and validated document; RequestError if it is invalid."""
        prepared = self._cache.get(query)
        if prepared is not None:
            self._cache.move_to_end(query)
        else:
            prepared = await asyncio.get_running_loop().run_in_executor(
                _PREPARING, self._prepare, query
            )
            if self._seen_before(query):
                self._remember(prepared)
        if prepared.errors:
            raise RequestError(list(prepared.errors))
        return prepared

    def _seen_before(self, query: str) -> bool:
        digest = hashlib.blake2b(query.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        if digest in self._seen:
            del self._seen[digest]
            return True
        self._seen[digest] = None
        if len(self._seen) > SEEN_DOCUMENTS:
            self._seen.popitem(last=False)
        return False

    def _remember(self, prepared: Prepared) -> None:
        if len(prepared.text) > CACHE_TEXT or prepared.text in self._cache:
            return
        self._cache[prepared.text] = prepared
        self._cached_text += len(prepared.text)
        while len(self._cache) > CACHE_DOCUMENTS or self._cached_text > CACHE_TEXT:
            _, evicted = self._cache.popitem(last=False)
            self._cached_text -= len(evicted.text)

    def _prepare(self, query: str) -> Prepared:
        """Runs in a worker thread: parsing and validation only read the schema."""
        try:
            document = parse(query, max_tokens=self.settings.max_tokens)
        except GraphQLError as error:
            return Prepared(query, DocumentNode(definitions=()), (error,))
        refused = shape_error(
            document,
            max_selections=self.settings.max_selections,
            max_repeats=self.settings.max_field_repeats,
        )
        if refused is not None:
            return Prepared(query, DocumentNode(definitions=()), (refused,))
        errors = validate(
            self.schema,
            document,
            self._rules,
            max_errors=20,
            hide_suggestions=not self.settings.introspection,
        )
        return Prepared(query, document, tuple(errors))

    def price(
        self,
        prepared: Prepared,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any] | None,
    ) -> int:
        """The operation's cost (web/cost.py); RequestError when it is over the budget. A
        subscription is priced per event: its selection runs once for each."""
        pricer = Pricer(
            self.schema, prepared.fragments, variables, DEFAULT_PAGE_SIZE, self._list_caps
        )
        cost = pricer.operation(operation)
        budget = self.settings.max_query_cost
        if cost > budget:
            per_event = " per event" if is_subscription(operation) else ""
            refusal = BadUserInput(
                f"This operation could cost {cost}{per_event}, over the budget of {budget}: "
                "ask for smaller pages (first) or fewer nested lists.",
            )
            refusal.extensions.update(cost=cost, maxCost=budget)
            raise RequestError([GraphQLError(refusal.message, original_error=refusal)])
        return cost

    def price_replay(self, events: int, cost_per_event: int) -> None:
        """A replay runs a subscription's selection once per stored event: together they may
        cost REPLAY_BUDGETS budgets (BAD_USER_INPUT on `after` beyond that, never a partial
        replay). Events are small, so only an expensive selection over a long gap meets it."""
        budget = self.settings.max_query_cost * REPLAY_BUDGETS
        if events * cost_per_event > budget:
            refusal = BadUserInput(
                f"Replaying the {events} events stored after `after` would cost "
                f"{events * cost_per_event} ({cost_per_event} each), over the replay budget of "
                f"{budget}: read them with the list query and subscribe after the newest, or "
                "select fewer fields.",
                "after",
            )
            refusal.extensions.update(cost=events * cost_per_event, maxCost=budget)
            raise refusal

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
            # Only when tracing is on: a middleware costs every field a call.
            middleware=[tracing.SlowResolvers()] if tracing.enabled() else None,
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
