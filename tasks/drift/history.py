"""The trailing runs' figures, read from the run ledger (`<output>/ops/pipeline_runs`, column `metrics`)."""

from __future__ import annotations

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from tasks.ops.ledger import RUNS_TABLE
from tasks.storage import Location


def trailing_metrics(
    spark: SparkSession, output: Location, batch_id: str, runs: int
) -> list[dict[str, float]]:
    """The figures of the last `runs` completed runs of other batches, newest first (a re-run of this batch is
    not its own history). Only those rows are collected: the cost follows the window, not the ledger's age."""
    table = output.join("ops").join(RUNS_TABLE)
    if not table.join("_delta_log").exists():
        return []
    history = (
        spark.read.format("delta")
        .load(table.spark_path)
        .where(
            (F.col("status") == "COMPLETED") & F.col("metrics").isNotNull() & (F.col("batch_id") != batch_id)
        )
        .orderBy(F.col("finished_at").desc())
        .limit(runs)
        .select("metrics")
        .collect()
    )
    return [{str(name): float(value) for name, value in row["metrics"].items()} for row in history]
