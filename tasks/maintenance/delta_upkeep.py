"""Delta upkeep of every table the pipeline writes: OPTIMIZE (compaction) and VACUUM with a retention.

A daily run adds a few small files to each table (one append to movimento_flat, one row to each ledger table),
so without compaction reading any of them costs a file per day of history. OPTIMIZE rewrites small files into
large ones (a commit with dataChange=false: readers and the change data feed see no change). VACUUM then deletes
the files no version younger than the retention needs: until then, time travel and RESTORE can reach any version
of the retention window (docs/operations.md, "Delta upkeep").
"""

from __future__ import annotations

from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from tasks.domain.movimento_flat import TABLE_NAME
from tasks.ops.ledger import DRIFT_TABLE, QUALITY_TABLE, RUNS_TABLE
from tasks.storage import Location

# Delta's own default (delta.deletedFileRetentionDuration): a reader or writer running longer than this could
# lose files under it, so Delta refuses shorter retentions unless told otherwise.
SAFE_RETENTION_HOURS = 168
RETENTION_CHECK = "spark.databricks.delta.retentionDurationCheck.enabled"
LISTING_PARALLELISM = "spark.sql.sources.parallelPartitionDiscovery.parallelism"


def pipeline_tables(output: Location) -> list[Location]:
    """Every Delta table the pipeline writes under `output` that exists."""
    tables = [
        output.join("delta", TABLE_NAME),
        output.join("quarantine", TABLE_NAME),
        *(output.join("ops", name) for name in (RUNS_TABLE, QUALITY_TABLE, DRIFT_TABLE)),
    ]
    return [table for table in tables if table.join("_delta_log").exists()]


@dataclass(frozen=True)
class Upkeep:
    table: str
    version: int  # after upkeep
    files_compacted: int  # small files OPTIMIZE replaced
    files_written: int  # the files it wrote instead
    files_deleted: int  # files VACUUM deleted (no version within the retention needs them)


def _last_metrics(table: DeltaTable, operation: str) -> dict[str, str]:
    for row in table.history(5).select("operation", "operationMetrics").collect():
        if row["operation"] == operation:
            return dict(row["operationMetrics"] or {})
    return {}


def upkeep(spark: SparkSession, table: Location, retention_hours: int) -> Upkeep:
    """OPTIMIZE then VACUUM one table. A retention under Delta's safe minimum is honoured only because someone
    asked for it (Delta's check is lifted for this call alone): time travel beyond it is lost."""
    delta = DeltaTable.forPath(spark, table.spark_path)
    before = int(delta.history(1).select("version").first()["version"])  # type: ignore[index]
    delta.optimize().executeCompaction()
    optimized = int(delta.history(1).select("version").first()["version"])  # type: ignore[index]
    compaction = _last_metrics(delta, "OPTIMIZE") if optimized > before else {}
    settings: dict[str, str] = {
        "spark.databricks.delta.vacuum.logging.enabled": "true",  # VACUUM START/END in the table's history
        # VACUUM lists the table in this many Spark tasks (default 10,000: ~25 s for a tiny table on 2 cores).
        LISTING_PARALLELISM: spark.conf.get("spark.sql.shuffle.partitions") or "8",
    }
    if retention_hours < SAFE_RETENTION_HOURS:
        settings[RETENTION_CHECK] = "false"
    previous = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        delta.vacuum(float(retention_hours))
    finally:
        for key, earlier in previous.items():
            if earlier is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, earlier)
    last = int(delta.history(1).select("version").first()["version"])  # type: ignore[index]
    vacuumed = _last_metrics(delta, "VACUUM END")
    return Upkeep(
        table=table.uri,
        version=last,
        files_compacted=int(compaction.get("numRemovedFiles", 0)),
        files_written=int(compaction.get("numAddedFiles", 0)),
        files_deleted=int(vacuumed.get("numDeletedFiles", 0)),
    )
