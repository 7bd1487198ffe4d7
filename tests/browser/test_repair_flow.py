"""The repair flow in two browser windows, a customer and a worker, each signed up through the
app: the job reaches the worker's feed and the quote the customer's board live (no reload),
then hire, schedule, start, complete, accept, reviews both ways, points on both sides, their
conversation live, and the bell's unread count marked read."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.browser.conftest import LIVE_TIMEOUT_MS, Window

SHANGHAI = ("31.23040", "121.47370")


async def sign_up(window: Window, role_label: str, name: str) -> None:
    page = window.page
    await window.goto("/signup")
    await page.get_by_label(role_label).check()
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Email").fill(f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com")
    await page.get_by_label("Password").fill("correct horse battery")
    await page.get_by_role("button", name="Sign up").click()


async def test_customer_and_worker_do_a_repair_live(open_window: Any) -> None:
    customer: Window = await open_window(locale="en")
    worker: Window = await open_window(locale="en")

    # The worker signs up, sets skills and area, and keeps the live feed open.
    await sign_up(worker, "Worker", "Wang")
    await worker.page.get_by_role("heading", name="My worker profile").wait_for()
    await worker.page.get_by_label("Pipes").check()
    await worker.page.get_by_label("Latitude").fill(SHANGHAI[0])
    await worker.page.get_by_label("Longitude").fill(SHANGHAI[1])
    await worker.page.get_by_role("button", name="Save").click()
    await worker.page.get_by_text("Profile saved.").wait_for()
    await worker.page.get_by_role("link", name="Job feed").click()
    await worker.page.get_by_role("heading", name="Jobs for you, live").wait_for()
    await worker.mark()

    # The customer posts a job.
    await sign_up(customer, "Customer", "Li")
    await customer.page.get_by_role("heading", name="My repair jobs").wait_for()
    await customer.page.get_by_role("navigation").get_by_role("link", name="Post a job").click()
    page = customer.page
    await page.get_by_label("Pipes").check()
    await page.get_by_label("Title").fill("Kitchen sink leaks")
    await page.get_by_label("Description").fill("Water drips from the trap under the sink.")
    await page.get_by_label("Address").fill("88 Century Avenue, Shanghai")
    await page.get_by_label("Latitude").fill(SHANGHAI[0])
    await page.get_by_label("Longitude").fill(SHANGHAI[1])
    await page.get_by_label("Up to").fill("300")
    await page.get_by_role("button", name="Post job").click()
    await page.wait_for_url(re.compile(r"/jobs/\d+$"))
    job_id = page.url.rsplit("/", 1)[-1]
    await page.get_by_text("No quotes yet").wait_for()
    await customer.mark()

    # The worker's feed shows it without a reload, with distance and reasons.
    item = worker.page.locator(f'[data-testid="feed-job"][data-job-id="{job_id}"]')
    await item.wait_for(timeout=LIVE_TIMEOUT_MS)
    await worker.assert_not_reloaded()
    assert "Kitchen sink leaks" in await item.inner_text()
    assert "km" in await item.inner_text()

    # The worker quotes from the job page.
    await item.get_by_role("link", name="View and quote").click()
    await worker.page.get_by_label("Your price (CNY)").fill("150")
    await worker.page.get_by_label("Message to the customer").fill("I can come tomorrow.")
    await worker.page.get_by_role("button", name="Send quote").click()
    await worker.page.get_by_test_id("my-quote").wait_for()

    # The customer's board shows it without a reload, with the worker's record and reasons.
    quote = customer.page.get_by_test_id("quote")
    await quote.wait_for(timeout=LIVE_TIMEOUT_MS)
    await customer.assert_not_reloaded()
    text = await quote.inner_text()
    assert "Wang" in text and "150.00" in text and "0 jobs completed" in text
    assert "I can come tomorrow." in text

    # Hire: the worker's open page shows it.
    await quote.get_by_role("button", name="Hire Wang").click()
    await worker.page.get_by_test_id("hired-worker").wait_for(timeout=LIVE_TIMEOUT_MS)
    # Their conversation is live: the worker's open thread shows the customer's message.
    await worker.page.get_by_role("link", name="With Li").click()
    await customer.page.get_by_role("link", name="With Wang").click()
    await customer.page.get_by_label("Write a message").fill("The key is with the concierge.")
    await customer.page.get_by_role("button", name="Send").click()
    await (
        worker.page.get_by_test_id("messages")
        .get_by_text("The key is with the concierge.")
        .wait_for(timeout=LIVE_TIMEOUT_MS)
    )
    await customer.page.go_back()
    await worker.page.go_back()

    await worker.page.get_by_role("button", name="Book this time").click()
    await worker.page.get_by_role("button", name="Start the job").click()
    await worker.page.get_by_role("button", name="Mark the job complete").click()

    # The customer sees completion live and accepts, then reviews.
    await customer.page.get_by_role("button", name="Accept the work").click(timeout=LIVE_TIMEOUT_MS)
    await customer.page.get_by_role("button", name="Send review").click()
    await customer.page.get_by_text("Thank you for your review").wait_for()
    await customer.page.get_by_test_id("service-record").wait_for()

    # The worker rates the customer.
    await worker.page.get_by_role("heading", name="Rate the customer").wait_for(
        timeout=LIVE_TIMEOUT_MS
    )
    await worker.page.get_by_role("button", name="Send review").click()
    await worker.page.get_by_text("Thank you for your review").wait_for()

    # Points on both sides: 50 + 1 % of 150.00 for the customer, 100 + 2 % for the worker.
    await customer.page.get_by_test_id("points-balance").filter(has_text="51 pts").wait_for()
    await worker.page.get_by_test_id("points-balance").filter(has_text="103 pts").wait_for()
    await customer.assert_not_reloaded()
    await worker.assert_not_reloaded()

    # The worker's bell counts what arrived (hired, accepted, points...) and marks it read.
    unread = int(await worker.page.get_by_test_id("unread-count").inner_text())
    assert unread >= 3
    await worker.page.get_by_role("link", name=f"Notifications, {unread} unread").click()
    await worker.page.get_by_role("button", name="Mark all read").click()
    await worker.page.get_by_test_id("unread-count").wait_for(state="detached")
    await worker.assert_not_reloaded()

    # After a reload neither side is offered its review again: the API says it was given.
    for window in (customer, worker):
        await window.goto(f"/jobs/{job_id}")  # a fresh load of the job page
        await window.page.get_by_test_id("review-done").wait_for()
        assert await window.page.get_by_role("button", name="Send review").count() == 0
    assert await worker.page.get_by_role("heading", name="Rate the customer").count() == 0
    assert await customer.page.get_by_role("heading", name="Review the worker").count() == 0

    for window in (customer, worker):
        assert window.foreign_requests() == []
        assert await window.missing_translations() == []
        assert window.app_errors() == []
