"""Load associado, conta and cartao into PostgreSQL: COPY into staging tables, then one idempotent upsert.

All three tables load in one transaction, so a batch that breaks a constraint leaves nothing behind. Rows whose
values did not change are not touched (IS DISTINCT FROM), so loading the same batch twice changes nothing. The
same transaction records which cartoes the batch's movimentos reference (`extract_cartao`): the extract reads
the master rows through that semi-join only.
Driver errors leave scrubbed (`tasks.errors`): table, column, row, class and constraint, never a value.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.errors
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from psycopg2 import sql
from psycopg2.extensions import cursor as Cursor

from tasks.domain.contract import Table
from tasks.domain.tables import EXTRACT_CARTAO, POSTGRES_TABLES
from tasks.errors import RowLocator, SourceError, scrub
from tasks.landing.verification import BatchRejected, VerifiedBatch

EXTRACT_IDS = EXTRACT_CARTAO.name

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "sql" / "postgres"


@dataclass(frozen=True)
class UpsertCount:
    inserted: int
    updated: int


def apply_schema(cursor: Cursor) -> None:
    """Run every DDL file of sql/postgres in name order; each is idempotent."""
    for path in sorted(SCHEMA_DIR.glob("*.sql")):
        cursor.execute(path.read_text(encoding="utf-8"))


def _upsert_statement(table: Table, staging: str) -> sql.Composed:
    columns = [sql.Identifier(name) for name in table.column_names]
    data_columns = [sql.Identifier(name) for name in table.column_names if name != "id"]
    target = sql.Identifier(table.name)
    return sql.SQL(
        """
        WITH upserted AS (
            INSERT INTO {target} ({columns}, batch_id)
            SELECT {columns}, %(batch_id)s FROM {staging}
            ON CONFLICT (id) DO UPDATE SET {assignments}, batch_id = EXCLUDED.batch_id
            WHERE ({current}) IS DISTINCT FROM ({incoming})
            RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
        """
    ).format(
        target=target,
        columns=sql.SQL(", ").join(columns),
        staging=sql.Identifier(staging),
        assignments=sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(c) for c in data_columns),
        current=sql.SQL(", ").join(sql.SQL("{0}.{1}").format(target, c) for c in data_columns),
        incoming=sql.SQL(", ").join(sql.SQL("EXCLUDED.{0}").format(c) for c in data_columns),
    )


def _csv_stream(table: pa.Table) -> io.BytesIO:
    """The table as CSV for COPY: strings quoted (an empty string stays one), nulls empty, Arrow's own writer."""
    sink = pa.BufferOutputStream()
    pacsv.write_csv(
        table, sink, write_options=pacsv.WriteOptions(include_header=True, quoting_style="needed")
    )
    return io.BytesIO(sink.getvalue().to_pybytes())


def _load_table(cursor: Cursor, batch: VerifiedBatch, table: Table) -> UpsertCount:
    staging = f"staging_{table.name}"
    cursor.execute(
        sql.SQL("CREATE TEMP TABLE {staging} (LIKE {target}) ON COMMIT DROP").format(
            staging=sql.Identifier(staging), target=sql.Identifier(table.name)
        )
    )
    # Staging takes the target's types and NOT NULLs; batch_id is added by the upsert, not the file.
    cursor.execute(sql.SQL("ALTER TABLE {} DROP COLUMN batch_id").format(sql.Identifier(staging)))
    # The typed table verification read (never the file again), written as CSV in the contract's column order
    # and copied by name: what was checked is what is loaded, whatever order the landed file had.
    copy = sql.SQL("COPY {staging} ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)")
    cursor.copy_expert(
        copy.format(
            staging=sql.Identifier(staging),
            columns=sql.SQL(", ").join(sql.Identifier(n) for n in table.column_names),
        ).as_string(cursor),
        _csv_stream(batch.tables[table.name].select(table.column_names)),
    )
    cursor.execute(_upsert_statement(table, staging), {"batch_id": batch.batch_id})
    inserted, updated = cursor.fetchone() or (0, 0)
    return UpsertCount(inserted=int(inserted), updated=int(updated))


def record_referenced_cartoes(cursor: Cursor, batch: VerifiedBatch) -> int:
    """Replace the batch's rows of `extract_cartao` with the distinct cartoes its movimentos reference."""
    ids = pc.unique(batch.tables["movimento"]["id_cartao"]).to_pylist()
    cursor.execute(
        sql.SQL("DELETE FROM {} WHERE batch_id = %s").format(sql.Identifier(EXTRACT_IDS)), (batch.batch_id,)
    )
    lines = "".join(f"{value}\n" for value in ids if value is not None)
    copy = sql.SQL("COPY {} (id) FROM STDIN").format(sql.Identifier("pg_temp", "extract_ids"))
    cursor.execute("CREATE TEMP TABLE extract_ids (id bigint) ON COMMIT DROP")
    cursor.copy_expert(copy.as_string(cursor), io.StringIO(lines))
    cursor.execute(
        sql.SQL("INSERT INTO {} (batch_id, id) SELECT %s, id FROM pg_temp.extract_ids").format(
            sql.Identifier(EXTRACT_IDS)
        ),
        (batch.batch_id,),
    )
    return len(ids)


def _row_locator(batch: VerifiedBatch, table: Table) -> RowLocator:
    """Find the data row of a key the server quoted (e.g. a duplicate cpf_cnpj) by comparing it in memory with
    the batch, so the error can name the row while the value itself is dropped."""

    def locate(key: Mapping[str, str]) -> int | None:
        data = batch.tables.get(table.name)
        if data is None or any(column not in data.column_names for column in key):
            return None
        matches: pa.ChunkedArray | None = None
        try:
            for column, value in key.items():
                equal = pc.equal(pc.cast(data[column], pa.string()), value)
                matches = equal if matches is None else pc.and_(matches, equal)
        except pa.ArrowException:  # a type without a text form comparable to the server's: row unknown
            return None
        indices = pc.indices_nonzero(pc.fill_null(matches, False)) if matches is not None else []
        return int(indices[0].as_py()) + 1 if len(indices) else None

    return locate


def _reduce(error: psycopg2.Error, batch: VerifiedBatch, table: Table | None) -> BatchRejected | SourceError:
    """A data or integrity error of a table rejects the batch; anything else is a (scrubbed) source error.

    Either way only the table, column, row, error class, SQLSTATE and constraint are kept: the server's message,
    DETAIL and CONTEXT quote values (`invalid input syntax for type bigint: "..."`, `Key (cpf_cnpj)=(...)`).
    """
    scrubbed = scrub(
        error,
        stage="load",
        source="postgres",
        table=table.name if table else None,
        locate_row=_row_locator(batch, table) if table else None,
        copy_header_lines=1,  # COPY ... HEADER true: line 2 of the file is data row 1
    )
    if table is not None and isinstance(error, psycopg2.DataError | psycopg2.IntegrityError):
        return BatchRejected(batch.path, table.file_name, str(scrubbed))
    return scrubbed


def load_postgres(dsn: str, batch: VerifiedBatch) -> dict[str, UpsertCount]:
    """Upsert the batch's PostgreSQL tables in one transaction; return inserted/updated rows per table."""
    counts: dict[str, UpsertCount] = {}
    table: Table | None = None
    try:
        connection = psycopg2.connect(dsn, application_name="sicooperative-load")
        try:
            with connection, connection.cursor() as cursor:  # the schema commits on its own
                apply_schema(cursor)
            with connection, connection.cursor() as cursor:  # commits on success, rolls back on error
                for table in POSTGRES_TABLES:
                    counts[table.name] = _load_table(cursor, batch, table)
                table = None
                record_referenced_cartoes(cursor, batch)
        finally:
            connection.close()
        return counts
    except psycopg2.Error as error:
        failure = _reduce(error, batch, table)
    raise failure  # outside the except block: nothing chains back to the driver's message
