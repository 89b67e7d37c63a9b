"""Headless Chromium (Debian's package, installed by .ci/run) driven by Playwright, for the browser tests.

Playwright's own browser downloads come from a CDN this machine cannot reach, so it launches the system
Chromium. Every request the page makes is recorded: a test can then prove that nothing left the machine.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, Request, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Without these, Chromium phones home at start (updates, sync, field trials): connections this closed network
# refuses, and noise in the request log.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class BrowserPage:
    page: Page
    requests: list[str] = field(default_factory=list)

    def external_requests(self) -> list[str]:
        """Requests to anything but this machine (data: and blob: URLs never leave it)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in {"data", "blob", "about", "file"}
            and urlsplit(url).hostname not in LOCAL_HOSTS
        ]


@contextmanager
def chromium_page(width: int = 1400, height: int = 1000) -> Iterator[BrowserPage]:
    """A fresh headless Chromium (its own empty profile) with one page whose requests are recorded."""
    assert CHROMIUM.is_file(), (
        "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)"
    )
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            recorded = BrowserPage(page)

            def record(request: Request) -> None:
                recorded.requests.append(request.url)

            context.on("request", record)
            yield recorded
        finally:
            context.close()
