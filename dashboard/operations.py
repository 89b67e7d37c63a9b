"""Operations page: the run ledger (`<output>/ops/`): runs over time with their seconds per stage, rows exported
and quarantined, quarantine rate per rule, the last gate's result and the drift checks.

Each table may be missing (no run yet, a ledger older than the drift checks) or lack a column: the page then
says so and shows the rest.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import streamlit as st

from dashboard import formatting, queries
from dashboard.loaders import ledger_of
from dashboard.sources import DRIFT_TABLE, QUALITY_TABLE, RUNS_TABLE, ledger_source, output_location
from tasks.storage import Location


def render() -> None:
    st.title("Pipeline operations")
    output = output_location()
    runs = _table(output, RUNS_TABLE, queries.REQUIRED_RUN_COLUMNS)
    quality = _table(output, QUALITY_TABLE, queries.REQUIRED_QUALITY_COLUMNS)
    st.caption(f"Run ledger: `{output.join('ops').uri}`")
    if runs is None:
        st.info(
            f"No run ledger yet: `{output.join('ops', RUNS_TABLE).uri}` does not exist. Each pipeline run "
            "writes its row there (docs/operations.md); run the pipeline (`make run`) and reload."
        )
    else:
        _runs(runs, quality)
    if quality is not None:
        _quality(quality)
    _drift(output)


def _table(output: Location, name: str, required: tuple[str, ...]) -> pa.Table | None:
    source = ledger_source(output, name)
    if source is None:
        return None
    table = ledger_of(source)
    missing = queries.missing_columns(table, required)
    if missing:
        st.warning(f"`ops/{name}` lacks the column(s) {', '.join(missing)}: its charts are left out.")
        return None
    return table


def _runs(pipeline_runs: pa.Table, quality: pa.Table | None) -> None:
    frame = queries.runs(pipeline_runs)
    last = frame.iloc[0]
    gate = queries.last_gate(quality) if quality is not None else None
    count, status, exported, quarantined, gate_column = st.columns([1, 1.6, 1.4, 1.4, 1.4])
    count.metric("Runs", formatting.count(len(frame)))
    status.metric("Last run", str(last["status"]), help=f"started {last['started_at']:%Y-%m-%d %H:%M:%S} UTC")
    exported.metric("Rows exported (last run)", _count(last["rows_exported"]))
    quarantined.metric("Rows quarantined (last run)", _count(last["rows_quarantined"]))
    if gate is not None and len(gate):
        failed = gate[~gate["passou"].astype(bool)]
        gate_column.metric(
            "Last gate",
            "passed" if failed.empty else f"{len(failed)} rule(s) broken",
            help=f"{len(gate)} expectations of batch {gate.iloc[0]['batch_id']}",
        )
    if last["status"] in ("FAILED", "CRASHED"):  # CRASHED: recorded by a later run (tasks/ops/in_flight.py)
        st.error(
            f"Last run {str(last['status']).lower()} at `{last['failed_stage']}`: {last['failure_reason']}"
        )

    st.subheader("Runs")
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "duracao_s": st.column_config.NumberColumn("duration (s)", format="%.1f"),
            "taxa_quarentena": st.column_config.NumberColumn("quarantine rate", format="percent"),
        },
    )
    stages = queries.stage_durations(pipeline_runs)
    seconds, rows = st.columns(2)
    with seconds:
        st.markdown("**Seconds per stage**")
        if stages.empty:
            st.info("No run recorded its stages' seconds.")
        else:
            st.bar_chart(stages, x="execucao", y="segundos", color="etapa", x_label="run", y_label="seconds")
    with rows:
        st.markdown("**Rows exported and quarantined**")
        counts = frame.melt(
            id_vars=["started_at"], value_vars=["rows_exported", "rows_quarantined"], var_name="linhas"
        ).dropna()
        counts["execucao"] = counts["started_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
        st.bar_chart(counts, x="execucao", y="value", color="linhas", x_label="run", y_label="rows")


def _quality(quality: pa.Table) -> None:
    st.subheader("Quarantine rate per rule")
    rates = queries.quarantine_rates(quality)
    if rates.empty:
        st.info("The gate has no quarantine rule in the recorded runs.")
    else:
        latest = rates[rates["finished_at"] == rates["finished_at"].max()]
        chart, table = st.columns(2)
        chart.line_chart(rates, x="execucao", y="taxa", color="regra", x_label="run", y_label="rate")
        table.dataframe(
            latest[["regra", "linhas", "taxa"]],
            hide_index=True,
            width="stretch",
            column_config={"taxa": st.column_config.NumberColumn("rate (last run)", format="percent")},
        )
    st.subheader("Last gate")
    gate = queries.last_gate(quality)
    if not gate.empty:
        held = int(gate["passou"].astype(bool).sum())
        st.markdown(
            f"Batch `{gate.iloc[0]['batch_id']}`, suite `{gate.iloc[0]['suite']}`: "
            f"{held} of {len(gate)} expectations held."
        )
        st.dataframe(
            gate[["regra", "politica", "passou", "linhas", "taxa", "coluna", "expectation"]],
            hide_index=True,
            width="stretch",
            column_config={"taxa": st.column_config.NumberColumn("unexpected", format="percent")},
        )


def _drift(output: Location) -> None:
    st.subheader("Drift checks")
    drift = _table(output, DRIFT_TABLE, queries.REQUIRED_DRIFT_COLUMNS)
    if drift is None:
        st.info(
            f"No drift checks yet: `{output.join('ops', DRIFT_TABLE).uri}` does not exist, or lacks the "
            "columns the checks need. The drift checks write it after each run once they are deployed."
        )
        return
    latest = queries.latest_drift(drift)
    if latest.empty:
        st.info("The drift table holds no check yet.")
        return
    statuses = latest["status"].value_counts()
    st.markdown(
        f"Last run (batch `{latest.iloc[0]['batch_id']}`): "
        + ", ".join(f"{statuses[name]} {name}" for name in dict.fromkeys(latest["status"]))  # worst first
    )
    st.dataframe(latest, hide_index=True, width="stretch")
    history = queries.drift_history(drift)
    st.bar_chart(history, x="execucao", y="checagens", color="status", x_label="run", y_label="checks")


def _count(value: object) -> str:
    return "-" if value is None or pd.isna(value) else formatting.count(int(value))  # type: ignore[call-overload]
