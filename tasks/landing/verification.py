"""Prove a landed batch is whole and well-formed before any of it is loaded.

Checks are structural: the manifest and checksums, the header of each file, the type of every value, missing
keys and duplicate ids. Business rules (amount ranges, masked formats, orphans...) belong to the quality gate,
which sees the joined data; referential integrity among the PostgreSQL tables is enforced by its constraints.
Errors name the file, the row and the column, never the offending value (it may be personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from tasks.domain.contract import Column, Kind, Table
from tasks.domain.tables import TABLES
from tasks.errors import ValueFree
from tasks.landing.manifest import Manifest, read_manifest, sha256_of
from tasks.landing.writer import CSV_DELIMITER

_PATTERNS = {
    Kind.ID: r"^[1-9][0-9]{0,17}$",
    Kind.INT: r"^-?[0-9]{1,9}$",
    Kind.DECIMAL: r"^-?[0-9]{1,8}(\.[0-9]{1,2})?$",
    Kind.TIMESTAMP: r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}$",
}
_KIND_NAMES = {
    Kind.ID: "a positive integer id",
    Kind.INT: "an integer",
    Kind.DECIMAL: "a decimal(10,2)",
    Kind.TIMESTAMP: "a timestamp YYYY-MM-DD HH:MM:SS",
}


class BatchRejected(ValueFree, ValueError):
    """The batch cannot be loaded as it is. A data error: never retried."""

    def __init__(self, batch_dir: Path | str, file_name: str | None, problem: str) -> None:
        self.batch_dir = str(batch_dir)
        self.file_name = file_name
        self.problem = problem
        where = f"{self.batch_dir.rstrip('/')}/{file_name}" if file_name else self.batch_dir
        super().__init__(f"{where}: {problem}")

    def relocated(self, batch_uri: str) -> BatchRejected:
        """The same rejection, naming the batch where it landed (e.g. s3://...) instead of a local copy."""
        return BatchRejected(batch_uri, self.file_name, self.problem)


@dataclass(frozen=True)
class VerifiedBatch:
    """A batch proven complete and well-formed, with its columns parsed to their real types."""

    path: Path
    manifest: Manifest
    tables: dict[str, pa.Table]

    @property
    def batch_id(self) -> str:
        return self.manifest.batch_id

    def rows(self, table: str) -> int:
        return int(self.tables[table].num_rows)


def _first_row(mask: pa.Array) -> int | None:
    """1-based data row number (header excluded) of the first True in mask."""
    indices = pc.indices_nonzero(pc.fill_null(mask, False))
    return int(indices[0].as_py()) + 1 if len(indices) else None


def _read_text_columns(path: Path, table: Table, batch_dir: Path) -> pa.Table:
    try:
        # utf-8-sig: a file saved as Excel's "CSV UTF-8" starts with a byte order mark (pyarrow skips it too).
        with path.open("r", encoding="utf-8-sig") as handle:
            header = handle.readline().rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise BatchRejected(batch_dir, table.file_name, f"not UTF-8 text ({error.reason})") from error
    found = [name.strip().strip('"') for name in header.split(CSV_DELIMITER)] if header else []
    missing = [name for name in table.column_names if name not in found]
    extra = [name for name in found if name not in table.column_names]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing columns {missing}")
        if extra:
            parts.append(f"unexpected columns {extra}")
        raise BatchRejected(batch_dir, table.file_name, "header does not match: " + ", ".join(parts))
    if len(set(found)) != len(found):
        raise BatchRejected(batch_dir, table.file_name, "header repeats a column name")
    try:
        return pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(delimiter=CSV_DELIMITER),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in found}, strings_can_be_null=False
            ),
        ).select(table.column_names)
    except pa.ArrowInvalid as error:
        # Arrow's message names the line ("Expected 6 columns, got 7") but may quote the line itself.
        reason = str(error).split(":")[0]
        raise BatchRejected(batch_dir, table.file_name, f"malformed CSV ({reason})") from error


def _typed_column(values: pa.ChunkedArray, column: Column, table: Table, batch_dir: Path) -> pa.ChunkedArray:
    empty = pc.equal(pc.utf8_length(values), 0)
    if (row := _first_row(empty)) is not None:
        raise BatchRejected(batch_dir, table.file_name, f"row {row}: column {column.name} is empty")
    if column.kind is Kind.TEXT:
        if column.max_length is not None:
            too_long = pc.greater(pc.utf8_length(values), column.max_length)
            if (row := _first_row(too_long)) is not None:
                raise BatchRejected(
                    batch_dir,
                    table.file_name,
                    f"row {row}: column {column.name} is longer than {column.max_length} characters",
                )
        return values
    malformed = pc.invert(pc.match_substring_regex(values, _PATTERNS[column.kind]))
    if (row := _first_row(malformed)) is not None:
        raise BatchRejected(
            batch_dir, table.file_name, f"row {row}: column {column.name} is not {_KIND_NAMES[column.kind]}"
        )
    if column.kind is Kind.TIMESTAMP:
        parsed = pc.strptime(
            pc.replace_substring(values, "T", " "), format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True
        )
        if (row := _first_row(pc.is_null(parsed))) is not None:
            raise BatchRejected(
                batch_dir, table.file_name, f"row {row}: column {column.name} is not a real date"
            )
        return parsed
    if column.kind is Kind.DECIMAL:
        return pc.cast(values, pa.decimal128(12, 2))
    return pc.cast(values, pa.int64())


def _verify_table(batch_dir: Path, manifest: Manifest, table: Table) -> pa.Table:
    entry = manifest.file(table.file_name)
    if entry is None:
        raise BatchRejected(batch_dir, table.file_name, "not listed in the manifest")
    path = batch_dir / table.file_name
    if not path.is_file():
        raise BatchRejected(batch_dir, table.file_name, "listed in the manifest but missing")
    if path.stat().st_size != entry.bytes:
        raise BatchRejected(
            batch_dir, table.file_name, f"size {path.stat().st_size} bytes, the manifest says {entry.bytes}"
        )
    if sha256_of(path) != entry.sha256:
        raise BatchRejected(
            batch_dir, table.file_name, "sha256 differs from the manifest (corrupted or altered)"
        )
    text = _read_text_columns(path, table, batch_dir)
    if text.num_rows != entry.rows:
        raise BatchRejected(
            batch_dir, table.file_name, f"{text.num_rows} rows, the manifest says {entry.rows}"
        )
    typed = pa.table(
        {column.name: _typed_column(text[column.name], column, table, batch_dir) for column in table.columns}
    )
    ids = typed["id"]
    if pc.count_distinct(ids).as_py() != typed.num_rows:
        counts = pc.value_counts(ids)
        duplicated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
        raise BatchRejected(
            batch_dir,
            table.file_name,
            f"{len(duplicated)} duplicate ids (first: {duplicated[0].as_py()})",
        )
    return typed


def verify_batch(batch_dir: Path) -> VerifiedBatch:
    """Check the manifest, every file's checksum, header, row count, value types and id uniqueness."""
    manifest = read_manifest(batch_dir)
    if manifest.batch_id != batch_dir.name:
        raise BatchRejected(
            batch_dir, "_manifest.json", f"batch_id {manifest.batch_id!r} does not match the folder name"
        )
    expected = {table.file_name for table in TABLES}
    unexpected = sorted({entry.name for entry in manifest.files} - expected)
    if unexpected:
        raise BatchRejected(batch_dir, "_manifest.json", f"lists unexpected files {unexpected}")
    tables = {table.name: _verify_table(batch_dir, manifest, table) for table in TABLES}
    return VerifiedBatch(path=batch_dir, manifest=manifest, tables=tables)
