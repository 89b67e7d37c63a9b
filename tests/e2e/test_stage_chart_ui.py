"""The stage chart artifact, as the pipeline publishes it, drawn by a real Prefect server's own UI in a real
browser, logged in with the API auth string as a user would be, and with no request leaving the machine."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from uuid import UUID

from prefect import flow
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

from tasks.ops.stage_chart import publish_stage_chart
from tests.utils.browser import chromium_page
from tests.utils.prefect_stack import prefect_server

SCREENSHOTS = Path("test-artifacts")
# A run's stages in run order, seconds as a 100,000-movimento run measures them.
SECONDS = {
    "generate": 4.1,
    "load": 9.8,
    "extract": 6.2,
    "transform": 3.0,
    "gate": 11.5,
    "export": 7.4,
    "leak_proof": 2.2,
    "publish": 0.4,
}


@flow(name="stage-chart-check")
def chart_flow() -> UUID:
    return publish_stage_chart(SECONDS)


def test_stage_chart_renders_in_the_prefect_ui_offline(tmp_path: Path) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    with prefect_server(tmp_path, ui=True) as server:
        settings = {PREFECT_API_URL: server.api_url, PREFECT_API_AUTH_STRING: server.auth_string}
        with temporary_settings(updates=settings):
            artifact_id = chart_flow()
        ui = server.api_url.removesuffix("/api")
        password = base64.b64encode(server.auth_string.encode()).decode()
        with chromium_page(width=1200, height=800) as browser:
            page = browser.page
            # What the UI's login form stores after a successful login (the auth string, base64).
            page.add_init_script(f"window.localStorage.setItem('prefect-password', {json.dumps(password)})")
            page.goto(f"{ui}/artifacts/artifact/{artifact_id}", wait_until="networkidle")
            page.get_by_text("leak_proof", exact=True).wait_for(timeout=30_000)
            headers = page.locator("table th").all_inner_texts()
            rows = page.locator("table tbody tr").all_inner_texts()
            gate_bar = page.locator("table tbody tr", has_text="gate").locator("td").last.inner_text()
            page.screenshot(path=str(SCREENSHOTS / "prefect-stage-chart.png"), full_page=True)
            external = browser.external_requests()
    assert [h.strip().lower() for h in headers] == ["stage", "seconds", "share", "chart"]
    assert len(rows) == len(SECONDS)
    assert gate_bar.strip() == "█" * 32, "the slowest stage's bar fills the chart's width"
    # Every stage, in run order, with its seconds.
    assert [row.split()[0] for row in rows] == list(SECONDS)
    assert all(f"{seconds:.2f}" in row for seconds, row in zip(SECONDS.values(), rows, strict=True))
    assert external == [], external
