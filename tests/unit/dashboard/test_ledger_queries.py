"""The operations page's queries on ledgers of today's shape, of an older shape and with the drift checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

from dashboard import queries

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)


def runs_table(with_new_columns: bool) -> pa.Table:
    rows = {
        "flow_run_id": ["r1", "r2"],
        "batch_id": ["b1", "b2"],
        "status": ["COMPLETED", "FAILED"],
        "failed_stage": [None, "load"],
        "started_at": [T0, T0 + timedelta(hours=1)],
        "finished_at": [T0 + timedelta(seconds=90), T0 + timedelta(hours=1, seconds=5)],
        "stage_seconds": [[("load", 30.0), ("export", 50.0)], [("load", 4.5)]],
        "rows_exported": [98, None],
        "rows_quarantined": [2, None],
    }
    table = pa.table(
        rows,
        schema=pa.schema(
            [(name, queries.RUN_COLUMNS[name]) for name in rows],
        ),
    )
    if with_new_columns:
        table = table.append_column("distinct_cards", pa.array([7, None], pa.int64()))
    return table


def quality_table() -> pa.Table:
    rows = {
        "flow_run_id": ["r0", "r1", "r1", "r1"],
        "batch_id": ["b0", "b1", "b1", "b1"],
        "finished_at": [T0 - timedelta(days=1), T0, T0, T0],
        "suite": ["movimento_flat"] * 4,
        "rule": ["valor_positivo", "valor_positivo", "tipo_conta_dominio", "chave_unica"],
        "policy": ["quarantine", "quarantine", "quarantine", "fail"],
        "success": [True, False, True, True],
        "unexpected_count": [0, 2, 0, 0],
        "unexpected_percent": [0.0, 2.0, 0.0, 0.0],
    }
    return pa.table(rows, schema=pa.schema([(name, queries.QUALITY_COLUMNS[name]) for name in rows]))


@pytest.mark.parametrize("with_new_columns", [False, True])
def test_runs_have_durations_and_quarantine_rates_whatever_the_ledger_shape(with_new_columns: bool) -> None:
    frame = queries.runs(runs_table(with_new_columns))
    assert frame["status"].tolist() == ["FAILED", "COMPLETED"]  # newest first
    assert frame["duracao_s"].tolist() == [5.0, 90.0]
    assert frame["taxa_quarentena"].iloc[1] == pytest.approx(0.02)
    cards = frame["distinct_cards"].iloc[1]
    assert (cards == 7) if with_new_columns else frame["distinct_cards"].isna().all()
    assert frame["vlr_transacao_sum"].isna().all()


def test_stage_seconds_are_one_row_per_run_and_stage() -> None:
    stages = queries.stage_durations(runs_table(False))
    assert stages[["etapa", "segundos"]].values.tolist() == [["export", 50.0], ["load", 30.0], ["load", 4.5]]


def test_quarantine_rates_and_the_last_gate() -> None:
    rates = queries.quarantine_rates(quality_table())
    assert rates[["batch_id", "regra", "taxa"]].values.tolist() == [
        ["b0", "valor_positivo", 0.0],
        ["b1", "tipo_conta_dominio", 0.0],
        ["b1", "valor_positivo", 0.02],
    ]
    gate = queries.last_gate(quality_table())
    assert set(gate["batch_id"]) == {"b1"} and len(gate) == 3
    assert gate.iloc[0]["regra"] == "valor_positivo" and not gate.iloc[0]["passou"]  # broken rules first


def test_required_columns_are_named_when_missing() -> None:
    assert queries.missing_columns(quality_table(), queries.REQUIRED_QUALITY_COLUMNS) == []
    old = quality_table().drop_columns(["policy"])
    assert queries.missing_columns(old, queries.REQUIRED_QUALITY_COLUMNS) == ["policy"]


def test_drift_latest_run_worst_first_and_history() -> None:
    rows = {
        "flow_run_id": ["r1", "r2", "r2", "r2"],
        "batch_id": ["b1", "b2", "b2", "b2"],
        "finished_at": [T0, T0 + timedelta(hours=1)] + [T0 + timedelta(hours=1)] * 2,
        "metric": ["row_count", "row_count", "vlr_transacao_sum", "quarantine_rate:valor_positivo"],
        "value": [100.0, 10.0, 50.0, 0.0],
        "status": ["insufficient_history", "ok", "fail", "warn"],
    }
    drift = pa.table(rows, schema=pa.schema([(name, queries.DRIFT_COLUMNS[name]) for name in rows]))
    latest = queries.latest_drift(drift)
    assert latest[["metrica", "status"]].values.tolist() == [
        ["vlr_transacao_sum", "fail"],
        ["quarantine_rate:valor_positivo", "warn"],
        ["row_count", "ok"],
    ]
    assert latest["baseline"].isna().all()  # a column the table lacks reads as nulls
    history = queries.drift_history(drift)
    assert history["checagens"].sum() == 4 and len(history) == 4
