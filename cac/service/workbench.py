"""The coder workbench: a build-free page (HTML, CSS and JavaScript modules in ``static/``) served at ``/``.

It is mounted after the API routers, so ``/v1/...``, ``/health`` and ``/docs`` keep answering; every other path
is looked up among the static files. The page talks to the ``/v1`` API with the API key in the ``X-API-Key``
header; the key lives in the browser's session storage only, never in a URL or a cookie.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(str(files("cac.service") / "static"))

# The page loads nothing from elsewhere and runs no inline script or style.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


class WorkbenchFiles(StaticFiles):
    """Static files with the page's security headers; always revalidated so an upgrade shows at once."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        return response


def workbench_files() -> WorkbenchFiles:
    return WorkbenchFiles(directory=STATIC_DIR, html=True, check_dir=True)
