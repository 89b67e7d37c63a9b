"""Publish `movimento_flat` as a Delta table: created once with its comments, then MERGEd on id_movimento.

MERGE makes re-runs idempotent (a batch already present inserts nothing) while new batches add rows, and a
corrected movimento (different row_hash) updates its row. Delta's transaction log keeps every version (history).
"""

from __future__ import annotations

from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession

from tasks.domain.movimento_flat import COLUMN_COMMENTS, KEY, ROW_HASH, TABLE_COMMENT

# Plain protocol features only, so independent readers (delta-rs, Trino, DuckDB) can read the table.
TABLE_PROPERTIES = {"delta.enableDeletionVectors": "false"}


@dataclass(frozen=True)
class MergeCount:
    inserted: int
    updated: int
    version: int


def ensure_table(spark: SparkSession, path: str, frame: DataFrame, comment: str) -> DeltaTable:
    builder = DeltaTable.createIfNotExists(spark).location(path).comment(comment)
    for field in frame.schema.fields:
        builder = builder.addColumn(
            field.name, field.dataType, nullable=field.nullable, comment=COLUMN_COMMENTS.get(field.name)
        )
    for key, value in TABLE_PROPERTIES.items():
        builder = builder.property(key, value)
    return builder.execute()


def merge_into_delta(
    spark: SparkSession,
    path: str,
    frame: DataFrame,
    comment: str = TABLE_COMMENT,
    update_when: str | None = f"t.{ROW_HASH} <> s.{ROW_HASH}",
) -> MergeCount:
    """MERGE on id_movimento; matched rows update only when `update_when` holds (None: always)."""
    table = ensure_table(spark, path, frame, comment)
    (
        table.alias("t")
        .merge(frame.alias("s"), f"t.{KEY} = s.{KEY}")
        .whenMatchedUpdateAll(condition=update_when)
        .whenNotMatchedInsertAll()
        .execute()
    )
    last = table.history(1).select("version", "operationMetrics").first()
    metrics = (last["operationMetrics"] if last else None) or {}
    return MergeCount(
        inserted=int(metrics.get("numTargetRowsInserted", 0)),
        updated=int(metrics.get("numTargetRowsUpdated", 0)),
        version=int(last["version"]) if last else 0,
    )
