"""Regenerates the README's screenshots of the web app (docs/screenshots/*.png).

    python docs/screenshots.py

Needs the built app (cd webapp && npm ci && npm run build), Chromium at /usr/bin/chromium and,
for the Chinese shots, a CJK font (apt-get install -y fonts-wqy-microhei): the app itself uses
the system's fonts and loads none.
Starts `python server.py` on a temporary database, fills it through the API with a repair job
that has three quotes and a renovation with a filed contract and some site progress, and takes
each main page on a phone (375 px, Chinese) and a desk (1440 px, English).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.browser.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    DESK,
    PHONE,
    _start_server,
    sign_in_admin,
)
from tests.support.api import Actor, Api  # noqa: E402
from tests.support.renovation import Renovation  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SHANGHAI = (31.2304, 121.4737)
REPORT = """mutation($id: ID!, $input: ProgressInput!) {
  reportProgress(milestoneId: $id, input: $input) { id } }"""
QUOTE = """mutation($input: SubmitQuoteInput!) { submitQuote(input: $input) { id } }"""
PROFILE = """mutation($input: WorkerProfileInput!) { updateWorkerProfile(input: $input) { id } }"""


async def seed(api: Api) -> dict[str, object]:
    customer = await api.register("CUSTOMER", name="李女士")
    workers = []
    for name, bio in (("王师傅", "20 years of plumbing"), ("张师傅", None), ("Chen", None)):
        worker = await api.register("WORKER", name=name)
        await api.ok(
            PROFILE,
            {
                "input": {
                    "categories": ["PIPES", "WATER_ELECTRICAL"],
                    "location": {"lat": SHANGHAI[0], "lng": SHANGHAI[1]},
                    "serviceRadiusKm": 20,
                    "bio": bio,
                    "available": True,
                }
            },
            worker,
        )
        workers.append(worker)
    job = await api.post_job(
        customer,
        category="PIPES",
        lat=SHANGHAI[0] + 0.01,
        lng=SHANGHAI[1],
        title="厨房水槽下漏水",
        description="Water drips from the trap under the kitchen sink.",
        address="上海市浦东新区世纪大道 88 号",
        budgetMaxCents=40000,
    )
    for worker, cents, message in zip(
        workers,
        (18000, 15000, 26000),
        ("今天下午可以上门", "Can come tomorrow morning", None),
        strict=True,
    ):
        await api.ok(
            QUOTE,
            {"input": {"jobId": job["id"], "amountCents": cents, "message": message}},
            worker,
        )
    await api.post_job(
        customer,
        category="WATER_ELECTRICAL",
        lat=SHANGHAI[0],
        lng=SHANGHAI[1] + 0.02,
        title="Bathroom socket sparks",
        description="The socket next to the mirror sparks when plugging in.",
        address="Century Avenue 100, Shanghai",
    )
    scene = await Renovation.build_with(api, await sign_in_admin(api), contract=True)
    [first, *_] = await scene.milestones()
    for percent, note in ((40, "Pipes laid in kitchen and bath"), (100, "Cables pulled, tested")):
        await api.ok(
            REPORT,
            {"id": first["id"], "input": {"percent": percent, "note": note}},
            scene.project_manager,
        )
    return {
        "customer": customer,
        "worker": workers[0],
        "job": job["id"],
        "project": scene.project_id,
        "renovator": scene.customer,
    }


SHOTS = [
    # (file name, who, path)
    ("quote-board", "customer", "/jobs/{job}"),
    ("job-feed", "worker", "/"),
    ("project", "renovator", "/projects/{project}"),
    ("post-job", "customer", "/jobs/new"),
    ("welcome", None, "/"),
]


async def main() -> None:
    from playwright.async_api import async_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    server = _start_server(Path(tempfile.mkdtemp(prefix="fixhub-shots-")))
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            world = await seed(Api(http))
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            for suffix, locale, viewport in (("phone", "zh-CN", PHONE), ("desk", "en", DESK)):
                for name, who, path in SHOTS:
                    context = await browser.new_context(
                        locale=locale, viewport=viewport, reduced_motion="reduce"
                    )
                    page = await context.new_page()
                    await page.goto(server.url + "/signin")
                    actor = world.get(who) if who else None
                    if isinstance(actor, Actor):
                        await page.evaluate(
                            "(t) => localStorage.setItem('fixhub.token', t)", actor.token
                        )
                    await page.goto(server.url + path.format(**world))
                    await page.wait_for_load_state("networkidle")
                    await page.wait_for_timeout(300)
                    file = OUT / f"{name}-{suffix}.png"
                    await page.screenshot(path=str(file), full_page=suffix == "phone")
                    print(file.relative_to(ROOT))
                    await context.close()
            await browser.close()
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)


if __name__ == "__main__":
    asyncio.run(main())
