"""A batch half the usual size fails the drift check before export; in `warn` mode it is exported and flagged."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from deltalake import DeltaTable
from pyspark.sql import SparkSession

from tasks.drift.metrics import BatchMetrics
from tasks.drift.policy import load_policy
from tasks.ops.ledger import DRIFT_TABLE, RUNS_TABLE, RunRecord, write_record
from tasks.settings import get_settings
from tasks.storage import resolve
from tests.utils.batches import land_batch, run_pipeline

MOVIMENTOS = 300
USUAL = 2 * MOVIMENTOS  # the history's batches: twice today's


@pytest.fixture
def warn_mode() -> Iterator[None]:
    os.environ["SICOOP_DRIFT_MODE"] = "warn"
    get_settings.cache_clear()
    yield
    os.environ.pop("SICOOP_DRIFT_MODE")
    get_settings.cache_clear()


def usual_history(spark: SparkSession, output: Path) -> None:
    """The ledger of as many earlier days as the policy needs, each with twice today's volume."""
    for day in range(load_policy().min_history):
        record = RunRecord(
            flow_run_id=f"earlier-{day}",
            flow_run_name=None,
            deployment="pipeline-process",
            batch_id=f"earlier-{day}",
            started_at=datetime.now(UTC) - timedelta(days=day + 1),
            metrics=BatchMetrics(USUAL + day, 250.0 * USUAL, USUAL // 2, {"DEBITO": 0.5, "CREDITO": 0.5}),
        )
        record.complete()
        write_record(spark, resolve(str(output)), record)


def drift_rows(output: Path) -> dict[str, dict[str, object]]:
    table = DeltaTable(str(output / "ops" / DRIFT_TABLE)).to_pyarrow_table()
    return {row["metric"]: row for row in table.to_pylist()}


def test_a_halved_batch_fails_the_drift_check_and_nothing_is_exported(
    prefect_server: None, services: dict[str, str], spark: SparkSession, tmp_path: Path
) -> None:
    landing, output = tmp_path / "landing", tmp_path / "output"
    usual_history(spark, output)
    batch = land_batch(landing, seed=241, associados=30, movimentos=MOVIMENTOS)

    state = run_pipeline(batch, output)

    assert state.is_failed()
    assert "drift check failed" in (state.message or "") or "DriftFailed" in (state.message or "")
    assert not (output / "delta" / "movimento_flat").exists()  # nothing published
    runs = DeltaTable(str(output / "ops" / RUNS_TABLE)).to_pyarrow_table().to_pylist()
    today = next(run for run in runs if run["batch_id"] == batch.name)
    assert (today["status"], today["failed_stage"]) == ("FAILED", "drift_check")
    assert today["failure_reason"].startswith("DriftFailed: drift check failed 1 of")
    row_count = drift_rows(output)["row_count"]
    assert (row_count["value"], row_count["status"], row_count["policy"]) == (MOVIMENTOS, "fail", "fail")
    assert row_count["baseline"] == USUAL + load_policy().min_history // 2
    assert row_count["history_runs"] == load_policy().min_history


def test_in_warn_mode_the_halved_batch_is_exported_and_flagged(
    prefect_server: None, services: dict[str, str], spark: SparkSession, tmp_path: Path, warn_mode: None
) -> None:
    landing, output = tmp_path / "landing", tmp_path / "output"
    usual_history(spark, output)
    batch = land_batch(landing, seed=242, associados=30, movimentos=MOVIMENTOS)

    assert run_pipeline(batch, output).is_completed()

    assert DeltaTable(str(output / "delta" / "movimento_flat")).to_pyarrow_table().num_rows == MOVIMENTOS
    row_count = drift_rows(output)["row_count"]
    assert (row_count["status"], row_count["policy"]) == ("fail", "fail")  # what enforce mode would have done
    runs = DeltaTable(str(output / "ops" / RUNS_TABLE)).to_pyarrow_table().to_pylist()
    today = next(run for run in runs if run["batch_id"] == batch.name)
    assert today["status"] == "COMPLETED" and dict(today["metrics"])["row_count"] == MOVIMENTOS
