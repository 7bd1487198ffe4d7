"""Actions the API always had, now in the app: the customer calls a job off; on a renovation the
designer submits a proposal that reaches the customer's open page live and the customer confirms
it; the material budgeter files a plan and the supplier records and delivers a shipment that the
customer confirms received; a customer asks support a question about the project and reads the
answer."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LIVE_TIMEOUT_MS, Window
from tests.support.api import Api
from tests.support.renovation import Renovation

JOB_STATUS = "query($id: ID!) { job(id: $id) { status cancelReason } }"


async def test_the_customer_cancels_a_job_with_a_reason(open_window: Any, server_api: Api) -> None:
    customer = await server_api.register("CUSTOMER")
    job = await server_api.post_job(customer)
    window: Window = await open_window(locale="en")
    await window.sign_in_with(customer)
    await window.goto(f"/jobs/{job['id']}")
    page = window.page
    await page.get_by_role("button", name="Cancel this job").click()
    # The reason is required: the confirming button waits for one.
    assert await page.get_by_role("button", name="Cancel the job").is_disabled()
    await page.get_by_label("Why are you cancelling?").fill("Fixed it myself.")
    await page.get_by_role("button", name="Cancel the job").click()
    await page.get_by_test_id("cancel-reason").filter(has_text="Fixed it myself.").wait_for()
    await page.locator(".page-head .badge").filter(has_text="Cancelled").wait_for()
    stored = (await server_api.ok(JOB_STATUS, {"id": job["id"]}, customer))["job"]
    assert stored == {"status": "CANCELLED", "cancelReason": "Fixed it myself."}
    # A cancelled job offers no cancel again, after a reload too.
    await window.goto(f"/jobs/{job['id']}")
    await page.get_by_test_id("cancel-reason").wait_for()
    assert await page.get_by_role("button", name="Cancel this job").count() == 0
    assert await window.missing_translations() == []
    assert window.app_errors() == []


async def open_project(window: Window, actor: Any, project_id: str) -> None:
    await window.sign_in_with(actor)
    await window.goto(f"/projects/{project_id}")
    await window.page.get_by_test_id("timeline-entry").first.wait_for()
    await window.mark()


async def test_the_designer_proposes_and_the_customer_confirms_live(
    open_window: Any, renovation: Renovation
) -> None:
    scene = renovation
    customer: Window = await open_window(locale="en")
    designer: Window = await open_window(locale="en")
    await open_project(customer, scene.customer, scene.project_id)
    await open_project(designer, scene.designer, scene.project_id)

    form = designer.page.get_by_role("form", name="Propose a design")
    await form.get_by_label("Proposal title").fill("Open kitchen, oak floors")
    await form.get_by_label("What the design proposes").fill("Wall between kitchen and hall goes.")
    await form.get_by_label("Link to the design documents").fill("https://docs.example.com/k.pdf")
    await form.get_by_label("Estimated cost (CNY)").fill("12000")
    await form.get_by_role("button", name="Submit the proposal").click()
    proposals = designer.page.get_by_test_id("design-proposal")
    mine = proposals.filter(has_text="Open kitchen, oak floors")
    await mine.filter(has_text="Submitted").wait_for()
    assert await form.get_by_label("Proposal title").input_value() == ""

    # The customer's open page shows it without a reload, and confirms it.
    theirs = customer.page.get_by_test_id("design-proposal").filter(
        has_text="Open kitchen, oak floors"
    )
    await theirs.wait_for(timeout=LIVE_TIMEOUT_MS)
    assert "12,000.00" in await theirs.inner_text()
    await theirs.get_by_role("button", name="Confirm this design").click()
    await theirs.filter(has_text="Confirmed").wait_for()
    # The designer's open page follows (the confirmation is on the site timeline).
    await mine.filter(has_text="Confirmed").wait_for(timeout=LIVE_TIMEOUT_MS)
    await customer.assert_not_reloaded()
    await designer.assert_not_reloaded()
    for window in (customer, designer):
        assert await window.missing_translations() == []
        assert window.app_errors() == []


async def test_the_budgeter_files_a_plan_and_the_supplier_delivers_it(
    open_window: Any, renovation: Renovation
) -> None:
    scene = renovation
    budgeter: Window = await open_window(locale="en")
    supplier: Window = await open_window(locale="en")
    customer: Window = await open_window(locale="en")
    await open_project(budgeter, scene.material_budgeter, scene.project_id)

    form = budgeter.page.get_by_role("form", name="File a material plan")
    await form.get_by_label("Material").fill("Oak boards")
    await form.get_by_label("Unit", exact=True).fill("m2")
    await form.get_by_label("Quantity").fill("30")
    await form.get_by_label("Unit price (CNY)").fill("85")
    await form.get_by_role("button", name="Add a line").click()
    second = form.get_by_role("group", name="Line 2")
    await second.get_by_label("Material").fill("Skirting")
    await second.get_by_label("Unit", exact=True).fill("m")
    await second.get_by_label("Quantity").fill("12.5")
    await second.get_by_label("Unit price (CNY)").fill("20")
    await form.get_by_role("button", name="File the plan").click()
    # 30 x 85.00 + 12.5 x 20.00, totalled by the server
    await budgeter.page.get_by_test_id("material-plan").filter(has_text="2,800.00").wait_for()

    await open_project(supplier, scene.supplier_owner, scene.project_id)
    await open_project(customer, scene.customer, scene.project_id)
    shipment = supplier.page.get_by_role("form", name="Record a delivery")
    await shipment.get_by_label("Carrier").fill("SF Express")
    await shipment.get_by_label("Tracking number").fill("SF123456")
    await shipment.get_by_label("Quantity of Oak boards").fill("30")
    await shipment.get_by_role("button", name="Record the dispatch").click()
    delivery = supplier.page.get_by_test_id("delivery").filter(has_text="SF123456")
    await delivery.filter(has_text="Dispatched").wait_for()
    await delivery.get_by_role("button", name="Mark delivered").click()
    await delivery.filter(has_text="Delivered").wait_for()

    # The customer's open page shows the delivery live and confirms it received.
    theirs = customer.page.get_by_test_id("delivery").filter(has_text="SF123456")
    await theirs.get_by_role("button", name="Confirm receipt").click(timeout=LIVE_TIMEOUT_MS)
    await theirs.filter(has_text="Received").wait_for()
    for window in (budgeter, supplier, customer):
        await window.assert_not_reloaded()
        assert await window.missing_translations() == []
        assert window.app_errors() == []


ANSWER = """mutation($id: ID!) { replyToConsultation(consultationId: $id,
  text: "Yes, the deposit is held until you accept.") { id status } }"""
MINE = "{ consultations(first: 5) { edges { node { id subject projectId } } } }"


async def test_a_customer_asks_support_about_the_project(
    open_window: Any, renovation: Renovation
) -> None:
    scene = renovation
    window: Window = await open_window(locale="en")
    await open_project(window, scene.customer, scene.project_id)
    page = window.page
    await page.get_by_role("link", name="Ask support about this project").click()
    form = page.get_by_role("form", name="A question for support")
    await form.get_by_label("Subject").fill("Escrow")
    await form.get_by_label("Your question").fill("Is my deposit safe until I accept?")
    assert await form.get_by_label("About the project").input_value() == scene.project_id
    await form.get_by_role("button", name="Send the question").click()
    mine = page.get_by_test_id("consultation").filter(has_text="Escrow")
    await mine.filter(has_text="Is my deposit safe until I accept?").wait_for()
    [asked] = [
        edge["node"]
        for edge in (await scene.api.ok(MINE, actor=scene.customer))["consultations"]["edges"]
        if edge["node"]["subject"] == "Escrow"
    ]
    assert asked["projectId"] == scene.project_id

    await scene.api.ok(ANSWER, {"id": asked["id"]}, scene.admin)
    await page.reload()
    await mine.filter(has_text="the deposit is held until you accept").wait_for()
    await mine.filter(has_text="Answered").wait_for()
    assert await window.missing_translations() == []
    assert window.app_errors() == []
