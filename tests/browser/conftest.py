"""Browser fixtures: serve the built book on 127.0.0.1 and drive Debian's Chromium with Playwright.

The browser tests skip where Chromium is missing, except when ``REQUIRE_BROWSER=1`` (set by
``.ci/run``), where a missing browser is a failure.
"""

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Jupyter Book 1 declares THEBE_JS_URL twice on every page; harmless and known.
KNOWN_HARMLESS = ("THEBE_JS_URL",)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site(book):
    """Serve the strictly built book; yield its base URL."""
    assert book.returncode == 0, f"book build failed:\n{book.log[-5000:]}"
    handler = functools.partial(_QuietHandler, directory=str(book.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
        pytest.skip("Chromium not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    """A fresh page that records console and page errors in ``page.console_errors``;
    ``page.real_errors()`` lists those that count (see :func:`real_errors`)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []

    def on_console(msg):
        if msg.type == "error":
            url = (msg.location or {}).get("url", "")
            errors.append(f"{msg.text} [{url}]")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"{exc} [pageerror]"))
    page.console_errors = errors
    page.real_errors = lambda: real_errors(errors)
    yield page
    context.close()


def real_errors(errors):
    """Console errors, less the known harmless Jupyter Book one and failed loads from the internet.

    The test machine is offline: MathJax and other CDN assets of the theme cannot load here, which
    is no fault of the page. A failed load of one of the book's own files still counts.
    """
    offline = [e for e in errors if "Failed to load resource" in e and "127.0.0.1" not in e]
    return [e for e in errors if e not in offline and not any(k in e for k in KNOWN_HARMLESS)]
