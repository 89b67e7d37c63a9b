"""What the ledger keeps of a failure: the pipeline's own (value-free) messages, anything else by class only."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from deltalake import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql.types import StructType

from tasks.drift.metrics import BatchMetrics
from tasks.errors import SourceError, failure_reason
from tasks.landing.verification import BatchRejected
from tasks.ops.ledger import RUNS_SCHEMA, RUNS_TABLE, RunRecord, write_record
from tasks.storage import resolve


def test_a_value_free_error_keeps_its_message_any_other_only_its_class() -> None:
    rejected = BatchRejected(Path("/l/b1"), "movimento.csv", "2 duplicate ids")
    assert failure_reason(rejected) == f"BatchRejected: {rejected}"
    source = SourceError(stage="load", source="postgres", error=["UniqueViolation"], table="associado")
    assert failure_reason(source).startswith("SourceError: load/postgres associado")
    assert failure_reason(ValueError("cpf 529.982.247-25 is odd")) == "ValueError"
    assert failure_reason(KeyError("ana.souza@gmail.com")) == "KeyError"


def test_a_record_says_how_the_run_ended() -> None:
    record = RunRecord(flow_run_id="r1", flow_run_name="n", deployment=None)
    assert record.status == "RUNNING"
    record.fail("extract", TimeoutError("x"))
    assert (record.status, record.failed_stage, record.failure) == ("FAILED", "extract", "TimeoutError")
    record.complete()
    assert record.status == "COMPLETED"


def test_an_older_ledger_takes_the_new_columns_without_a_migration(
    spark: SparkSession, tmp_path: Path
) -> None:
    """A ledger written before the drift figures existed gains them on the next append (mergeSchema)."""
    output = resolve(str(tmp_path / "output"))
    runs = output.join("ops").join(RUNS_TABLE)
    added = {"trigger_event_id", "vlr_transacao_sum", "distinct_cards", "tipo_transacao_share", "metrics"}
    old_schema = StructType([field for field in RUNS_SCHEMA.fields if field.name not in added])
    now = datetime.now()
    old_row: list[object] = [
        None,
        None,
        None,
        "old",
        None,
        "COMPLETED",
        None,
        None,
        now,
        now,
        {},
        1,
        1,
        0,
        0,
        "0 found",
    ]
    spark.createDataFrame([tuple(old_row)], old_schema).write.format("delta").save(runs.spark_path)

    record = RunRecord(flow_run_id="r2", flow_run_name=None, deployment=None, trigger_event_id="e-1")
    record.batch_id, record.metrics = "new", BatchMetrics(10, 99.5, 3, {"DEBITO": 1.0})
    record.complete()
    write_record(spark, output, record)

    rows = {row["batch_id"]: row for row in DeltaTable(runs.path).to_pyarrow_table().to_pylist()}
    assert rows["old"]["metrics"] is None and rows["old"]["trigger_event_id"] is None
    assert rows["new"]["trigger_event_id"] == "e-1" and rows["new"]["distinct_cards"] == 3
    assert dict(rows["new"]["metrics"])["vlr_transacao_sum"] == 99.5
