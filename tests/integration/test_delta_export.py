"""Delta written by the pipeline, read back by an independent reader (delta-rs, the `deltalake` package)."""

from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable as RustDeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from tasks.domain.movimento_flat import COLUMN_COMMENTS, OUTPUT_COLUMNS, TABLE_COMMENT
from tasks.export.delta import merge_into_delta
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
