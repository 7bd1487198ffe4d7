"""The web app's build at / (files as they are, index.html for client routes) and GraphiQL from
the same build, with a policy that lets the browser load nothing from another host."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from application import create_app
from settings import Settings

INDEX = "<!doctype html><title>fixhub app</title><script src='/assets/app-1a2b.js'></script>"
GRAPHIQL = "<!doctype html><title>fixhub GraphiQL</title>"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX)
    (folder / "graphiql.html").write_text(GRAPHIQL)
    (folder / "assets" / "app-1a2b.js").write_text("console.log('app')")
    (folder / "robots.txt").write_text("User-agent: *\n")
    return folder


@pytest.fixture
def settings(settings: Settings, dist: Path) -> Settings:
    return settings.with_overrides(webapp_dist=str(dist))


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings)
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://fixhub.test") as http:
            yield http


def _only_this_origin(response: httpx.Response) -> None:
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    assert "http" not in policy  # no other host is allowed anywhere


async def test_the_app_is_served_at_the_root_and_for_its_client_routes(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/", "/index.html", "/jobs/42", "/projects/7/timeline"):
        response = await client.get(path, headers={"accept": "text/html"})
        assert response.status_code == 200, path
        assert response.text == INDEX
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"
        _only_this_origin(response)


async def test_build_files_are_served_and_hashed_assets_cached_for_good(
    client: httpx.AsyncClient,
) -> None:
    asset = await client.get("/assets/app-1a2b.js")
    assert asset.status_code == 200 and asset.text == "console.log('app')"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    robots = await client.get("/robots.txt")
    assert robots.status_code == 200 and "immutable" not in robots.headers.get("cache-control", "")


async def test_a_missing_file_is_404_not_the_app(client: httpx.AsyncClient) -> None:
    for path in ("/assets/gone-9z9z.js", "/favicon.ico", "/../settings.py"):
        assert (await client.get(path)).status_code == 404, path


async def test_the_api_and_health_check_stay_where_they_were(client: httpx.AsyncClient) -> None:
    answer = await client.post("/graphql", json={"query": "{ currency }"})
    assert answer.json() == {"data": {"currency": "CNY"}}
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_graphiql_is_the_page_of_the_build(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.text == GRAPHIQL
    _only_this_origin(page)


async def test_production_serves_the_app_but_not_graphiql(settings: Settings) -> None:
    async for http in _client(settings.with_overrides(environment="production")):
        assert (await http.get("/", headers={"accept": "text/html"})).text == INDEX
        page = await http.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 406 and GRAPHIQL not in page.text


async def test_without_a_build_the_pages_say_how_to_build_it(
    settings: Settings, tmp_path: Path
) -> None:
    missing = settings.with_overrides(webapp_dist=str(tmp_path / "never-built"))
    async for http in _client(missing):
        for response in (
            await http.get("/", headers={"accept": "text/html"}),
            await http.get("/jobs/1", headers={"accept": "text/html"}),
            await http.get("/graphql", headers={"accept": "text/html"}),
        ):
            assert response.status_code == 503
            assert "npm ci &amp;&amp; npm run build" in response.text
            assert "<script" not in response.text
        assert (await http.get("/assets/app.js")).status_code == 404
        assert (await http.post("/graphql", json={"query": "{ currency }"})).status_code == 200
