"""Hostile input gets BAD_USER_INPUT (or a 4xx) with a message a person can act on, never an
INTERNAL error, a traceback or SQL; on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from tests.support.api import Api
from tests.support.services import SECRET


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


HUGE_CURSORS = [
    _cursor("id:99999999999999999999"),
    _cursor("id:9223372036854775808"),
    _cursor("id:-1"),
    _cursor("id:١٢"),  # Arabic-Indic digits: int() takes them
    "99999999999999999999",
]
LISTS = [
    "{ notifications(first: 5, after: $after) { edges { cursor } } }",
    "{ myJobs(first: 5, after: $after) { edges { cursor } } }",
    "{ me { pointTransactions(first: 5, after: $after) { edges { cursor } } } }",
    "{ enterprises(first: 5, after: $after) { edges { cursor } } }",
]


async def _escaped_call(
    client: httpx.AsyncClient, query: str, variables: dict[str, object], token: str | None = None
) -> dict[str, object]:
    """Sends JSON with \\u escapes, as a browser does: the only way a lone surrogate arrives."""
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    response = await client.post(
        "/graphql", content=json.dumps({"query": query, "variables": variables}), headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def _assert_clean(body: dict[str, object]) -> None:
    text = json.dumps(body)
    for leak in ("Traceback", "SELECT ", "sqlite", "asyncpg", '.py"', "INTERNAL"):
        assert leak not in text, body


@pytest.mark.parametrize(
    ("document", "cursor"),
    [(document, cursor) for document in LISTS for cursor in HUGE_CURSORS]
    # jobs have 32-bit ids: one past them overflows PostgreSQL's integer
    + [(LISTS[1], _cursor("id:2147483648"))],
)
async def test_cursors_beyond_any_row_id_are_bad_input(
    api: Api, document: str, cursor: str
) -> None:
    customer = await api.register("CUSTOMER")
    query = "query($after: String) " + document
    body = await api.call(query, {"after": cursor}, customer)
    _assert_clean(body)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    assert error["message"] == "after is not a cursor returned by this API."


@pytest.mark.parametrize(
    "ident", ["99999999999999999999", "9223372036854775808", "-1", "١٢", "1e5", ""]
)
async def test_mark_notifications_read_refuses_ids_that_cannot_exist(api: Api, ident: str) -> None:
    customer = await api.register("CUSTOMER")
    body = await api.call(
        "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }", {"ids": [ident]}, customer
    )
    _assert_clean(body)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "is not a notification id" in error["message"]


POST_JOB = """mutation($input: PostJobInput!) { postJob(input: $input) { id } }"""


def _job(**overrides: object) -> dict[str, object]:
    job: dict[str, object] = {
        "category": "PIPES",
        "title": "Leaking sink",
        "description": "Drips at the joint",
        "location": {"lat": 52.52, "lng": 13.405},
        "address": "Alexanderplatz 1",
    }
    return job | overrides


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "sink \ud800", "title must be valid Unicode (no unpaired surrogates)."),
        ("description", "a\x00b", "description must not contain NUL (U+0000) characters."),
        ("address", "\udfff", "address must be valid Unicode (no unpaired surrogates)."),
        (
            "preferredStart",
            "9999-12-31T23:59:59-14:00",
            "preferredStart must be a date between the years 1900 and 9000.",
        ),
        (
            "preferredStart",
            "0001-01-01T00:00:00+14:00",
            "preferredStart must be a date between the years 1900 and 9000.",
        ),
    ],
)
async def test_text_and_dates_no_database_can_store_are_bad_input(
    api: Api, client: httpx.AsyncClient, field: str, value: str, message: str
) -> None:
    customer = await api.register("CUSTOMER")
    body = await _escaped_call(client, POST_JOB, {"input": _job(**{field: value})}, customer.token)
    _assert_clean(body)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == message
    mine = await api.ok("{ myJobs { edges { cursor } } }", actor=customer)
    assert mine["myJobs"]["edges"] == []  # nothing half-written


@pytest.mark.parametrize("literal", ["5", "true", "[1]", "{a: 1}", "2.5"])
async def test_a_date_written_as_another_kind_of_literal_is_bad_input(
    api: Api, client: httpx.AsyncClient, literal: str
) -> None:
    # Inline, not a variable: the scalar's literal parser meets the int or the list itself
    # (strawberry before 0.322.1 handed it to dateutil, which raised TypeError: INTERNAL).
    customer = await api.register("CUSTOMER")
    job = await api.post_job(customer)
    body = await _escaped_call(
        client,
        f'mutation {{ scheduleJob(jobId: "{job["id"]}", scheduledAt: {literal}) {{ id }} }}',
        {},
        customer.token,
    )
    _assert_clean(body)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "DateTime" in error["message"]


@pytest.mark.parametrize("email", ["a\ud800@example.com", "a\x00@example.com", "x" * 300])
async def test_sign_in_with_unstorable_text_is_just_wrong(
    client: httpx.AsyncClient, email: str
) -> None:
    body = await _escaped_call(
        client,
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
        {"e": email, "p": "pass\ud800word"},
    )
    _assert_clean(body)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_body_nested_45000_deep_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content=b"[" * 45_000 + b"]" * 45_000,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "The request body is nested too deeply.",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ]
    }


@pytest.mark.parametrize("subject", ["9" * 50, "-1", "1e5", "0", " 1", "\uff12"])
async def test_a_signed_token_with_an_impossible_subject_is_unauthenticated(
    client: httpx.AsyncClient, subject: str
) -> None:
    now = datetime.now(UTC)
    token = jwt.encode(
        {"sub": subject, "iss": "fixhub", "iat": now, "exp": now + timedelta(hours=1)},
        SECRET,
        algorithm="HS256",
    )
    response = await client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("ident", [" 1", "1 ", "+1", "1_0", "\uff11", "01x", "9" * 5000])
async def test_an_id_is_ascii_digits_only_and_is_not_echoed_at_length(api: Api, ident: str) -> None:
    # int() takes " 1", "+1", "1_0" and full-width digits: they named job 1 (or 10) as aliases.
    customer = await api.register("CUSTOMER")
    await api.post_job(customer)
    body = await api.call("query($id: ID!) { job(id: $id) { id } }", {"id": ident}, customer)
    _assert_clean(body)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "NOT_FOUND"}
    assert error["message"].startswith("Job ") and len(error["message"]) < 80
