"""`python server.py demo` on a fresh database: the accounts it prints sign in with the
printed password, the key customer's jobs cover every job state, the renovation's timeline
has an entry of each kind, running it again changes nothing, and a database holding other
data is refused unless --force."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from io import StringIO
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from rich.console import Console
from tortoise import Tortoise

import server
from application import create_app
from demo.cli import Options, run
from demo.scene import ADMIN_EMAIL
from settings import Settings

PASSWORD = "demo-pass-0042"
SMALL = Options(size="small", seed=7, password=PASSWORD)
JOB_STATES = {
    "OPEN",
    "HIRED",
    "SCHEDULED",
    "IN_PROGRESS",
    "COMPLETED",
    "ACCEPTED",
    "CLOSED",
    "CANCELLED",
}
TIMELINE_KINDS = {
    "TEAM_ASSIGNED",
    "CONTRACT_DRAFTED",
    "CONTRACT_SIGNED",
    "RECORD_FILED",
    "DESIGN_SUBMITTED",
    "DELIVERY_UPDATED",
    "PROGRESS_REPORTED",
    "MILESTONE_STATUS_CHANGED",
    "INSPECTION_RECORDED",
    "CAMERA_REGISTERED",
    "SNAPSHOT_POSTED",
    "PAYMENT_RECORDED",
    "PROJECT_STATUS_CHANGED",
}
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { token user { role } } }"""


async def demo(settings: Settings, options: Options = SMALL) -> tuple[int, str]:
    """Runs the demo command as `server.py demo` does; (exit code, what it printed)."""
    out = StringIO()
    code = await run(settings, options, server._create_admin, Console(file=out, width=200))
    return code, out.getvalue()


class Client:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def call(self, query: str, token: str | None = None, **variables: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body = response.json()
        assert "errors" not in body, body
        data = body["data"]
        return next(iter(data.values())) if len(data) == 1 else data  # one root field: its value

    async def sign_in(self, email: str, password: str = PASSWORD) -> tuple[str, str]:
        payload = await self.call(LOGIN, email=email, password=password)
        return payload["token"], payload["user"]["role"]


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[Client]:
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://fixhub.test") as http:
            yield Client(http)


async def row_counts(settings: Settings) -> dict[str, int]:
    async with serving(settings):
        return {name: await model.all().count() for name, model in Tortoise.apps["fixhub"].items()}


def printed_accounts(output: str) -> dict[str, str]:
    """email -> role, from the summary's table."""
    rows = re.findall(r"([\w.]+@demo\.fixhub\.example)\s*│\s*(\w+)", output)
    return dict(rows)


async def test_the_demo_city_signs_in_and_covers_every_state(settings: Settings) -> None:
    code, output = await demo(settings)
    assert code == 0, output
    assert f"password: {PASSWORD}" in output
    accounts = printed_accounts(output)
    assert {"ADMIN", "CUSTOMER", "WORKER", "ENTERPRISE_STAFF"} <= set(accounts.values())
    async with serving(settings) as api:
        tokens = {}
        for email, role in accounts.items():
            token, signed_in_as = await api.sign_in(email)
            assert signed_in_as == role, email
            tokens[email.split("@")[0]] = token

        jobs = await api.call(
            "{ myJobs(first: 100) { edges { node { status } } } }", tokens["customer"]
        )
        assert {edge["node"]["status"] for edge in jobs["edges"]} == JOB_STATES

        worker = await api.call(
            "{ me { pointsBalance workerProfile { categories } } }", tokens["worker"]
        )
        assert worker["pointsBalance"] > 0

        customer = await api.call(
            """{ me { pointTransactions(first: 20) { edges { node { kind } } } }
                 unreadNotificationCount
                 notifications(first: 100) { edges { node { read } } }
                 threads(first: 50) { edges { node { lastMessageAt } } }
                 serviceRecords(first: 10) { edges { node { jobId } } } }""",
            tokens["customer"],
        )
        ledger = {edge["node"]["kind"] for edge in customer["me"]["pointTransactions"]["edges"]}
        assert ledger == {"EARN", "ADJUST", "REDEEM"}
        read = [edge["node"]["read"] for edge in customer["notifications"]["edges"]]
        assert 0 < customer["unreadNotificationCount"] < len(read) and any(read)
        assert any(edge["node"]["lastMessageAt"] for edge in customer["threads"]["edges"])
        assert len(customer["serviceRecords"]["edges"]) == 2  # her ACCEPTED and CLOSED jobs

        homeowner = tokens["homeowner"]
        [project] = (await api.call("{ projects { edges { node { id status } } } }", homeowner))[
            "edges"
        ]
        assert project["node"]["status"] == "IN_PROGRESS"
        project_id = project["node"]["id"]
        events = await api.call(
            """query($id: ID!) { projectEvents(projectId: $id, first: 100) {
                 edges { node { kind } } } }""",
            homeowner,
            id=project_id,
        )
        assert {edge["node"]["kind"] for edge in events["edges"]} >= TIMELINE_KINDS
        milestones = await api.call(
            "query($id: ID!) { milestones(projectId: $id) { status } }", homeowner, id=project_id
        )
        assert [m["status"] for m in milestones][:3] == ["APPROVED", "IN_PROGRESS", "PENDING"]
        records = await api.call(
            "query($id: ID!) { projectRecords(projectId: $id) { kind } }",
            homeowner,
            id=project_id,
        )
        assert sorted(r["kind"] for r in records) == [
            "CONTRACT",
            "DESIGN",
            "INSPECTION_REPORT",  # failed
            "INSPECTION_REPORT",  # passed on the second visit
            "MATERIAL_PLAN",
        ]
        statement = await api.call(
            """query($id: ID!) { projectStatement(projectId: $id) {
                 depositedCents releasedCents entries { kind } } }""",
            homeowner,
            id=project_id,
        )
        assert {e["kind"] for e in statement["entries"]} == {"DEPOSIT", "RELEASE"}
        assert 0 < statement["releasedCents"] < statement["depositedCents"]

        library = await api.call(
            """{ enterprises(city: "Shanghai", first: 20) {
                 edges { node { kind members(first: 5) { role } } } } }""",
            homeowner,
        )
        kinds = [edge["node"]["kind"] for edge in library["edges"]]
        assert sorted(set(kinds)) == ["DECORATION", "DESIGN", "MATERIAL_SUPPLIER", "SUPERVISION"]
        assert all(kinds.count(kind) == 2 for kind in set(kinds))
        assert all(edge["node"]["members"] for edge in library["edges"])

    before = await row_counts(settings)
    code, output = await demo(settings, Options(size="default", seed=99, password=PASSWORD))
    assert code == 0
    assert "already holds the demo; nothing changed" in output
    assert await row_counts(settings) == before


async def test_a_demo_that_stopped_part_way_is_not_taken_for_a_finished_one(
    settings: Settings,
) -> None:
    # given the demo's ADMIN but not the rest (a run that failed after creating it)
    assert (await server._create_admin(settings, ADMIN_EMAIL, "Admin", PASSWORD)).startswith(
        "created"
    )
    before = await row_counts(settings)

    code, output = await demo(settings, Options(size="small", password=PASSWORD, force=True))
    assert code == 2
    assert "stopped part-way" in output
    assert await row_counts(settings) == before


async def test_a_database_holding_other_data_is_refused_without_force(settings: Settings) -> None:
    async with serving(settings) as api:
        await api.call(
            """mutation($input: RegisterInput!) { register(input: $input) { token } }""",
            input={
                "email": "someone@example.com",
                "password": "their own password",
                "displayName": "Someone",
                "role": "CUSTOMER",
            },
        )
    before = await row_counts(settings)

    code, output = await demo(settings)
    assert code == 2
    assert "holds data that is not the demo" in output and "--force" in output
    assert await row_counts(settings) == before  # not even the ADMIN was made

    code, output = await demo(settings, Options(size="small", password=PASSWORD, force=True))
    assert code == 0, output
    async with serving(settings) as api:
        _, role = await api.sign_in("customer@demo.fixhub.example")
        assert role == "CUSTOMER"
        # the data that was there is untouched
        await api.sign_in("someone@example.com", "their own password")
