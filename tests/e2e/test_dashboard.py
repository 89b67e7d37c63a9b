"""The dashboard after a real pipeline run, in Debian's headless Chromium: the figures it shows equal those
computed independently from the Delta table (delta-rs and pyarrow, no DuckDB), no raw personal value of the batch
appears, nothing is requested from outside the machine, and the operations page reads the run ledger, or says
clearly that there is none. Screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest
from deltalake import DeltaTable, write_deltalake
from pyspark.sql import SparkSession

from dashboard.queries import DRIFT_COLUMNS
from tasks.landing.writer import CSV_DELIMITER
from tests.utils.batches import land_batch, run_pipeline
from tests.utils.browser import BrowserPage, chromium_page
from tests.utils.dashboard import (
    ARTIFACTS,
    metric,
    parse_brl,
    parse_count,
    running_dashboard,
    wait_for_page,
)

MOVIMENTOS = 600
BUSINESS, OPERATIONS = "Card movements", "Pipeline operations"


@dataclass(frozen=True)
class Run:
    output: Path
    batch_id: str
    raw_values: frozenset[str]


def raw_personal_values(batch_dir: Path) -> frozenset[str]:
    """The batch's raw CPFs/CNPJs, e-mails and card numbers, read as text (leading zeros kept)."""
    values: set[str] = set()
    for file_name, columns in (("associado.csv", ("cpf_cnpj", "email")), ("cartao.csv", ("num_cartao",))):
        table = pacsv.read_csv(
            batch_dir / file_name,
            parse_options=pacsv.ParseOptions(delimiter=CSV_DELIMITER),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()), include_columns=list(columns)
            ),
        )
        for column in columns:
            values |= {value for value in table[column].to_pylist() if value}
    return frozenset(values)


@pytest.fixture(scope="module")
def run(
    prefect_server: None,
    services: dict[str, str],
    spark: SparkSession,
    tmp_path_factory: pytest.TempPathFactory,
) -> Run:
    root = tmp_path_factory.mktemp("dashboard")
    batch = land_batch(root / "landing", seed=193, associados=60, movimentos=MOVIMENTOS)
    state = run_pipeline(batch, root / "output")
    assert state.is_completed(), state.message
    raw = raw_personal_values(batch)
    assert len(raw) > 100  # 60 documents and e-mails, and the cards
    return Run(root / "output", batch.name, raw)


@pytest.fixture(scope="module")
def dashboard(run: Run) -> Iterator[str]:
    with running_dashboard(run.output) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[BrowserPage]:
    with chromium_page(height=2800) as page:
        yield page


def screenshot(browser: BrowserPage, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    browser.page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def assert_no_raw_values(browser: BrowserPage, raw: frozenset[str]) -> None:
    shown = browser.page.inner_text("body") + browser.page.content()
    leaked = sorted(value for value in raw if value in shown)
    assert not leaked, f"{len(leaked)} raw personal values shown"


def test_business_page_shows_the_batch_figures_of_the_delta_table(
    run: Run, dashboard: str, browser: BrowserPage
) -> None:
    rows = DeltaTable(str(run.output / "delta" / "movimento_flat")).to_pyarrow_table(
        columns=["vlr_transacao_movimento"], filters=[("batch_id", "=", run.batch_id)]
    )
    expected_amount = pc.sum(rows["vlr_transacao_movimento"]).as_py()
    assert rows.num_rows == MOVIMENTOS and isinstance(expected_amount, Decimal)

    browser.page.goto(f"{dashboard}/?batch={run.batch_id}")
    wait_for_page(browser.page, BUSINESS)
    screenshot(browser, "dashboard-business")

    assert parse_count(metric(browser.page, "Movements")) == rows.num_rows
    assert parse_brl(metric(browser.page, "Total amount")) == expected_amount
    ticket = (expected_amount / rows.num_rows).quantize(Decimal("0.01"))
    assert parse_brl(metric(browser.page, "Average ticket")) == ticket
    text = browser.page.inner_text("body")
    assert "Top descriptions" in text and "Age band (idade_associado)" in text
    assert run.batch_id in text  # the batch filter shows the chosen batch
    assert_no_raw_values(browser, run.raw_values)
    assert browser.requests and not browser.external_requests(), browser.external_requests()


def test_operations_page_shows_the_ledger_runs(run: Run, dashboard: str, browser: BrowserPage) -> None:
    ledger = DeltaTable(str(run.output / "ops" / "pipeline_runs")).to_pyarrow_table().to_pylist()
    last = max(ledger, key=lambda row: row["started_at"])

    browser.page.goto(f"{dashboard}/operations")
    wait_for_page(browser.page, OPERATIONS)
    screenshot(browser, "dashboard-operations")

    assert parse_count(metric(browser.page, "Runs")) == len(ledger) == 1
    assert metric(browser.page, "Last run") == last["status"] == "COMPLETED"
    assert (
        parse_count(metric(browser.page, "Rows exported (last run)")) == last["rows_exported"] == MOVIMENTOS
    )
    assert metric(browser.page, "Last gate") == "passed"
    text = browser.page.inner_text("body")
    assert "Seconds per stage" in text and "Quarantine rate per rule" in text
    drift = DeltaTable(str(run.output / "ops" / "drift_results")).to_pyarrow_table().to_pylist()
    assert {row["status"] for row in drift} == {"insufficient_history"}  # the output's first run
    assert f"Last run (batch {run.batch_id}): {len(drift)} insufficient_history" in text
    assert_no_raw_values(browser, run.raw_values)
    assert not browser.external_requests(), browser.external_requests()


def drift_results(batch_id: str) -> pa.Table:
    """Rows as the drift checks write them (`ops/drift_results`): one failed check, one within its bounds."""
    finished = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    rows = {
        "flow_run_id": ["r1", "r1"],
        "batch_id": [batch_id, batch_id],
        "finished_at": [finished, finished],
        "metric": ["row_count", "vlr_transacao_sum"],
        "value": [600.0, 43000.0],
        "baseline": [60000.0, 42000.0],
        "lower": [30000.0, 20000.0],
        "upper": [90000.0, 80000.0],
        "score": [-9.5, 0.1],
        "history_runs": [7, 7],
        "policy": ["fail", "warn"],
        "status": ["fail", "ok"],
    }
    return pa.table(rows, schema=pa.schema([(name, DRIFT_COLUMNS[name]) for name in rows]))


def test_without_a_ledger_the_operations_page_says_so_then_shows_drift_checks_once_written(
    run: Run, tmp_path: Path, browser: BrowserPage
) -> None:
    bare = tmp_path / "output"
    shutil.copytree(run.output / "delta", bare / "delta")  # the export alone, as an older pipeline left it
    with running_dashboard(bare) as url:
        browser.page.goto(f"{url}/operations")
        wait_for_page(browser.page, OPERATIONS)
        screenshot(browser, "dashboard-operations-no-ledger")
        text = browser.page.inner_text("body")
        assert f"No run ledger yet: {bare}/ops/pipeline_runs does not exist" in text
        assert "No drift checks yet" in text
        browser.page.goto(f"{url}/")
        wait_for_page(browser.page, BUSINESS)
        assert parse_count(metric(browser.page, "Movements")) == MOVIMENTOS

        write_deltalake(str(bare / "ops" / "drift_results"), drift_results(run.batch_id))
        browser.page.goto(f"{url}/operations")  # the same server: the new table is read at the next render
        wait_for_page(browser.page, OPERATIONS)
        screenshot(browser, "dashboard-operations-drift")
        text = browser.page.inner_text("body")
        assert f"Last run (batch {run.batch_id}): 1 fail, 1 ok" in text and "No drift checks yet" not in text
        assert "No run ledger yet" in text
    assert not browser.external_requests(), browser.external_requests()
