"""The batch's Parquet and flat-CSV deliverables, staged from the Delta version the run committed, then
swapped into place.

Layout (each run writes only its batch, so its cost does not grow with the history):
- Parquet: `<output>/parquet/movimento_flat/batch_id=<batch>/part-*.parquet` (Hive-style partition folders:
  any reader of the folder sees one table with a batch_id column);
- CSV: `<output>/csv/movimento_flat/<batch>.csv`, the original challenge's deliverable: header, every column a
  string, rows in id_movimento order.

Both are written under `<output>/_staging/<run>/` first; only after the leak proof are they moved into place
(a rename locally; a copy then delete on S3). A re-run restages and replaces them, so a run killed between any
two steps converges when repeated.

The CSV is safe to open in a spreadsheet: RFC 4180 (text fields are quoted, a quote inside is doubled, records
end in CRLF; values are written byte for byte, numbers unquoted), and a text cell that a
spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's CSV
injection list) gets a leading `'`. Only text columns are neutralised: numbers, dates and amounts are written
as they are (a negative amount stays a number).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.dataset as pads
from pyspark.sql import DataFrame

from tasks.domain.movimento_flat import KEY, OUTPUT_COLUMNS
from tasks.storage import Location

CSV_DELIMITER = ","
CSV_LINE_END = "\r\n"
FORMULA_START = r"^[=+\-@\t\r]"  # what a spreadsheet would evaluate (OWASP CSV injection)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
PARTITION = "batch_id"


@dataclass(frozen=True)
class BatchFiles:
    """Where one batch's Parquet partition and CSV file live (staged or published)."""

    parquet: Location  # the partition folder
    csv: Location

    @classmethod
    def published(cls, output: Location, table: str, batch_id: str) -> BatchFiles:
        return cls(
            parquet=output.join("parquet", table, f"{PARTITION}={batch_id}"),
            csv=output.join("csv", table, f"{batch_id}.csv"),
        )

    @classmethod
    def staged(cls, staging: Location, table: str, batch_id: str) -> BatchFiles:
        return cls(
            parquet=staging.join("parquet", f"{PARTITION}={batch_id}"),
            csv=staging.join("csv", f"{table}-{batch_id}.csv"),
        )

    def files(self) -> list[Location]:
        return [*self.parquet.list_files(), self.csv]


def neutralize_formula(text: pa.Array) -> pa.Array:
    """A text cell that would start a formula gets a leading apostrophe; anything else is unchanged."""
    return pc.if_else(
        pc.match_substring_regex(text, FORMULA_START), pc.binary_join_element_wise("'", text, ""), text
    )


def _csv_type(kind: pa.DataType) -> pa.DataType:
    """Text and dates are written as (quoted) strings; integers and amounts as unquoted numbers."""
    return kind if pa.types.is_integer(kind) or pa.types.is_decimal(kind) else pa.string()


def as_csv_columns(batch: pa.RecordBatch, columns: Sequence[str]) -> pa.RecordBatch:
    """The columns in order, as the CSV writes them: text neutralised against formula injection, timestamps
    as `YYYY-MM-DD HH:MM:SS` (UTC), integers and amounts as numbers (`1234.50`)."""
    arrays = []
    for name in columns:
        column = batch.column(name)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            arrays.append(neutralize_formula(pc.cast(column, pa.string())))
        elif pa.types.is_timestamp(column.type):  # whole seconds, as the sources record them
            seconds = pc.cast(column, pa.timestamp("s", tz=column.type.tz), safe=False)
            arrays.append(pc.strftime(seconds, format=TIMESTAMP_FORMAT))
        else:
            arrays.append(pc.cast(column, _csv_type(column.type)))
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


def stage_parquet(rows: DataFrame, target: Location) -> None:
    """The batch's rows as Parquet files in one partition folder (without the batch_id column, which the
    folder's name carries)."""
    rows.drop(PARTITION).write.mode("overwrite").parquet(target.spark_path)


def write_csv(
    parquet: Location,
    target: Location,
    batch_id: str,
    columns: Sequence[str] = OUTPUT_COLUMNS,
    key: str = KEY,
) -> int:
    """Write the staged Parquet partition as one CSV file in key order (sorted in memory by Arrow: about 200
    bytes a row); returns the rows written."""
    parts = [file for file in parquet.list_files() if file.name.endswith(".parquet")]
    table = pads.dataset(
        [part.path for part in parts], filesystem=parquet.filesystem, format="parquet"
    ).to_table()
    table = table.sort_by(key)
    options = pacsv.WriteOptions(
        include_header=True,
        delimiter=CSV_DELIMITER,
        eol=CSV_LINE_END,
        quoting_style="needed",
        quoting_header="none",  # column names are plain identifiers: no quotes needed
    )
    types = {field.name: field.type for field in table.schema} | {PARTITION: pa.string()}
    schema = pa.schema([(name, _csv_type(types[name])) for name in columns])
    written = 0
    target.filesystem.create_dir(target.parent.path, recursive=True)
    with (
        target.filesystem.open_output_stream(target.path) as stream,
        pacsv.CSVWriter(stream, schema, write_options=options) as writer,
    ):
        for batch in table.to_batches(max_chunksize=65_536):
            with_partition = batch.append_column(
                PARTITION, pa.array([batch_id] * batch.num_rows, pa.string())
            )
            writer.write_batch(as_csv_columns(with_partition, columns))
            written += batch.num_rows
    return written


def stage_batch(rows: DataFrame, staged: BatchFiles, batch_id: str) -> int:
    """Write the batch's Parquet partition, then its CSV from those files: one read of the Delta rows."""
    stage_parquet(rows, staged.parquet)
    return write_csv(staged.parquet, staged.csv, batch_id)


def publish(staged: BatchFiles, published: BatchFiles, scratch: Location) -> None:
    """Swap the staged files into place, replacing what this batch published before."""
    if published.parquet.exists():
        published.parquet.move_folder_to(scratch.join("replaced-parquet"))
    staged.parquet.move_folder_to(published.parquet)
    published.csv.filesystem.create_dir(published.csv.parent.path, recursive=True)
    published.csv.filesystem.move(staged.csv.path, published.csv.path)
    scratch.join("replaced-parquet").delete_folder()
