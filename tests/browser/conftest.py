"""Browser tests: Debian's Chromium driven by Playwright against a real `python server.py`
(embedded default: SQLite in a temporary folder, the in-process bus, a free port) serving the
built web app.

One server, one browser and one renovation scene for the whole browser run (each test makes
its own people and jobs); each test opens the contexts it needs. With `CI` set, a
missing Chromium, Playwright or build fails the run; elsewhere the tests skip and say why.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.api import Actor, Api
from tests.support.redis_server import free_port
from tests.support.renovation import Renovation

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
DIST = ROOT / "webapp" / "dist"
AXE = ROOT / "webapp" / "node_modules" / "axe-core" / "axe.min.js"
# What works on these machines: without the background-networking flags Chromium keeps
# calling Google's hosts, which the closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN_EMAIL = "admin@fixhub.test"
ADMIN_PASSWORD = "browser-admin-password"
PHONE = {"width": 375, "height": 812}
DESK = {"width": 1440, "height": 900}
# A live update on a loaded 2-core machine arrives well within this.
LIVE_TIMEOUT_MS = 15_000


def _missing() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"Chromium is not at {CHROMIUM} (apt-get install -y chromium)"
    if not (DIST / "index.html").exists():
        return "the web app is not built (cd webapp && npm ci && npm run build)"
    if not AXE.exists():
        return "axe-core is not installed (cd webapp && npm ci)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Outside CI, skip with the reason; in CI let the fixtures fail with it (a missing
    browser there is a broken pipeline, never a silent skip)."""
    reason = _missing()
    if reason is None or os.environ.get("CI"):
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


def _require_everything() -> None:
    reason = _missing()
    if reason is not None:
        pytest.fail(f"browser tests cannot run: {reason}")


@dataclass
class Server:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def api(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=30)


def _start_server(data_dir: Path) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{data_dir / 'fixhub.sqlite3'}",
        "BROADCAST_URL": "memory://",
        "FIXHUB_ADMIN_PASSWORD": ADMIN_PASSWORD,
        # Every actor of a module signs up from 127.0.0.1.
        "REGISTRATIONS_PER_ADDRESS": "100000",
        "LOGIN_ATTEMPTS_PER_ADDRESS": "100000",
    }
    for name in ("SECRET_KEY", "FIXHUB_ENV", "WEBAPP_DIST", "CURRENCY"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "server.py", "create-admin", ADMIN_EMAIL],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    with (data_dir / "server.log").open("wb") as log:  # the child keeps its own copy
        process = subprocess.Popen(
            [sys.executable, "server.py", "--port", str(port), "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, (data_dir / "server.log").read_text()
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url, data_dir, process)
        assert time.monotonic() < deadline, "python server.py did not start in 30 s"
        time.sleep(0.1)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _require_everything()
    running = _start_server(tmp_path_factory.mktemp("browser-server"))
    try:
        yield running
    finally:
        running.process.terminate()
        try:
            running.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            running.process.kill()
            running.process.wait()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    _require_everything()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class Window:
    """One browser context (a person's own window) with what it asked for and logged."""

    context: Any
    page: Any
    server: Server
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def goto(self, path: str) -> None:
        await self.page.goto(self.server.url + path)
        await self.page.wait_for_load_state("domcontentloaded")

    def foreign_requests(self) -> list[str]:
        """Every request the page made to any host but the server (data: and blob: are local)."""
        own = {f"http://{self.server.host}", f"ws://{self.server.host}"}
        return [
            url
            for url in self.requests
            if not url.startswith(("data:", "blob:", "about:"))
            and f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" not in own
        ]

    async def mark(self) -> None:
        """Marks the document: `assert_not_reloaded` fails if the page was loaded again."""
        await self.page.evaluate("() => { window.__fixhubMark = 'still-here'; }")

    async def assert_not_reloaded(self) -> None:
        assert await self.page.evaluate("() => window.__fixhubMark") == "still-here"

    async def sign_in_with(self, actor: Actor) -> None:
        """Uses a token the API gave (the sign-in page itself is tested elsewhere)."""
        await self.goto("/signin")
        await self.page.evaluate(
            "(token) => localStorage.setItem('fixhub.token', token)", actor.token
        )

    async def axe_violations(self) -> list[dict[str, Any]]:
        result = await self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result
            if v["impact"] in ("serious", "critical")
        ]

    async def horizontal_overflow(self) -> int:
        return int(
            await self.page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
        )

    def app_errors(self) -> list[str]:
        """Queries or subscriptions the server refused as malformed or over budget (logged by
        the app's client), and uncaught exceptions of the page."""
        return [e for e in self.errors if e.startswith(("graphql error", "Error", "TypeError"))]

    async def missing_translations(self) -> list[str]:
        """Keys without a text, and server English shown where the app words it itself (a
        match reason the app had no wording for keeps the server's text, marked lang=en)."""
        text = await self.page.evaluate("() => document.body.innerText")
        untranslated = await self.page.evaluate(
            """() => [...document.querySelectorAll('[data-testid="match-reasons"] [lang="en"]')]
                 .map(e => 'untranslated reason: ' + e.textContent)"""
        )
        return (
            [line for line in text.splitlines() if "⟦" in line]
            + [error for error in self.errors if "missing translation" in error]
            + untranslated
        )


@pytest.fixture
async def open_window(browser: Any, server: Server) -> AsyncIterator[Any]:
    """`await open_window(locale="en", viewport=DESK)`: a fresh context with its own storage;
    all are closed after the test."""
    contexts: list[Any] = []

    async def opener(
        locale: str = "en", viewport: dict[str, int] | None = None, axe: bool = True
    ) -> Window:
        context = await browser.new_context(
            locale=locale, viewport=viewport or DESK, service_workers="block"
        )
        if axe:
            # An init script, not a <script>: the page's CSP rightly refuses inline scripts.
            await context.add_init_script(path=str(AXE))
        contexts.append(context)
        page = await context.new_page()
        window = Window(context, page, server)
        context.on("request", lambda request: window.requests.append(request.url))
        page.on("websocket", lambda socket: window.requests.append(socket.url))
        page.on(
            "console",
            lambda message: window.errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: window.errors.append(f"Error: {error}"))
        page.set_default_timeout(LIVE_TIMEOUT_MS)
        return window

    try:
        yield opener
    finally:
        # The last view of every window, for reading a failure (next to server.log).
        for number, context in enumerate(contexts):
            for page in context.pages:
                with contextlib.suppress(Exception):
                    await page.screenshot(path=str(server.data_dir / f"window-{number}.png"))
            await context.close()


@pytest.fixture(scope="session")
async def server_api(server: Server) -> AsyncIterator[Api]:
    async with server.api() as http:
        yield Api(http)


@pytest.fixture(scope="session")
async def renovation(server_api: Api) -> Renovation:
    """Four verified firms, their people, a customer's project with its team and filed
    contract (milestones exist): built once, as it takes a few dozen API calls."""
    return await Renovation.build_with(server_api, await sign_in_admin(server_api), contract=True)


async def sign_in_admin(api: Api) -> Actor:
    data = await api.ok(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) "
        "{ token user { id } } }",
        {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD},
    )
    return Actor(data["login"]["user"]["id"], data["login"]["token"], ADMIN_EMAIL, "ADMIN")


def dump(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False)
