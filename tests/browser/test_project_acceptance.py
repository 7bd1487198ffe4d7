"""The end of a renovation in the app: with every milestone approved and paid, the customer
sends the work back with defects, the project manager's open page shows them and reports them
fixed, the customer's open page offers acceptance again live, the customer accepts and rates
the platform. Each stage of the section fits a phone and passes axe."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LIVE_TIMEOUT_MS, PHONE, Window, dump, sign_in_admin
from tests.support.api import Api
from tests.support.renovation import CONTRACT_TOTAL_CENTS, Renovation
from tests.support.settlement import approve, deposit, pass_milestone


async def awaiting_acceptance(api: Api) -> Renovation:
    scene = await Renovation.build_with(api, await sign_in_admin(api), contract=True)
    milestones = await scene.milestones()
    for milestone in milestones:
        await pass_milestone(api, scene, milestone["id"])
    await deposit(api, scene, CONTRACT_TOTAL_CENTS, "full-payment")
    for milestone in milestones:
        await approve(api, scene, milestone["id"])
    return scene


async def open_project(window: Window, actor: Any, project_id: str) -> None:
    await window.sign_in_with(actor)
    await window.goto(f"/projects/{project_id}")
    await window.page.get_by_test_id("timeline-entry").first.wait_for()
    await window.mark()


async def fits_a_phone_and_passes_axe(window: Window) -> None:
    desk = window.page.viewport_size
    await window.page.set_viewport_size(PHONE)
    assert await window.horizontal_overflow() <= 0
    violations = await window.axe_violations()
    assert violations == [], dump(violations)
    await window.page.set_viewport_size(desk)


async def test_defects_then_acceptance_then_ratings(open_window: Any, server_api: Api) -> None:
    scene = await awaiting_acceptance(server_api)
    customer: Window = await open_window(locale="en")
    manager: Window = await open_window(locale="en")
    await open_project(customer, scene.customer, scene.project_id)
    await open_project(manager, scene.project_manager, scene.project_id)
    page = customer.page

    send_back = page.get_by_role("button", name="Send back for fixing")
    assert await send_back.is_disabled()  # no defect listed yet
    await fits_a_phone_and_passes_axe(customer)
    await page.get_by_label("Defects to fix, one per line").fill(
        "Scratch on the bedroom door\n\n  Loose socket in the hall  "
    )
    await send_back.click()
    defects = ["Scratch on the bedroom door", "Loose socket in the hall"]
    await page.get_by_test_id("open-defects").filter(has_text=defects[1]).wait_for()

    # The manager's open page shows the defects live and reports them fixed.
    listed = manager.page.get_by_test_id("open-defects")
    await listed.filter(has_text=defects[0]).wait_for(timeout=LIVE_TIMEOUT_MS)
    assert (await listed.inner_text()).splitlines() == defects
    await fits_a_phone_and_passes_axe(manager)
    await manager.page.get_by_label("What was fixed").fill("Door polished, socket fixed.")
    await manager.page.get_by_role("button", name="Report the defects fixed").click()
    await listed.wait_for(state="detached")

    # The customer's open page offers acceptance again, live, and accepts.
    await page.get_by_role("button", name="Accept the renovation").click(timeout=LIVE_TIMEOUT_MS)
    await page.locator(".page-head .badge").filter(has_text="Accepted").wait_for()
    platform = page.get_by_role("form", name="Your rating of The fixhub platform")
    await platform.wait_for()
    await fits_a_phone_and_passes_axe(customer)
    await platform.get_by_text("4★").click()
    await platform.get_by_role("button", name="Send rating").click()
    await page.get_by_test_id("evaluations").get_by_text("you rated it 4/5").wait_for()
    # One form per chosen firm is still offered; the platform's is gone.
    assert await page.get_by_role("form", name="Your rating of The fixhub platform").count() == 0
    assert await page.get_by_role("button", name="Send rating").count() == 4

    for window in (customer, manager):
        await window.assert_not_reloaded()
        assert await window.missing_translations() == []
        assert window.app_errors() == []
