"""Read associado, conta and cartao from PostgreSQL over JDBC, in parallel partitions by id.

Partition boundaries are the id quantiles (a tiny aggregate on the primary key), not min/max strides, so ids
laid out in far-apart blocks per batch still split evenly across the executors. Driver errors (psycopg2, the
JDBC driver through Spark) leave scrubbed by `tasks.errors`: table, column, class and SQLSTATE, never a value.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import psycopg2
from psycopg2 import sql
from pyspark.sql import DataFrame, SparkSession

from tasks.errors import call_scrubbed
from tasks.settings import jdbc_url_and_properties

# Enums and varchars are read as text; everything else keeps its JDBC mapping.
SOURCE_QUERIES = {
    "associado": "SELECT id, nome, sobrenome, idade::int AS idade, email, cpf_cnpj FROM associado",
    "conta": "SELECT id, tipo::text AS tipo, data_criacao, id_associado FROM conta",
    "cartao": "SELECT id, num_cartao, nom_impresso, data_criacao, id_conta, id_associado FROM cartao",
}


def id_predicates(dsn: str, table: str, partitions: int) -> list[str]:
    """WHERE clauses splitting the table into `partitions` slices of about equal row counts."""
    if partitions <= 1:
        return ["TRUE"]
    fractions = [index / partitions for index in range(1, partitions)]
    query = sql.SQL("SELECT percentile_disc(%s::float8[]) WITHIN GROUP (ORDER BY id) FROM {}").format(
        sql.Identifier(table)
    )

    def quantiles() -> Any:
        connection = psycopg2.connect(dsn, application_name="sicooperative-extract")
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(query, (fractions,))
                return cursor.fetchone()
        finally:
            connection.close()

    row = call_scrubbed(quantiles, stage="extract", source="postgres", table=table)
    cuts = sorted({int(value) for value in (row[0] if row and row[0] else [])})
    if not cuts:
        return ["TRUE"]
    predicates = [f"id <= {cuts[0]}"]
    predicates += [f"id > {low} AND id <= {high}" for low, high in pairwise(cuts)]
    predicates.append(f"id > {cuts[-1]}")
    return predicates


def read_postgres_table(spark: SparkSession, dsn: str, table: str, partitions: int) -> DataFrame:
    url, properties = jdbc_url_and_properties(dsn)
    properties = {**properties, "fetchsize": "10000"}
    predicates = id_predicates(dsn, table, partitions)
    # Resolving the schema already queries the server, so this call fails like an action would.
    return call_scrubbed(
        lambda: spark.read.jdbc(
            url, f"({SOURCE_QUERIES[table]}) AS {table}", predicates=predicates, properties=properties
        ),
        stage="extract",
        source="postgres",
        table=table,
    )
