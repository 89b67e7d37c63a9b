"""The CSV deliverable: RFC 4180 and safe to open in a spreadsheet, values otherwise byte for byte."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tasks.export.files import FORMULA_START, write_csv
from tasks.storage import resolve

HOSTILE = [
    '=HYPERLINK("http://x.example/a","abrir")',
    "+55 11 1234",
    "-2+3",
    "@SUM(A1:A2)",
    "\tcmd",
    "\rcmd",
    'Loja "Boa", filial 2',
    "linha 1\nlinha 2",
    "  espaços  ",
    "Compra em padaria",
    "",
]


def test_formula_cells_are_neutralised_quotes_round_trip_and_numbers_stay_numbers(tmp_path: Path) -> None:
    rows = len(HOSTILE)
    part = tmp_path / "batch_id=b1" / "part-00000.parquet"
    part.parent.mkdir()
    pq.write_table(
        pa.table(
            {
                "nome": pa.array(HOSTILE),
                "vlr": pa.array([Decimal("-10.50")] * rows, pa.decimal128(10, 2)),
                "quando": pa.array([datetime(2026, 6, 30, 12, 5, 9)] * rows, pa.timestamp("us", tz="UTC")),
                "id": pa.array(range(rows), pa.int64()),
                "vazio": pa.array([None] * rows, pa.string()),
            }
        ),
        part,
    )
    target = tmp_path / "b1.csv"
    assert (
        write_csv(
            resolve(part.parent),
            resolve(target),
            "b1",
            ["nome", "vlr", "quando", "id", "vazio", "batch_id"],
            key="id",
        )
        == rows
    )

    raw = target.read_bytes()
    assert raw.startswith(b"nome,vlr,quando,id,vazio,batch_id\r\n")
    assert raw.endswith(b"\r\n") and b'\\"' not in raw  # CRLF records; quotes doubled, never backslashed
    read = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert len(read) == rows
    for original, row in zip(HOSTILE, read, strict=True):
        cell = row["nome"]
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        expected = "'" + original if original and original[0] in "=+-@\t\r" else original
        assert cell == expected  # everything else byte for byte: quotes, commas, line breaks, spaces
        assert (row["vlr"], row["quando"], row["vazio"], row["batch_id"]) == (
            "-10.50",
            "2026-06-30 12:05:09",
            "",
            "b1",
        )
    assert [int(row["id"]) for row in read] == list(range(rows))
    assert FORMULA_START == r"^[=+\-@\t\r]"
