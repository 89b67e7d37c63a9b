"""The dashboard as a user gets it: `python -m dashboard` in its own process, on a free loopback port, against an
output folder; and what its pages show, read from the rendered DOM."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page

from tests.utils.prefect_stack import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"  # screenshots of the browser tests (CI keeps the folder)


@contextmanager
def running_dashboard(output: Path, timeout: float = 90) -> Iterator[str]:
    """Start the dashboard on `output` and yield its base URL once its health check answers; stop it after."""
    port = free_port()
    environment = os.environ | {"SICOOP_OUTPUT_DIR": str(output), "SICOOP_DASHBOARD_PORT": str(port)}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dashboard"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise AssertionError(f"the dashboard did not start: {log.read()[-3000:].decode()}")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def metric(page: Page, label: str, timeout_ms: float = 120_000) -> str:
    """The value of the `st.metric` labelled `label`, once rendered."""
    label_element = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    value = page.get_by_test_id("stMetric").filter(has=label_element).get_by_test_id("stMetricValue")
    value.wait_for(state="visible", timeout=timeout_ms)
    return value.inner_text().strip()


def wait_for_page(page: Page, title: str, timeout_ms: float = 120_000) -> None:
    """Until the page titled `title` has finished its script run and drawn every chart: its heading shows,
    Streamlit's status widget (shown while a run goes on) and every skeleton (an element whose code is still
    loading) are gone, and each chart holds its canvas or svg, each table its canvas."""
    page.get_by_role("heading", name=title).wait_for(state="visible", timeout=timeout_ms)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"], [data-testid^="stSkeleton"]')
            && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                .every(chart => chart.querySelector('canvas, svg'))
            && [...document.querySelectorAll('[data-testid="stDataFrame"]')]
                .every(table => table.querySelector('canvas'))""",
        timeout=timeout_ms,
    )


def parse_count(text: str) -> int:
    return int(text.replace(".", ""))


def parse_brl(text: str) -> Decimal:
    return Decimal(text.removeprefix("R$").strip().replace(".", "").replace(",", "."))
