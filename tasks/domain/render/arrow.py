"""Arrow's view of the contract: the schema of a table as delta-rs and pyarrow read its Delta export (Spark's
timestamps are UTC instants there). Readers without Spark (the dashboard, its benchmark) build on it."""

from __future__ import annotations

import pyarrow as pa

from tasks.domain.contract import Kind, Table
from tasks.domain.tables import DECIMAL_PRECISION, DECIMAL_SCALE


def arrow_type(kind: Kind) -> pa.DataType:
    return {
        Kind.ID: pa.int64(),
        Kind.INT: pa.int32(),
        Kind.TEXT: pa.string(),
        Kind.DECIMAL: pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
        Kind.TIMESTAMP: pa.timestamp("us", tz="UTC"),
        Kind.BOOLEAN: pa.bool_(),
    }[kind]


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema(
        [pa.field(column.name, arrow_type(column.kind), column.nullable) for column in table.columns]
    )
