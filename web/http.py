"""GraphQL over HTTP (POST, and GET for queries), following the GraphQL-over-HTTP spec.

`Accept: application/graphql-response+json` is answered in kind: 400 without `data` for
documents that fail to parse or validate. Legacy `application/json` clients get 200 with the
errors in the body, as they expect.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

import tracing
from errors import ErrorCode
from resolvers.context import Context
from resolvers.tokens import InvalidToken, viewer_from_authorization
from settings import Settings
from web import webapp
from web.engine import RequestError, is_mutation, is_subscription
from web.logs import log_operation, request_id_from
from web.state import AppState

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


class _ClientError(Exception):
    def __init__(self, status: int, message: str, code: ErrorCode = ErrorCode.BAD_USER_INPUT):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def _media_type(accept: str | None) -> str | None:
    """The response type to use, or None when the client accepts neither JSON type."""
    if not accept:
        return JSON
    offered = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if GRAPHQL_RESPONSE in offered:
        return GRAPHQL_RESPONSE
    if JSON in offered or "*/*" in offered or "application/*" in offered:
        return JSON
    return None


def _graphiql(settings: Settings) -> Response:
    """GraphiQL from the web app's own build (webapp/graphiql.html): no script from a CDN."""
    return webapp.page(Path(settings.webapp_dist), "graphiql.html")


async def _read_json_body(request: Request, limit: int) -> Any:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _ClientError(413, f"The request body is larger than {limit} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _ClientError(413, f"The request body is larger than {limit} bytes.")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        raise _ClientError(415, "Send the request as Content-Type: application/json.")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _ClientError(400, "The request body is not valid JSON.") from None
    except RecursionError:  # e.g. 45,000 nested brackets
        raise _ClientError(400, "The request body is nested too deeply.") from None


def _params(raw: Any) -> tuple[str, dict[str, Any] | None, str | None]:
    if not isinstance(raw, dict):
        raise _ClientError(400, "The request body must be a JSON object.")
    query = raw.get("query")
    variables = raw.get("variables")
    operation_name = raw.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise _ClientError(400, "The request must carry a 'query' string.")
    if variables is not None and not isinstance(variables, dict):
        raise _ClientError(400, "'variables' must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _ClientError(400, "'operationName' must be a string.")
    return query, variables, operation_name


def _get_params(request: Request) -> tuple[str, dict[str, Any] | None, str | None]:
    raw: dict[str, Any] = dict(request.query_params)
    if "variables" in raw:
        try:
            raw["variables"] = json.loads(raw["variables"])
        except (ValueError, RecursionError):
            message = "'variables' must be JSON, not nested too deeply."
            raise _ClientError(400, message) from None
    return _params(raw)


async def graphql_http(request: Request) -> Response:
    state: AppState = request.app.state.fixhub
    engine = state.engine
    media_type = _media_type(request.headers.get("accept"))
    if (
        request.method == "GET"
        and state.settings.graphiql
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    ):
        return _graphiql(state.settings)
    if media_type is None:
        return JSONResponse(
            {"errors": [{"message": f"Accept {GRAPHQL_RESPONSE} or {JSON}."}]}, status_code=406
        )
    started = time.perf_counter()
    context = Context(
        settings=state.settings,
        bus=state.bus,
        limiter=state.limiter,
        relay=state.relay,
        client_address=request.client.host if request.client else "unknown",
        request_id=request_id_from(request.headers.get("x-request-id")),
    )

    cost: int | None = None
    operation_label: str | None = None

    def reply(
        payload: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
    ) -> Response:
        headers = {"X-Request-Id": context.request_id, **(headers or {})}
        if cost is not None:
            headers["X-Query-Cost"] = str(cost)  # the price charged against MAX_QUERY_COST
        errors = payload.get("errors") or ()
        log_operation(
            request_id=context.request_id,
            operation=operation_label,
            user_id=context.user.id if context.user is not None else None,
            outcome=(errors[0].get("extensions") or {}).get("code", "ERROR") if errors else "ok",
            status=status,
            started=started,
        )
        return Response(
            json.dumps(payload, separators=(",", ":")),
            status_code=status,
            media_type=media_type,
            headers=headers,
        )

    def refusal(status: int, message: str, code: str) -> Response:
        return reply({"errors": [{"message": message, "extensions": {"code": code}}]}, status)

    try:
        if request.method == "GET":
            query, variables, operation_name = _get_params(request)
        else:
            raw = await _read_json_body(request, state.settings.max_body_bytes)
            query, variables, operation_name = _params(raw)
        operation_label = operation_name
        prepared = await engine.prepare(query)
        operation = prepared.operation(operation_name)
        if operation.name is not None:
            operation_label = operation.name.value
        cost = engine.price(prepared, operation, variables)
    except _ClientError as error:
        return refusal(error.status, error.message, error.code.value)
    except RequestError as error:
        payload = {"errors": [engine.format_error(e, context.request_id) for e in error.errors]}
        return reply(payload, 400 if media_type == GRAPHQL_RESPONSE else 200)
    if is_subscription(operation):
        return refusal(
            405, "Subscriptions are served over WebSocket at this path.", "BAD_USER_INPUT"
        )
    if request.method == "GET" and is_mutation(operation):
        return reply(
            {
                "errors": [
                    {
                        "message": "Mutations must be sent with POST.",
                        "extensions": {"code": ErrorCode.BAD_USER_INPUT.value},
                    }
                ]
            },
            405,
            {"Allow": "POST"},
        )
    try:
        context.user = await viewer_from_authorization(
            request.headers.get("authorization"), state.settings.secret_key
        )
    except InvalidToken:
        return refusal(
            401, "The access token is invalid or expired; sign in again.", "UNAUTHENTICATED"
        )
    with tracing.operation_span(
        operation_label,
        operation.operation.value,
        request_id=context.request_id,
        transport="http",
        user_id=context.user.id if context.user is not None else None,
    ):
        result = await engine.execute(
            prepared, context=context, variables=variables, operation_name=operation_name
        )
    payload = engine.format_result(result, context.request_id)
    if result.data is None and result.errors and all(e.path is None for e in result.errors):
        # Variable coercion failed: a request error, so no execution happened.
        payload.pop("data", None)
        return reply(payload, 400 if media_type == GRAPHQL_RESPONSE else 200)
    return reply(payload)
