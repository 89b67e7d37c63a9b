"""The PostgreSQL DDL of the contract's PostgreSQL tables: types, keys, foreign keys, checks, indexes, comments.

Idempotent (applied before every load): `CREATE ... IF NOT EXISTS`, enum types created when missing, comments
re-set. It creates what is missing and never alters an existing table: a changed contract on an existing database
needs a migration (the snapshot in `sql/postgres/` shows the change for review).
"""

from __future__ import annotations

from collections.abc import Sequence

from tasks.domain.contract import Column, Kind, Store, Table
from tasks.domain.tables import DECIMAL_PRECISION, DECIMAL_SCALE

# The DDL names no schema, so the tables land in the database's default one; readers that spell a table's full
# name (the extract's queries, lineage) take it from here.
POSTGRES_SCHEMA = "public"

HEADER = """-- SiCooperative operational schema (PostgreSQL). Idempotent: applied before every load.
-- GENERATED from the table contract (tasks/domain/tables.py) by `python -m tasks.domain.generate`: do not edit.
-- One associado has many contas; one conta has many cartoes; a cartao's owner must be its conta's owner,
-- enforced by the composite foreign key (id_conta, id_associado) -> conta (id, id_associado).
"""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def column_type(column: Column) -> str:
    if column.domain_type:
        return column.domain_type
    if column.kind is Kind.TEXT:
        return f"varchar({column.max_length})" if column.max_length else "text"
    return {
        Kind.ID: "bigint",
        Kind.INT: "smallint" if column.bounds and max(map(abs, column.bounds)) < 2**15 else "integer",
        Kind.DECIMAL: f"numeric({DECIMAL_PRECISION},{DECIMAL_SCALE})",
        Kind.TIMESTAMP: "timestamptz" if column.default_sql else "timestamp",
        Kind.BOOLEAN: "boolean",
    }[column.kind]


def _column_line(table: Table, column: Column, width: int, type_width: int) -> str:
    parts = [f"{column.name:<{width}} {column_type(column):<{type_width}}"]
    if table.primary_key == (column.name,):
        parts.append("PRIMARY KEY")
    elif not column.nullable:
        parts.append("NOT NULL")
    if column.default_sql:
        parts.append(f"DEFAULT {column.default_sql}")
    if column.references:
        parts.append(f"REFERENCES {column.references} (id)")
    if column.bounds:
        low, high = column.bounds
        parts.append(
            f"CONSTRAINT {table.name}_{column.name}_ck CHECK ({column.name} BETWEEN {low} AND {high})"
        )
    elif column.pattern:
        parts.append(
            f"CONSTRAINT {table.name}_{column.name}_ck CHECK ({column.name} ~ {_literal(column.pattern)})"
        )
    return " ".join(parts).rstrip()


def _constraints(table: Table) -> list[str]:
    lines = []
    if len(table.primary_key) > 1:
        lines.append(f"PRIMARY KEY ({', '.join(table.primary_key)})")
    for column in table.stored_columns:
        if column.unique:
            lines.append(f"CONSTRAINT {table.name}_{column.name}_uq UNIQUE ({column.name})")
    for columns in table.unique_together:
        lines.append(f"CONSTRAINT {table.name}_{'_'.join(columns[1:])}_uq UNIQUE ({', '.join(columns)})")
    for reference in table.composite_references:
        lines.append(
            f"CONSTRAINT {reference.name} FOREIGN KEY ({', '.join(reference.columns)}) "
            f"REFERENCES {reference.parent} ({', '.join(reference.parent_columns)})"
        )
    return lines


def _indexes(table: Table) -> list[tuple[str, ...]]:
    """Every foreign key is indexed (the extract's semi-join and deletes walk them), then the declared ones;
    each is named after its first column."""
    wanted = [(column,) for column, _ in table.references] + list(table.indexes)
    return list(dict.fromkeys(wanted))


def _enum_types(tables: Sequence[Table]) -> list[str]:
    blocks = []
    for table in tables:
        for column in table.stored_columns:
            if column.domain_type:
                values = ", ".join(_literal(value) for value in column.values)
                blocks.append(
                    "DO $$\nBEGIN\n"
                    f"    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = {_literal(column.domain_type)}) THEN\n"
                    f"        CREATE TYPE {column.domain_type} AS ENUM ({values});\n"
                    "    END IF;\nEND\n$$;\n"
                )
    return blocks


def create_table(table: Table) -> str:
    columns = table.stored_columns
    width = max(len(column.name) for column in columns)
    type_width = max(len(column_type(column)) for column in columns)
    body = [_column_line(table, column, width, type_width) for column in columns] + _constraints(table)
    lines = [f"CREATE TABLE IF NOT EXISTS {table.name} (", ",\n".join(f"    {line}" for line in body), ");"]
    for index in _indexes(table):
        lines.append(
            f"CREATE INDEX IF NOT EXISTS {table.name}_{index[0]}_ix ON {table.name} ({', '.join(index)});"
        )
    lines.append(f"COMMENT ON TABLE {table.name} IS {_literal(table.comment)};")
    for column in columns:
        lines.append(f"COMMENT ON COLUMN {table.name}.{column.name} IS {_literal(column.comment)};")
    for reference in table.composite_references:
        lines.append(
            f"COMMENT ON CONSTRAINT {reference.name} ON {table.name} IS {_literal(reference.comment)};"
        )
    return "\n".join(lines) + "\n"


def schema_sql(tables: Sequence[Table]) -> str:
    """The whole DDL, parents before children."""
    postgres = [table for table in tables if table.store is Store.POSTGRES]
    return "\n".join([HEADER, *_enum_types(postgres), *(create_table(table) for table in postgres)])
