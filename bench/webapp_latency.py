"""Quote-to-screen latency of the web app, measured in the browser.

    python bench/webapp_latency.py [--rounds 20]

Starts `python server.py` (embedded default, temporary data folder, free port) serving the
built app (cd webapp && npm ci && npm run build), and Debian's Chromium with two windows: a
customer with a job's page open, and a worker. For each round the customer posts a new job and
opens its page; the worker's window sends `submitQuote` with fetch and notes `Date.now()` just
before; a MutationObserver in the customer's window notes `Date.now()` when the quote appears
on the board. Both windows run in one browser on one machine, so the two clocks are one.
Prints every round, the median, and the gzipped size of the app's own files.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESK, _start_server  # noqa: E402
from tests.support.api import Api  # noqa: E402

WATCH = """() => new Promise((resolve) => {
  const board = document.querySelector('[data-testid="quote-board"]');
  const seen = () => board.querySelector('[data-testid="quote"]');
  if (seen()) return resolve(Date.now());
  new MutationObserver((_, observer) => {
    if (seen()) { observer.disconnect(); resolve(Date.now()); }
  }).observe(board, { childList: true, subtree: true });
})"""

QUOTE = """async ([token, jobId]) => {
  const sent = Date.now();
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: 'mutation($input: SubmitQuoteInput!) { submitQuote(input: $input) { id } }',
      variables: { input: { jobId, amountCents: 15000 } },
    }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return sent;
}"""


def bundle_sizes(dist: Path) -> tuple[int, int]:
    """(gzipped bytes of what the app page loads, of everything under assets/)."""
    index = (dist / "index.html").read_text()
    app_files = [
        path for path in (dist / "assets").iterdir() if f"/assets/{path.name}" in index
    ] + [dist / "index.html"]
    everything = list((dist / "assets").iterdir())

    def size(paths: list[Path]) -> int:
        return sum(len(gzip.compress(path.read_bytes(), 9)) for path in paths)

    return size(app_files), size(everything)


async def main(rounds: int) -> None:
    from playwright.async_api import async_playwright

    server = _start_server(Path(tempfile.mkdtemp(prefix="fixhub-latency-")))
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            api = Api(http)
            customer = await api.register("CUSTOMER")
            worker = await api.worker(lat=52.5, lng=13.4)
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                pages = []
                for actor in (customer, worker):
                    context = await browser.new_context(locale="en", viewport=DESK)
                    page = await context.new_page()
                    await page.goto(server.url + "/signin")
                    await page.evaluate(
                        "(t) => localStorage.setItem('fixhub.token', t)", actor.token
                    )
                    pages.append(page)
                customer_page, worker_page = pages
                await worker_page.goto(server.url + "/")
                latencies = []
                for number in range(rounds):
                    job = await api.post_job(customer, lat=52.5, lng=13.4)
                    await customer_page.goto(f"{server.url}/jobs/{job['id']}")
                    await customer_page.get_by_test_id("quote-board").wait_for(state="attached")
                    # The page's subscription is sent once its socket is up; give it a beat.
                    await customer_page.wait_for_timeout(500)
                    shown = asyncio.ensure_future(customer_page.evaluate(WATCH))
                    sent = await worker_page.evaluate(QUOTE, [worker.token, job["id"]])
                    latency = await asyncio.wait_for(shown, 15) - sent
                    latencies.append(latency)
                    print(f"round {number + 1:2d}: {latency} ms", file=sys.stderr)
                await browser.close()
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)
    app, everything = bundle_sizes(ROOT / "webapp" / "dist")
    print(
        f"quote -> customer's board: median {statistics.median(latencies):.0f} ms, "
        f"min {min(latencies)} ms, max {max(latencies)} ms over {rounds} rounds"
    )
    print(f"app bundle (index.html + its JS/CSS), gzipped: {app / 1024:.1f} KiB")
    print(f"all of dist/assets incl. GraphiQL, gzipped: {everything / 1024:.1f} KiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    asyncio.run(main(parser.parse_args().rounds))
