"""Parquet and flat-CSV copies of `movimento_flat`.

Parquet is partitioned by batch_id with dynamic partition overwrite: a re-run replaces only its own batch, new
batches add partitions. The CSV is the original challenge's deliverable: one file, header, every column a
string; it is rebuilt from the Delta table (all batches) and swapped in atomically.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tasks.domain.movimento_flat import OUTPUT_COLUMNS

CSV_DELIMITER = ","


def write_parquet(frame: DataFrame, path: str) -> None:
    (
        frame.write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy("batch_id")
        .parquet(path)
    )


def write_single_csv(frame: DataFrame, target: Path) -> None:
    """Write every column as a string into exactly one CSV file at `target`, replacing it atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.parent / f".{target.name}.{uuid.uuid4().hex}"
    as_text = frame.select(*[F.col(name).cast("string").alias(name) for name in OUTPUT_COLUMNS])
    try:
        (
            as_text.orderBy("id_movimento")
            .coalesce(1)
            .write.option("header", True)
            .option("delimiter", CSV_DELIMITER)
            .option("timestampFormat", "yyyy-MM-dd HH:mm:ss")
            .option("emptyValue", "")
            .csv(str(work))
        )
        parts = sorted(work.glob("part-*.csv"))
        if len(parts) != 1:
            raise RuntimeError(f"expected one CSV part in {work}, found {len(parts)}")
        staged = target.parent / f".{target.name}.staged"
        shutil.move(str(parts[0]), staged)
        staged.replace(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
