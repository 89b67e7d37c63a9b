"""Business page: card volume and amount per day and per transaction type, account type, PF/PJ and age band,
average ticket and top descriptions, filtered by period and batch.

It shows aggregates only: no column holding personal data (masked or not) is ever read for it.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import streamlit as st

from dashboard import formatting, queries
from dashboard.loaders import cube_of
from dashboard.sources import movimento_source, output_location

DIMENSION_TITLES: dict[queries.Dimension, str] = {
    "tipo_transacao": "Transaction type (tipo_transacao)",
    "tipo_conta": "Account type (tipo_conta)",
    "tipo_pessoa": "PF / PJ (tipo_pessoa)",
    "faixa_etaria": "Age band (idade_associado)",
}


def render() -> None:
    st.title("Card movements")
    output = output_location()
    source = movimento_source(output)
    if source is None:
        st.warning(
            f"No exported data under `{output.uri}` yet (neither `delta/movimento_flat` nor "
            "`parquet/movimento_flat`): run the pipeline first (`make run`)."
        )
        return
    cube = cube_of(source)
    scope = queries.scope(cube)
    st.caption(
        f"{source.kind.capitalize()} `{source.uri}`"
        + (f", version {source.version}" if source.kind == "delta" else "")
        + f"; {len(scope.batches)} batch(es). Masked data only, and only as aggregates."
    )
    if scope.first_day is None or scope.last_day is None:
        st.info("The exported table holds no movimento yet.")
        return
    filters = _filters(scope)
    _totals(cube, filters)
    _per_day(cube, filters)
    _dimensions(cube, filters)
    _descriptions(cube, filters)


def _filters(scope: queries.Scope) -> queries.Filters:
    """Sidebar filters; `?batch=<id>` in the address preselects batches (a link to one batch's figures)."""
    st.sidebar.header("Filters")
    period = st.sidebar.date_input(
        "Period",
        value=(scope.first_day, scope.last_day),
        min_value=scope.first_day,
        max_value=scope.last_day,
        format="YYYY-MM-DD",
    )
    chosen = [batch for batch in st.query_params.get_all("batch") if batch in scope.batches]
    batches = st.sidebar.multiselect(
        "Batches (none: all)", scope.batches, default=chosen, placeholder="All batches"
    )
    days = [day for day in (period if isinstance(period, tuple) else (period,)) if isinstance(day, date)]
    return queries.Filters(
        start=days[0] if days else None,
        end=days[-1] if days else None,
        batches=tuple(batches) if batches else None,
    )


def _totals(cube: pa.Table, filters: queries.Filters) -> None:
    totals = queries.totals(cube, filters)
    movements, amount, ticket = st.columns(3)
    movements.metric("Movements", formatting.count(totals.movimentos))
    amount.metric("Total amount", formatting.brl(totals.valor))
    ticket.metric("Average ticket", formatting.brl(totals.ticket_medio))


def _per_day(cube: pa.Table, filters: queries.Filters) -> None:
    st.subheader("Per day")
    daily = queries.per_day(cube, filters)
    volume, amount = st.columns(2)
    volume.bar_chart(daily, x="dia", y="movimentos", x_label="day", y_label="movements", height=260)
    amount.bar_chart(daily, x="dia", y="valor", x_label="day", y_label="amount (R$)", height=260)
    by_type = queries.per_day_by(cube, filters, "tipo_transacao")
    st.bar_chart(
        by_type, x="dia", y="valor", color="categoria", x_label="day", y_label="amount (R$) by tipo_transacao"
    )


def _dimensions(cube: pa.Table, filters: queries.Filters) -> None:
    st.subheader("Volume, amount and average ticket by")
    columns = st.columns(2)
    for index, (dimension, title) in enumerate(DIMENSION_TITLES.items()):
        frame = queries.by_dimension(cube, filters, dimension)
        with columns[index % 2]:
            st.markdown(f"**{title}**")
            st.bar_chart(
                frame, x="categoria", y="valor", x_label="", y_label="amount (R$)", height=220, sort=False
            )
            st.dataframe(
                frame,
                hide_index=True,
                width="stretch",
                column_config={
                    "categoria": "value",
                    "movimentos": st.column_config.NumberColumn("movements", format="localized"),
                    "valor": st.column_config.NumberColumn("amount (R$)", format="localized"),
                    "ticket_medio": st.column_config.NumberColumn("avg ticket (R$)", format="%.2f"),
                    "participacao": st.column_config.NumberColumn("share of amount", format="percent"),
                },
            )


def _descriptions(cube: pa.Table, filters: queries.Filters) -> None:
    st.subheader("Top descriptions")
    st.dataframe(
        queries.top_descriptions(cube, filters),
        hide_index=True,
        width="stretch",
        column_config={
            "descricao": "des_transacao",
            "movimentos": st.column_config.NumberColumn("movements", format="localized"),
            "valor": st.column_config.NumberColumn("amount (R$)", format="localized"),
            "ticket_medio": st.column_config.NumberColumn("avg ticket (R$)", format="%.2f"),
        },
    )
