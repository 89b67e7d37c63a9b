"""Prove a landed batch is whole and well-formed, and read it once, into the contract's types, for every later step.

Each file is read from disk exactly once: its bytes are checked against the manifest (size, sha256) and parsed
from that same buffer by Arrow's CSV reader, columns found by header name and converted to the types the table
contract declares (`landed_schema`). The result (`VerifiedBatch`) is what the source suites validate, what
PostgreSQL and MongoDB load and what the leak proof fingerprints: no step opens the file again, so a file changed
after its check is never loaded, and a reordered header lands every value in its own column.

Strict: an impossible date or time, more decimals than decimal(10,2) holds, an integer out of its type or its
contract bounds, an empty required value, a malformed row, a duplicate id, a header that is not the contract's
are refused with the file, the row and the column. Business rules (amount ranges, masked formats, orphans...)
belong to the quality gate, which sees the joined data.

Errors are built from the contract's words and numbers only: a header field that is not a contract column is
named by its position and length, a value never appears (it may be personal data).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from tasks.domain.contract import Column, Kind, Table
from tasks.domain.tables import DECIMAL_PRECISION, DECIMAL_SCALE, TABLES
from tasks.errors import ValueFree
from tasks.landing.manifest import MANIFEST_MAX_BYTES, MANIFEST_NAME, Manifest, ManifestError, parse_manifest
from tasks.landing.writer import CSV_DELIMITER

KIND_NAMES = {
    Kind.ID: "a positive integer id",
    Kind.INT: "an integer",
    Kind.DECIMAL: f"a decimal({DECIMAL_PRECISION},{DECIMAL_SCALE})",
    Kind.TIMESTAMP: "a real date and time YYYY-MM-DD HH:MM:SS",
    Kind.TEXT: "UTF-8 text",
    Kind.BOOLEAN: "true or false",
}
# The exact shape of each kind's text; Arrow's cast then refuses what the shape allows but no calendar or type
# holds (February 30, 24:00, an id past 2^63).
SHAPES = {
    Kind.ID: r"^[0-9]{1,19}$",
    Kind.INT: r"^-?[0-9]{1,10}$",
    Kind.DECIMAL: rf"^-?[0-9]{{1,{DECIMAL_PRECISION - DECIMAL_SCALE}}}(\.[0-9]{{1,{DECIMAL_SCALE}}})?$",
    Kind.TIMESTAMP: r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}$",
    Kind.BOOLEAN: r"^(true|false)$",
}
_ARROW_COLUMN = re.compile(r"In CSV column #(\d+)")
_BLOCK_BYTES = 1 << 24


def landed_type(kind: Kind) -> pa.DataType:
    """The Arrow type a landed file's column is read into: the contract's type, strictly."""
    return {
        Kind.ID: pa.int64(),
        Kind.INT: pa.int32(),
        Kind.TEXT: pa.string(),
        Kind.DECIMAL: pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
        Kind.TIMESTAMP: pa.timestamp("s"),
        Kind.BOOLEAN: pa.bool_(),
    }[kind]


def landed_schema(table: Table) -> pa.Schema:
    return pa.schema(
        [pa.field(column.name, landed_type(column.kind), column.nullable) for column in table.columns]
    )


class BatchRejected(ValueFree, ValueError):
    """The batch cannot be loaded as it is. A data error: never retried.

    The one error type of a refused batch: where (batch, file, row, column) and the problem in the contract's
    words. Every argument is a name the contract or the landing defines, a number, or a problem text written
    by the pipeline; what came from the input is described by position and length only (`field_at`).
    """

    def __init__(
        self,
        batch_dir: Path | str,
        file_name: str | None,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.batch_dir = str(batch_dir)
        self.file_name = file_name
        self.problem = problem
        self.row = row
        self.column = column
        where = f"{self.batch_dir.rstrip('/')}/{file_name}" if file_name else self.batch_dir
        place = "".join(
            [f"row {row}: " if row is not None else "", f"column {column} " if column is not None else ""]
        )
        super().__init__(f"{where}: {place}{problem}")

    def relocated(self, batch_uri: str) -> BatchRejected:
        """The same rejection, naming the batch where it landed (e.g. s3://...) instead of a local copy."""
        return BatchRejected(batch_uri, self.file_name, self.problem, row=self.row, column=self.column)


def field_at(position: int, text: str) -> str:
    """An input-derived string as it may be named in an error: its position and length, never its text."""
    return f"field {position} ({len(text)} characters)"


@dataclass(frozen=True)
class LandedBatch:
    """A batch's files as read from disk, once: the manifest's bytes and each listed data file's bytes."""

    path: Path
    manifest_bytes: bytes
    files: dict[str, bytes] = field(repr=False)

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.manifest_bytes).hexdigest()


@dataclass(frozen=True)
class VerifiedBatch:
    """A batch proven complete and well-formed, with its columns parsed to the contract's types."""

    path: Path
    manifest: Manifest
    tables: dict[str, pa.Table]
    manifest_sha256: str = ""

    @property
    def batch_id(self) -> str:
        return self.manifest.batch_id

    def rows(self, table: str) -> int:
        return int(self.tables[table].num_rows)


def read_landed(batch_dir: Path) -> LandedBatch:
    """Read the manifest (within its cap) and every file it lists for the contract's tables, each once."""
    path = batch_dir / MANIFEST_NAME
    if not path.is_file():
        raise ManifestError(f"{path}: manifest not found; the batch is incomplete or not a batch")
    with path.open("rb") as handle:
        raw = handle.read(MANIFEST_MAX_BYTES + 1)
    manifest = parse_manifest(raw, str(path))
    files = {}
    for table in TABLES:
        entry = manifest.file(table.file_name)
        data = batch_dir / table.file_name
        if entry is not None and data.is_file():
            if data.stat().st_size != entry.bytes:  # refused before it is read whole
                raise BatchRejected(
                    batch_dir,
                    table.file_name,
                    f"size {data.stat().st_size} bytes, the manifest says {entry.bytes}",
                )
            files[table.file_name] = data.read_bytes()
    return LandedBatch(path=batch_dir, manifest_bytes=raw, files=files)


def _first_row(mask: pa.Array | pa.ChunkedArray) -> int | None:
    """1-based data row number (header excluded) of the first True in mask."""
    indices = pc.indices_nonzero(pc.fill_null(mask, False))
    return int(indices[0].as_py()) + 1 if len(indices) else None


def _header(data: pa.Buffer, table: Table, batch_dir: Path) -> list[str]:
    """The header row's names, parsed by Arrow from the file's first line; refused unless they are the
    contract's columns, in any order, each once."""
    head = bytes(data[: 1 << 16])
    end = head.find(b"\n")
    line = pa.py_buffer(head if end < 0 else head[:end])
    fields = line.to_pybytes().count(CSV_DELIMITER.encode()) + 1
    names = [f"f{i}" for i in range(fields)]
    try:
        row = pacsv.read_csv(
            pa.BufferReader(line),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=CSV_DELIMITER),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid:
        raise BatchRejected(batch_dir, table.file_name, "header row is not a CSV row of UTF-8 text") from None
    found = [str(row[name][0].as_py() or "").strip() for name in row.column_names] if row.num_rows else []
    expected = set(table.column_names)
    missing = [name for name in table.column_names if name not in found]
    unexpected = [field_at(position, name) for position, name in enumerate(found, 1) if name not in expected]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing columns {missing}")
        if unexpected:
            shown = ", ".join(unexpected[:5]) + (
                f" and {len(unexpected) - 5} more" if len(unexpected) > 5 else ""
            )
            parts.append(f"header fields that are not columns of {table.name}: {shown}")
        hint = " (a file without its header row?)" if len(unexpected) == len(found) and found else ""
        raise BatchRejected(batch_dir, table.file_name, "header does not match: " + "; ".join(parts) + hint)
    repeated = sorted({name for name in found if found.count(name) > 1})
    if repeated:
        raise BatchRejected(batch_dir, table.file_name, f"header repeats columns {repeated}")
    return found


def _parse_options(**extra: object) -> pacsv.ParseOptions:
    return pacsv.ParseOptions(delimiter=CSV_DELIMITER, newlines_in_values=True, **extra)


def _text_options(table: Table) -> pacsv.ConvertOptions:
    """Every contract column as text, found by name: the values' own shapes are judged next, strictly."""
    return pacsv.ConvertOptions(
        column_types=dict.fromkeys(table.column_names, pa.string()),
        include_columns=table.column_names,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )


def _malformed_row(data: pa.Buffer, header: list[str], table: Table) -> int | None:
    """The data row a parse error stopped at (the error path only: a single-threaded re-parse of the buffer)."""
    rows: list[int] = []

    def note(invalid: pacsv.InvalidRow) -> str:
        if invalid.number is not None:
            rows.append(int(invalid.number))
        return "skip"

    with contextlib.suppress(pa.ArrowInvalid):
        pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=header, use_threads=False),
            parse_options=_parse_options(invalid_row_handler=note),
            convert_options=_text_options(table),
        )
    return rows[0] - 1 if rows else None  # Arrow numbers physical rows from 1, the header included


def _first_unconvertible(values: pa.Array, target: pa.DataType) -> int | None:
    """0-based index of the first value `target` refuses (bisection: about two casts of the column)."""
    if len(values) == 0:
        return None
    try:
        pc.cast(values, target)
        return None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        if len(values) == 1:
            return 0
    half = len(values) // 2
    left = _first_unconvertible(values[:half], target)
    if left is not None:
        return left
    right = _first_unconvertible(values[half:], target)
    return None if right is None else half + right


def _typed(values: pa.ChunkedArray, column: Column, table: Table, batch_dir: Path) -> pa.Array:
    """One column's text as the contract's type, or the batch refused at the first value that is not one."""

    def refuse(mask: pa.Array | pa.ChunkedArray, problem: str) -> None:
        if (row := _first_row(mask)) is not None:
            raise BatchRejected(batch_dir, table.file_name, problem, row=row, column=column.name)

    text = values.combine_chunks()
    if not column.nullable:
        refuse(pc.equal(pc.utf8_length(text), 0), "is empty")
    if column.kind is Kind.TEXT:
        if column.max_length is not None:
            refuse(
                pc.greater(pc.utf8_length(text), column.max_length),
                f"is longer than {column.max_length} characters",
            )
        return text
    refuse(
        pc.invert(pc.match_substring_regex(text, SHAPES[column.kind])), f"is not {KIND_NAMES[column.kind]}"
    )
    target = landed_type(column.kind)
    try:
        typed = pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # the shape is right, the value impossible
        index = _first_unconvertible(text, target)
        row = None if index is None else index + 1
        raise BatchRejected(
            batch_dir, table.file_name, f"is not {KIND_NAMES[column.kind]}", row=row, column=column.name
        ) from None
    if column.kind is Kind.ID:
        refuse(pc.less_equal(typed, 0), f"is not {KIND_NAMES[Kind.ID]}")
    if column.bounds is not None:
        low, high = column.bounds
        refuse(pc.or_(pc.less(typed, low), pc.greater(typed, high)), f"is outside {low}..{high}")
    return typed


def parse_table(data: pa.Buffer, table: Table, batch_dir: Path) -> pa.Table:
    """One landed file's bytes as a table of the contract's columns and types, in the contract's order."""
    header = _header(data, table, batch_dir)
    try:
        text = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=header, block_size=_BLOCK_BYTES),
            parse_options=_parse_options(),
            convert_options=_text_options(table),
        )
    except pa.ArrowInvalid as error:  # Arrow's message quotes the line or the value: never passed on
        column = _column_named_in(str(error), header, table)
        if column is not None:
            raise BatchRejected(batch_dir, table.file_name, "is not UTF-8 text", column=column.name) from None
        problem = "malformed CSV row (another number of fields than the header, or an unclosed quote)"
        row = _malformed_row(data, header, table)
        raise BatchRejected(batch_dir, table.file_name, problem, row=row) from None
    return pa.table(
        {column.name: _typed(text[column.name], column, table, batch_dir) for column in table.columns},
        schema=landed_schema(table),
    )


def _column_named_in(message: str, header: list[str], table: Table) -> Column | None:
    """The contract column an Arrow conversion error names by its number (e.g. text that is not UTF-8)."""
    located = _ARROW_COLUMN.search(message)
    if located is None or int(located.group(1)) >= len(header):
        return None
    name = header[int(located.group(1))]
    return next((column for column in table.columns if column.name == name), None)


def _unique_ids(typed: pa.Table, table: Table, batch_dir: Path) -> None:
    ids = typed[table.key]
    if pc.count_distinct(ids).as_py() == typed.num_rows:
        return
    counts = pc.value_counts(ids)
    duplicated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    rows = pc.indices_nonzero(pc.is_in(ids, duplicated)).to_pylist()[:2]
    raise BatchRejected(
        batch_dir,
        table.file_name,
        f"has {len(duplicated)} duplicated values (first: rows {rows[0] + 1} and {rows[1] + 1} share one)",
        column=table.key,
    )


def _verify_table(landed: LandedBatch, manifest: Manifest, table: Table) -> pa.Table:
    batch_dir = landed.path
    entry = manifest.file(table.file_name)
    if entry is None:
        raise BatchRejected(batch_dir, table.file_name, "not listed in the manifest")
    data = landed.files.get(table.file_name)
    if data is None:
        raise BatchRejected(batch_dir, table.file_name, "listed in the manifest but missing")
    if len(data) != entry.bytes:
        raise BatchRejected(
            batch_dir, table.file_name, f"size {len(data)} bytes, the manifest says {entry.bytes}"
        )
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise BatchRejected(
            batch_dir, table.file_name, "sha256 differs from the manifest (corrupted or altered)"
        )
    typed = parse_table(pa.py_buffer(data), table, batch_dir)
    if typed.num_rows != entry.rows:
        raise BatchRejected(
            batch_dir, table.file_name, f"{typed.num_rows} rows, the manifest says {entry.rows}"
        )
    _unique_ids(typed, table, batch_dir)
    return typed


def verify_landed(landed: LandedBatch) -> VerifiedBatch:
    """Check the manifest, every file's size, checksum, header, rows and values, from the bytes read once."""
    batch_dir = landed.path
    manifest = parse_manifest(landed.manifest_bytes, str(batch_dir / MANIFEST_NAME))
    if manifest.batch_id != batch_dir.name:
        raise BatchRejected(batch_dir, MANIFEST_NAME, "its batch_id does not match the folder name")
    expected = {table.file_name for table in TABLES}
    unexpected = [entry.name for entry in manifest.files if entry.name not in expected]
    if unexpected:
        raise BatchRejected(
            batch_dir, MANIFEST_NAME, f"lists {len(unexpected)} files that are not tables of the contract"
        )
    tables = {table.name: _verify_table(landed, manifest, table) for table in TABLES}
    return VerifiedBatch(
        path=batch_dir, manifest=manifest, tables=tables, manifest_sha256=landed.manifest_sha256
    )


def verify_batch(batch_dir: Path) -> VerifiedBatch:
    """Read the batch once and verify it (`read_landed`, then `verify_landed`)."""
    return verify_landed(read_landed(batch_dir))
