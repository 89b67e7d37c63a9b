"""The trailing runs come from the ledger: completed runs of other batches, newest first, at most the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pyspark.sql import SparkSession

from tasks.drift.history import trailing_metrics
from tasks.drift.metrics import BatchMetrics
from tasks.ops.ledger import RunRecord, write_record
from tasks.storage import resolve


def record(batch: str, rows: int, status: str, days_ago: int) -> RunRecord:
    run = RunRecord(
        flow_run_id=f"run-{batch}-{rows}",
        flow_run_name=None,
        deployment=None,
        batch_id=batch,
        started_at=datetime.now(UTC) - timedelta(days=days_ago),
        metrics=BatchMetrics(rows, rows * 10.0, rows // 10, {"DEBITO": 1.0}),
        status=status,
    )
    return run


def test_trailing_runs_skip_failed_runs_and_the_batch_itself(spark: SparkSession, tmp_path: Path) -> None:
    output = resolve(str(tmp_path / "output"))
    assert trailing_metrics(spark, output, "today", 5) == []  # no ledger yet: no history
    for run in (
        record("b1", 100, "COMPLETED", 4),
        record("b2", 200, "COMPLETED", 3),
        record("b3", 300, "FAILED", 2),
        record("today", 400, "COMPLETED", 1),  # an earlier run of the same batch
        record("b4", 500, "COMPLETED", 0),
    ):
        write_record(spark, output, run)
    history = trailing_metrics(spark, output, "today", 5)
    # finished_at is the write time: newest first follows the order written
    assert [run["row_count"] for run in history] == [500.0, 200.0, 100.0]
    assert history[0]["tipo_transacao_share:DEBITO"] == 1.0
    assert [run["row_count"] for run in trailing_metrics(spark, output, "today", 2)] == [500.0, 200.0]
