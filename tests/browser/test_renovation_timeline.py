"""A renovation's live site timeline in three browser windows: the customer and the supervisor
watch the project page while the project manager reports progress and the supervisor fails,
then passes, an inspection. Both pages show every entry live and in order; the customer's page
goes offline and, back online, shows what it missed once each; a stranger is refused."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.browser.conftest import LIVE_TIMEOUT_MS, PHONE, Window
from tests.support.api import Actor, Api
from tests.support.renovation import Renovation

EVENTS = """query($id: ID!) { projectEvents(projectId: $id, first: 100) {
  edges { node { id kind } } } }"""
REPORT = """mutation($id: ID!, $input: ProgressInput!) {
  reportProgress(milestoneId: $id, input: $input) { id } }"""


async def stored_event_ids(api: Api, project_id: str, actor: Actor) -> list[str]:
    data = await api.ok(EVENTS, {"id": project_id}, actor)
    return [edge["node"]["id"] for edge in reversed(data["projectEvents"]["edges"])]


async def settled_event_ids(api: Api, project_id: str, actor: Actor) -> list[str]:
    """The stored entries once the last click's mutation has committed (two reads agree)."""
    before = await stored_event_ids(api, project_id, actor)
    while True:
        await asyncio.sleep(0.3)
        now = await stored_event_ids(api, project_id, actor)
        if now == before:
            return now
        before = now


async def shown_event_ids(window: Window) -> list[str]:
    return await window.page.locator('[data-testid="timeline-entry"]').evaluate_all(
        "items => items.map(item => item.dataset.eventId)"
    )


async def wait_until_shown(window: Window, ids: list[str]) -> None:
    """Until the timeline shows exactly these entries in this order (live, so it may take a
    moment), or fail with what it shows."""
    expected = ",".join(ids)
    try:
        await window.page.wait_for_function(
            """(expected) => [...document.querySelectorAll('[data-testid="timeline-entry"]')]
                 .map(item => item.dataset.eventId).join(',') === expected""",
            arg=expected,
            timeout=LIVE_TIMEOUT_MS,
        )
    except Exception:
        assert await shown_event_ids(window) == ids  # says how they differ
        raise


async def open_project(window: Window, actor: Actor, project_id: str) -> None:
    await window.sign_in_with(actor)
    await window.goto(f"/projects/{project_id}")
    await window.page.get_by_test_id("timeline-entry").first.wait_for()
    await window.mark()


async def test_site_timeline_is_live_in_order_and_resumes_after_offline(
    open_window: Any, server_api: Api, renovation: Renovation
) -> None:
    scene = renovation
    project = scene.project_id
    [first, second, *_] = await scene.milestones()
    customer: Window = await open_window(locale="en", viewport=PHONE)
    supervisor: Window = await open_window(locale="zh-CN")
    manager: Window = await open_window(locale="en", axe=False)
    for window, actor in (
        (customer, scene.customer),
        (supervisor, scene.supervisor),
        (manager, scene.project_manager),
    ):
        await open_project(window, actor, project)

    # The project manager reports the first milestone done and hands it to the supervisor.
    stage = manager.page.locator(f'[data-milestone-id="{first["id"]}"]')
    await stage.get_by_label("Done (%)").fill("100")
    await stage.get_by_label("Note").fill("Pipes and cables laid.")
    await stage.get_by_role("button", name="Report progress").click()
    await stage.get_by_role("button", name="Ready for inspection").click()

    # The supervisor (in Chinese) fails it; the manager reworks it; the supervisor passes it.
    inspected = supervisor.page.locator(f'[data-milestone-id="{first["id"]}"]')
    await inspected.get_by_label("检查意见").fill("Junction box uncovered.")
    await inspected.get_by_role("button", name="检查不通过").click()
    await stage.get_by_label("Done (%)").fill("100")
    await stage.get_by_label("Note").fill("Junction box covered.")
    await stage.get_by_role("button", name="Report progress").click()
    await stage.get_by_role("button", name="Ready for inspection").click()
    await inspected.get_by_label("检查意见").fill("All good now.")
    await inspected.get_by_role("button", name="检查通过").click()

    # Both pages show every stored entry, live, in the order stored.
    await (
        customer.page.locator(f'[data-milestone-id="{first["id"]}"]')
        .get_by_role("button", name="Approve milestone")
        .wait_for()
    )
    ids = await settled_event_ids(server_api, project, scene.customer)
    kinds = (await server_api.ok(EVENTS, {"id": project}, scene.customer))["projectEvents"]
    assert sum(e["node"]["kind"] == "INSPECTION_RECORDED" for e in kinds["edges"]) == 2
    for window in (customer, supervisor):
        await wait_until_shown(window, ids)
        await window.assert_not_reloaded()

    # The customer's phone loses the network; work goes on meanwhile.
    await customer.context.set_offline(True)
    await customer.page.get_by_test_id("offline-banner").wait_for()
    for percent in (20, 45):
        note = f"Tiling {percent} %"
        await server_api.ok(
            REPORT,
            {"id": second["id"], "input": {"percent": percent, "note": note}},
            scene.project_manager,
        )
    missed = await settled_event_ids(server_api, project, scene.customer)
    assert len(missed) > len(ids)
    await supervisor.page.wait_for_timeout(500)  # nothing can reach an offline page
    assert await shown_event_ids(customer) == ids

    # Back online: what it missed appears, once each, in order; the banner goes.
    await customer.context.set_offline(False)
    await wait_until_shown(customer, missed)
    await customer.page.get_by_test_id("offline-banner").wait_for(state="detached")
    await wait_until_shown(supervisor, missed)
    for window in (customer, supervisor):
        await window.assert_not_reloaded()
        assert window.foreign_requests() == []
        assert await window.missing_translations() == []
        assert window.app_errors() == []
    assert await customer.horizontal_overflow() <= 0


async def test_a_stranger_is_refused_the_project_page(
    open_window: Any, renovation: Renovation
) -> None:
    scene = renovation
    stranger: Window = await open_window(locale="en")
    await stranger.sign_in_with(scene.outsiders["other_customer"])
    await stranger.goto(f"/projects/{scene.project_id}")
    await stranger.page.get_by_test_id("project-refused").wait_for()
    assert await stranger.page.get_by_test_id("timeline-entry").count() == 0
    assert "Flat renovation" not in await stranger.page.inner_text("body")
