"""Every query of the dashboard, as DuckDB SQL in typed pure functions: Arrow data in, a small frame out.

The exported table is read once per version into a cube (one scan, two grouping sets): counts and amounts per
day, batch, transaction type, account type, PF/PJ and age band, and per day, batch and description. Every
business figure is then a query over the cube, some thousands of rows whatever the table's size, so a page never
holds a raw row, and no personal column (name, document, card, e-mail) is ever read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

DIMENSIONS = ("tipo_transacao", "tipo_conta", "tipo_pessoa", "faixa_etaria")
Dimension = Literal["tipo_transacao", "tipo_conta", "tipo_pessoa", "faixa_etaria"]
UNKNOWN = "(sem dado)"
# Bands of idade_associado, in order (for a PJ, the legal representative's age).
AGE_BANDS = (
    (None, 17, "até 17"),
    (18, 24, "18-24"),
    (25, 34, "25-34"),
    (35, 44, "35-44"),
    (45, 59, "45-59"),
    (60, None, "60+"),
)
AGE_BAND_ORDER = (*(label for *_, label in AGE_BANDS), UNKNOWN)


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that never downloads an extension (no network here) and counts days in UTC."""
    connection = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def _query(sql: str, parameters: list[Any] | None = None, **relations: Any) -> pd.DataFrame:
    connection = connect()
    try:
        for name, data in relations.items():
            connection.register(name, data)
        return connection.execute(sql, parameters or []).df()
    finally:
        connection.close()


def _age_band_sql(column: str) -> str:
    cases = []
    for low, high, label in AGE_BANDS:
        conditions = [f"{column} >= {low}" if low is not None else "", f"{column} <= {high}" if high else ""]
        cases.append(f"WHEN {' AND '.join(filter(None, conditions))} THEN '{label}'")
    return f"CASE {' '.join(cases)} ELSE '{UNKNOWN}' END"


# ---------------------------------------------------------------------------------------------------- business


def movement_cube(movimento: ds.Dataset | pa.Table) -> pa.Table:
    """The table's one scan: `nivel` 'dimensoes' rows carry the dimensions, 'descricao' rows the description."""
    sql = f"""
        SELECT
            CASE WHEN GROUPING(descricao) = 0 THEN 'descricao' ELSE 'dimensoes' END AS nivel,
            dia, batch_id, tipo_transacao, tipo_conta, tipo_pessoa, faixa_etaria, descricao,
            count(*) AS movimentos,
            CAST(sum(vlr_transacao_movimento) AS DECIMAL(38, 2)) AS valor
        FROM (
            SELECT
                CAST(data_movimento AS DATE) AS dia,
                batch_id,
                coalesce(tipo_transacao, '{UNKNOWN}') AS tipo_transacao,
                coalesce(tipo_conta, '{UNKNOWN}') AS tipo_conta,
                coalesce(tipo_pessoa, '{UNKNOWN}') AS tipo_pessoa,
                {_age_band_sql("idade_associado")} AS faixa_etaria,
                coalesce(des_transacao_movimento, '{UNKNOWN}') AS descricao,
                vlr_transacao_movimento
            FROM movimento
        )
        GROUP BY GROUPING SETS (
            (dia, batch_id, tipo_transacao, tipo_conta, tipo_pessoa, faixa_etaria),
            (dia, batch_id, descricao)
        )
    """
    connection = connect()
    try:
        connection.register("movimento", movimento)
        return connection.sql(sql).to_arrow_table()
    finally:
        connection.close()


@dataclass(frozen=True)
class Filters:
    """The business page's filters: a period of days (inclusive) and batches (None: every batch)."""

    start: date | None = None
    end: date | None = None
    batches: tuple[str, ...] | None = None

    def where(self, level: str = "dimensoes") -> tuple[str, list[Any]]:
        clauses: list[str] = ["nivel = ?"]
        parameters: list[Any] = [level]
        if self.start is not None:
            clauses.append("dia >= ?")
            parameters.append(self.start)
        if self.end is not None:
            clauses.append("dia <= ?")
            parameters.append(self.end)
        if self.batches is not None:
            clauses.append("list_contains(?::VARCHAR[], batch_id)")
            parameters.append(list(self.batches))
        return " AND ".join(clauses), parameters


@dataclass(frozen=True)
class Totals:
    movimentos: int
    valor: Decimal
    ticket_medio: Decimal | None  # None when there is no movimento


@dataclass(frozen=True)
class Scope:
    """What the filters can choose from: the batches and the first and last day."""

    batches: tuple[str, ...]
    first_day: date | None
    last_day: date | None


def scope(cube: pa.Table) -> Scope:
    frame = _query(
        "SELECT list_sort(list(DISTINCT batch_id)) AS batches, min(dia) AS first, max(dia) AS last "
        "FROM cube WHERE nivel = 'dimensoes'",
        cube=cube,
    )
    row = frame.iloc[0]
    first, last = row["first"], row["last"]
    return Scope(
        batches=tuple(str(batch) for batch in (row["batches"] if row["batches"] is not None else [])),
        first_day=None if pd.isna(first) else pd.Timestamp(first).date(),
        last_day=None if pd.isna(last) else pd.Timestamp(last).date(),
    )


def totals(cube: pa.Table, filters: Filters) -> Totals:
    where, parameters = filters.where()
    connection = connect()
    try:
        connection.register("cube", cube)
        row = connection.execute(
            f"SELECT coalesce(sum(movimentos), 0), coalesce(sum(valor), 0)::DECIMAL(38, 2) FROM cube WHERE {where}",
            parameters,
        ).fetchone()
    finally:
        connection.close()
    assert row is not None
    count, amount = int(row[0]), Decimal(row[1])
    ticket = (amount / count).quantize(Decimal("0.01")) if count else None
    return Totals(count, amount, ticket)


def per_day(cube: pa.Table, filters: Filters) -> pd.DataFrame:
    """Per day: movimentos, amount (R$) and average ticket."""
    where, parameters = filters.where()
    return _query(
        f"""SELECT dia, sum(movimentos)::BIGINT AS movimentos, CAST(sum(valor) AS DOUBLE) AS valor,
                   CAST(sum(valor) / sum(movimentos) AS DOUBLE) AS ticket_medio
            FROM cube WHERE {where} GROUP BY dia ORDER BY dia""",
        parameters,
        cube=cube,
    )


def per_day_by(cube: pa.Table, filters: Filters, dimension: Dimension) -> pd.DataFrame:
    """Per day and value of one dimension: movimentos and amount."""
    column = _dimension(dimension)
    where, parameters = filters.where()
    return _query(
        f"""SELECT dia, {column} AS categoria, sum(movimentos)::BIGINT AS movimentos,
                   CAST(sum(valor) AS DOUBLE) AS valor
            FROM cube WHERE {where} GROUP BY ALL ORDER BY dia, categoria""",
        parameters,
        cube=cube,
    )


def by_dimension(cube: pa.Table, filters: Filters, dimension: Dimension) -> pd.DataFrame:
    """Per value of one dimension: movimentos, amount, average ticket and share of the amount (age bands in
    their own order, anything else by amount)."""
    column = _dimension(dimension)
    where, parameters = filters.where()
    order = (
        f"list_position({list(AGE_BAND_ORDER)!r}, categoria)" if dimension == "faixa_etaria" else "valor DESC"
    )
    return _query(
        f"""SELECT categoria, movimentos, CAST(valor AS DOUBLE) AS valor,
                   CAST(valor / movimentos AS DOUBLE) AS ticket_medio,
                   CAST(valor / sum(valor) OVER () AS DOUBLE) AS participacao
            FROM (SELECT {column} AS categoria, sum(movimentos)::BIGINT AS movimentos, sum(valor) AS valor
                  FROM cube WHERE {where} GROUP BY ALL)
            ORDER BY {order}, categoria""",
        parameters,
        cube=cube,
    )


def top_descriptions(cube: pa.Table, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """The descriptions with the most movimentos: count, amount, average ticket."""
    where, parameters = filters.where("descricao")
    return _query(
        f"""SELECT descricao, sum(movimentos)::BIGINT AS movimentos, CAST(sum(valor) AS DOUBLE) AS valor,
                   CAST(sum(valor) / sum(movimentos) AS DOUBLE) AS ticket_medio
            FROM cube WHERE {where} GROUP BY descricao ORDER BY movimentos DESC, descricao LIMIT ?""",
        [*parameters, limit],
        cube=cube,
    )


def _dimension(dimension: str) -> str:
    if dimension not in DIMENSIONS:  # never interpolate anything but a known column name
        raise ValueError(f"unknown dimension {dimension!r}")
    return dimension


# -------------------------------------------------------------------------------------------------- operations

# The ledger's columns the pages use, with their types: a column an older (or newer) ledger lacks reads as
# nulls, so a page shows what there is instead of failing.
RUN_COLUMNS: dict[str, pa.DataType] = {
    "flow_run_id": pa.string(),
    "flow_run_name": pa.string(),
    "batch_id": pa.string(),
    "status": pa.string(),
    "failed_stage": pa.string(),
    "failure_reason": pa.string(),
    "started_at": pa.timestamp("us", tz="UTC"),
    "finished_at": pa.timestamp("us", tz="UTC"),
    "stage_seconds": pa.map_(pa.string(), pa.float64()),
    "rows_in": pa.int64(),
    "rows_exported": pa.int64(),
    "rows_quarantined": pa.int64(),
    "delta_version": pa.int64(),
    "trigger_event_id": pa.string(),
    "vlr_transacao_sum": pa.float64(),
    "distinct_cards": pa.int64(),
}
QUALITY_COLUMNS: dict[str, pa.DataType] = {
    "flow_run_id": pa.string(),
    "batch_id": pa.string(),
    "finished_at": pa.timestamp("us", tz="UTC"),
    "suite": pa.string(),
    "rule": pa.string(),
    "expectation": pa.string(),
    "column": pa.string(),
    "policy": pa.string(),
    "success": pa.bool_(),
    "unexpected_count": pa.int64(),
    "unexpected_percent": pa.float64(),
}
DRIFT_COLUMNS: dict[str, pa.DataType] = {
    "flow_run_id": pa.string(),
    "batch_id": pa.string(),
    "finished_at": pa.timestamp("us", tz="UTC"),
    "metric": pa.string(),
    "value": pa.float64(),
    "baseline": pa.float64(),
    "lower": pa.float64(),
    "upper": pa.float64(),
    "score": pa.float64(),
    "history_runs": pa.int64(),
    "policy": pa.string(),
    "status": pa.string(),
}
# Without these a table says nothing the page could show.
REQUIRED_RUN_COLUMNS = ("started_at", "status")
REQUIRED_QUALITY_COLUMNS = ("flow_run_id", "finished_at", "rule", "policy", "success")
REQUIRED_DRIFT_COLUMNS = ("flow_run_id", "finished_at", "metric", "status")


def missing_columns(table: pa.Table, required: tuple[str, ...]) -> list[str]:
    return [name for name in required if name not in table.schema.names]


def with_columns(table: pa.Table, columns: dict[str, pa.DataType]) -> pa.Table:
    """The table with every column of `columns`: the missing ones added as nulls of their type."""
    for name, kind in columns.items():
        if name not in table.schema.names:
            table = table.append_column(pa.field(name, kind), pa.nulls(table.num_rows, kind))
    return table


def runs(pipeline_runs: pa.Table) -> pd.DataFrame:
    """Every run, newest first, with its duration in seconds."""
    return _query(
        """SELECT started_at, finished_at, status, batch_id, failed_stage, failure_reason,
                  date_diff('millisecond', started_at, finished_at) / 1000.0 AS duracao_s,
                  rows_in, rows_exported, rows_quarantined,
                  CAST(rows_quarantined AS DOUBLE) / nullif(rows_exported + rows_quarantined, 0) AS taxa_quarentena,
                  delta_version, vlr_transacao_sum, distinct_cards, trigger_event_id, flow_run_name, flow_run_id
           FROM runs ORDER BY started_at DESC""",
        runs=with_columns(pipeline_runs, RUN_COLUMNS),
    )


def stage_durations(pipeline_runs: pa.Table) -> pd.DataFrame:
    """One row per run and stage: the run's start (its label) and the stage's seconds."""
    return _query(
        """SELECT strftime(started_at, '%Y-%m-%d %H:%M:%S') AS execucao, started_at, etapa, segundos
           FROM (SELECT started_at, unnest(map_keys(stage_seconds)) AS etapa,
                        unnest(map_values(stage_seconds)) AS segundos
                 FROM runs WHERE stage_seconds IS NOT NULL)
           ORDER BY started_at, etapa""",
        runs=with_columns(pipeline_runs, RUN_COLUMNS),
    )


def quarantine_rates(quality_results: pa.Table) -> pd.DataFrame:
    """Per run and quarantine rule: the share of the batch's rows the rule set aside, oldest run first."""
    return _query(
        """SELECT strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS execucao, finished_at, batch_id, rule AS regra,
                  coalesce(unexpected_percent, 0) / 100.0 AS taxa, coalesce(unexpected_count, 0) AS linhas
           FROM quality WHERE policy = 'quarantine' ORDER BY finished_at, regra""",
        quality=with_columns(quality_results, QUALITY_COLUMNS),
    )


def last_gate(quality_results: pa.Table) -> pd.DataFrame:
    """The latest gated run's expectations, failed ones first."""
    return _query(
        """SELECT finished_at, batch_id, suite, rule AS regra, policy AS politica, success AS passou,
                  unexpected_count AS linhas, unexpected_percent / 100.0 AS taxa, expectation, "column" AS coluna
           FROM quality
           WHERE flow_run_id = (SELECT arg_max(flow_run_id, finished_at) FROM quality)
           ORDER BY passou, politica, regra""",
        quality=with_columns(quality_results, QUALITY_COLUMNS),
    )


def latest_drift(drift_results: pa.Table) -> pd.DataFrame:
    """The latest run's drift checks, the worst first."""
    return _query(
        """SELECT finished_at, batch_id, metric AS metrica, status, policy AS politica, value AS valor,
                  baseline, lower AS limite_inferior, upper AS limite_superior, score, history_runs AS execucoes
           FROM drift
           WHERE flow_run_id = (SELECT arg_max(flow_run_id, finished_at) FROM drift)
           ORDER BY list_position(['fail', 'warn', 'insufficient_history', 'ok'], status), metrica""",
        drift=with_columns(drift_results, DRIFT_COLUMNS),
    )


def drift_history(drift_results: pa.Table) -> pd.DataFrame:
    """Per run: how many checks ended in each status."""
    return _query(
        """SELECT strftime(max(finished_at), '%Y-%m-%d %H:%M:%S') AS execucao, status, count(*) AS checagens
           FROM drift GROUP BY flow_run_id, status ORDER BY execucao, status""",
        drift=with_columns(drift_results, DRIFT_COLUMNS),
    )
