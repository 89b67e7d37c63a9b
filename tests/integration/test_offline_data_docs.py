"""The gate's data docs, opened in a real browser with nothing reachable but this machine, are styled and
interactive: Bootstrap's stylesheet applied, bootstrap-table built the tables, jQuery and Vega loaded, and
not one request left the machine (nor failed)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Response
from pyspark.sql import SparkSession

from tasks.gate import checkpoint
from tasks.gate.checkpoint import GateReport, gate_parameters, run_gate
from tasks.quality.offline_docs import VENDOR
from tests.utils.browser import BrowserPage, chromium_page
from tests.utils.frames import NOW, clean_flat, clean_total, judge

ROWS = 12
SCREENSHOTS = Path("test-artifacts")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def gate_report(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> GateReport:
    """Two gate runs over a small clean batch: the site has an index and two nested validation pages."""
    quality = tmp_path_factory.mktemp("quality")
    report: GateReport | None = None
    for run in ("batch-a", "batch-b"):
        split = judge(clean_flat(spark, ROWS))
        try:
            report = run_gate(
                split.flagged,
                "movimento_flat",
                gate_parameters(ROWS, clean_total(ROWS), NOW),
                quality,
                run_name=run,
                quarantined=split.verdicts.by_rule,
            )
        finally:
            split.release()
    assert report is not None and report.success, "the clean batch must pass the gate"
    return report


@pytest.fixture(scope="module")
def site(gate_report: GateReport) -> Path:
    path = gate_report.data_docs
    assert path is not None
    while path.name != "local_site":
        path = path.parent
    return path


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """A static file server on the loopback, like any web server the site would be published on."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def open_page(browser: BrowserPage, url: str) -> list[str]:
    """Load a page, waiting for the network to go quiet; returns the requests that failed or got >= 400."""
    page = browser.page
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    def status(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("response", status)
    page.goto(url, wait_until="networkidle")
    return failed


def navbar_display(page: Page) -> str:
    return str(page.eval_on_selector("nav.navbar", "element => getComputedStyle(element).display"))


def test_pages_reference_nothing_off_the_machine(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    nested = [p for p in pages if len(p.relative_to(site).parts) > 2]
    assert nested, "the validation pages must lie in nested folders"
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for marker in ("unpkg.com", "jsdelivr.net", "cdnjs.", "bootstrapcdn.com", "code.jquery.com", "s3.us"):
            assert marker not in text, f"{page.relative_to(site)} still links {marker}"
    assert (site / VENDOR / "bootstrap@4.3.1" / "dist" / "css" / "bootstrap.min.css").is_file()


def test_index_is_styled_and_its_table_built_offline(server: str, site: Path) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    with chromium_page() as browser:
        # The browser's own default first: a bare <nav class="navbar"> with no stylesheet.
        browser.page.set_content('<nav class="navbar">x</nav>')
        default = navbar_display(browser.page)
        failed = open_page(browser, f"{server}/index.html")
        page = browser.page
        styled = navbar_display(page)
        rows = page.locator("div.bootstrap-table table tbody tr").count()
        jquery = page.evaluate("typeof window.jQuery")
        page.screenshot(path=str(SCREENSHOTS / "data-docs-index.png"), full_page=True)
        external = browser.external_requests()
    assert (default, styled) == ("block", "flex"), "Bootstrap's .navbar rule must apply"
    assert rows >= 2, "bootstrap-table must have built the index's table (one row per run)"
    assert jquery == "function"
    assert failed == []
    assert external == []


def test_validation_page_is_styled_offline(server: str, site: Path, gate_report: GateReport) -> None:
    assert gate_report.data_docs is not None
    relative = gate_report.data_docs.relative_to(site).as_posix()
    with chromium_page() as browser:
        failed = open_page(browser, f"{server}/{relative}")
        page = browser.page
        styled = navbar_display(page)
        card_border = page.eval_on_selector(".card", "element => getComputedStyle(element).borderTopStyle")
        scripts = page.evaluate("[typeof window.jQuery, typeof window.vegaEmbed, typeof window.vega]")
        icons = page.evaluate(
            "document.fonts.ready.then(() => document.fonts.check('900 16px \"Font Awesome 6 Free\"'))"
        )
        page.screenshot(path=str(SCREENSHOTS / "data-docs-validation.png"), full_page=True)
        requests, external = list(browser.requests), browser.external_requests()
    assert styled == "flex"
    assert card_border == "solid", "Bootstrap's .card rule must apply"
    assert scripts == ["function", "function", "object"]
    assert icons is True, "Font Awesome's web font must load from the site"
    assert any(f"/{VENDOR}/" in url for url in requests), "the assets must come from the site's own folder"
    assert failed == []
    assert external == []


def test_page_opened_from_disk_is_styled(gate_report: GateReport) -> None:
    assert gate_report.data_docs is not None
    with chromium_page() as browser:
        browser.page.goto(gate_report.data_docs.as_uri(), wait_until="load")
        styled = navbar_display(browser.page)
        external = browser.external_requests()
    assert styled == "flex"
    assert external == []


def test_the_index_lists_the_latest_runs_and_every_run_keeps_its_page(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GX reads the stored result of every run its index lists: bounded, so a daily run does not cost more each
    day. Shown with a bound of 2 over three runs."""
    monkeypatch.setattr(checkpoint, "INDEX_RUNS", 2)
    runs = ("index-run-1", "index-run-2", "index-run-3")
    for run in runs:
        split = judge(clean_flat(spark, ROWS))
        try:
            report = run_gate(
                split.flagged,
                "movimento_flat",
                gate_parameters(ROWS, clean_total(ROWS), NOW),
                tmp_path,
                run_name=run,
                quarantined=split.verdicts.by_rule,
            )
        finally:
            split.release()
    assert report.data_docs is not None
    site = report.data_docs
    while site.name != "local_site":
        site = site.parent
    index = (site / "index.html").read_text(encoding="utf-8")
    assert [run in index for run in runs] == [False, True, True], "the index lists the latest two runs"
    pages = [page.relative_to(site).as_posix() for page in (site / "validations").rglob("*.html")]
    assert all(any(f"/{run}/" in page for page in pages) for run in runs), "every run keeps its own page"
