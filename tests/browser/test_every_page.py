"""Every page of the app, for the role that sees it, at 375 px and 1440 px, in both locales:
no horizontal scroll, no serious or critical axe-core violation, no missing translation, no
request to any host but the server. And GraphiQL from the app's own build."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DESK, PHONE, Window, dump
from tests.support.api import Actor, Api
from tests.support.designs_materials import file_plan
from tests.support.renovation import Renovation

THREADS = "{ threads(first: 5) { edges { node { id } } } }"
REWARD = """mutation { createReward(input: {name: "Tool bag", costPoints: 50, stock: 3}) {
  id } }"""


@pytest.fixture(scope="module")
async def world(server_api: Api, renovation: Renovation) -> dict[str, Any]:
    api = server_api
    admin = renovation.admin
    scene = renovation
    customer = scene.customer
    worker = await api.worker(lat=52.538, lng=13.41)
    job = await api.post_job(customer, lat=52.538, lng=13.41)
    await api.quote(worker, job["id"])
    await api.ok(REWARD, actor=admin)
    thread = (await api.ok(THREADS, actor=customer))["threads"]["edges"][0]["node"]["id"]
    await api.ok(
        'mutation($t: ID!) { sendMessage(threadId: $t, text: "Can you come at 9?") { id } }',
        {"t": thread},
        customer,
    )
    # A plan in force: the supplier's page then shows its delivery form too.
    await file_plan(api, scene)
    cancelled = await api.post_job(customer, lat=52.538, lng=13.41)
    await api.ok(
        'mutation($j: ID!) { cancelJob(jobId: $j, reason: "Not needed") { id } }',
        {"j": cancelled["id"]},
        customer,
    )
    project = f"/projects/{scene.project_id}"
    return {
        "pages": {
            None: ["/", "/signin", "/signup", "/nowhere"],
            "customer": [
                "/",
                "/jobs/new",
                f"/jobs/{job['id']}",
                f"/jobs/{cancelled['id']}",
                "/projects",
                project,
                "/projects/new",
                "/enterprises",
                "/threads",
                f"/threads/{thread}",
                "/points",
                "/notifications",
                "/support",
            ],
            "worker": ["/", "/jobs", "/profile", f"/jobs/{job['id']}", "/support"],
            "manager": ["/", project],
            # each with the section of the project page only its role sees
            "designer": [project],
            "budgeter": [project],
            "supplier": [project],
            "admin": ["/"],
        },
        "actors": {
            "customer": customer,
            "worker": worker,
            "manager": scene.project_manager,
            "designer": scene.designer,
            "budgeter": scene.material_budgeter,
            "supplier": scene.supplier_owner,
            "admin": admin,
        },
    }


# Loaded, and the quotes' slide-in finished (axe would read a half-faded text as low contrast).
SETTLED = """() => document.querySelector('h1') !== null
  && !/Loading…|加载中…/.test(document.body.innerText)"""
ANIMATIONS_DONE = "() => document.getAnimations().every(a => a.playState !== 'running')"


async def check_page(window: Window, path: str, axe_at: int) -> list[str]:
    """Loads the page once and looks at it at both widths (a resize, not a reload); axe runs
    at one of them (each locale takes the other), every check at both."""
    await window.page.set_viewport_size(PHONE)
    await window.goto(path)
    await window.page.wait_for_function(SETTLED)
    problems = []
    for viewport in (PHONE, DESK):
        await window.page.set_viewport_size(viewport)
        where = f"{path} at {viewport['width']} px"
        overflow = await window.horizontal_overflow()
        if overflow > 0:
            problems.append(f"{where}: scrolls sideways by {overflow} px")
        if viewport["width"] == axe_at:
            await window.page.wait_for_function(ANIMATIONS_DONE)
            violations = await window.axe_violations()
            if violations:
                problems.append(f"{where}: axe {dump(violations)}")
    missing = await window.missing_translations()
    if missing:
        problems.append(f"{path}: missing translations {missing}")
    if window.app_errors():
        problems.append(f"{path}: {window.app_errors()}")
    window.errors.clear()
    return problems


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
async def test_every_page_fits_both_widths_is_accessible_and_translated(
    open_window: Any, world: dict[str, Any], locale: str
) -> None:
    problems: list[str] = []
    windows: list[Window] = []
    for role, paths in world["pages"].items():
        window: Window = await open_window(locale=locale)
        windows.append(window)
        actor: Actor | None = world["actors"].get(role)
        if actor is not None:
            await window.sign_in_with(actor)
        for path in paths:
            axe_at = PHONE["width"] if locale == "en" else DESK["width"]
            problems += await check_page(window, path, axe_at)
        window.errors.clear()
    assert problems == []
    for window in windows:
        assert window.foreign_requests() == []
    if locale == "zh-CN":
        assert await windows[0].page.evaluate("() => document.documentElement.lang") == "zh-CN"


async def test_graphiql_runs_from_the_apps_own_build(open_window: Any) -> None:
    window: Window = await open_window(axe=False)
    await window.goto("/graphql")
    await window.page.locator(".graphiql-container").wait_for()
    assert window.foreign_requests() == []
    assert any(url.endswith(".js") and "/assets/" in url for url in window.requests)
