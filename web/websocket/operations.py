"""The operations of a WebSocket session: a subscription joins the fan-out (with its replay,
when it has one), a query or mutation runs once; each ends with its result, its error or
the client's stop."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_argument_values,
)
from graphql.execution.values import get_variable_values

import tracing
from errors import DomainError, ErrorCode
from resolvers.context import Context
from schema import SPECS
from web.engine import Prepared, RequestError, is_subscription
from web.fanout import Member
from web.outbox_replay import Replay, keyed_by_position, replay_for
from web.replay import ReplayGate
from web.state import AppState
from web.websocket.session import Close, Session, stop

log = logging.getLogger("fixhub.websocket")


async def start_operation(connection: Session, message: dict[str, Any]) -> None:
    """A client's subscribe (graphql-transport-ws) or start (graphql-ws) message."""
    if not connection.acknowledged:
        raise Close(4401, "Unauthorized")
    try:
        await _subscribe(connection, message)
    except (Close, asyncio.CancelledError):
        raise
    except Exception:
        # A bug behind one operation ends that operation, never the socket and the other
        # operations on it.
        _fail_operation(connection, message.get("id"))


def stop_operation(connection: Session, message: dict[str, Any]) -> None:
    """A client's complete (graphql-transport-ws) or stop (graphql-ws) message."""
    op_id = message.get("id")
    if isinstance(op_id, str):
        stop(connection, op_id)


def _operations_limit(connection: Session) -> str | None:
    """Why one more operation is refused on this socket, or None if it may run."""
    settings = connection.state.settings
    if len(connection.operations) >= settings.ws_max_subscriptions_per_socket:
        return "Too many operations on this connection."
    held = connection.state.sessions.get(connection.slot) if connection.slot else None
    cap = settings.ws_max_operations_per_user
    if held and sum(len(other.operations) for other in held) >= cap:
        return (
            f"Too many operations: at most {cap} at a time per account (or address), over all "
            "its connections. Complete some first."
        )
    return None


async def _subscribe(connection: Session, message: dict[str, Any]) -> None:
    op_id = message.get("id")
    payload = message.get("payload")
    if not isinstance(op_id, str) or not op_id or not isinstance(payload, dict):
        raise Close(4400, "Invalid subscribe message")
    if op_id in connection.operations:
        raise Close(4409, f"Subscriber for {op_id} already exists")
    state = connection.state
    engine = state.engine
    query = payload.get("query")
    variables = payload.get("variables")
    operation_name = payload.get("operationName")
    if (
        not isinstance(query, str)
        or (variables is not None and not isinstance(variables, dict))
        or (operation_name is not None and not isinstance(operation_name, str))
    ):
        raise Close(4400, "Invalid subscribe payload")
    refusal = _operations_limit(connection)
    if refusal is not None:
        connection.send_errors(
            op_id, [{"message": refusal, "extensions": {"code": "RATE_LIMITED"}}]
        )
        return
    context = state.context(connection.user, connection.client_address)
    try:
        prepared = await engine.prepare(query)
        operation = prepared.operation(operation_name)
        cost = engine.price(prepared, operation, variables)
    except RequestError as error:
        connection.send_errors(
            op_id, [engine.format_error(e, context.request_id) for e in error.errors]
        )
        return
    if not is_subscription(operation):
        task = asyncio.create_task(
            _single_result(connection, op_id, prepared, variables, operation_name)
        )
        connection.operations[op_id] = task
        return
    try:
        if prepared.tokens > state.settings.max_subscription_tokens:
            raise RequestError(
                [
                    GraphQLError(
                        f"A subscription's document may hold at most "
                        f"{state.settings.max_subscription_tokens} tokens (this one has "
                        f"{prepared.tokens}): it is kept for as long as the subscription "
                        "lives. Select fewer fields, or send the subscription on its own."
                    )
                ]
            )
        field_name, arguments = _root_field(state, prepared, operation, variables)
        spec = SPECS[field_name]
        channel = await spec.channel(context, arguments)
    except RequestError as error:
        connection.send_errors(
            op_id, [engine.format_error(e, context.request_id) for e in error.errors]
        )
        return
    except DomainError as error:
        refused = engine.format_error(GraphQLError(error.message, original_error=error), "")
        payload_text = json.dumps({"errors": [refused], "data": None}, separators=(",", ":"))
        connection.send(connection.next_frame(op_id, payload_text))
        connection.send_complete(op_id)
        return

    def send_payload(text: str) -> bool:
        return connection.send(connection.next_frame(op_id, text))

    replay = replay_for(spec, channel, arguments)
    gate = ReplayGate(send_payload) if replay is not None else None
    member = Member(
        user=connection.user,
        deliver=gate.live if gate is not None else lambda _event_id, text: send_payload(text),
        end=lambda reason: _end_with_error(connection, op_id, reason),
        keyed_by_position=keyed_by_position(spec, arguments),
    )
    connection.operations[op_id] = (channel, member)
    try:
        await state.hub.join(channel, spec, prepared, query, operation_name, variables, member)
    except Exception:
        connection.operations.pop(op_id, None)
        _end_with_error(connection, op_id, "The event stream is unavailable; try again.")
        return
    if gate is not None and replay is not None:
        await _replay(connection, op_id, gate, replay, context, arguments, prepared, payload, cost)


async def _replay(
    connection: Session,
    op_id: str,
    gate: ReplayGate,
    replay: Replay,
    context: Context,
    arguments: dict[str, Any],
    prepared: Prepared,
    request: dict[str, Any],
    cost: int,
) -> None:
    """Send what was stored after the client's cursor, then let the live events through.
    `cost` is the price of one event; the replay runs it once per stored event."""
    engine = connection.state.engine
    try:
        items = await replay(context, arguments)
        engine.price_replay(len(items), cost)
    except DomainError as error:
        # Refused like a refused channel (one result carrying the error, then complete), so a
        # client handles a bad cursor the way it handles any other refusal.
        refusal = engine.format_error(GraphQLError(error.message, original_error=error), "")
        stop(connection, op_id, notify=False)
        payload_text = json.dumps({"errors": [refusal], "data": None}, separators=(",", ":"))
        connection.send(connection.next_frame(op_id, payload_text))
        connection.send_complete(op_id)
        return
    for _key, root, cursor in items:
        result = await engine.execute(
            prepared,
            context=context.for_new_operation(),
            variables=request.get("variables"),
            operation_name=request.get("operationName"),
            root_value=root,
        )
        formatted = engine.format_result(result, context.request_id)
        if cursor is not None:
            formatted["extensions"] = {"cursor": cursor}  # as web/fanout.py does live
        text = json.dumps(formatted, separators=(",", ":"))
        if not connection.send(connection.next_frame(op_id, text)):
            _end_with_error(connection, op_id, "This subscription fell too far behind.")
            return
    if not gate.finish(key for key, _, _ in items):
        _end_with_error(connection, op_id, "This subscription fell too far behind.")


def _single_root_field(prepared: Prepared, selection_set: SelectionSetNode) -> FieldNode | None:
    """The subscription's one root field, also when selected through fragments. Validation
    already ensured there is exactly one, without @skip/@include."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            return selection
        if isinstance(selection, InlineFragmentNode):
            found = _single_root_field(prepared, selection.selection_set)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = prepared.fragments[selection.name.value]
            found = _single_root_field(prepared, fragment.selection_set)
        else:
            found = None
        if found is not None:
            return found
    return None


def _root_field(
    state: AppState,
    prepared: Prepared,
    operation: OperationDefinitionNode,
    variables: dict[str, Any] | None,
) -> tuple[str, dict[str, Any]]:
    schema = state.engine.schema
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), variables or {}, max_errors=20
    )
    if isinstance(coerced, list):
        raise RequestError(coerced)
    field_node = _single_root_field(prepared, operation.selection_set)
    if field_node is None:
        raise RequestError([GraphQLError("A subscription must select one root field.")])
    name = field_node.name.value
    subscription_type = schema.subscription_type
    assert subscription_type is not None
    definition = subscription_type.fields[name]
    try:
        arguments = get_argument_values(definition, field_node, coerced)
    except GraphQLError as error:
        raise RequestError([error]) from None
    return name, arguments


def _fail_operation(connection: Session, op_id: object) -> None:
    request_id = uuid.uuid4().hex[:16]
    log.exception("operation %r failed (request %s)", op_id, request_id)
    if not isinstance(op_id, str):
        return
    stop(connection, op_id, notify=False)
    error = {
        "message": f"Internal error; quote request id {request_id} when reporting it.",
        "extensions": {"code": "INTERNAL", "requestId": request_id},
    }
    connection.send_errors(op_id, [error])
    if connection.protocol.completes_after_error:
        connection.send_complete(op_id)


def _end_with_error(connection: Session, op_id: str, reason: str) -> None:
    """Ends a subscription the server cannot go on serving (its stream failed, or it fell
    too far behind): UNAVAILABLE, since subscribing again is the remedy."""
    if op_id not in connection.operations:
        return
    stop(connection, op_id, notify=False)
    error = {"message": reason, "extensions": {"code": ErrorCode.UNAVAILABLE.value}}
    connection.send_errors(op_id, [error])
    if connection.protocol.completes_after_error:
        connection.send_complete(op_id)


async def _single_result(
    connection: Session,
    op_id: str,
    prepared: Any,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> None:
    state = connection.state
    context = state.context(connection.user, connection.client_address)
    try:
        with tracing.operation_span(
            operation_name,
            prepared.operation(operation_name).operation.value,
            request_id=context.request_id,
            transport=connection.protocol.name,
            user_id=connection.user.id if connection.user is not None else None,
        ):
            result = await state.engine.execute(
                prepared, context=context, variables=variables, operation_name=operation_name
            )
        payload = json.dumps(
            state.engine.format_result(result, context.request_id), separators=(",", ":")
        )
        connection.send(connection.next_frame(op_id, payload))
        connection.send_complete(op_id)
    except asyncio.CancelledError:
        raise
    except Exception:
        connection.operations.pop(op_id, None)  # so failing does not cancel this very task
        _fail_operation(connection, op_id)
    finally:
        connection.operations.pop(op_id, None)
