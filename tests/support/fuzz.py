"""Shared pieces of the fuzz tests (tests/fuzz) and the long run (bench/fuzz.py).

- the generator's schema: SDL printed from the app's live schema, plus a twin whose query root is
  the Subscription type (hypothesis-graphql generates queries and mutations only);
- value strategies for every scalar the schema takes (ID, String, Int, Float, Boolean is
  built in, DateTime, JSON) mixing values that name real rows with hostile ones;
- `Operation`: a generated document, its variables (root arguments are sometimes hoisted into
  variables: the only way a lone surrogate, NaN or a 20-digit Int reaches a resolver) and the
  actor sending it;
- `seed`: signed-in actors of each role with real data (a job with a quote, a verified
  enterprise, a project with a team, a signed contract and its milestones), so generated
  operations reach deep resolvers;
- runners over HTTP and both WebSocket protocols, and the answer checks: no INTERNAL, no
  traceback or SQL text, no 5xx, no socket dropped without a close code.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import graphql
import httpx
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.control import BuildContext
from hypothesis.internal.conjecture.data import ConjectureData
from hypothesis_graphql import mutations, nodes, queries
from hypothesis_graphql._strategies.strategy import GraphQLStrategy
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from schema import schema as app_schema
from tests.support.api import Actor, Api
from tests.support.renovation import Renovation


def _cache_argument_strategies() -> None:
    """hypothesis-graphql 0.13 builds a new @composite (which reads its source code) for a
    field's arguments every time the field is drawn: a third of the drawing time. The strategy
    depends on the arguments alone, so one per field's arguments is the same strategy."""
    original = GraphQLStrategy.list_of_arguments
    # Keyed by identity; the entry keeps both objects alive so their ids stay theirs.
    cache: dict[tuple[int, int], tuple[object, object, st.SearchStrategy[Any]]] = {}

    def cached(self: GraphQLStrategy, arguments: Any) -> st.SearchStrategy[Any]:
        key = (id(self), id(arguments))
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = (self, arguments, original(self, arguments))
        return hit[2]

    GraphQLStrategy.list_of_arguments = cached  # type: ignore[method-assign]


_cache_argument_strategies()

# --- the schema the generator reads --------------------------------------------------------

SDL = graphql.print_schema(app_schema._schema)
SCHEMA = graphql.build_schema(SDL)
assert SCHEMA.subscription_type is not None
# The Subscription fields as a query root: generated like queries, sent as subscriptions.
SUBSCRIPTION_AS_QUERY = graphql.GraphQLSchema(
    query=SCHEMA.subscription_type,
    types=[t for name, t in SCHEMA.type_map.items() if not name.startswith("__")],
)
SUBSCRIPTION_FIELDS = tuple(SCHEMA.subscription_type.fields)

KINDS = ("query", "mutation", "subscription")
TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
PROTOCOLS = (TRANSPORT_WS, LEGACY_WS)
# Who sends an operation: a key of World.actors, or None (anonymous).
ROLES: tuple[str | None, ...] = ("customer", "worker", "admin", "owner", "manager", None)

# --- hostile and valid-looking values -------------------------------------------------------


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


# Ids restart at 1 in every fresh database (SQLite copy or emptied PostgreSQL), so small
# numbers name the seeded rows: the job, its quote, the project, its milestones, ...
REAL_IDS = [str(n) for n in range(1, 41)]
HUGE_NUMBERS = [
    "99999999999999999999",
    "9223372036854775807",
    "9223372036854775808",
    "2147483647",
    "2147483648",
    "4294967296",
    "-1",
    "-9223372036854775809",
    "0",
    "00000000000000000001",
    "1e309",
    "1.5",
    "0x10",
    "+1",
    " 1",
    "1 ",
    "1_0",
    "١٢",  # Arabic-Indic digits: int() reads them
    "\uff11\uff12",  # full-width digits
    "²",
    "NaN",
    "Infinity",
    "-0",
]
HOSTILE_STRINGS = [
    "",
    " ",
    "\t\n\r",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\udbff\udfff\ud800",
    "\ufeff",
    "\u202etxet",
    "\u0301" * 500,
    "😀" * 300,
    "A" * 10_001,
    "A" * 70_000,  # over a 64 KB text column, under the 100 KB body limit
    "Ж" * 15_000,  # 90 KB once \u-escaped
    "null",
    "undefined",
    "true",
    "[]",
    "{}",
    "' OR '1'='1",
    "Robert'); DROP TABLE users;--",
    "%s%s%s%n",
    "{{7*7}}${7*7}",
    "../../../../etc/passwd",
    "<script>alert(1)</script>",
    "name@example.com",
    "a@b",
    "x" * 300 + "@example.com",
    "correct horse battery",
    "\\",
    '"',
    "$",
    "__proto__",
    "2099-01-01T09:00:00Z",
]
CURSORS = [
    *(_cursor(f"id:{n}") for n in (1, 2, 5, 20)),
    *(_cursor(f"id:{text}") for text in HUGE_NUMBERS[:8]),
    _cursor("id:١٢"),
    _cursor("id:"),
    _cursor("job:1"),
    _cursor("\xff\xfe"),
    "aWQ6",
    "====",
    "not base64!",
]
DATETIMES = [
    "2099-01-01T09:00:00Z",
    "2026-12-03T12:00:00+01:00",
    "2026-12-03T12:00:00",  # no timezone
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59.999999Z",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-12-03T24:00:00Z",
    "2026-12-03T12:00:00+25:00",
    "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in "2026-12-03T00:00:00Z"),
    "2026-12-03",
    "yesterday",
    "",
    "99999999999999999999",
]
SMALL_INTS = st.integers(min_value=-3, max_value=60)
EDGE_INTS = [0, -1, 1, 100, 101, 2**31 - 1, -(2**31), 2**31, 2**53 + 1, 10**20, -(10**20)]
EDGE_FLOATS = [0.0, -0.0, 1e-300, 1e308, -1e308, 90.0, -90.0, 180.0, -180.00001, 200.0, 85.5]
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e999"]


def _string_node(value: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=value)


def _int_node(value: int) -> graphql.IntValueNode:
    return graphql.IntValueNode(value=str(value))


def _float_node(value: float | str) -> graphql.FloatValueNode:
    return graphql.FloatValueNode(value=str(value))


HOSTILE_TEXT = st.sampled_from(HOSTILE_STRINGS + HUGE_NUMBERS + CURSORS)
PLAIN_TEXT = st.text(max_size=40)
ID_VALUES: st.SearchStrategy[graphql.ValueNode] = st.one_of(
    st.sampled_from(REAL_IDS).map(_string_node),
    st.integers(min_value=1, max_value=40).map(_int_node),
    st.sampled_from(HUGE_NUMBERS + HOSTILE_STRINGS[:12] + CURSORS).map(_string_node),
)
STRING_VALUES: st.SearchStrategy[graphql.ValueNode] = st.one_of(
    PLAIN_TEXT.map(_string_node),
    HOSTILE_TEXT.map(_string_node),
    st.sampled_from(CURSORS).map(_string_node),
)
INT_VALUES: st.SearchStrategy[graphql.ValueNode] = st.one_of(
    SMALL_INTS.map(_int_node),
    st.sampled_from(EDGE_INTS).map(_int_node),
)
FLOAT_VALUES: st.SearchStrategy[graphql.ValueNode] = st.one_of(
    st.floats(min_value=-200, max_value=200, allow_nan=False).map(_float_node),
    st.sampled_from(EDGE_FLOATS).map(_float_node),
    SMALL_INTS.map(_int_node),
    # Not GraphQL literals: a parse error inline, but NaN / Infinity once hoisted into JSON.
    st.sampled_from(NON_FINITE).map(_float_node),
)
DATETIME_VALUES: st.SearchStrategy[graphql.ValueNode] = st.one_of(
    st.sampled_from(DATETIMES).map(_string_node),
    st.datetimes(timezones=st.timezones() | st.none()).map(lambda d: _string_node(d.isoformat())),
    INT_VALUES,
)


def _json_values() -> st.SearchStrategy[graphql.ValueNode]:
    leaves = st.one_of(STRING_VALUES, INT_VALUES, FLOAT_VALUES, st.just(nodes.Null))
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4).map(nodes.List),
            st.lists(
                st.tuples(st.sampled_from(["a", "id", "__proto__", "kind"]), children),
                max_size=4,
                unique_by=lambda pair: pair[0],
            ).map(
                lambda pairs: nodes.Object(
                    [
                        graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v)
                        for k, v in pairs
                    ]
                )
            ),
        ),
        max_leaves=12,
    )


SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "ID": ID_VALUES,
    "String": STRING_VALUES,
    "Int": INT_VALUES,
    "Float": FLOAT_VALUES,
    "DateTime": DATETIME_VALUES,
    "JSON": _json_values(),
}

# --- operations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    kind: str  # "query" | "mutation" | "subscription"
    document: str
    variables: dict[str, Any]
    actor: str | None  # a key of World.actors; None: anonymous

    def body(self) -> bytes:
        """The request as JSON with \\u escapes (a lone surrogate only travels that way) and
        NaN/Infinity as Python's json writes them (what a sloppy client sends)."""
        return json.dumps({"query": self.document, "variables": self.variables}).encode()

    def reproducer(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "actor": self.actor,
            "query": self.document,
            "variables": self.variables,
        }


def _keep(document: graphql.DocumentNode) -> graphql.DocumentNode:
    return document


def _hoist(
    document: graphql.DocumentNode, root: graphql.GraphQLObjectType
) -> tuple[graphql.DocumentNode, dict[str, Any]]:
    """The same operation with every root field argument passed as a variable."""
    [operation] = document.definitions
    assert isinstance(operation, graphql.OperationDefinitionNode)
    definitions: list[graphql.VariableDefinitionNode] = []
    variables: dict[str, Any] = {}
    selections: list[graphql.SelectionNode] = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, graphql.FieldNode) or not selection.arguments:
            selections.append(selection)
            continue
        root_field = root.fields[selection.name.value]
        arguments = []
        for argument in selection.arguments:
            name = f"v{len(definitions)}"
            variable = graphql.VariableNode(name=graphql.NameNode(value=name))
            type_node = graphql.parse_type(str(root_field.args[argument.name.value].type))
            definitions.append(graphql.VariableDefinitionNode(variable=variable, type=type_node))
            variables[name] = graphql.value_from_ast_untyped(argument.value)
            arguments.append(graphql.ArgumentNode(name=argument.name, value=variable))
        selections.append(
            graphql.FieldNode(
                alias=selection.alias,
                name=selection.name,
                arguments=tuple(arguments),
                directives=selection.directives,
                selection_set=selection.selection_set,
            )
        )
    hoisted = graphql.OperationDefinitionNode(
        operation=operation.operation,
        variable_definitions=tuple(definitions),
        directives=(),
        selection_set=graphql.SelectionSetNode(selections=tuple(selections)),
    )
    return graphql.DocumentNode(definitions=(hoisted,)), variables


def _as_subscription(document: graphql.DocumentNode) -> graphql.DocumentNode:
    [operation] = document.definitions
    assert isinstance(operation, graphql.OperationDefinitionNode)
    return graphql.DocumentNode(
        definitions=(
            graphql.OperationDefinitionNode(
                operation=graphql.OperationType.SUBSCRIPTION,
                variable_definitions=operation.variable_definitions,
                directives=(),
                selection_set=operation.selection_set,
            ),
        )
    )


def _operation(
    kind: str, document: graphql.DocumentNode, hoist: bool, actor: str | None
) -> Operation:
    roots = {
        "query": SCHEMA.query_type,
        "mutation": SCHEMA.mutation_type,
        "subscription": SCHEMA.subscription_type,
    }
    root = roots[kind]
    assert root is not None
    if kind == "subscription":
        document = _as_subscription(document)
    variables: dict[str, Any] = {}
    if hoist:
        document, variables = _hoist(document, root)
    return Operation(kind, graphql.print_ast(document), variables, actor)


def documents(kind: str) -> st.SearchStrategy[graphql.DocumentNode]:
    """Generated documents (hypothesis-graphql, from the live schema) of one kind."""
    if kind == "query":
        return queries(SCHEMA, custom_scalars=SCALARS, print_ast=_keep)
    if kind == "mutation":
        return mutations(SCHEMA, custom_scalars=SCALARS, print_ast=_keep)
    # One root field per subscription, as the protocol requires.
    return st.one_of(
        *(
            queries(SUBSCRIPTION_AS_QUERY, fields=[name], custom_scalars=SCALARS, print_ast=_keep)
            for name in SUBSCRIPTION_FIELDS
        )
    )


def operations(kind: str) -> st.SearchStrategy[Operation]:
    return st.builds(
        _operation, st.just(kind), documents(kind), st.booleans(), st.sampled_from(ROLES)
    )


# --- frames no client library would send ----------------------------------------------------

INIT = '{"type":"connection_init","payload":{}}'


def malformed_sequences(protocol: str) -> list[tuple[str, list[str | bytes]]]:
    """(label, frames) sent on a fresh socket; the server answers, or closes with a code."""
    start = "start" if protocol == LEGACY_WS else "subscribe"
    other = "subscribe" if protocol == LEGACY_WS else "start"

    def frame(**message: Any) -> str:
        return json.dumps(message)

    def begin(op_id: Any, payload: Any, verb: str = start) -> str:
        return frame(type=verb, id=op_id, payload=payload)

    typename = {"query": "{ __typename }"}
    replay = {"query": 'subscription { notifications(after: "99999999999999999999") { id } }'}
    live = {"query": "subscription { notifications { id } }"}
    deep = "[" * 45_000 + "]" * 45_000
    return [
        ("not JSON", [INIT, "{not json"]),
        ("binary frame", [INIT, b"\x00\xff"]),
        ("JSON array", [INIT, "[]"]),
        ("type not a string", [INIT, frame(type=5)]),
        ("45,000-deep JSON", [INIT, deep]),
        ("deep JSON before init", [deep]),
        ("operation before init", [begin("1", typename)]),
        ("init twice", [INIT, INIT]),
        ("init payload not an object", [frame(type="connection_init", payload=[1])]),
        (
            "authorization not a string",
            [frame(type="connection_init", payload={"authorization": 7})],
        ),
        (
            "garbage token",
            [frame(type="connection_init", payload={"authorization": "Bearer \x00"})],
        ),
        ("other protocol's verb", [INIT, begin("1", typename, other)]),
        ("unknown type", [INIT, frame(type="hello")]),
        ("no id", [INIT, frame(type=start, payload=typename)]),
        ("empty id", [INIT, begin("", typename)]),
        ("id not a string", [INIT, begin(7, typename)]),
        ("payload not an object", [INIT, begin("1", "x")]),
        ("query not a string", [INIT, begin("1", {"query": 1})]),
        (
            "variables not an object",
            [INIT, begin("1", {"query": "{ me { id } }", "variables": []})],
        ),
        ("duplicate live id", [INIT, begin("d", live), begin("d", live)]),
        ("huge cursor replay", [INIT, begin("r", replay)]),
        ("stop unknown id", [INIT, frame(type="complete", id="nope"), frame(type="stop", id=7)]),
        ("huge frame", [INIT, frame(type="ping", payload="x" * 900_000)]),
    ]


# --- the seeded world -----------------------------------------------------------------------


@dataclass
class World:
    actors: dict[str, Actor]

    def token(self, role: str | None) -> str | None:
        return None if role is None else self.actors[role].token


async def seed(api: Api, admin: Actor) -> World:
    """A customer with a posted job and a worker's quote on it; four verified enterprises;
    the customer's renovation project with its team and signed contract (milestones exist)."""
    renovation = await Renovation.build_with(api, admin, contract=True)
    customer = renovation.customer
    worker = await api.worker()
    job = await api.post_job(customer)
    await api.quote(worker, job["id"])
    return World(
        actors={
            "customer": customer,
            "worker": worker,
            "admin": admin,
            "owner": renovation.decoration_owner,
            "manager": renovation.project_manager,
        }
    )


# --- answers and their checks ---------------------------------------------------------------

# What only a leak looks like: generated input never contains these (so an echo of the input
# in a validation message is not mistaken for one).
LEAKS = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]*\", line \d+|\.py\b\", line"
    r"|sqlite3|aiosqlite|asyncpg|psycopg|tortoise\.|pypika"
    r"|(?:SELECT|INSERT INTO|UPDATE|DELETE FROM|FROM|WHERE|JOIN) \""
    r"|IntegrityError|OperationalError|ProgrammingError|DataError|UniqueViolation"
    r"|violates \w+ constraint|syntax error at or near|near \"[^\"]*\": syntax error"
    r"|NUMERIC VALUE OUT OF RANGE|out of range for type|invalid input syntax for",
    re.IGNORECASE,
)
# An abrupt end (1006) or the server's own failure (1011) is a socket dropped, not refused.
DROPPED_CODES = frozenset({1006, 1011})


def _strings(value: Any) -> Iterable[str]:
    """Every string in a JSON value, unescaped (a leak is searched in what a person reads)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@dataclass
class Outcome:
    """What one operation (or one malformed-frame sequence) got back."""

    codes: list[str] = field(default_factory=list)  # one per error; "OK" for a clean answer
    problems: list[str] = field(default_factory=list)
    status: int | None = None  # HTTP
    close_code: int | None = None  # WebSocket, when the server closed it
    dropped: bool = False

    def check_errors(self, errors: Any) -> None:
        if errors is None:
            return
        if isinstance(errors, dict):  # a legacy `error` frame carries one error
            errors = [errors]
        if not isinstance(errors, list):
            self.problems.append(f"errors is not a list: {errors!r:.200}")
            return
        for error in errors:
            code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
            self.codes.append(str(code) if code else "(no code)")
            if code == "INTERNAL":
                self.problems.append(f"INTERNAL: {json.dumps(error)[:300]}")
        text = "\n".join(_strings(errors))
        leak = LEAKS.search(text)
        if leak:
            self.problems.append(f"leak {leak.group(0)!r} in {text[:300]}")

    def check_payload(self, payload: Any) -> None:
        if not isinstance(payload, dict):
            self.problems.append(f"answer is not an object: {payload!r:.200}")
            return
        if payload.get("errors"):
            self.check_errors(payload["errors"])
        else:
            self.codes.append("OK")

    @property
    def answer(self) -> str:
        """One label for the answers table: the first code, or how the socket ended."""
        if self.dropped:
            return "socket dropped"
        if self.codes:
            return self.codes[0]
        if self.close_code is not None:
            return f"closed {self.close_code}"
        return "no answer"


async def run_http(http: httpx.AsyncClient, operation: Operation, token: str | None) -> Outcome:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    outcome = Outcome()
    try:
        response = await http.post("/graphql", content=operation.body(), headers=headers)
    except httpx.HTTPError as error:
        outcome.problems.append(f"HTTP request failed: {type(error).__name__}: {error}")
        return outcome
    outcome.status = response.status_code
    if response.status_code >= 500:
        outcome.problems.append(f"HTTP {response.status_code}: {response.text[:300]}")
    try:
        payload = response.json()
    except ValueError:
        outcome.problems.append(f"HTTP {response.status_code} not JSON: {response.text[:300]}")
        return outcome
    outcome.check_payload(payload)
    if outcome.status != 200 and "OK" in outcome.codes:
        outcome.codes[outcome.codes.index("OK")] = f"HTTP {outcome.status}"
    return outcome


# --- WebSocket ------------------------------------------------------------------------------

REPLY_TIMEOUT = 10.0


def _closed(outcome: Outcome, closed: ConnectionClosed) -> None:
    if closed.rcvd is None or closed.rcvd.code in DROPPED_CODES:
        outcome.dropped = True
        outcome.problems.append(f"socket dropped without a close code: {closed}")
    else:
        outcome.close_code = closed.rcvd.code


class WsSession:
    """One GraphQL WebSocket, either protocol, reused for many operations. The server may
    close it (with a code) after a bad frame; the next operation then opens a new one."""

    def __init__(self, url: str, protocol: str, token: str | None) -> None:
        self.url = url
        self.protocol = protocol
        self.token = token
        self.socket: ClientConnection | None = None
        self._ids = 0

    @property
    def legacy(self) -> bool:
        return self.protocol == LEGACY_WS

    async def open(self) -> None:
        self.socket = await connect(
            self.url,
            subprotocols=[self.protocol],  # type: ignore[list-item]
            proxy=None,
            open_timeout=REPLY_TIMEOUT,
            max_size=None,
        )
        payload = {"authorization": f"Bearer {self.token}"} if self.token else {}
        await self.socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), REPLY_TIMEOUT))
            if message.get("type") == "connection_ack":
                return
            if message.get("type") != "ka":
                raise RuntimeError(f"expected connection_ack, got {message}")

    async def close(self) -> None:
        socket, self.socket = self.socket, None
        if socket is not None:
            with contextlib.suppress(Exception):
                await socket.close()

    async def _ensure(self, outcome: Outcome) -> ClientConnection | None:
        if self.socket is None:
            try:
                await self.open()
            except ConnectionClosed as closed:
                _closed(outcome, closed)
                self.socket = None
                return None
            except (OSError, InvalidStatus, TimeoutError, RuntimeError) as error:
                outcome.problems.append(f"could not open a socket: {error}")
                self.socket = None
                return None
        return self.socket

    def _frame(self, op_id: str, document: str, variables: dict[str, Any]) -> str:
        kind = "start" if self.legacy else "subscribe"
        payload = {"query": document, "variables": variables}
        return json.dumps({"id": op_id, "type": kind, "payload": payload})

    async def run(self, operation: Operation) -> Outcome:
        outcome = Outcome()
        socket = await self._ensure(outcome)
        if socket is None:
            return outcome
        self._ids += 1
        op_id, barrier = f"op{self._ids}", f"barrier{self._ids}"
        try:
            await socket.send(self._frame(op_id, operation.document, operation.variables))
            live = operation.kind == "subscription"
            if live:
                # After the barrier's answer, any refusal or replay of op_id has arrived.
                if self.legacy:
                    await socket.send(self._frame(barrier, "{ __typename }", {}))
                else:
                    await socket.send(json.dumps({"type": "ping", "payload": {"b": barrier}}))
            done = await self._read(socket, op_id, barrier if live else None, outcome)
            if live and not done:
                stop = "stop" if self.legacy else "complete"
                await socket.send(json.dumps({"id": op_id, "type": stop}))
                if not outcome.codes:
                    outcome.codes.append("LIVE")
        except ConnectionClosed as closed:
            _closed(outcome, closed)
            self.socket = None
        except TimeoutError:
            outcome.problems.append(f"no answer within {REPLY_TIMEOUT:.0f} s")
            await self.close()
        return outcome

    async def _read(
        self, socket: ClientConnection, op_id: str, barrier: str | None, outcome: Outcome
    ) -> bool:
        """Reads until op_id is done (True) or, for a subscription, the barrier (False)."""
        async with asyncio.timeout(REPLY_TIMEOUT):
            while True:
                message = json.loads(await socket.recv())
                kind, message_id = message.get("type"), message.get("id")
                payload = message.get("payload")
                if kind in ("next", "data"):
                    if message_id == barrier:
                        continue
                    outcome.check_payload(payload)
                elif kind == "error":
                    outcome.check_errors(payload)
                    if message_id == op_id:  # ends the operation on both protocols
                        return True
                elif kind == "connection_error":  # legacy: why, before the close frame
                    outcome.codes.append("connection_error")
                    outcome.check_errors([payload])
                elif kind == "complete":
                    if message_id == op_id:
                        return True
                    if message_id == barrier:
                        return False
                elif kind == "pong" and isinstance(payload, dict) and payload.get("b") == barrier:
                    return False


# Still answered after the frames? (Sent as a "subscription" so a barrier follows it.)
PROBE = Operation("subscription", "{ __typename }", {}, None)


async def run_malformed(url: str, protocol: str, frames: Sequence[str | bytes]) -> Outcome:
    """Sends the frames on a fresh socket; then the server must still answer a ping (legacy:
    a query), or have closed the socket with a code."""
    outcome = Outcome()
    try:
        async with connect(
            url, subprotocols=[protocol], proxy=None, open_timeout=REPLY_TIMEOUT, max_size=None
        ) as socket:  # type: ignore[list-item]
            for frame in frames:
                await socket.send(frame)
            session = WsSession(url, protocol, None)
            session.socket = socket
            return await session.run(PROBE)
    except ConnectionClosed as closed:
        _closed(outcome, closed)
    return outcome


def reproducers(failures: Iterable[tuple[Operation, Outcome]]) -> str:
    return "\n".join(
        json.dumps({**operation.reproducer(), "problems": outcome.problems})
        for operation, outcome in failures
    )


# --- the short profile (the suite) and fast generation (the bench) --------------------------

SHORT = settings(
    max_examples=50,
    deadline=None,
    # No shrinking: every example is a round trip to a live server (minutes to shrink one);
    # the failing document and variables are in the assertion message as they were sent.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    database=None,  # nothing written under the worktree; a failure prints its example
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one seeded world serves every example
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def generate(kind: str, count: int, seed: int) -> list[Operation]:
    """`count` operations drawn without the test engine (no shrinking, no database, no health
    checks): about twice as fast as collecting them through @given."""
    strategy = operations(kind)
    rng = random.Random(seed)
    drawn: list[Operation] = []
    while len(drawn) < count:
        data = ConjectureData(random=rng)
        with BuildContext(data, is_final=False, wrapped_test=None):
            drawn.append(data.draw(strategy))
    return drawn
