"""Browser-test fixtures: Debian's chromium driven by Playwright, and pages served from origins
other than the server's (a tiny static server per origin, on a free port).

Chromium is `$TIDINGS_CHROMIUM` (set by tests/browser/browser.mk) or `chromium` on PATH; it is
installed by `make install-chromium` (which `make test` runs first). Playwright never downloads
a browser of its own. Without chromium the tests are skipped on a developer machine and fail on
CI (CI=true), like the stripe-mock tests.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.async_api import Browser, async_playwright

# Root (CI, containers) cannot use chromium's user-namespace sandbox.
_ROOT_ARGS = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []

PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>tenant page</title></head>
<body><p>A tenant's web page on its own origin.</p></body></html>
"""


def chromium_executable() -> str:
    path = os.environ.get("TIDINGS_CHROMIUM") or shutil.which("chromium") or ""
    if path and os.access(path, os.X_OK):
        return path
    message = "Debian's chromium is not installed (make install-chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: the browser tests are required on CI")
    pytest.skip(message)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_executable()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=[*_ROOT_ARGS, "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            await launched.close()


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the test output is the server's


@dataclass(frozen=True)
class Site:
    """A static origin serving one blank page (`origin` has no trailing slash)."""

    origin: str


def _serve_site() -> Iterator[Site]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=httpd.serve_forever, name="browser-test-site", daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def tenant_site() -> Iterator[Site]:
    """The tenant's own site (listed in the project's allowed origins)."""
    yield from _serve_site()


@pytest.fixture(scope="module")
def foreign_site() -> Iterator[Site]:
    """Another site (not listed)."""
    yield from _serve_site()
