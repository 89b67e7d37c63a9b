"""Prefect task: publish the gated `movimento_flat` as Delta, Parquet and the flat CSV; quarantine aside."""

from __future__ import annotations

import time
from dataclasses import dataclass

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from pyspark.sql import functions as F

from tasks.domain.movimento_flat import OUTPUT_COLUMNS, QUARANTINE_TABLE_COMMENT, TABLE_NAME
from tasks.export.delta import MergeCount, merge_into_delta
from tasks.export.files import write_parquet, write_single_csv
from tasks.gate.policy import VIOLATED_RULES
from tasks.gate.task import GateResult
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.spark_session import get_spark
from tasks.storage import Location
from tasks.transform.flatten import INTEGRITY


@dataclass(frozen=True)
class ExportReport:
    delta_path: str
    parquet_path: str
    csv_path: str
    quarantine_path: str
    merge: MergeCount
    delta_rows: int
    quarantined: int


@dataclass(frozen=True)
class ExportLocations:
    delta: Location
    parquet: Location
    csv: Location
    quarantine: Location

    @classmethod
    def under(cls, output: Location) -> ExportLocations:
        return cls(
            delta=output.join("delta", TABLE_NAME),
            parquet=output.join("parquet", TABLE_NAME),
            csv=output.join("csv", f"{TABLE_NAME}.csv"),
            quarantine=output.join("quarantine", TABLE_NAME),
        )


@task(name="export", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def export_movimento_flat(gate: GateResult, output: Location) -> ExportReport:
    """Delta first (transactional MERGE), then the Parquet partition of this batch, then the CSV of the table;
    quarantined rows are MERGEd into the quarantine Delta table with the rules they broke. `output` is a
    folder or an S3 prefix."""
    logger = get_run_logger()
    spark = get_spark()
    started = time.perf_counter()
    where = ExportLocations.under(output)
    published = gate.split.passed.select(*OUTPUT_COLUMNS)
    merge = merge_into_delta(spark, where.delta.spark_path, published)
    write_parquet(published, where.parquet.spark_path)
    table = spark.read.format("delta").load(where.delta.spark_path)
    write_single_csv(table, where.csv)
    delta_rows = table.count()
    if gate.split.rows:
        quarantined = gate.split.quarantined.select(
            *OUTPUT_COLUMNS,
            F.col(INTEGRITY).alias("integridade"),
            F.col(VIOLATED_RULES).alias("regras_violadas"),
        )
        merge_into_delta(
            spark, where.quarantine.spark_path, quarantined, QUARANTINE_TABLE_COMMENT, update_when=None
        )
    gate.split.release()
    logger.info(
        "exported in %.2fs: delta v%d (+%d inserted, %d updated, %d rows total), parquet, csv %s; %d quarantined",
        time.perf_counter() - started,
        merge.version,
        merge.inserted,
        merge.updated,
        delta_rows,
        where.csv.uri,
        gate.split.rows,
    )
    return ExportReport(
        where.delta.uri,
        where.parquet.uri,
        where.csv.uri,
        where.quarantine.uri,
        merge,
        delta_rows,
        gate.split.rows,
    )
