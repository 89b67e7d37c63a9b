"""How a batch's movimentos become MongoDB documents and an extract plan (no server needed)."""

from __future__ import annotations

from decimal import Decimal

import bson
import pyarrow as pa
import pytest

from tasks.load.mongo import PLAN_IDS_PER_DOCUMENT, _documents, decimal128_values, part_size


@pytest.mark.parametrize(
    "amount", ["0.01", "1.00", "12.34", "-5.50", "99999999.99", "-99999999.99", "0.00", "1000.10"]
)
def test_amounts_become_exact_decimal128(amount: str) -> None:
    (value,) = decimal128_values(pa.array([Decimal(amount)], pa.decimal128(12, 2)))
    assert value.to_decimal() == Decimal(amount)
    assert bson.decode(bson.encode({"v": value}))["v"].to_decimal() == Decimal(amount)


def test_documents_are_keyed_by_id_numbered_by_row_and_chunked() -> None:
    movimento = pa.table(
        {
            "id": pa.array([7, 8, 9], pa.int64()),
            "vlr_transacao": pa.array([Decimal("1.50")] * 3, pa.decimal128(12, 2)),
            "id_cartao": pa.array([1, 1, 2], pa.int64()),
        }
    )
    chunks = list(_documents(movimento, "b-1", chunk_rows=2))
    assert [[row for row, _ in chunk] for chunk in chunks] == [[1, 2], [3]]
    documents = [document for chunk in chunks for _, document in chunk]
    assert [d["_id"] for d in documents] == [d["id"] for d in documents] == [7, 8, 9]
    assert {d["batch_id"] for d in documents} == {"b-1"}
    assert documents[0]["vlr_transacao"].to_decimal() == Decimal("1.50")


def test_a_part_fits_the_reply_budget_and_holds_at_least_one_document() -> None:
    assert part_size(200.0, 8 << 20) == (8 << 20) // 200
    assert part_size(10_000_000.0, 8 << 20) == 1
    assert part_size(0.0, 1000) == 1000  # a size never divides by zero
    assert PLAN_IDS_PER_DOCUMENT <= 64  # small plan documents: a server's $unwind copies each per id
