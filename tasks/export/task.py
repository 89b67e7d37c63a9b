"""Prefect tasks: publish the gated batch of `movimento_flat` in three steps.

1. `export_batch`: MERGE the batch into Delta (the source of truth) and its quarantined rows into the quarantine
   Delta table, then stage the batch's Parquet partition and CSV from the Delta version just committed.
2. (the flow runs the leak proof over every file written so far)
3. `publish_batch` swaps the staged files into place; `rollback_export` instead restores both Delta tables to
   their versions before the run and deletes everything it wrote.

Every step only reads and writes this batch, and repeating any of them is harmless: a run killed between two
steps converges when run again.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pyspark.sql import functions as F

from tasks.domain.movimento_flat import OUTPUT_COLUMNS, QUARANTINE_TABLE_COMMENT, TABLE_NAME
from tasks.domain.tables import INTEGRITY, VIOLATED_RULES
from tasks.export.delta import (
    FLAT_CONSTRAINTS,
    FLAT_PROPERTIES,
    MergeCount,
    files_written,
    merge_into_delta,
    restore,
)
from tasks.export.files import BatchFiles, publish, stage_batch
from tasks.handoff import GatedBatch
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.spark_session import get_spark, job_group
from tasks.storage import Location

STAGING = "_staging"


@dataclass(frozen=True)
class StagedExport:
    """What `export_batch` committed and staged: enough to prove, publish or roll it back."""

    batch_id: str
    delta: Location
    quarantine: Location
    merge: MergeCount
    quarantine_merge: MergeCount | None
    scratch: Location  # this run's staging folder
    staged: BatchFiles
    published: BatchFiles
    rows: int  # the batch's rows in the committed Delta version (staged into Parquet and CSV)
    quarantined: int
    written: list[Location] = field(default_factory=list)  # every file the run wrote so far


@dataclass(frozen=True)
class ExportReport:
    delta_path: str
    parquet_path: str
    csv_path: str
    quarantine_path: str
    merge: MergeCount
    batch_rows: int
    quarantined: int


@task(name="export", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def export_batch(gated: GatedBatch, output: Location, batch_id: str) -> StagedExport:
    """MERGE into Delta (pruned to the batch's ids), quarantine aside, then stage Parquet and CSV from the
    committed version. `output` is a folder or an S3 prefix."""
    logger = get_run_logger()
    spark = get_spark()
    job_group(spark, "export")
    started = time.perf_counter()
    delta = output.join("delta", TABLE_NAME)
    quarantine = output.join("quarantine", TABLE_NAME)
    output.join(STAGING).delete_folder()  # what a killed run left behind (one writer at a time)
    scratch = output.join(STAGING, uuid.uuid4().hex)
    key_range = gated.key_range

    merge = merge_into_delta(
        spark,
        delta.spark_path,
        gated.passed.select(*OUTPUT_COLUMNS),
        key_range=key_range,
        properties=FLAT_PROPERTIES,
        constraints=FLAT_CONSTRAINTS,
    )
    quarantine_merge = None
    if gated.quarantined_rows:
        quarantined = gated.quarantined.select(
            *OUTPUT_COLUMNS,
            F.col(INTEGRITY).alias("integridade"),
            F.col(VIOLATED_RULES).alias("regras_violadas"),
        )
        quarantine_merge = merge_into_delta(
            spark,
            quarantine.spark_path,
            quarantined,
            QUARANTINE_TABLE_COMMENT,
            update_when=None,
            key_range=key_range,
        )

    committed = (
        spark.read.format("delta")
        .option("versionAsOf", merge.version)
        .load(delta.spark_path)
        .where(F.col("batch_id") == F.lit(batch_id))
    )
    staged = BatchFiles.staged(scratch, TABLE_NAME, batch_id)
    rows = stage_batch(committed, staged, batch_id)

    written = list(staged.files())
    for table, count in ((delta, merge), (quarantine, quarantine_merge)):
        if count is not None:
            log_files, data_files = files_written(table, count.previous, count.version)
            written += log_files + data_files
    logger.info(
        "exported in %.2fs: delta v%d (+%d inserted, %d updated), %s batch rows staged; %d quarantined%s",
        time.perf_counter() - started,
        merge.version,
        merge.inserted,
        merge.updated,
        f"{rows:,}",
        gated.quarantined_rows,
        f" (quarantine v{quarantine_merge.version})" if quarantine_merge else "",
    )
    return StagedExport(
        batch_id=batch_id,
        delta=delta,
        quarantine=quarantine,
        merge=merge,
        quarantine_merge=quarantine_merge,
        scratch=scratch,
        staged=staged,
        published=BatchFiles.published(output, TABLE_NAME, batch_id),
        rows=rows,
        quarantined=gated.quarantined_rows,
        written=written,
    )


@task(name="publish", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def publish_batch(export: StagedExport) -> ExportReport:
    """Swap the staged Parquet partition and CSV into place."""
    publish(export.staged, export.published, export.scratch)
    export.scratch.delete_folder()
    get_run_logger().info("published %s and %s", export.published.parquet.uri, export.published.csv.uri)
    return ExportReport(
        delta_path=export.delta.uri,
        parquet_path=export.published.parquet.uri,
        csv_path=export.published.csv.uri,
        quarantine_path=export.quarantine.uri,
        merge=export.merge,
        batch_rows=export.rows,
        quarantined=export.quarantined,
    )


@task(name="rollback_export", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def rollback_export(export: StagedExport) -> None:
    """Undo a run whose outputs must not stand: both Delta tables back to their versions before it, and every
    data file it wrote deleted (they are no longer part of any current version); nothing was published."""
    spark = get_spark()
    for table, count in ((export.delta, export.merge), (export.quarantine, export.quarantine_merge)):
        if count is not None and count.version > count.previous:
            _, data_files = files_written(table, count.previous, count.version)
            restore(spark, table.spark_path, count.previous)
            for file in data_files:
                if file.exists():
                    file.filesystem.delete_file(file.path)
    export.scratch.delete_folder()
    get_run_logger().warning(
        "rolled back: %s restored to v%d%s; staged files deleted",
        export.delta.uri,
        export.merge.previous,
        f", {export.quarantine.uri} to v{export.quarantine_merge.previous}"
        if export.quarantine_merge
        else "",
    )
