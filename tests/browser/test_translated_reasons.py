"""In Chinese, why a worker was matched reads in Chinese: the customer's quote board and the
worker's live job feed word each reason from its numbers (MatchReason.value, radiusKm,
reviewCount...) with Intl, and show none of the server's English `text`."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Window
from tests.support.api import Api

REASONS = """query($id: ID!) { job(id: $id) { quotes { match { reasons { code text } } } } }"""


async def test_quote_board_and_job_feed_show_the_reasons_in_chinese(
    open_window: Any, server_api: Api
) -> None:
    api = server_api
    customer = await api.register("CUSTOMER")
    worker = await api.worker(lat=31.2304, lng=121.4737, radius_km=20)
    job = await api.post_job(customer, lat=31.24, lng=121.4737)
    await api.quote(worker, job["id"])
    data = await api.ok(REASONS, {"id": job["id"]}, customer)
    english = [r["text"] for r in data["job"]["quotes"][0]["match"]["reasons"]]
    assert any("service radius" in text for text in english)  # what must not show

    board: Window = await open_window(locale="zh-CN")
    await board.sign_in_with(customer)
    await board.goto(f"/jobs/{job['id']}")
    board_reasons = board.page.get_by_test_id("quote").get_by_test_id("match-reasons")
    feed: Window = await open_window(locale="zh-CN")
    await feed.sign_in_with(worker)
    await feed.goto("/")
    feed_item = feed.page.locator(f'[data-testid="feed-job"][data-job-id="{job["id"]}"]')
    feed_reasons = feed_item.get_by_test_id("match-reasons")

    for window, reasons in ((board, board_reasons), (feed, feed_reasons)):
        await reasons.wait_for()
        distance = await reasons.locator('[data-code="DISTANCE"]').inner_text()
        # 1.1 km of a 20 km radius, formatted by Intl for zh-CN
        assert "公里" in distance and "20公里" in distance and "服务半径" in distance, distance
        assert await reasons.locator('[data-code="RATING"]').inner_text() == "暂无评价"
        assert "已完成 0 单" in await reasons.locator('[data-code="COMPLETED_JOBS"]').inner_text()
        assert "报价" in await reasons.locator('[data-code="RESPONSIVENESS"]').inner_text()
        body = await window.page.evaluate("() => document.body.innerText")
        assert [text for text in english if text in body] == []
        assert await window.missing_translations() == []
        assert window.app_errors() == []
