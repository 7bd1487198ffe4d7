"""The built web app (webapp/dist) at `/`, and GraphiQL from the same build.

Files of the build are served as they are; any other GET of a path without a file extension is
a client route of the single-page app and gets index.html (so a reload of /jobs/42 works).
Hashed files under /assets/ never change, so browsers may keep them for a year; the HTML pages
must be revalidated, or a new build would not reach a browser that has the old page.

Every page carries a Content-Security-Policy that allows this origin only: the app and GraphiQL
load nothing from any other host, and the browser refuses if a change ever tried to.
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# 'self' covers same-origin ws:/wss: in the browsers we support (CSP level 3). Inline styles are
# set by React's style attribute and by GraphiQL's editor.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
IMMUTABLE = "public, max-age=31536000, immutable"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fixhub: web app not built</title></head>
<body><h1>The web app is not built yet</h1>
<p>Build it once with <code>(cd webapp &amp;&amp; npm ci &amp;&amp; npm run build)</code> and
reload. The GraphQL API is at <a href="/graphql">/graphql</a> in the meantime.</p></body></html>
"""


def not_built() -> HTMLResponse:
    return HTMLResponse(NOT_BUILT, status_code=503, headers=PAGE_HEADERS)


def page(dist: Path, name: str) -> Response:
    """One HTML page of the build (index.html, graphiql.html), or the 'not built' page."""
    file = dist / name
    if not file.is_file():
        return not_built()
    return FileResponse(file, media_type="text/html", headers=PAGE_HEADERS)


class WebApp(StaticFiles):
    """webapp/dist with the single-page fallback. The folder may appear after start-up (a
    build running beside the server), so it is looked up per request, never at import."""

    def __init__(self, dist: Path) -> None:
        super().__init__(directory=dist, check_dir=False)
        self.dist = dist

    async def check_config(self) -> None:
        """No start-up check: a missing build answers with the 'not built' page instead."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path in ("", ".", "index.html"):
            return page(self.dist, "index.html")
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code != 404 or "." in path.rsplit("/", 1)[-1]:
                raise
            # A client route such as /jobs/42: the app reads the path itself.
            return page(self.dist, "index.html")
        if path.startswith("assets/") and response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        elif path.endswith(".html"):
            response.headers.update(PAGE_HEADERS)
        return response
