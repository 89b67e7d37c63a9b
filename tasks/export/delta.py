"""Publish `movimento_flat` as a Delta table: created once with its comments, then MERGEd on id_movimento.

MERGE makes re-runs idempotent (a batch already present inserts nothing) while new batches add rows, and a
corrected movimento (different row_hash) updates its row. The MERGE condition also bounds the target to the
batch's id range, so Delta skips every file of other batches (file statistics on id_movimento): a run reads
what its batch can touch, not the table's history. When the table holds no key of that range at all (a new
batch), the rows are appended in one commit instead. Delta's transaction log keeps every version.

Statistics, which Delta copies into its log as min/max values, are kept only for key, date and amount columns,
never for text: the log holds no prefix of a name or a description.

`movimento_flat` also carries Delta CHECK constraints for the invariants the gate enforces (a second lock: no
writer, this pipeline's or another's, can commit a row that breaks them) and the change data feed, so consumers
read what each version changed instead of the whole table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession

from tasks.domain.movimento_flat import COLUMN_COMMENTS, KEY, ROW_HASH, TABLE_COMMENT
from tasks.errors import ValueFree
from tasks.storage import Location

STATS_COLUMNS = ("id_movimento", "batch_id", "data_movimento", "vlr_transacao_movimento")
# Plain protocol features only, so independent readers (delta-rs, Trino, DuckDB) can read the table.
TABLE_PROPERTIES = {
    "delta.enableDeletionVectors": "false",
    "delta.dataSkippingStatsColumns": ",".join(STATS_COLUMNS),
}
LOG = "_delta_log"
# movimento_flat's invariants, as the gate's `fail`/`quarantine` rules state them (expectations/movimento_flat.json:
# positive amount, no date in the future): name -> Delta SQL. Quarantined rows never reach the table, so these
# only ever stop a writer that bypassed the gate.
FLAT_CONSTRAINTS = {
    "vlr_transacao_positivo": "vlr_transacao_movimento > 0",
    "data_movimento_nao_futura": "data_movimento <= current_timestamp()",
}
FLAT_PROPERTIES = {"delta.enableChangeDataFeed": "true"}
_CONSTRAINT_NAME = re.compile(r"CHECK constraint ([A-Za-z_][A-Za-z0-9_]*)")


class ConstraintViolated(ValueFree, RuntimeError):
    """A row broke a CHECK constraint of a Delta table: names the table and the constraint, never the row
    (Delta's own message quotes the offending values). Nothing was committed."""

    def __init__(self, table: str, constraint: str) -> None:
        super().__init__(
            f"Delta table {table}: CHECK constraint {constraint} refused the write; nothing committed"
        )
        self.table, self.constraint = table, constraint


def constraint_violated(error: BaseException, table: str) -> ConstraintViolated | None:
    """The value-free form of Delta's invariant violation, or None for any other error."""
    message = str(error)
    if "DeltaInvariantViolationException" not in message:
        return None
    found = _CONSTRAINT_NAME.search(message)
    return ConstraintViolated(table, found.group(1) if found else "(unnamed)")


@dataclass(frozen=True)
class MergeCount:
    inserted: int
    updated: int
    version: int  # the table's version after the MERGE
    previous: int  # before it (-1: the table was created by this run)


def current_version(spark: SparkSession, path: str) -> int:
    """The table's latest version, or -1 when there is no table yet."""
    if not DeltaTable.isDeltaTable(spark, path):
        return -1
    last = DeltaTable.forPath(spark, path).history(1).select("version").first()
    return int(last["version"]) if last else -1


def ensure_table(
    spark: SparkSession,
    path: str,
    frame: DataFrame,
    comment: str,
    properties: Mapping[str, str] | None = None,
    constraints: Mapping[str, str] | None = None,
) -> DeltaTable:
    """Create the table with its comments, properties and CHECK constraints, or bring an existing table's up to
    date (a constraint added to a table checks its rows first)."""
    wanted = TABLE_PROPERTIES | dict(properties or {})
    builder = DeltaTable.createIfNotExists(spark).location(path).comment(comment)
    for field in frame.schema.fields:
        builder = builder.addColumn(
            field.name, field.dataType, nullable=field.nullable, comment=COLUMN_COMMENTS.get(field.name)
        )
    for key, value in wanted.items():
        builder = builder.property(key, value)
    table = builder.execute()
    current = table.detail().select("properties").first()
    present = (current["properties"] if current else None) or {}
    missing = {key: value for key, value in wanted.items() if present.get(key) != value}
    if missing:
        assignments = ", ".join(f"'{key}' = '{value}'" for key, value in missing.items())
        spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ({assignments})")
    for name, expression in (constraints or {}).items():
        if f"delta.constraints.{name}" not in present:
            spark.sql(f"ALTER TABLE delta.`{path}` ADD CONSTRAINT {name} CHECK ({expression})")
    return table


def merge_into_delta(
    spark: SparkSession,
    path: str,
    frame: DataFrame,
    comment: str = TABLE_COMMENT,
    update_when: str | None = f"t.{ROW_HASH} <> s.{ROW_HASH}",
    key_range: tuple[int, int] | None = None,
    properties: Mapping[str, str] | None = None,
    constraints: Mapping[str, str] | None = None,
) -> MergeCount:
    """MERGE on id_movimento; matched rows update only when `update_when` holds (None: always). With
    `key_range` (the batch's lowest and highest id), the target is read only where those ids can be."""
    previous = current_version(spark, path)
    table = ensure_table(spark, path, frame, comment, properties, constraints)
    violated = None
    try:
        _write(spark, path, table, frame, update_when, key_range)
    except Exception as error:  # py4j's or pyspark's wrapper of Delta's exception: the message tells
        violated = constraint_violated(error, path.rstrip("/").rsplit("/", 1)[-1])
        if violated is None:
            raise
    if violated is not None:  # raised here, outside the handler: no link to the message with the values
        raise violated
    last = table.history(1).select("version", "operation", "operationMetrics").first()
    operation = last["operation"] if last else ""
    metrics = (last["operationMetrics"] if last and operation in ("MERGE", "WRITE") else None) or {}
    inserted = metrics.get("numTargetRowsInserted" if operation == "MERGE" else "numOutputRows", 0)
    return MergeCount(
        inserted=int(inserted),
        updated=int(metrics.get("numTargetRowsUpdated", 0)),
        version=int(last["version"]) if last else 0,
        previous=previous,
    )


def _write(
    spark: SparkSession,
    path: str,
    table: DeltaTable,
    frame: DataFrame,
    update_when: str | None,
    key_range: tuple[int, int] | None,
) -> None:
    if key_range is not None and not holds_keys(spark, path, key_range):
        # Nothing in the table can match (a new batch): the MERGE would scan the source for matches only to
        # insert it all, so append it in one commit instead.
        frame.write.format("delta").mode("append").save(path)
    else:
        condition = f"t.{KEY} = s.{KEY}"
        if key_range is not None:
            condition += f" AND t.{KEY} BETWEEN {int(key_range[0])} AND {int(key_range[1])}"
        (
            table.alias("t")
            .merge(frame.alias("s"), condition)
            .whenMatchedUpdateAll(condition=update_when)
            .whenNotMatchedInsertAll()
            .execute()
        )


def holds_keys(spark: SparkSession, path: str, key_range: tuple[int, int]) -> bool:
    """Whether the table has any row with a key in the range: file statistics skip every other file, so this
    reads next to nothing."""
    low, high = int(key_range[0]), int(key_range[1])
    rows = spark.read.format("delta").load(path).where(f"{KEY} BETWEEN {low} AND {high}").limit(1)
    return bool(rows.count())


def restore(spark: SparkSession, path: str, version: int) -> None:
    """Bring the table back to `version` (a new commit; -1: the run created it, so empty it instead)."""
    if version < 0:
        spark.sql(f"DELETE FROM delta.`{path}`")
    else:
        DeltaTable.forPath(spark, path).restoreToVersion(version)


def files_written(table: Location, after: int, upto: int) -> tuple[list[Location], list[Location]]:
    """(log files, data files) the commits after version `after` up to `upto` wrote: each commit's JSON, its
    checksum and checkpoint files, `_last_checkpoint`, and the data and change-data files they added."""
    if upto <= after:
        return [], []
    versions = {f"{version:020d}" for version in range(after + 1, upto + 1)}
    log_files = [
        file
        for file in table.join(LOG).list_files()
        if file.name.split(".", 1)[0] in versions or file.name == "_last_checkpoint"
    ]
    data: list[Location] = []
    for version in sorted(versions):
        commit = table.join(LOG, f"{version}.json")
        for line in commit.read_bytes().decode("utf-8").splitlines():
            action = json.loads(line) if line.strip() else {}
            for kind in ("add", "cdc"):
                if kind in action:
                    data.append(table.join(unquote(action[kind]["path"])))
    return log_files, data
