"""Load associado, conta and cartao into PostgreSQL: COPY into staging tables, then one idempotent upsert.

All three tables load in one transaction, so a batch that breaks a constraint leaves nothing behind. Rows whose
values did not change are not touched (IS DISTINCT FROM), so loading the same batch twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.errors
from psycopg2 import sql
from psycopg2.extensions import cursor as Cursor

from tasks.domain.tables import POSTGRES_TABLES, Table
from tasks.landing.verification import BatchRejected, VerifiedBatch
from tasks.landing.writer import CSV_DELIMITER

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


def _load_table(cursor: Cursor, batch: VerifiedBatch, table: Table) -> UpsertCount:
    staging = f"staging_{table.name}"
    cursor.execute(
        sql.SQL("CREATE TEMP TABLE {staging} (LIKE {target}) ON COMMIT DROP").format(
            staging=sql.Identifier(staging), target=sql.Identifier(table.name)
        )
    )
    # Staging takes the target's types and NOT NULLs; batch_id is added by the upsert, not the file.
    cursor.execute(sql.SQL("ALTER TABLE {} DROP COLUMN batch_id").format(sql.Identifier(staging)))
    copy = sql.SQL("COPY {staging} ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER {delim})")
    with (batch.path / table.file_name).open("r", encoding="utf-8") as handle:
        cursor.copy_expert(
            copy.format(
                staging=sql.Identifier(staging),
                columns=sql.SQL(", ").join(sql.Identifier(n) for n in table.column_names),
                delim=sql.Literal(CSV_DELIMITER),
            ).as_string(cursor),
            handle,
        )
    cursor.execute(_upsert_statement(table, staging), {"batch_id": batch.batch_id})
    inserted, updated = cursor.fetchone() or (0, 0)
    return UpsertCount(inserted=int(inserted), updated=int(updated))


def _describe(error: psycopg2.Error) -> str:
    """The server's primary message and constraint, never its DETAIL (which can quote a whole row)."""
    diag = error.diag
    text = diag.message_primary or type(error).__name__
    if diag.context:
        text += f" ({diag.context.splitlines()[0].split(':')[0]})"  # e.g. "COPY staging_conta, line 5"
    return text


def load_postgres(dsn: str, batch: VerifiedBatch) -> dict[str, UpsertCount]:
    """Upsert the batch's PostgreSQL tables in one transaction; return inserted/updated rows per table."""
    counts: dict[str, UpsertCount] = {}
    connection = psycopg2.connect(dsn, application_name="sicooperative-load")
    try:
        with connection, connection.cursor() as cursor:  # the schema commits on its own
            apply_schema(cursor)
        with connection, connection.cursor() as cursor:  # commits on success, rolls back on error
            for table in POSTGRES_TABLES:
                try:
                    counts[table.name] = _load_table(cursor, batch, table)
                except (psycopg2.DataError, psycopg2.IntegrityError) as error:
                    raise BatchRejected(batch.path, table.file_name, _describe(error)) from None
    finally:
        connection.close()
    return counts
