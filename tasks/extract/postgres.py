"""Read the master rows (associado, conta, cartao) a batch's movimentos reference, from PostgreSQL over JDBC.

The semi-join runs in PostgreSQL: the load recorded the batch's cartoes in `extract_cartao`, and each table is
read once, through that list (cartao by id, conta by those cartoes' accounts, associado by those accounts'
holders), using the primary keys. A run reads what its batch references, not the tables' history. Driver errors
(psycopg2, the JDBC driver through Spark) leave scrubbed by `tasks.errors`: table, column, class and SQLSTATE,
never a value.
"""

from __future__ import annotations

import re

import psycopg2
from psycopg2 import sql
from pyspark.sql import DataFrame, SparkSession

from tasks.domain.render.postgres import POSTGRES_SCHEMA
from tasks.domain.render.spark import jdbc_select_list
from tasks.domain.tables import EXTRACT_CARTAO, TABLES_BY_NAME
from tasks.errors import call_scrubbed
from tasks.settings import jdbc_url_and_properties

EXTRACT_IDS = EXTRACT_CARTAO.name
_BATCH_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_PLAIN_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")  # needs no quotes in PostgreSQL


def _literal(batch_id: str) -> str:
    """The batch id as an SQL string literal; batch ids are plain names (the manifest's pattern)."""
    if not _BATCH_ID.match(batch_id):
        raise ValueError("a batch id is letters, digits, '_', '.' and '-' only")
    return f"'{batch_id}'"


_SCHEMAS: dict[str, str] = {}  # DSN -> its schema, once the server answered: one question per process


def current_schema(dsn: str) -> str:
    """The schema the DSN's unqualified names resolve to (its search_path's first existing schema): where the load
    created the tables, `public` unless the DSN's options say otherwise. Asked once per DSN (lineage's START
    event asks first; the extract and the run's end reuse the answer)."""
    if dsn not in _SCHEMAS:
        _SCHEMAS[dsn] = call_scrubbed(lambda: _ask_schema(dsn), stage="extract", source="postgres")
    return _SCHEMAS[dsn]


def _ask_schema(dsn: str) -> str:
    connection = psycopg2.connect(dsn, application_name="sicooperative-extract")
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            row = cursor.fetchone()
    finally:
        connection.close()
    return str(row[0]) if row and row[0] else POSTGRES_SCHEMA


def _qualified(schema: str, table: str) -> str:
    """schema.table, so Spark's lineage listener names the table as the flow's lineage does (db.schema.table)."""
    if not _PLAIN_IDENTIFIER.match(schema):
        schema = '"' + schema.replace('"', '""') + '"'
    return f"{schema}.{table}"


def referenced_rows_query(table: str, batch_id: str, schema: str = POSTGRES_SCHEMA) -> str:
    """SELECT of the rows of `table` the batch's movimentos reach through their cartoes."""
    cartoes = f"SELECT id FROM {_qualified(schema, EXTRACT_IDS)} WHERE batch_id = {_literal(batch_id)}"
    contas = f"SELECT id_conta FROM {_qualified(schema, 'cartao')} WHERE id IN ({cartoes})"
    keys = {
        "cartao": cartoes,
        "conta": contas,
        "associado": f"SELECT id_associado FROM {_qualified(schema, 'conta')} WHERE id IN ({contas})",
    }
    select = jdbc_select_list(TABLES_BY_NAME[table])
    return f"SELECT {select} FROM {_qualified(schema, table)} WHERE id IN ({keys[table]})"


def read_referenced_rows(
    spark: SparkSession, dsn: str, table: str, batch_id: str, schema: str = POSTGRES_SCHEMA
) -> DataFrame:
    """One JDBC read of the rows of `table` (in `schema`) the batch references."""
    url, properties = jdbc_url_and_properties(dsn)
    properties = {**properties, "fetchsize": "10000"}
    query = referenced_rows_query(table, batch_id, schema)
    # Resolving the schema already queries the server, so this call fails like an action would.
    return call_scrubbed(
        lambda: spark.read.jdbc(url, f"({query}) AS {table}", properties=properties),
        stage="extract",
        source="postgres",
        table=table,
    )


def forget_referenced_cartoes(dsn: str, batch_id: str) -> None:
    """Delete the batch's rows of `extract_cartao` once its masters are extracted (the table stays small)."""

    def delete() -> None:
        connection = psycopg2.connect(dsn, application_name="sicooperative-extract")
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("DELETE FROM {} WHERE batch_id = %s").format(sql.Identifier(EXTRACT_IDS)),
                    (batch_id,),
                )
        finally:
            connection.close()

    call_scrubbed(delete, stage="extract", source="postgres", table=EXTRACT_IDS)
