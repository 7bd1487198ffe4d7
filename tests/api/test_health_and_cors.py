"""/healthz says the process lives (no I/O); /readyz says it can serve (database, migrations,
bus) for a load balancer; CORS lets listed origins call the API from a browser, and only
them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import models.database
from settings import Settings, SettingsError, load_settings


async def test_healthz_answers_without_touching_the_database(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken() -> bool:
        raise AssertionError("liveness must not wait on the database")

    monkeypatch.setattr("web.app.database_is_reachable", broken)
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_checks_the_database_its_migrations_and_the_bus(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "bus": "ok",
    }


async def test_readyz_is_unavailable_while_a_shipped_migration_is_not_applied(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = models.database.written_migrations()
    monkeypatch.setattr(
        "models.database.written_migrations", lambda: shipped | {"9999_from_a_newer_release"}
    )
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending: 9999_from_a_newer_release"


async def test_readyz_is_unavailable_without_the_bus(
    app: Any, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable() -> bool:
        return False

    monkeypatch.setattr(app.state.fixhub.bus, "ping", unreachable)
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "migrations": "ok",
        "bus": "unreachable",
    }


ALLOWED = "https://app.example.com"
QUERY = {"query": "{ __typename }"}


class TestCors:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(cors_allow_origins=(ALLOWED,))

    async def test_a_listed_origin_may_call_the_api_and_read_its_price(
        self, client: httpx.AsyncClient
    ) -> None:
        preflight = await client.options(
            "/graphql",
            headers={
                "Origin": ALLOWED,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == ALLOWED
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in preflight.headers  # tokens, no cookies
        response = await client.post("/graphql", json=QUERY, headers={"Origin": ALLOWED})
        assert response.json() == {"data": {"__typename": "Query"}}
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert "x-query-cost" in response.headers["access-control-expose-headers"].lower()

    async def test_another_origin_is_not_allowed(self, client: httpx.AsyncClient) -> None:
        preflight = await client.options(
            "/graphql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 400
        assert "access-control-allow-origin" not in preflight.headers
        response = await client.post(
            "/graphql", json=QUERY, headers={"Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in response.headers


async def test_without_a_list_no_origin_gets_cors_headers(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=QUERY, headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    preflight = await client.options(
        "/graphql", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_the_origin_list_is_read_from_the_environment() -> None:
    settings = load_settings(
        {"CORS_ALLOW_ORIGINS": "https://app.example.com/, http://localhost:5173"}
    )
    assert settings.cors_allow_origins == ("https://app.example.com", "http://localhost:5173")
    assert load_settings({}).cors_allow_origins == ()


@pytest.mark.parametrize(
    "value", ["*", "app.example.com", "https://app.example.com/path", "ftp://x"]
)
def test_an_origin_list_that_is_not_exact_origins_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="CORS_ALLOW_ORIGINS must list exact origins"):
        load_settings({"CORS_ALLOW_ORIGINS": value})
