"""Spark's view of the contract: the schema each extracted table has, and the JDBC select that gives it."""

from __future__ import annotations

from pyspark.sql.types import (
    BooleanType,
    DataType,
    DecimalType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from tasks.domain.contract import Column, Kind, Store, Table
from tasks.domain.tables import DECIMAL_PRECISION, DECIMAL_SCALE


def spark_type(kind: Kind) -> DataType:
    return {
        Kind.ID: LongType(),
        Kind.INT: IntegerType(),
        Kind.TEXT: StringType(),
        Kind.DECIMAL: DecimalType(DECIMAL_PRECISION, DECIMAL_SCALE),
        Kind.TIMESTAMP: TimestampType(),
        Kind.BOOLEAN: BooleanType(),
    }[kind]


def spark_type_name(kind: Kind) -> str:
    """The type's class name, as GX's type expectations name it (`StringType`, `DecimalType`...)."""
    return type(spark_type(kind)).__name__


def extracted_columns(table: Table) -> tuple[Column, ...]:
    """What the extract reads of a source table: PostgreSQL's landed columns (`jdbc_select_list`); MongoDB's
    stored document, with its batch id."""
    return table.stored_columns if table.store is Store.MONGODB else table.columns


def extract_schema(table: Table) -> StructType:
    """The schema of an extracted source table."""
    return StructType(
        [
            StructField(column.name, spark_type(column.kind), nullable=column.name != table.key)
            for column in extracted_columns(table)
        ]
    )


def _select_item(column: Column) -> str:
    """Enums as text and small integers as int, so JDBC gives the contract's Spark types."""
    if column.domain_type:
        return f"{column.name}::text AS {column.name}"
    if column.kind is Kind.INT:
        return f"{column.name}::int AS {column.name}"
    return column.name


def jdbc_select_list(table: Table) -> str:
    """The columns of a landed source table, as the extract selects them from PostgreSQL."""
    return ", ".join(_select_item(column) for column in table.columns)
