"""The dashboard's queries on a small Delta table written with delta-rs: every figure is checked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from dashboard import queries
from dashboard.sources import delta_source, movimento_source, open_dataset, parquet_source
from tasks.domain.tables import MOVIMENTO_FLAT
from tasks.storage import resolve
from tests.utils.flat_rows import ROWS, movimento_table


@pytest.fixture
def cube(tmp_path: Path) -> pa.Table:
    table = tmp_path / "delta" / "movimento_flat"
    write_deltalake(str(table), movimento_table())
    source = movimento_source(resolve(str(tmp_path)))
    assert source is not None and source.kind == "delta" and source.version == "0"
    return queries.movement_cube(open_dataset(source))


def test_totals_are_exact_decimals_and_follow_the_filters(cube: pa.Table) -> None:
    everything = queries.totals(cube, queries.Filters())
    assert everything == queries.Totals(5, Decimal("135.76"), Decimal("27.15"))
    assert queries.totals(cube, queries.Filters(batches=("b1",))) == queries.Totals(
        3, Decimal("35.75"), Decimal("11.92")
    )
    day2 = queries.Filters(start=date(2026, 6, 2), end=date(2026, 6, 2))
    assert queries.totals(cube, day2).movimentos == 3  # 23:59 UTC is still June 2nd
    assert queries.totals(cube, queries.Filters(batches=("nope",))) == queries.Totals(0, Decimal("0"), None)


def test_scope_lists_the_batches_and_the_days(cube: pa.Table) -> None:
    assert queries.scope(cube) == queries.Scope(("b1", "b2"), date(2026, 6, 1), date(2026, 6, 2))


def test_per_day_and_per_day_by_type(cube: pa.Table) -> None:
    daily = queries.per_day(cube, queries.Filters())
    assert daily["movimentos"].tolist() == [2, 3]
    assert daily["valor"].tolist() == pytest.approx([30.50, 105.26])
    by_type = queries.per_day_by(cube, queries.Filters(), "tipo_transacao")
    assert by_type[["categoria", "movimentos"]].values.tolist() == [
        ["DEBITO", 2],
        ["CREDITO", 1],
        ["DEBITO", 2],
    ]


def test_dimensions_bands_and_shares(cube: pa.Table) -> None:
    bands = queries.by_dimension(cube, queries.Filters(), "faixa_etaria")
    assert bands["categoria"].tolist() == ["até 17", "18-24", "35-44", "60+", queries.UNKNOWN]
    assert bands["movimentos"].sum() == 5 and bands["participacao"].sum() == pytest.approx(1.0)
    people = queries.by_dimension(cube, queries.Filters(), "tipo_pessoa")
    assert people[["categoria", "movimentos"]].values.tolist() == [["PF", 4], ["PJ", 1]]
    assert people["ticket_medio"].tolist() == pytest.approx([115.76 / 4, 20.0])
    accounts = queries.by_dimension(cube, queries.Filters(batches=("b1",)), "tipo_conta")
    assert accounts["categoria"].tolist() == ["POUPANCA", "CORRENTE"]  # by amount: 20.00 > 15.75
    with pytest.raises(ValueError, match="unknown dimension"):
        queries.by_dimension(cube, queries.Filters(), "email_associado")  # type: ignore[arg-type]


def test_top_descriptions_by_count(cube: pa.Table) -> None:
    top = queries.top_descriptions(cube, queries.Filters(), limit=2)
    assert top[["descricao", "movimentos"]].values.tolist() == [["Mercado", 3], ["Cashback", 1]]
    assert top["valor"].tolist() == pytest.approx([30.51, 5.25])


def test_the_cube_holds_no_personal_column(cube: pa.Table) -> None:
    personal = {column.name for column in MOVIMENTO_FLAT.columns if column.personal is not None}
    assert personal and not personal & set(cube.schema.names)
    assert "529XXXXXX25" not in str(cube.to_pylist())


def test_parquet_export_is_the_fallback_and_a_new_delta_version_is_a_new_key(tmp_path: Path) -> None:
    parquet = tmp_path / "parquet" / "movimento_flat" / "batch_id=b1"
    parquet.mkdir(parents=True)
    import pyarrow.parquet as pq

    pq.write_table(movimento_table(ROWS[:3]).drop_columns(["batch_id"]), parquet / "part-0.parquet")
    source = movimento_source(resolve(str(tmp_path)))
    assert source is not None and source.kind == "parquet"
    cube = queries.movement_cube(open_dataset(source))
    assert queries.totals(cube, queries.Filters(batches=("b1",))).valor == Decimal("35.75")
    assert parquet_source(resolve(str(tmp_path / "nothing"))) is None

    delta = tmp_path / "delta" / "movimento_flat"
    write_deltalake(str(delta), movimento_table(ROWS[:1]))
    write_deltalake(str(delta), movimento_table(ROWS[1:2]), mode="append")
    latest = delta_source(resolve(str(delta)))
    assert latest is not None and latest.version == "1"
    assert queries.totals(queries.movement_cube(open_dataset(latest)), queries.Filters()).movimentos == 2
