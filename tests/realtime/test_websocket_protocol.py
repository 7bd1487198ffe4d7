"""GraphQL over WebSocket against a real server: connection set-up, authentication, the
protocols' close codes and single-result operations, for `graphql-transport-ws` and the legacy
`graphql-ws` (subscriptions-transport-ws) protocol."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import jwt
import pytest
from websockets.exceptions import InvalidStatus

from settings import Settings
from tests.support.services import SECRET
from tests.support.websocket import LEGACY_WS, PROTOCOLS, TRANSPORT_WS, LiveServer, WsClient

MATCHING_JOBS = "subscription { matchingJobs { id title } }"
QUOTE_RECEIVED = "subscription($id: ID!) { quoteReceived(jobId: $id) { id amountCents } }"
ME = "{ me { id role } }"
POST_JOB = "mutation($input: PostJobInput!) { postJob(input: $input) { id status title } }"
JOB_INPUT = {
    "category": "PIPES",
    "title": "Dripping tap",
    "description": "Drips all night.",
    "location": {"lat": 52.5, "lng": 13.4},
    "address": "Alexanderplatz 1, Berlin",
}


def _token(subject: str, *, secret: str = SECRET, expires_in: int = 3600) -> str:
    now = int(time.time())
    claims = {"sub": subject, "iss": "fixhub", "iat": now, "exp": now + expires_in}
    return jwt.encode(claims, secret, algorithm="HS256")


async def _me(client: WsClient, op_id: str = "me") -> object:
    await client.subscribe(op_id, ME)
    data = await client.next_data(op_id)
    await client.expect_complete(op_id)
    return data["me"]


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for server-side state that has no event to await (checked every 10 ms)."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - nothing to await on the hub's side
            await asyncio.sleep(0.01)


# -- Connection set-up and authentication --------------------------------------------------


async def test_valid_token_and_anonymous_init_are_acknowledged(
    live_server: LiveServer, protocol: str
) -> None:
    worker = await live_server.api.register("WORKER")
    async with live_server.socket(protocol) as client:
        await client.send(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {worker.token}"}}
        )
        assert await client.receive() == {"type": "connection_ack"}
        assert await _me(client) == {"id": worker.id, "role": "WORKER"}

    async with live_server.socket(protocol) as client:
        await client.init(payload={})  # no authorization at all
        assert await _me(client) is None
        # ... but what needs a signed-in user is refused.
        await client.subscribe("jobs", MATCHING_JOBS)
        assert await client.refusal_code("jobs") == "UNAUTHENTICATED"


async def test_unsupported_subprotocol_is_rejected(live_server: LiveServer) -> None:
    with pytest.raises(InvalidStatus):
        async with live_server.socket("graphql-unknown-protocol"):
            pass


async def test_bad_or_expired_token_is_refused_with_4403(
    live_server: LiveServer, protocol: str
) -> None:
    customer = await live_server.api.register("CUSTOMER")
    refused = {
        "garbage": "Bearer not-a-jwt",
        "expired": f"Bearer {_token(customer.id, expires_in=-60)}",
        "signed elsewhere": f"Bearer {_token(customer.id, secret='x' * 48)}",
        "unknown account": f"Bearer {_token('999999')}",
        "not bearer": "Basic dXNlcjpwYXNzd29yZA==",
        "not a string": 12345,
    }
    for case, authorization in refused.items():
        async with live_server.socket(protocol) as client:
            await client.send(
                {"type": "connection_init", "payload": {"authorization": authorization}}
            )
            before_close = await client.expect_close(4403)
        if protocol == LEGACY_WS:
            assert [m["type"] for m in before_close] == ["connection_error"], case
            assert before_close[0]["payload"]["message"], case
        else:
            assert before_close == [], case
    # Control: the same kind of token, valid, is accepted.
    async with live_server.socket(protocol) as client:
        await client.init(_token(customer.id))
        assert await _me(client) == {"id": customer.id, "role": "CUSTOMER"}


class TestConnectionInitTimeout:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(ws_connection_init_timeout_seconds=0.3)

    async def test_no_connection_init_closes_with_4408(
        self, live_server: LiveServer, protocol: str
    ) -> None:
        async def silent() -> None:
            async with live_server.socket(protocol) as client:
                started = time.monotonic()
                assert await client.expect_close(4408) == []
                assert time.monotonic() - started >= 0.25

        async def initialised() -> None:
            async with live_server.session(protocol) as client:
                await client.expect_silence(0.4)  # outlives the init timeout
                assert await _me(client) is None

        await asyncio.gather(silent(), initialised())

    async def test_pings_do_not_extend_the_init_deadline(self, live_server: LiveServer) -> None:
        async with live_server.socket(TRANSPORT_WS) as client:
            for _ in range(2):
                await client.send({"type": "ping"})
                assert await client.receive() == {"type": "pong"}
            assert await client.expect_close(4408) == []


# -- Close codes ----------------------------------------------------------------------------


async def test_protocol_violations_close_the_socket(live_server: LiveServer, protocol: str) -> None:
    subscribe, other = (
        ("subscribe", "start") if protocol == TRANSPORT_WS else ("start", "subscribe")
    )
    init = _frame(type="connection_init", payload={})
    start = _frame(id="1", type=subscribe, payload={"query": ME})
    foreign_start = _frame(id="1", type=other, payload={"query": ME})
    cases: list[tuple[str, bool, str | bytes, int]] = [
        # (case, initialise first, frame, close code)
        ("subscribe before ack", False, start, 4401),
        ("second connection_init", True, init, 4429),
        ("invalid JSON", False, "{not json", 4400),
        ("invalid JSON after ack", True, "{not json", 4400),
        ("not an object", False, '["connection_init"]', 4400),
        ("no type", True, _frame(id="1", payload={}), 4400),
        ("unknown type", True, _frame(type="hello"), 4400),
        ("binary frame", False, init.encode(), 4400),
        ("binary frame after ack", True, _frame(type="complete", id="1").encode(), 4400),
        ("init payload not an object", False, _frame(type="connection_init", payload=[1]), 4400),
        ("subscribe without id", True, _frame(type=subscribe, payload={"query": ME}), 4400),
        ("subscribe without query", True, _frame(id="1", type=subscribe, payload={}), 4400),
        ("other protocol's subscribe", True, foreign_start, 4400),
    ]
    for case, initialise, frame, code in cases:
        async with live_server.socket(protocol) as client:
            if initialise:
                await client.init()
            await client.send_raw(frame)
            assert await client.expect_close(code) == [], case


def _frame(**message: object) -> str:
    return json.dumps(message)


async def test_operation_ids_are_unique_while_live(live_server: LiveServer) -> None:
    api = live_server.api
    worker = await api.worker()
    customer = await api.register("CUSTOMER")
    async with live_server.session(TRANSPORT_WS, worker) as client:
        await client.subscribe("jobs", MATCHING_JOBS)
        await client.stop("jobs")
        await client.subscribe("jobs", MATCHING_JOBS)  # free again after complete
        await client.barrier()
        job = await api.post_job(customer)
        assert (await client.next_data("jobs"))["matchingJobs"]["id"] == job["id"]
        await client.expect_silence(0.2)  # one live subscription, so one result

        await client.subscribe("jobs", MATCHING_JOBS)  # while it is live
        assert await client.expect_close(4409) == []


async def test_ping_is_answered_with_pong_echoing_the_payload(live_server: LiveServer) -> None:
    async with live_server.session(TRANSPORT_WS) as client:
        await client.send({"type": "ping", "payload": {"sent": 1, "tag": "a"}})
        assert await client.receive() == {"type": "pong", "payload": {"sent": 1, "tag": "a"}}
        await client.send({"type": "ping"})
        assert await client.receive() == {"type": "pong"}
        # An unsolicited pong and a complete for an unknown id are ignored.
        await client.send({"type": "pong"})
        await client.stop("never-started")
        assert await _me(client) is None


# -- Single-result operations ----------------------------------------------------------------


async def test_query_and_mutation_over_the_socket_return_next_then_complete(
    live_server: LiveServer, protocol: str
) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER", name="Ada")
    worker = await api.register("WORKER")
    async with live_server.session(protocol, customer) as client:
        await client.subscribe("q", "query Me { me { id displayName role } }")
        assert await client.next_payload("q") == {
            "data": {"me": {"id": customer.id, "displayName": "Ada", "role": "CUSTOMER"}}
        }
        await client.expect_complete("q")

        await client.subscribe("m", POST_JOB, {"input": JOB_INPUT})
        job = (await client.next_data("m"))["postJob"]
        await client.expect_complete("m")
    assert job["status"] == "OPEN" and job["title"] == "Dripping tap"
    # It was committed as the socket's viewer: the customer reads it back over HTTP.
    stored = await api.ok("query($id: ID!) { job(id: $id) { title } }", {"id": job["id"]}, customer)
    assert stored == {"job": {"title": "Dripping tap"}}

    # A refused mutation reports its error in the result, then completes.
    async with live_server.session(protocol, worker) as client:
        await client.subscribe("m", POST_JOB, {"input": JOB_INPUT})
        payload = await client.next_payload("m")
        await client.expect_complete("m")
    assert payload["data"] is None
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["FORBIDDEN"]


async def test_invalid_document_returns_an_error_message(
    live_server: LiveServer, protocol: str
) -> None:
    documents = {
        "unknown field": "subscription { matchingJobs { id noSuchField } }",
        "syntax error": "subscription {",
        "no operation chosen": "query A { me { id } } query B { me { id } }",
    }
    first_error = {}
    async with live_server.session(protocol) as client:
        for case, document in documents.items():
            await client.subscribe("bad", document)
            message = await client.receive()
            assert message["type"] == "error" and message["id"] == "bad", (case, message)
            if protocol == TRANSPORT_WS:
                errors = message["payload"]
                assert isinstance(errors, list) and errors, case
            else:
                errors = [message["payload"]]  # subscriptions-transport-ws: one error object
            assert all(e["extensions"]["code"] == "BAD_USER_INPUT" for e in errors), case
            first_error[case] = errors[0]["message"]
        # Failed operations leave nothing behind: the id is free and the socket still works.
        assert await _me(client, "bad") is None
    assert "noSuchField" in first_error["unknown field"]


async def test_wrongly_typed_variable_is_a_user_error(live_server: LiveServer) -> None:
    customer = await live_server.api.register("CUSTOMER")
    async with live_server.session(TRANSPORT_WS, customer) as client:
        await client.subscribe("q", QUOTE_RECEIVED, {"id": {"not": "an id"}})
        message = await client.receive()
        assert message["type"] == "error" and message["id"] == "q", message
        assert message["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_root_field_selected_through_fragments_subscribes(live_server: LiveServer) -> None:
    api = live_server.api
    worker = await api.worker()
    customer = await api.register("CUSTOMER")
    async with live_server.session(TRANSPORT_WS, worker) as client:
        await client.subscribe(
            "spread",
            "subscription { ...Jobs } fragment Jobs on Subscription { matchingJobs { id } }",
        )
        await client.subscribe(
            "inline", "subscription { ... on Subscription { matchingJobs { id } } }"
        )
        await client.barrier()
        job = await api.post_job(customer)
        got = {}
        for _ in range(2):
            message = await client.receive()
            assert message["type"] == "next", message
            got[message["id"]] = message["payload"]
    expected = {"matchingJobs": {"id": job["id"]}}
    assert {key: payload["data"] for key, payload in got.items()} == {
        "spread": expected,
        "inline": expected,
    }
    # The same event, so the same cursor to resume from.
    assert got["spread"]["extensions"]["cursor"] == got["inline"]["extensions"]["cursor"]


# -- Ending operations and the connection -----------------------------------------------------


async def test_client_complete_stops_delivery(live_server: LiveServer, protocol: str) -> None:
    api = live_server.api
    customer = await api.register("CUSTOMER")
    workers = [await api.worker() for _ in range(2)]
    job = await api.post_job(customer)
    async with live_server.session(protocol, customer) as client:
        for op_id in ("stopped", "kept"):
            await client.subscribe(op_id, QUOTE_RECEIVED, {"id": job["id"]})
        await client.barrier()
        first = await api.quote(workers[0], job["id"], 10000)
        received = {}
        for _ in range(2):
            message = await client.receive()
            assert message["type"] == client.next_type, message
            received[message["id"]] = message["payload"]["data"]["quoteReceived"]["id"]
        assert received == {"stopped": first["id"], "kept": first["id"]}

        await client.stop("stopped")
        if protocol == LEGACY_WS:
            await client.expect_complete("stopped")  # legacy `stop` is confirmed
        await client.barrier()
        second = await api.quote(workers[1], job["id"], 11000)
        assert (await client.next_data("kept"))["quoteReceived"]["id"] == second["id"]
        await client.expect_silence(0.3)  # and nothing for "stopped"


async def test_keepalive_is_legacy_only_and_follows_the_ack(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.websocket.legacy_ws.KEEPALIVE_SECONDS", 0.05)
    async with live_server.socket(LEGACY_WS) as client:
        await client.send({"type": "connection_init", "payload": {}})
        assert await client.receive(keepalive=True) == {"type": "connection_ack"}
        assert await client.receive(keepalive=True) == {"type": "ka"}
        # ... and keeps coming while the connection is idle.
        for _ in range(2):
            assert await client.receive(keepalive=True, timeout=1) == {"type": "ka"}
    async with live_server.session(TRANSPORT_WS) as client:
        with pytest.raises(TimeoutError):
            await client.receive(keepalive=True, timeout=0.3)


async def test_legacy_connection_terminate_closes_the_socket(live_server: LiveServer) -> None:
    async with live_server.session(LEGACY_WS) as client:
        await client.send({"type": "connection_terminate"})
        assert await client.expect_close(1000) == []


async def test_closing_the_socket_ends_its_subscriptions(live_server: LiveServer) -> None:
    worker = await live_server.api.worker()
    hub = live_server.app.state.fixhub.hub
    for protocol in PROTOCOLS:
        async with live_server.session(protocol, worker) as client:
            await client.subscribe("jobs", MATCHING_JOBS)
            await client.barrier()
            assert hub.channel_count == 1, protocol
        await _until(lambda: hub.channel_count == 0)


class TestSignInOverTheSocket:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(login_attempts_per_address=2)

    async def test_login_attempts_count_against_the_client_address(
        self, live_server: LiveServer
    ) -> None:
        """Sign-ins over WebSocket spend the same per-address budget as over HTTP."""
        api = live_server.api
        victim = await api.register("CUSTOMER")
        login = 'mutation($e: String!) { login(email: $e, password: "wrong password!") { token } }'
        async with live_server.session(TRANSPORT_WS) as client:
            for attempt in range(2):
                await client.subscribe(f"login-{attempt}", login, {"e": victim.email})
                payload = await client.next_payload(f"login-{attempt}")
                assert payload["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", payload
                await client.expect_complete(f"login-{attempt}")
        assert await api.error_code(login, {"e": victim.email}) == "RATE_LIMITED"


async def test_a_close_that_quotes_a_long_client_value_still_has_its_code(
    live_server: LiveServer, protocol: str
) -> None:
    # A close reason is at most 123 bytes; quoting a long message type or operation id made
    # the close itself fail, and the socket dropped with 1006.
    async with live_server.socket(protocol) as client:
        await client.send({"type": "x" * 300})
        await client.expect_close(4400)
    worker = await live_server.api.worker()
    async with live_server.session(protocol, worker) as client:
        long_id = "é" * 200
        await client.subscribe(long_id, MATCHING_JOBS)
        await client.subscribe(long_id, MATCHING_JOBS)
        await client.expect_close(4409)
