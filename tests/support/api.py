"""GraphQL calls as a client makes them (`Api`) and the actors a test registers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Actor:
    id: str
    token: str
    email: str
    role: str


class Api:
    """GraphQL calls as a client makes them, plus factories for the actors of a test."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def call(
        self, query: str, variables: dict[str, Any] | None = None, actor: Actor | None = None
    ) -> dict[str, Any]:
        response = await self.raw(query, variables, actor.token if actor else None)
        assert response.status_code == 200, response.text
        return response.json()

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, actor: Actor | None = None
    ) -> dict[str, Any]:
        body = await self.call(query, variables, actor)
        assert "errors" not in body, body
        return body["data"]

    async def error_code(
        self, query: str, variables: dict[str, Any] | None = None, actor: Actor | None = None
    ) -> str:
        body = await self.call(query, variables, actor)
        assert body.get("errors"), body
        return body["errors"][0]["extensions"]["code"]

    async def register(self, role: str = "CUSTOMER", name: str | None = None) -> Actor:
        email = f"{role.lower()}-{uuid.uuid4().hex[:10]}@example.com"
        data = await self.ok(
            """mutation($input: RegisterInput!) {
                 register(input: $input) { token user { id email role } } }""",
            {
                "input": {
                    "email": email,
                    "password": "correct horse battery",
                    "displayName": name or role.title(),
                    "role": role,
                }
            },
        )
        payload = data["register"]
        return Actor(payload["user"]["id"], payload["token"], email, role)

    async def worker(
        self,
        lat: float = 52.52,
        lng: float = 13.405,
        radius_km: float = 25,
        categories: tuple[str, ...] = ("PIPES",),
    ) -> Actor:
        actor = await self.register("WORKER")
        await self.ok(
            "mutation($input: WorkerProfileInput!) { updateWorkerProfile(input: $input) { id } }",
            {
                "input": {
                    "categories": list(categories),
                    "location": {"lat": lat, "lng": lng},
                    "serviceRadiusKm": radius_km,
                    "bio": "Plumber",
                }
            },
            actor,
        )
        return actor

    async def post_job(
        self,
        customer: Actor,
        category: str = "PIPES",
        lat: float = 52.5,
        lng: float = 13.4,
        **overrides: Any,
    ) -> dict[str, Any]:
        job_input = {
            "category": category,
            "title": "Leaking pipe under the sink",
            "description": "Water drips from the joint.",
            "location": {"lat": lat, "lng": lng},
            "address": "Alexanderplatz 1, Berlin",
            **overrides,
        }
        data = await self.ok(
            """mutation($input: PostJobInput!) {
                 postJob(input: $input) { id status matchCount } }""",
            {"input": job_input},
            customer,
        )
        return data["postJob"]

    async def quote(self, worker: Actor, job_id: str, amount_cents: int = 12000) -> dict[str, Any]:
        data = await self.ok(
            """mutation($input: SubmitQuoteInput!) {
                 submitQuote(input: $input) { id status amountCents } }""",
            {"input": {"jobId": job_id, "amountCents": amount_cents, "message": "Can do"}},
            worker,
        )
        return data["submitQuote"]

    async def accepted_job(
        self, amount_cents: int = 20000, *, accept: bool = True
    ) -> tuple[Actor, Actor, str]:
        """(customer, hired worker, job id) of a job driven through the API to ACCEPTED (or,
        with accept=False, to COMPLETED): the moment its parties may review each other."""
        customer = await self.register("CUSTOMER")
        worker = await self.worker()
        job = await self.post_job(customer)
        quote = await self.quote(worker, job["id"], amount_cents)
        await self.ok(
            "mutation($id: ID!) { acceptQuote(quoteId: $id) { id } }", {"id": quote["id"]}, customer
        )
        for call in (
            'scheduleJob(jobId: $id, scheduledAt: "2099-01-01T09:00:00Z")',
            "startJob(jobId: $id)",
            "completeJob(jobId: $id)",
        ):
            await self.ok(f"mutation($id: ID!) {{ r: {call} {{ id }} }}", {"id": job["id"]}, worker)
        if accept:
            await self.ok(
                "mutation($id: ID!) { acceptJob(jobId: $id) { id } }", {"id": job["id"]}, customer
            )
        return customer, worker, job["id"]
