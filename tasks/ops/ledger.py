"""The run ledger: what every run did, as Delta tables under `<output>/ops/`, readable with delta-rs or DuckDB
without Spark.

- `pipeline_runs`: one row per run, failed runs included (a run killed outright gets its row from the next run:
  `tasks/ops/in_flight.py`): batch, manifest sha256, flow run, deployment, status and the failure (stage and
  reason), seconds per stage, rows in / exported / quarantined, the Delta version
  written and the leak proof's line.
- `quality_results`: one row per run and expectation of the gate: rule, policy, success, unexpected count and
  percent.
- `drift_results`: one row per run and figure the drift checks judged: value, the trailing runs' median, the
  usual band, the robust z-score, policy and status.

Only names, counts and times: a failure's reason is the message of the pipeline's own errors, which carry no
value by construction, or else the error's class alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    DoubleType,
    LongType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from tasks.drift.checks import DriftOutcome
from tasks.drift.metrics import BatchMetrics
from tasks.errors import failure_reason
from tasks.quality.outcomes import ExpectationOutcome
from tasks.storage import Location

RUNS_TABLE = "pipeline_runs"
QUALITY_TABLE = "quality_results"
DRIFT_TABLE = "drift_results"

RUNS_SCHEMA = StructType(
    [
        StructField("flow_run_id", StringType()),
        StructField("flow_run_name", StringType()),
        StructField("deployment", StringType()),
        StructField("trigger_event_id", StringType()),
        StructField("batch_id", StringType()),
        StructField("manifest_sha256", StringType()),
        StructField("status", StringType(), nullable=False),
        StructField("failed_stage", StringType()),
        StructField("failure_reason", StringType()),
        StructField("started_at", TimestampType(), nullable=False),
        StructField("finished_at", TimestampType(), nullable=False),
        StructField("stage_seconds", MapType(StringType(), DoubleType())),
        StructField("rows_in", LongType()),
        StructField("rows_exported", LongType()),
        StructField("rows_quarantined", LongType()),
        StructField("delta_version", LongType()),
        StructField("leak_proof", StringType()),
        # The batch's figures (tasks/drift/metrics.py), on every row the gate judged.
        StructField("vlr_transacao_sum", DoubleType()),
        StructField("distinct_cards", LongType()),
        StructField("tipo_transacao_share", MapType(StringType(), DoubleType())),
        StructField("metrics", MapType(StringType(), DoubleType())),  # every figure the drift checks judge
    ]
)
QUALITY_SCHEMA = StructType(
    [
        StructField("flow_run_id", StringType()),
        StructField("batch_id", StringType()),
        StructField("finished_at", TimestampType(), nullable=False),
        StructField("suite", StringType(), nullable=False),
        StructField("rule", StringType(), nullable=False),
        StructField("expectation", StringType(), nullable=False),
        StructField("column", StringType()),
        StructField("policy", StringType(), nullable=False),
        StructField("success", BooleanType(), nullable=False),
        StructField("unexpected_count", LongType()),
        StructField("unexpected_percent", DoubleType()),
    ]
)
DRIFT_SCHEMA = StructType(
    [
        StructField("flow_run_id", StringType()),
        StructField("batch_id", StringType()),
        StructField("finished_at", TimestampType(), nullable=False),
        StructField("metric", StringType(), nullable=False),
        StructField("value", DoubleType(), nullable=False),
        StructField("baseline", DoubleType()),
        StructField("lower", DoubleType()),
        StructField("upper", DoubleType()),
        StructField("score", DoubleType()),
        StructField("history_runs", LongType(), nullable=False),
        StructField("policy", StringType(), nullable=False),
        StructField("status", StringType(), nullable=False),
    ]
)


@dataclass
class RunRecord:
    """Filled in as the run goes; written once, however it ends."""

    flow_run_id: str | None
    flow_run_name: str | None
    deployment: str | None
    trigger_event_id: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    batch_id: str | None = None
    manifest_sha256: str | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    rows_in: int | None = None
    rows_exported: int | None = None
    rows_quarantined: int | None = None
    delta_version: int | None = None
    leak_proof: str | None = None
    suite: str | None = None
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    metrics: BatchMetrics | None = None
    drift: list[DriftOutcome] = field(default_factory=list)
    status: str = "RUNNING"
    failed_stage: str | None = None
    failure: str | None = None
    finished_at: datetime | None = None  # now, when written; a lost run's is its last sign of life

    def fail(self, stage: str | None, error: BaseException) -> None:
        self.status, self.failed_stage, self.failure = "FAILED", stage, failure_reason(error)

    def complete(self) -> None:
        self.status = "COMPLETED"


def write_record(spark: SparkSession, output: Location, record: RunRecord) -> None:
    """Append the run's row and its gate's results to the ledger (Delta, created on first use)."""
    finished = (record.finished_at or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    started = record.started_at.astimezone(UTC).replace(tzinfo=None)
    metrics = record.metrics
    run = (
        record.flow_run_id,
        record.flow_run_name,
        record.deployment,
        record.trigger_event_id,
        record.batch_id,
        record.manifest_sha256,
        record.status,
        record.failed_stage,
        record.failure,
        started,
        finished,
        dict(record.stage_seconds),
        record.rows_in,
        record.rows_exported,
        record.rows_quarantined,
        record.delta_version,
        record.leak_proof,
        metrics.vlr_transacao_sum if metrics else None,
        metrics.distinct_cards if metrics else None,
        dict(metrics.tipo_transacao_share) if metrics else None,
        metrics.series() if metrics else None,
    )
    ops = output.join("ops")
    append(spark.createDataFrame([run], RUNS_SCHEMA), ops.join(RUNS_TABLE))
    if record.outcomes and record.suite:
        results = [
            (
                record.flow_run_id,
                record.batch_id,
                finished,
                record.suite,
                outcome.rule_id,
                outcome.expectation,
                outcome.column,
                outcome.policy.value,
                outcome.success,
                outcome.unexpected_count,
                outcome.unexpected_percent,
            )
            for outcome in record.outcomes
        ]
        append(spark.createDataFrame(results, QUALITY_SCHEMA), ops.join(QUALITY_TABLE))
    if record.drift:
        judged = [
            (
                record.flow_run_id,
                record.batch_id,
                finished,
                outcome.metric,
                outcome.value,
                outcome.baseline,
                outcome.lower,
                outcome.upper,
                outcome.score,
                outcome.history_runs,
                outcome.check.policy.value,
                outcome.status.value,
            )
            for outcome in record.drift
        ]
        append(spark.createDataFrame(judged, DRIFT_SCHEMA), ops.join(DRIFT_TABLE))


def recorded_runs(spark: SparkSession, output: Location, flow_run_ids: list[str]) -> set[str]:
    """Which of these flow runs already have their row (only those ids are read back)."""
    table = output.join("ops", RUNS_TABLE)
    if not flow_run_ids or not table.join("_delta_log").exists():
        return set()
    rows = (
        spark.read.format("delta")
        .load(table.spark_path)
        .where(F.col("flow_run_id").isin(flow_run_ids))
        .select("flow_run_id")
        .distinct()
        .collect()
    )
    return {str(row["flow_run_id"]) for row in rows}


def append(rows: DataFrame, table: Location) -> None:
    """Columns added in later versions of the ledger join an older table (mergeSchema): no migration."""
    rows.write.format("delta").mode("append").option("mergeSchema", "true").save(table.spark_path)
