"""What an operator reads: one log line per operation with its request id (the client's
X-Request-ID when it sends a plausible one, echoed back and quoted in INTERNAL errors),
operation name, user, outcome and duration; JSON lines with LOG_FORMAT=json; and never a
password or a token."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import httpx
import pytest

from tests.support.api import Api
from web.logs import JsonFormatter, logging_config

ME = "query Me { me { id displayName } }"


def access_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [record.fields for record in caplog.records if record.name == "fixhub.access"]  # type: ignore[attr-defined]


async def test_a_client_request_id_is_echoed_logged_and_quoted_in_internal_errors(
    api: Api,
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    customer = await api.register("CUSTOMER")

    async def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("resolvers.jobs.my_jobs", broken)
    caplog.set_level(logging.INFO, logger="fixhub.access")
    response = await client.post(
        "/graphql",
        json={"query": "query Mine { myJobs { edges { cursor } } }"},
        headers={"Authorization": f"Bearer {customer.token}", "X-Request-ID": "edge-7f3a.91"},
    )
    assert response.headers["x-request-id"] == "edge-7f3a.91"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "edge-7f3a.91"}
    [line] = access_records(caplog)
    assert line["requestId"] == "edge-7f3a.91"
    assert line["operation"] == "Mine"
    assert line["userId"] == int(customer.id)
    assert line["outcome"] == "INTERNAL"
    assert line["status"] == 200
    assert line["durationMs"] >= 0


@pytest.mark.parametrize("header", ["two words", "x" * 65, "id\nforged line", ""])
async def test_an_implausible_request_id_is_replaced(
    client: httpx.AsyncClient, header: str
) -> None:
    response = await client.post("/graphql", json={"query": ME}, headers={"X-Request-ID": header})
    assert response.headers["x-request-id"] != header
    assert len(response.headers["x-request-id"]) == 16


async def test_each_operation_logs_its_outcome(
    api: Api, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fixhub.access")
    await client.post("/graphql", json={"query": ME})
    await client.post(
        "/graphql",
        json={"query": "mutation Quote { submitQuote(input: {jobId: 1, amountCents: 5}) { id } }"},
    )
    await client.post("/graphql", json={"query": "{ nope }"})
    lines = access_records(caplog)
    assert [(line["operation"], line["outcome"], line["userId"]) for line in lines] == [
        ("Me", "ok", None),
        ("Quote", "UNAUTHENTICATED", None),
        (None, "BAD_USER_INPUT", None),
    ]


async def test_no_password_or_token_reaches_the_logs(
    api: Api, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    customer = await api.register("CUSTOMER")
    login = await api.ok(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
        {"e": customer.email, "p": "correct horse battery"},
    )
    await api.ok(ME, actor=customer)
    await client.post(
        "/graphql",
        json={
            "query": 'mutation { login(email: "x@example.com", password: "hunter2 secret") '
            "{ token } }"
        },
    )
    formatter = JsonFormatter()
    text = caplog.text + "\n".join(formatter.format(record) for record in caplog.records)
    for secret in (
        "correct horse battery",
        "hunter2 secret",
        customer.token,
        login["login"]["token"],
    ):
        assert secret not in text


def test_a_json_line_carries_the_fields_and_the_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("fixhub.test").makeRecord(
            "fixhub.test", logging.ERROR, __file__, 1, "failed %s", ("op",), sys.exc_info()
        )
    record.fields = {"requestId": "r1", "operation": "Op"}
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "ERROR" and line["logger"] == "fixhub.test"
    assert line["message"] == "failed op"
    assert line["requestId"] == "r1" and line["operation"] == "Op"
    assert "ValueError: boom" in line["exception"]
    assert line["time"].endswith("Z")


def test_json_logs_cover_uvicorn_too_and_its_access_log_is_off() -> None:
    config = logging_config("json", "info")
    assert config["formatters"]["default"] == {"()": "web.logs.JsonFormatter"}
    assert config["loggers"]["uvicorn.access"]["propagate"] is False
    assert config["loggers"]["uvicorn.access"]["handlers"] == []
