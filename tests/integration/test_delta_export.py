"""Delta written by the pipeline, read back by an independent reader (delta-rs, the `deltalake` package)."""

from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable as RustDeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from tasks.domain.movimento_flat import COLUMN_COMMENTS, OUTPUT_COLUMNS, TABLE_COMMENT
from tasks.export.delta import FLAT_CONSTRAINTS, FLAT_PROPERTIES, ConstraintViolated, merge_into_delta
from tasks.export.files import BatchFiles, publish, stage_batch
from tasks.storage import resolve
from tests.utils.frames import clean_flat


def test_delta_merge_is_idempotent_and_readable_by_delta_rs(spark: SparkSession, tmp_path: Path) -> None:
    published = clean_flat(spark, rows=20).select(*OUTPUT_COLUMNS)
    path = str(tmp_path / "delta" / "movimento_flat")

    first = merge_into_delta(spark, path, published)
    again = merge_into_delta(spark, path, published)
    assert (first.inserted, again.inserted, again.updated) == (20, 0, 0)

    newer = clean_flat(spark, rows=25).where("id_movimento >= 1020").withColumn("batch_id", F.lit("b2"))
    added = merge_into_delta(spark, path, newer.select(*OUTPUT_COLUMNS))
    assert added.inserted == 5

    table = RustDeltaTable(path)
    data = pa.table(table.to_pyarrow_dataset().to_table())
    assert data.num_rows == 25
    assert sorted(data.column("id_movimento").to_pylist()) == list(range(1000, 1025))
    assert data.column_names == list(OUTPUT_COLUMNS)
    spark_rows = {r["id_movimento"]: r["row_hash"] for r in spark.read.format("delta").load(path).collect()}
    rust_rows = dict(
        zip(data.column("id_movimento").to_pylist(), data.column("row_hash").to_pylist(), strict=True)
    )
    assert spark_rows == rust_rows
    assert table.metadata().description == TABLE_COMMENT
    schema = {field.name: field.metadata for field in table.schema().fields}
    assert schema["numero_cartao"]["comment"] == COLUMN_COMMENTS["numero_cartao"]


def test_a_batch_is_staged_from_delta_then_published(spark: SparkSession, tmp_path: Path) -> None:
    output = resolve(tmp_path / "output")
    rows = clean_flat(spark, rows=10).select(*OUTPUT_COLUMNS)
    for attempt in range(2):  # the same batch again: replaced, not appended
        staged = BatchFiles.staged(output.join("_staging", str(attempt)), "movimento_flat", "b1")
        assert stage_batch(rows, staged, "b1") == 10
        publish(staged, BatchFiles.published(output, "movimento_flat", "b1"), output.join("_staging", "x"))
    assert spark.read.parquet(str(tmp_path / "output" / "parquet" / "movimento_flat")).count() == 10
    assert [p.name for p in (tmp_path / "output" / "parquet" / "movimento_flat").iterdir()] == ["batch_id=b1"]
    csv_path = tmp_path / "output" / "csv" / "movimento_flat" / "b1.csv"
    lines = csv_path.read_bytes().decode("utf-8").split("\r\n")
    assert lines[0].split(",")[:3] == ["nome_associado", "sobrenome_associado", "idade_associado"]
    assert len(lines) == 12 and lines[-1] == ""
    assert [line.split(",")[11] for line in lines[1:-1]] == [str(1000 + i) for i in range(10)]  # key order
    assert [p.name for p in csv_path.parent.iterdir()] == ["b1.csv"]


def test_flat_constraints_refuse_a_bad_row_by_name_and_delta_rs_reads_the_change_feed(
    spark: SparkSession, tmp_path: Path
) -> None:
    """A writer that bypasses the gate cannot commit a non-positive amount or a future date; the error names
    the constraint, never the row; delta-rs reads the table (checkConstraints, changeDataFeed) and its feed."""
    path = str(tmp_path / "delta" / "movimento_flat")
    first = merge_into_delta(
        spark,
        path,
        clean_flat(spark, rows=10).select(*OUTPUT_COLUMNS),
        properties=FLAT_PROPERTIES,
        constraints=FLAT_CONSTRAINTS,
    )

    negative = clean_flat(spark, rows=12).where("id_movimento = 1011")
    negative = negative.withColumn("vlr_transacao_movimento", F.lit(-7).cast("decimal(10,2)"))
    future = clean_flat(spark, rows=12).where("id_movimento = 1010")
    future = future.withColumn("data_movimento", F.expr("current_timestamp() + INTERVAL 2 DAYS"))
    for bad, constraint in ((negative, "vlr_transacao_positivo"), (future, "data_movimento_nao_futura")):
        with pytest.raises(ConstraintViolated) as refused:
            merge_into_delta(
                spark,
                path,
                bad.select(*OUTPUT_COLUMNS),
                properties=FLAT_PROPERTIES,
                constraints=FLAT_CONSTRAINTS,
            )
        assert refused.value.constraint == constraint
        assert "-7" not in str(refused.value) and refused.value.__context__ is None
    changed = clean_flat(spark, rows=10).where("id_movimento = 1003").withColumn("row_hash", F.lit("f" * 64))
    update = merge_into_delta(
        spark, path, changed.select(*OUTPUT_COLUMNS), properties=FLAT_PROPERTIES, constraints=FLAT_CONSTRAINTS
    )
    assert update.updated == 1

    table = RustDeltaTable(path)
    assert table.version() == update.version == first.version + 1  # the refused writes committed nothing
    assert {"checkConstraints", "changeDataFeed"} <= set(table.protocol().writer_features or [])
    properties = table.metadata().configuration
    assert properties["delta.enableChangeDataFeed"] == "true"
    assert set(FLAT_CONSTRAINTS) == {key.split(".")[-1] for key in properties if ".constraints." in key}
    assert table.to_pyarrow_table().num_rows == 10
    feed = pa.table(table.load_cdf(starting_version=update.version).read_all()).to_pylist()
    assert {(row["id_movimento"], row["_change_type"]) for row in feed} == {
        (1003, "update_preimage"),
        (1003, "update_postimage"),
    }


def test_an_existing_table_gains_the_constraints(spark: SparkSession, tmp_path: Path) -> None:
    path = str(tmp_path / "delta" / "movimento_flat")
    merge_into_delta(spark, path, clean_flat(spark, rows=5).select(*OUTPUT_COLUMNS))  # as before constraints
    assert not any(".constraints." in key for key in RustDeltaTable(path).metadata().configuration)
    more = clean_flat(spark, rows=8).where("id_movimento >= 1005")
    merge_into_delta(
        spark, path, more.select(*OUTPUT_COLUMNS), properties=FLAT_PROPERTIES, constraints=FLAT_CONSTRAINTS
    )
    configuration = RustDeltaTable(path).metadata().configuration
    assert {key for key in configuration if ".constraints." in key} == {
        f"delta.constraints.{name}" for name in FLAT_CONSTRAINTS
    }
