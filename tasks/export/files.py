"""Parquet and flat-CSV copies of `movimento_flat`.

Parquet is partitioned by batch_id with dynamic partition overwrite: a re-run replaces only its own batch, new
batches add partitions. The CSV is the original challenge's deliverable: one file, header, every column a
string; it is rebuilt from the Delta table (all batches) and swapped in whole (a rename locally, one object
PUT-by-copy on S3).
"""

from __future__ import annotations

import uuid

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tasks.domain.movimento_flat import OUTPUT_COLUMNS
from tasks.storage import Location, delete_folder, list_files

CSV_DELIMITER = ","


def write_parquet(frame: DataFrame, path: str) -> None:
    (
        frame.write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy("batch_id")
        .parquet(path)
    )


def write_single_csv(frame: DataFrame, target: Location) -> None:
    """Write every column as a string into exactly one CSV file at `target`, replacing it whole."""
    work = target.parent.join(f".{target.name}.{uuid.uuid4().hex}")
    as_text = frame.select(*[F.col(name).cast("string").alias(name) for name in OUTPUT_COLUMNS])
    try:
        (
            as_text.orderBy("id_movimento")
            .coalesce(1)
            .write.option("header", True)
            .option("delimiter", CSV_DELIMITER)
            .option("timestampFormat", "yyyy-MM-dd HH:mm:ss")
            .option("emptyValue", "")
            .csv(work.spark_path)
        )
        parts = [
            part for part in list_files(work) if part.name.startswith("part-") and part.name.endswith(".csv")
        ]
        if len(parts) != 1:
            raise RuntimeError(f"expected one CSV part in {work.uri}, found {len(parts)}")
        target.filesystem.move(parts[0].path, target.path)
    finally:
        delete_folder(work)
