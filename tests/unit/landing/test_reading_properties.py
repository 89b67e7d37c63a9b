"""Property-based tests of the one strict, typed reading of a landed batch: any order of a file's columns lands
every value in its own column, and any impossible value is refused naming the file, the row and the column,
never the value."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.domain.contract import Kind
from tasks.domain.tables import TABLES, TABLES_BY_NAME
from tasks.landing.verification import BatchRejected, VerifiedBatch, verify_batch
from tests.utils.batches import land_batch, rewrite_table

ROWS = 60
PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, VerifiedBatch]:
    batch = land_batch(tmp_path_factory.mktemp("landing"), seed=17, associados=20, movimentos=ROWS)
    return batch, verify_batch(batch)


def _copy(batch: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / batch.name
        shutil.copytree(batch, copy)
        yield copy


def _reorder(order: list[str]) -> Callable[[pa.Table], pa.Table]:
    return lambda text: text.select(order)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_column_order_lands_every_value_in_its_own_column(
    landed: tuple[Path, VerifiedBatch], data: st.DataObject
) -> None:
    batch, expected = landed
    orders = {
        table.name: data.draw(st.permutations(table.column_names), label=table.name) for table in TABLES
    }
    for copy in _copy(batch):
        for table in TABLES:
            rewrite_table(copy, table.file_name, _reorder(orders[table.name]))
        verified = verify_batch(copy)
        for table in TABLES:
            assert verified.tables[table.name].column_names == table.column_names
            assert verified.tables[table.name].equals(expected.tables[table.name])


def _impossible(kind: Kind) -> st.SearchStrategy[str]:
    """Values that look like the kind but are not a value of it (each would be silently changed by a lenient
    reader: rolled to another date, rounded, wrapped)."""
    if kind is Kind.TIMESTAMP:
        day_in_month = st.sampled_from(
            [
                "2023-02-29",
                "2024-02-30",
                "2025-04-31",
                "2025-06-31",
                "2025-09-31",
                "2025-11-31",
                "2025-13-01",
                "2025-00-10",
                "2025-01-00",
                "2025-01-32",
            ]
        )
        bad_time = st.sampled_from(["24:00:00", "23:60:00", "23:59:60", "25:10:10", "12:00:99"])
        good_date = st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}")
        good_time = st.times().map(lambda t: f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}")
        return st.one_of(
            st.tuples(day_in_month, good_time).map(" ".join),
            st.tuples(good_date, bad_time).map(" ".join),
            st.tuples(good_date, good_time, st.integers(1, 999_999)).map(lambda p: f"{p[0]} {p[1]}.{p[2]}"),
        )
    if kind is Kind.DECIMAL:
        too_fine = st.tuples(st.integers(0, 99_999_999), st.integers(1, 999)).filter(lambda p: p[1] % 10 != 0)
        return st.one_of(
            too_fine.map(lambda p: f"{p[0]}.{p[1]:03d}"),
            st.integers(100_000_000, 10**15).map(lambda n: f"{n}.00"),
            st.sampled_from(["12,50", "R$ 1.00", "1.2.3", "NaN", "NULL", "abc"]),
        )
    if kind is Kind.INT:
        return st.one_of(
            st.integers(2**31, 2**70).map(str),
            st.integers(-(2**70), -(2**31) - 1).map(str),
            st.sampled_from(["1.5", "1e3", "dez", "NULL", "+-1"]),
        )
    if kind is Kind.ID:
        return st.one_of(
            st.integers(2**63, 2**80).map(str),
            st.integers(-(2**40), 0).map(str),
            st.sampled_from(["1.0", "0x10", "abc", "NULL"]),
        )
    return st.just("")  # text: an empty required value


_CELLS = [(table.name, column.name) for table in TABLES for column in table.columns]


@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_impossible_value_is_refused_naming_file_row_and_column(
    landed: tuple[Path, VerifiedBatch], data: st.DataObject
) -> None:
    batch, expected = landed
    table_name, column_name = data.draw(st.sampled_from(_CELLS), label="cell")
    table, column = TABLES_BY_NAME[table_name], TABLES_BY_NAME[table_name].column(column_name)
    row = data.draw(st.integers(1, expected.rows(table_name)), label="row")
    value = data.draw(_impossible(column.kind), label="value")

    def plant(text: pa.Table) -> pa.Table:
        values = text[column_name].to_pylist()
        values[row - 1] = value
        index = text.column_names.index(column_name)
        return text.set_column(index, column_name, pa.array(values, pa.string()))

    for copy in _copy(batch):
        rewrite_table(copy, table.file_name, plant)
        with pytest.raises(BatchRejected) as caught:
            verify_batch(copy)
    rejected = caught.value
    assert (rejected.file_name, rejected.row, rejected.column) == (table.file_name, row, column_name)
    if len(value.strip()) >= 4:  # shorter ones may be digits of a row number
        assert value.strip() not in str(rejected).split(table.file_name, 1)[1]


def test_a_text_column_keeps_every_character_of_its_values(landed: tuple[Path, VerifiedBatch]) -> None:
    """Quotes, the delimiter and line breaks inside a value are data, not structure."""
    batch, expected = landed
    hostile = ["a;b", 'aspas "duplas"', "linha\nquebrada", "=1+2", " espaço "]
    for copy in _copy(batch):

        def plant(text: pa.Table) -> pa.Table:
            values = text["des_transacao"].to_pylist()
            values[: len(hostile)] = hostile
            return text.set_column(
                text.column_names.index("des_transacao"), "des_transacao", pa.array(values)
            )

        rewrite_table(copy, "movimento.csv", plant)
        verified = verify_batch(copy)
    assert verified.tables["movimento"]["des_transacao"].to_pylist()[: len(hostile)] == hostile
    assert pc.all(pc.equal(verified.tables["movimento"]["id"], expected.tables["movimento"]["id"])).as_py()
